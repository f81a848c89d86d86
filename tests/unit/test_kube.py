"""wf2k8s.kube: the kubernetes client's failures as one ClusterError line (the operation, the API server's
reason and message), a missing object as None, no cluster as check_cluster's line; the requests it makes."""

from __future__ import annotations

import json
import time
import types

import pytest
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError

from wf2k8s import cli, cluster, kube


def api_error(status: int, reason: str, body: str | None = None) -> ApiException:
    problem = ApiException(status=status, reason=reason)
    problem.body = body
    return problem


def status(code: int, reason: str, message: str) -> str:
    """A Status object as the API server sends it with an error."""
    return json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                       "reason": reason, "code": code})


def failing(problem: Exception):
    def request(*args, **kwargs):
        raise problem
    return request


def test_an_api_error_is_one_line_naming_the_operation_and_the_servers_reason_and_message():
    body = status(403, "Forbidden", 'workflows.argoproj.io "a" is forbidden: User "u" cannot patch resource\n'
                                    '"workflows" in API group "argoproj.io"')
    with pytest.raises(kube.ClusterError) as raised:
        kube.call("patch workflows a -n wf2k8s", failing(api_error(403, "Forbidden", body)))
    assert str(raised.value) == ('patch workflows a -n wf2k8s: Forbidden: workflows.argoproj.io "a" is forbidden: '
                                 'User "u" cannot patch resource "workflows" in API group "argoproj.io"')
    assert type(raised.value) is kube.ClusterError and raised.value.__cause__ is None
    assert raised.value.__suppress_context__  # no chained traceback


def test_an_error_without_a_status_object_says_the_http_reason_and_what_came():
    with pytest.raises(kube.ClusterError, match=r"^get workflows a -n x: Unauthorized$"):
        kube.call("get workflows a -n x", failing(api_error(401, "Unauthorized", None)))
    with pytest.raises(kube.ClusterError, match=r"^get workflows a -n x: Bad Gateway: upstream went away$"):
        kube.call("get workflows a -n x", failing(api_error(502, "Bad Gateway", "upstream\nwent away")))


def test_a_missing_object_is_none_and_a_404_elsewhere_is_a_not_found_line(monkeypatch):
    missing = api_error(404, "Not Found", status(404, "NotFound", 'workflows.argoproj.io "gone" not found'))
    api = types.SimpleNamespace(get_namespaced_custom_object=failing(missing),
                                patch_namespaced_custom_object=failing(missing))
    monkeypatch.setattr(kube, "custom", lambda: api)
    assert kube.get("workflow", "gone", "wf2k8s") is None
    assert cluster.get_object("workflow", "gone", "wf2k8s") is None
    with pytest.raises(kube.NotFound, match=r'^patch workflows gone -n wf2k8s: NotFound: workflows.argoproj.io '
                                            r'"gone" not found$'):
        kube.patch("workflow", "gone", "wf2k8s", {"metadata": {}})


def test_other_errors_of_a_get_are_raised(monkeypatch):
    api = types.SimpleNamespace(read_namespaced_config_map=failing(
        api_error(403, "Forbidden", status(403, "Forbidden", "no"))))
    monkeypatch.setattr(kube, "core", lambda: api)
    with pytest.raises(kube.ClusterError, match=r"^get configmaps c -n ns: Forbidden: no$"):
        kube.get("configmap", "c", "ns")


def test_no_answer_is_the_no_cluster_line():
    refused = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    with pytest.raises(kube.Unreachable) as raised:
        kube.call("get workflows a -n x", failing(MaxRetryError(None, "/apis", refused)))
    line = str(raised.value)
    assert line.startswith("no cluster: the current kube context cannot be reached (get workflows a -n x: ")
    assert "Connection refused" in line and line.endswith("; set KUBECONFIG (hack/cluster-up.sh prints it)")
    assert "\n" not in line and "<" not in line
    with pytest.raises(kube.Unreachable, match=r"^no cluster: .*\(version: SSL: bad certificate\)"):
        kube.call("version", failing(ApiException(status=0, reason="SSL: bad certificate")))


def test_a_slow_answer_says_how_long_it_was_waited_for():
    slow = MaxRetryError(None, "/apis", ReadTimeoutError(None, "/apis", "read timed out"))
    with pytest.raises(kube.ClusterError, match=r"^list workflows -n x: the cluster did not answer in 7 s$"):
        kube.call("list workflows -n x", failing(slow), timeout=7)


def test_no_kube_config_is_the_no_cluster_line(monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setattr(kube, "_client", None)
    with pytest.raises(kube.Unreachable, match=r"^no cluster: the current kube context cannot be reached \(kube "
                                               r"config: no kube config .*none\) and not in a pod\); set KUBECONFIG"):
        kube.client()


def test_the_kube_config_is_read_once_with_its_contexts_namespace(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": "https://192.0.2.1:6443"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u", "namespace": "team"}}],
        "users": [{"name": "u", "user": {"token": "t"}}]}))
    monkeypatch.setenv("KUBECONFIG", str(config))
    monkeypatch.setattr(kube, "_client", None)
    first = kube.client()
    assert kube.client() is first and first.configuration.host == "https://192.0.2.1:6443"
    assert kube.default_namespace() == "team"


def test_the_cli_says_no_cluster_in_one_line(monkeypatch, capsys):
    def unreachable(*args, **kwargs):
        raise kube.Unreachable(kube.NO_CLUSTER.format(problem="get workflows r -n wf2k8s: refused"))

    monkeypatch.setattr(kube, "get", unreachable)
    assert cli.main(["status", "r"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == ("wf2k8s: no cluster: the current kube context cannot be reached (get workflows r -n "
                                 "wf2k8s: refused); set KUBECONFIG (hack/cluster-up.sh prints it)\n")


def test_check_cluster_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(kube, "version", failing(kube.ClusterError("version: Unauthorized")))
    with pytest.raises(kube.ClusterError, match=r"^no cluster: the current kube context cannot be reached "
                                                r"\(version: Unauthorized\); set KUBECONFIG"):
        cluster.check_cluster()
    monkeypatch.setattr(kube, "version", lambda timeout=10: {"gitVersion": "v1.34.4"})
    monkeypatch.setattr(kube, "crd", lambda name: None if name == "workflows.argoproj.io" else {})
    with pytest.raises(kube.ClusterError, match=r"^the cluster has no Argo Workflows CRDs"):
        cluster.check_cluster()
    monkeypatch.setattr(kube, "crd", lambda name: {})
    cluster.check_cluster()


@pytest.mark.parametrize("kind, path", [
    ("workflow", "/apis/argoproj.io/v1alpha1/namespaces/ns/workflows/n"),
    ("WorkflowTemplate", "/apis/argoproj.io/v1alpha1/namespaces/ns/workflowtemplates/n"),
    ("isvc", "/apis/serving.kserve.io/v1beta1/namespaces/ns/inferenceservices/n"),
    ("crd", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/n"),
    ("clusterservingruntime", "/apis/serving.kserve.io/v1alpha1/clusterservingruntimes/n"),
    ("rolebinding", "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings/n"),
    ("configmap", "/api/v1/namespaces/ns/configmaps/n"),
    ("pods", "/api/v1/namespaces/ns/pods/n"),
])
def test_kinds_resolve_as_kubectl_names_them(kind, path):
    assert kube.resource(kind).path("ns", "n") == path


def test_an_unknown_kind_is_one_line():
    with pytest.raises(kube.ClusterError, match=r"^wf2k8s does not know the kind 'gizmo' \(known: "):
        kube.resource("gizmo")


def test_apply_is_a_forced_server_side_apply_by_wf2k8s(monkeypatch):
    requests = []

    def call_api(path, method, **kwargs):
        requests.append((path, method, kwargs))
        return types.SimpleNamespace(data=json.dumps(kwargs["body"]).encode())

    monkeypatch.setattr(kube, "client", lambda: types.SimpleNamespace(call_api=call_api))
    manifest = {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
                "metadata": {"name": "p", "namespace": "wf2k8s"}, "spec": {}}
    assert kube.apply(manifest) == manifest
    [(path, method, kwargs)] = requests
    assert (path, method) == ("/apis/argoproj.io/v1alpha1/namespaces/wf2k8s/workflowtemplates/p", "PATCH")
    assert kwargs["header_params"]["Content-Type"] == "application/apply-patch+yaml"
    assert kwargs["query_params"] == [("fieldManager", "wf2k8s"), ("force", True)]
    assert kwargs["body"] == manifest and kwargs["_request_timeout"] == kube.TIMEOUT


def test_a_tag_is_a_label_patched_and_removed_with_none(monkeypatch):
    from wf2k8s import running

    template = {"metadata": {"name": "p", "labels": {"app.kubernetes.io/managed-by": "wf2k8s"}}}
    patches = []
    monkeypatch.setattr(running, "get_object", lambda kind, name, namespace: template)
    monkeypatch.setattr(kube, "patch", lambda *args: patches.append(args) or {})
    running.tag("p", "wf2k8s", ["best", "v1"])
    running.tag("p", "wf2k8s", ["v1"], remove=True)
    assert patches == [
        ("workflowtemplate", "p", "wf2k8s",
         {"metadata": {"labels": {"tag.wf2k8s.io/best": "", "tag.wf2k8s.io/v1": ""}}}),
        ("workflowtemplate", "p", "wf2k8s", {"metadata": {"labels": {"tag.wf2k8s.io/v1": None}}})]


def test_a_changed_workflow_template_gets_time_to_reach_argos_controller(monkeypatch):
    """Argo reads templates from its watch cache: a run made at once after a change could start the old version."""
    current = {"metadata": {"resourceVersion": "1"}}
    monkeypatch.setattr(kube, "apply", lambda manifest: {"metadata": {"resourceVersion": "1"}})
    waited: list[float] = []
    manifest = {"kind": "WorkflowTemplate", "metadata": {"name": "p", "namespace": "wf2k8s"}}
    cluster.apply_template_version(manifest, current, sleep=waited.append)
    assert waited == []  # unchanged: no wait
    monkeypatch.setattr(kube, "apply", lambda manifest: {"metadata": {"resourceVersion": "2"}})
    cluster.apply_template_version(manifest, current, sleep=waited.append)
    assert waited == [cluster.TEMPLATE_SETTLE_SECONDS]
    cluster.apply_template_version(manifest, None, sleep=waited.append)  # a new template
    assert waited == [cluster.TEMPLATE_SETTLE_SECONDS] * 2
    monkeypatch.setattr(time, "sleep", waited.append)
    cluster.apply_manifest({"kind": "ConfigMap", "metadata": {"name": "c"}})
    assert len(waited) == 2  # other manifests are applied as they are
