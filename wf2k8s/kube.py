"""The cluster's API, through the official ``kubernetes`` client: the objects wf2k8s reads and writes as
JSON documents (what the API server sends; ``kubectl get -o json`` shows the same).

The client is configured once, when first needed, as kubectl configures itself: ``KUBECONFIG`` (a
list of files, merged) or ``~/.kube/config`` and its current context, else the pod's service account
(in-cluster). Every failure is one ``ClusterError`` line: the operation and the API server's reason and
message; a cluster that cannot be reached says so and how to name one.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

FIELD_MANAGER = "wf2k8s"
TIMEOUT = 120.0  # seconds a request may take (what kubectl was given)
SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
NO_CLUSTER = ("no cluster: the current kube context cannot be reached ({problem}); "
              "set KUBECONFIG (hack/cluster-up.sh prints it)")


class ClusterError(RuntimeError):
    """The cluster cannot do what was asked; the message says why, in one line."""

    exit_code = 1


class Unreachable(ClusterError):
    """No cluster answers: no kube config, or its server cannot be reached (the whole line in the message)."""


class NotFound(ClusterError):
    """The API server has no such object (404)."""


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core API (/api/v1)
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short: tuple[str, ...] = ()

    def path(self, namespace: str | None, name: str | None = None, version: str | None = None) -> str:
        base = f"/apis/{self.group}/{version or self.version}" if self.group else f"/api/{version or self.version}"
        scope = f"/namespaces/{namespace}" if self.namespaced and namespace else ""
        return f"{base}{scope}/{self.plural}" + (f"/{name}" if name else "")


#: the kinds wf2k8s, its hack/ scripts and its tests name (kubectl's names for them all resolve)
RESOURCES = (
    Resource("argoproj.io", "v1alpha1", "Workflow", "workflows", short=("wf",)),
    Resource("argoproj.io", "v1alpha1", "WorkflowTemplate", "workflowtemplates", short=("wftmpl",)),
    Resource("argoproj.io", "v1alpha1", "CronWorkflow", "cronworkflows", short=("cwf",)),
    Resource("serving.kserve.io", "v1beta1", "InferenceService", "inferenceservices", short=("isvc",)),
    Resource("serving.kserve.io", "v1alpha1", "ServingRuntime", "servingruntimes"),
    Resource("serving.kserve.io", "v1alpha1", "ClusterServingRuntime", "clusterservingruntimes", namespaced=False),
    Resource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
             namespaced=False, short=("crd", "crds")),
    Resource("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    Resource("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced=False),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced=False),
    Resource("apps", "v1", "Deployment", "deployments", short=("deploy",)),
    Resource("batch", "v1", "Job", "jobs"),
    Resource("", "v1", "Pod", "pods", short=("po",)),
    Resource("", "v1", "ConfigMap", "configmaps", short=("cm",)),
    Resource("", "v1", "Secret", "secrets"),
    Resource("", "v1", "Service", "services", short=("svc",)),
    Resource("", "v1", "ServiceAccount", "serviceaccounts", short=("sa",)),
    Resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",)),
    Resource("", "v1", "Namespace", "namespaces", namespaced=False, short=("ns",)),
)
_NAMES = {alias: r for r in RESOURCES for alias in (r.kind.lower(), r.plural, *r.short)}


def resource(kind: str) -> Resource:
    """A kind as kubectl takes it (``workflow``, ``workflows``, ``WorkflowTemplate``, ``crd``, ``isvc``)."""
    found = _NAMES.get(kind.lower())
    if found is None:
        raise ClusterError(f"wf2k8s does not know the kind {kind!r} (known: "
                           f"{', '.join(sorted(r.kind for r in RESOURCES))})")
    return found


# --- the client: configured once, on first use ----------------------------------------------------------

_client: Any = None


def client() -> Any:
    """The ``kubernetes.client.ApiClient`` of the current kube context (configured on first use)."""
    global _client
    if _client is None:
        from kubernetes import client as k8s, config  # imported here: compiling needs no cluster client

        configuration = k8s.Configuration()
        namespace = None
        try:
            files = os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
            if any(os.path.exists(f) for f in files.split(os.pathsep) if f):
                config.load_kube_config(config_file=files, client_configuration=configuration)
                _, current = config.list_kube_config_contexts(config_file=files)
                namespace = (current or {}).get("context", {}).get("namespace")
            else:  # no kube config: the pod's service account, as kubectl does in a pod
                if not os.environ.get("KUBERNETES_SERVICE_HOST"):
                    raise config.ConfigException(f"no kube config ({files}) and not in a pod")
                config.load_incluster_config(client_configuration=configuration)
                with open(SERVICE_ACCOUNT_NAMESPACE) as f:
                    namespace = f.read().strip()
        except (config.ConfigException, OSError, ValueError, TypeError) as problem:
            raise Unreachable(NO_CLUSTER.format(problem=f"kube config: {one_line(str(problem))}")) from None
        _client = k8s.ApiClient(configuration)
        _client.wf2k8s_namespace = namespace or "default"
    return _client


def default_namespace() -> str:
    """The current context's namespace, where an object that names none goes (as with kubectl)."""
    return client().wf2k8s_namespace


def reset() -> None:
    """Forget the configured client (the next call reads the kube config again)."""
    global _client
    _client = None


def core() -> Any:
    from kubernetes import client as k8s

    return k8s.CoreV1Api(client())


def custom() -> Any:
    from kubernetes import client as k8s

    return k8s.CustomObjectsApi(client())


def extensions() -> Any:
    from kubernetes import client as k8s

    return k8s.ApiextensionsV1Api(client())


# --- errors: one line ------------------------------------------------------------------------------------


def one_line(text: str) -> str:
    return " ".join(text.split())


def api_message(status: int | None, reason: str | None, body: Any) -> str:
    """The API server's reason and message from an error response (a ``Status`` object when it sends one)."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict) and (document.get("message") or document.get("reason")):
        why, message = document.get("reason") or reason or "", document.get("message") or ""
    else:
        why, message = reason or "", text
    why = why or (f"HTTP {status}" if status else "error")
    return one_line(f"{why}: {message}" if message and message != why else why)


def call(what: str, request: Callable[..., Any], *args: Any, timeout: float = TIMEOUT, **kwargs: Any) -> Any:
    """``request(*args, **kwargs)`` with the client's errors turned into one ClusterError line about ``what``."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError, ReadTimeoutError

    try:
        return request(*args, _request_timeout=timeout, **kwargs)
    except ApiException as problem:
        if not problem.status:  # no answer from the server at all
            raise Unreachable(NO_CLUSTER.format(problem=f"{what}: {one_line(str(problem.reason))}")) from None
        error = NotFound if problem.status == 404 else ClusterError
        raise error(f"{what}: {api_message(problem.status, problem.reason, problem.body)}") from None
    except HTTPError as problem:
        cause = getattr(problem, "reason", None) or problem
        if isinstance(cause, ReadTimeoutError) or isinstance(problem, ReadTimeoutError):
            raise ClusterError(f"{what}: the cluster did not answer in {timeout:.0f} s") from None
        raise Unreachable(NO_CLUSTER.format(problem=f"{what}: {connection_problem(cause)}")) from None
    except OSError as problem:  # a socket error urllib3 did not wrap
        raise Unreachable(NO_CLUSTER.format(problem=f"{what}: {one_line(str(problem))}")) from None


def connection_problem(cause: Any) -> str:
    """``<urllib3.connection.HTTPSConnection object at 0x..>: Failed to establish ...: [Errno 111] Connection
    refused`` as ``https://HOST: Failed to establish ...: [Errno 111] Connection refused``."""
    text = re.sub(r"^<[^>]*>:\s*", "", one_line(str(cause)))
    host = getattr(getattr(_client, "configuration", None), "host", None)
    return f"{host}: {text}" if host else text


def document(response: Any) -> Any:
    """The JSON an unparsed (``_preload_content=False``) response carries."""
    data = response.data
    return json.loads(data) if data else {}


# --- operations ------------------------------------------------------------------------------------------


def _snake(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def _core_method(verb: str, r: Resource) -> Callable[..., Any]:
    """CoreV1Api's method for ``verb`` on ``r`` (``read_namespaced_pod``, ``list_namespaced_config_map``)."""
    return getattr(core(), f"{verb}_{'namespaced_' if r.namespaced else ''}{_snake(r.kind)}")


def _scope(r: Resource, namespace: str | None) -> tuple[Any, ...]:
    return (namespace,) if r.namespaced else ()


def _custom_method(verb: str, r: Resource) -> Callable[..., Any]:
    return getattr(custom(), f"{verb}_{'namespaced' if r.namespaced else 'cluster'}_custom_object")


def _what(verb: str, r: Resource, name: str | None, namespace: str | None) -> str:
    where = f" -n {namespace}" if r.namespaced and namespace else ""
    return f"{verb} {r.plural}{f' {name}' if name else ''}{where}"


def get(kind: str, name: str, namespace: str | None) -> dict | None:
    """An object as the API server has it; None when there is none (404)."""
    r = resource(kind)
    try:
        if r.group:
            response = call(_what("get", r, name, namespace), _custom_method("get", r), r.group, r.version,
                            *_scope(r, namespace), r.plural, name, _preload_content=False)
        else:
            response = call(_what("get", r, name, namespace), _core_method("read", r), name,
                            *_scope(r, namespace), _preload_content=False)
    except NotFound:
        return None
    return document(response)


def list_objects(kind: str, namespace: str | None, selector: str = "") -> list[dict]:
    """The objects of a kind in a namespace, with the labels ``selector`` names (``a=b,c``)."""
    r = resource(kind)
    what = _what("list", r, None, namespace) + (f" -l {selector}" if selector else "")
    if r.group:
        response = call(what, _custom_method("list", r), r.group, r.version, *_scope(r, namespace), r.plural,
                        label_selector=selector, _preload_content=False)
    else:
        response = call(what, _core_method("list", r), *_scope(r, namespace), label_selector=selector,
                        _preload_content=False)
    return document(response).get("items") or []


def _of(manifest: dict) -> tuple[Resource, str, str | None, str]:
    """A manifest's resource, API version, namespace and name."""
    r = resource(manifest.get("kind") or "")
    version = (manifest.get("apiVersion") or "").rsplit("/", 1)[-1] or r.version
    metadata = manifest.get("metadata") or {}
    namespace = (metadata.get("namespace") or default_namespace()) if r.namespaced else None
    return r, version, namespace, metadata.get("name") or ""


def create(manifest: dict) -> dict:
    """Create an object (``kubectl create -f``); the object the API server made."""
    r, version, namespace, name = _of(manifest)
    what = _what("create", r, name, namespace)
    if r.group:
        response = call(what, _custom_method("create", r), r.group, version, *_scope(r, namespace), r.plural,
                        manifest, _preload_content=False)
    else:
        response = call(what, _core_method("create", r), *_scope(r, namespace), manifest, _preload_content=False)
    return document(response)


def apply(manifest: dict) -> dict:
    """Server-side apply (``kubectl apply --server-side --force-conflicts --field-manager=wf2k8s``): wf2k8s
    owns the fields it sets; no last-applied annotation, so a large pipeline's WorkflowTemplate fits."""
    r, version, namespace, name = _of(manifest)
    api = client()
    response = call(_what("apply", r, name, namespace), api.call_api, r.path(namespace, name, version), "PATCH",
                    query_params=[("fieldManager", FIELD_MANAGER), ("force", True)],
                    header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
                    body=manifest, auth_settings=["BearerToken"], _preload_content=False,
                    _return_http_data_only=True)
    return document(response)


def patch(kind: str, name: str, namespace: str | None, body: dict) -> dict:
    """A merge patch of an object (``kubectl patch --type merge``; a strategic merge for core kinds, the same
    for the maps wf2k8s patches): a key set to None is removed."""
    r = resource(kind)
    what = _what("patch", r, name, namespace)
    if r.group:
        response = call(what, _custom_method("patch", r), r.group, r.version, *_scope(r, namespace), r.plural,
                        name, body, _preload_content=False)
    else:
        response = call(what, _core_method("patch", r), name, *_scope(r, namespace), body, _preload_content=False)
    return document(response)


def delete(kind: str, name: str, namespace: str | None, wait: bool = True) -> None:
    """Delete an object and, as ``kubectl delete`` does, wait until it is gone (its finalizers done)."""
    r = resource(kind)
    what = _what("delete", r, name, namespace)
    if r.group:
        call(what, _custom_method("delete", r), r.group, r.version, *_scope(r, namespace), r.plural, name,
             _preload_content=False)
    else:
        call(what, _core_method("delete", r), name, *_scope(r, namespace), _preload_content=False)
    if wait:
        wait_gone(kind, name, namespace)


def wait_gone(kind: str, name: str, namespace: str | None, timeout: float = TIMEOUT) -> None:
    """Wait until an object being deleted is gone; one line naming its finalizers when it stays."""
    deadline = time.monotonic() + timeout
    while (left := get(kind, name, namespace)) is not None:
        if time.monotonic() > deadline:
            finalizers = (left.get("metadata") or {}).get("finalizers") or []
            raise ClusterError(f"{_what('delete', resource(kind), name, namespace)}: still there after "
                               f"{timeout:.0f} s (finalizers: {', '.join(finalizers) or 'none'})")
        time.sleep(0.5)


def pod_log(pod: str, namespace: str, container: str) -> str:
    """What a container of a pod printed (``kubectl logs POD -c CONTAINER``), as text."""
    response = call(f"logs {pod} -n {namespace} -c {container}", core().read_namespaced_pod_log, pod, namespace,
                    container=container, _preload_content=False)
    return response.data.decode(errors="replace")


def version(timeout: float = 10) -> dict:
    """The API server's version (whether it answers at all)."""
    from kubernetes import client as k8s

    return document(call("version", k8s.VersionApi(client()).get_code, timeout=timeout, _preload_content=False))


def crd(name: str) -> dict | None:
    """A CustomResourceDefinition; None when the cluster has none of that name."""
    try:
        return document(call(f"get customresourcedefinitions {name}", extensions().read_custom_resource_definition,
                             name, _preload_content=False))
    except NotFound:
        return None
