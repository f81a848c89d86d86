"""ServiceStep's deployer (wf2k8s/runtime/service.py): its pure logic, and a whole run against
fakes of the Kubernetes API and the model registry (the real ones: tests/e2e/test_serving.py)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from specs import phase
from wf2k8s.contract import ContractError
from wf2k8s.runtime import service
from wf2k8s.runtime.context import RunContext
from wf2k8s.runtime.errors import PhaseError

# the deployment input ---------------------------------------------------------------------------


def entry(version, weight=None, name="iris", **more):
    item = {"model_name": name, "model_version": version, **more}
    if weight is not None:
        item["weight"] = weight
    return item


def test_single_entry_without_weight_takes_everything():
    [only] = service.parse_deployment(json.dumps([entry("1.1.1")]))
    assert only["weight"] == 100 and only["model_version"] == "1.1.1" and only["specification"] is None


def test_seed_example_with_missing_weights_counts_them_as_zero():
    value = [entry("v1", 50), entry("v2", 30), entry("v3"), entry("v4", 20)]
    assert [e["weight"] for e in service.parse_deployment(value)] == [50, 30, 0, 20]


def test_a_single_object_without_the_brackets_is_refused():
    # the seed: 'The "[" at the beginning and "]" at the end are required.'
    with pytest.raises(service.DeploymentError, match=r'one JSON object, not a list: the "\[" at the beginning'):
        service.parse_deployment(json.dumps(entry("1.1.1", 100)), "deploy_models")


@pytest.mark.parametrize("value, problem", [
    ("", "no deployment input"),
    ("not json", "not JSON"),
    ("[]", "non-empty JSON list"),
    ([entry("a", 50), entry("b", 40)], "sum to 90"),
    ([entry("a", 50), entry("b", 50, name="other")], "several models"),
    ([entry("a", 50), entry("a", 50)], "appears twice"),
    ([entry("a", 101)], "more than 100"),
    ([entry("a", "x")], "not a whole number"),
    ([{"model_version": "a"}], "no model_name"),
    (["text"], "not a JSON object"),
    ([entry("a", 100, wieght=100)], "unknown field(s) wieght"),
    ([entry("a", 100, specification="gpu-huge")], "entry 0: specification 'gpu-huge' is neither"),
    ([entry("a", 100, envs=["A=1"])], "envs ['A=1'], not a JSON object"),
    ([entry({"v": 1}, 100)], "model_version {'v': 1}, not a version text"),
])
def test_bad_inputs_are_refused_with_the_seed_message(value, problem):
    with pytest.raises(service.DeploymentError) as caught:
        service.parse_deployment(value, "si_placeholder1")
    text = str(caught.value)
    assert problem in text
    assert text.startswith("ServiceInputPlaceholder 'si_placeholder1': ")
    assert 'Please enter the ServiceInputPlaceholder "si_placeholder1"' in text
    assert "The sum of the weights must be equal to 100" in text


def test_the_placeholder_model_name_restricts_the_input():
    with pytest.raises(service.DeploymentError, match="deploys model 'iris'"):
        service.parse_deployment([entry("1.1.1", name="flowers")], model_name="iris")


def test_service_input_entries_apply_the_placeholder_fields():
    [only] = service.service_input_entries('[{"model_name": "iris"}]', "p",
                                           {"model_name": "iris", "model_version": "1.1.2"})
    assert only["model_version"] == "1.1.2" and only["weight"] == 100
    with pytest.raises(service.DeploymentError, match="deploys model 'iris'"):
        service.service_input_entries('[{"model_name": "x"}]', "p", {"model_name": "iris"})


def test_a_value_that_is_no_json_gets_the_seed_message_in_the_deployer():
    spec = phase("service", "s", inputs=[{"name": "models", "data": {"$param": "p", "type": "service_input",
                                                                    "value": "oops"}}],
                 outputs=[{"name": "o", "service_config": {"infer_type": "real-time"}}])
    with pytest.raises(service.DeploymentError, match="ServiceInputPlaceholder 'p': the input is not JSON"):
        service.deployment_input(spec.inputs, RunContext())


def test_a_model_data_input_deploys_its_own_weight():
    # ModelData's weight is always in the spec (the SDK's default is written): the deployer takes it as given
    spec = phase("service", "s", inputs=[{"name": "m", "data": {"kind": "model_data", "model_name": "iris",
                                                               "model_version": "1.1.1", "weight": 40}}],
                 outputs=[{"name": "o", "service_config": {"infer_type": "real-time"}}])
    with pytest.raises(service.DeploymentError, match="the weights sum to 40, not 100"):
        service.deployment_input(spec.inputs, RunContext())
    spec = phase("service", "s", inputs=[{"name": "m", "data": {"kind": "model_data", "model_name": "iris",
                                                               "weight": 100, "envs": {"A": 1}}}],
                 outputs=[{"name": "o", "service_config": {"infer_type": "real-time"}}])
    [only], update, envs = service.deployment_input(spec.inputs, RunContext())
    assert (only["model_name"], only["model_version"], only["weight"], update, envs) == \
        ("iris", "", 100, None, {"A": 1})


# names, resources, envs -------------------------------------------------------------------------


@pytest.mark.parametrize("text, name", [
    ("service_step", "service-step"), ("Main__Service", "main-service"), ("1st", "svc-1st"),
    ("a" * 80, "a" * 45), ("x_-_y", "x-y"),
])
def test_dns_names(text, name):
    assert service.dns_name(text) == name


def test_resources_from_specification():
    assert service.resources_of(None) == service.DEFAULT_RESOURCES
    assert service.resources_of("modelarts.vm.cpu.2u")["limits"] == {"cpu": "2", "memory": "8Gi"}
    assert service.resources_of('{"cpu": "500m", "memory": "1Gi"}') == {
        "requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "1Gi"}}
    with pytest.raises(ContractError, match="neither a ModelArts CPU flavor"):
        service.resources_of("modelarts.vm.gpu.p4")


def test_envs_are_strings_in_order_later_sources_win():
    assert service.env_list({"A": 1, "B": True}, {"B": "x", "C": {"k": 1}, "D": None}) == [
        {"name": "A", "value": "1"}, {"name": "B", "value": "x"}, {"name": "C", "value": '{"k": 1}'}]


# the model registry -----------------------------------------------------------------------------


def version(number, tag=None, source="s3://wf2k8s/runs/r/model/", model_type="Scikit_Learn"):
    tags = [{"key": "modelarts.model_type", "value": model_type}]
    if tag:
        tags.append({"key": "modelarts.version", "value": tag})
    return {"name": "iris", "version": str(number), "source": source, "tags": tags}


def test_pick_version_by_tag_by_number_or_newest():
    versions = [version(1, "1.1.1"), version(2, "1.1.2"), version(10, "1.1.3")]
    assert service.pick_version(versions, "iris", "1.1.2")["version"] == "2"
    assert service.pick_version(versions, "iris", "10")["version"] == "10"
    assert service.pick_version(versions, "iris", "")["version"] == "10"
    with pytest.raises(PhaseError, match="no version '9.9.9'"):
        service.pick_version(versions, "iris", "9.9.9")
    with pytest.raises(PhaseError, match="no registered version"):
        service.pick_version([], "iris", "")


class FakeMLflow:
    def __init__(self, versions):
        self.by_name = versions

    def versions(self, name):
        return iter(self.by_name.get(name, []))


def test_resolve_model_gives_uri_and_format():
    mlflow = FakeMLflow({"iris": [version(1, "1.1.1")]})
    model = service.resolve_model(mlflow, {"model_name": "iris", "model_version": "1.1.1", "weight": 100})
    assert (model["uri"], model["format"], model["mlflow_version"]) == ("s3://wf2k8s/runs/r/model/", "sklearn", "1")


@pytest.mark.parametrize(("model_type", "model_format"), [("TensorFlow", "tensorflow"), ("PyTorch", "pytorch")])
def test_tensorflow_and_pytorch_models_are_served_by_their_modelformat(model_type, model_format):
    mlflow = FakeMLflow({"m": [version(1, "1.1.1", model_type=model_type)]})
    model = service.resolve_model(mlflow, {"model_name": "m", "model_version": "1.1.1", "weight": 100})
    assert (model["uri"], model["format"]) == ("s3://wf2k8s/runs/r/model/", model_format)


def test_resolve_model_refuses_unservable_models():
    with pytest.raises(PhaseError, match="model type 'MXNet'"):
        service.resolve_model(FakeMLflow({"iris": [version(1, "1.1.1", model_type="MXNet")]}),
                              {"model_name": "iris", "model_version": "", "weight": 100})
    with pytest.raises(PhaseError, match="no model files on S3"):
        service.resolve_model(FakeMLflow({"iris": [version(1, "1.1.1", source="docker://img:1")]}),
                              {"model_name": "iris", "model_version": "", "weight": 100})


# the InferenceService ---------------------------------------------------------------------------


def model(version_tag, weight, uri="s3://b/m/"):
    return {"model_name": "iris", "model_version": version_tag, "weight": weight, "uri": uri, "format": "sklearn",
            "specification": None, "envs": {}, "mlflow_version": "1", "model_type": "Scikit_Learn"}


def test_desired_isvc_single_version():
    isvc = service.desired_isvc("svc", "ns", [model("1.1.1", 100)], [{"name": "A", "value": "1"}], "step", None)
    predictor = isvc["spec"]["predictor"]
    assert predictor["model"]["storageUri"] == "s3://b/m/" and predictor["model"]["modelFormat"] == {"name": "sklearn"}
    assert predictor["serviceAccountName"] == service.SERVICE_ACCOUNT
    assert predictor["model"]["env"] == [{"name": "A", "value": "1"}]
    assert "canary" not in isvc["spec"]
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"


def test_desired_isvc_weights_make_canaries():
    isvc = service.desired_isvc("svc", "ns", [model("1.1.1", 30, "s3://b/1/"), model("1.1.2", 70, "s3://b/2/"),
                                              model("1.1.3", 0)], [], "step", None)
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == "s3://b/2/"
    assert [c["trafficPercent"] for c in isvc["spec"]["canary"]] == [30]
    assert isvc["spec"]["canary"][0]["predictor"]["name"] == "v1-1-1"


def test_updates_start_the_new_pod_first_and_drain_the_old_one():
    isvc = service.desired_isvc("svc", "ns", [model("1.1.1", 50, "s3://b/1/"), model("1.1.2", 50, "s3://b/2/")],
                                [], "step", None)
    for predictor in [isvc["spec"]["predictor"]] + [c["predictor"] for c in isvc["spec"]["canary"]]:
        assert predictor["deploymentStrategy"] == {"type": "RollingUpdate",
                                                   "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
        assert predictor["model"]["lifecycle"] == {"preStop": {"sleep": {"seconds": service.DRAIN_SECONDS}}}


def test_defaults_added_by_kserve_do_not_count_as_changes():
    wanted = service.desired_isvc("svc", "ns", [model("1.1.1", 100)], [], "step", None)
    existing = copy.deepcopy(wanted)
    existing["metadata"]["annotations"]["other"] = "x"
    existing["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] = "Standard"
    existing["spec"]["predictor"]["model"]["name"] = ""
    existing["spec"]["predictor"]["model"]["runtime"] = "wf2k8s-sklearn"
    assert service.unchanged(existing, wanted)
    existing["spec"]["predictor"]["model"]["storageUri"] = "s3://b/other/"
    assert not service.unchanged(existing, wanted)


def status(ready="True", generation=1, observed=1, model_status=None):
    return {"metadata": {"generation": generation},
            "status": {"observedGeneration": observed, "modelStatus": model_status or {},
                       "conditions": [{"type": "Ready", "status": ready, "reason": "Waiting", "message": "pods"}]}}


def test_readiness():
    assert service.readiness(status())[0] == "ready"
    assert service.readiness(status(generation=2))[0] == "waiting"
    assert service.readiness(status(ready="False")) == ("waiting", "Ready: Waiting pods")
    failed = status(ready="False", model_status={"transitionStatus": "BlockedByFailedLoad", "lastFailureInfo": {
        "reason": "ModelLoadFailed", "message": "no model file"}})
    assert service.readiness(failed) == ("failed", "ModelLoadFailed: no model file")


# a whole run against fakes ----------------------------------------------------------------------


def pod(uri, ready="True", deleting=False):
    meta = {"deletionTimestamp": "2026-01-01T00:00:00Z"} if deleting else {}
    return {"metadata": meta,
            "spec": {"initContainers": [{"name": "storage-initializer", "args": [uri, "/mnt/models"]}]},
            "status": {"conditions": [{"type": "Ready", "status": ready}]}}


def test_ready_only_when_the_pods_serve_exactly_the_wanted_models():
    isvc = status(generation=2, observed=1)  # KServe's Standard mode leaves observedGeneration behind
    assert service.readiness(isvc, [pod("s3://b/1/"), pod("s3://b/2/")], {"s3://b/2/"})[0] == "waiting"
    assert service.readiness(isvc, [pod("s3://b/1/", deleting=True), pod("s3://b/2/")], {"s3://b/2/"})[0] == "ready"
    assert service.readiness(isvc, [pod("s3://b/2/", ready="False")], {"s3://b/2/"}) == (
        "waiting", "no predictor pod is ready (want s3://b/2/)")


def test_a_crashing_model_server_fails_the_step_with_its_log():
    crashing = pod("s3://b/1/", ready="False")
    crashing["metadata"]["name"] = "svc-predictor-1"
    crashing["status"]["containerStatuses"] = [{"name": "kserve-container", "restartCount": 3, "lastState": {
        "terminated": {"reason": "Error", "exitCode": 1}}}]
    assert service.crashed([crashing]) == ("svc-predictor-1", "kserve-container", "Error, exit code 1")
    assert service.crashed([pod("s3://b/1/")]) is None


class FailedLoadKube:
    """KServe says only "ModelLoadFailed"; the model server's container exited once, its log comes late."""

    def __init__(self, logs):
        self.logs = list(logs)

    def get(self, path):
        if "/pods?labelSelector=" in path:
            crashing = pod("s3://b/1/", ready="False")
            crashing["metadata"]["name"] = "svc-predictor-1"
            crashing["status"]["containerStatuses"] = [{"name": "kserve-container", "restartCount": 0, "state": {
                "terminated": {"reason": "Error", "exitCode": 1}}}]
            return {"items": [crashing]}
        return status(ready="False", model_status={"transitionStatus": "BlockedByFailedLoad",
                                                   "lastFailureInfo": {"reason": "ModelLoadFailed"}})

    def text(self, path):
        return self.logs.pop(0) if self.logs else ""


def test_a_bare_kserve_failure_reason_gets_the_model_server_log():
    kube = FailedLoadKube(["", "", "RuntimeError: no model file (*.joblib) in /mnt/models\n"])
    with pytest.raises(PhaseError) as caught:
        service.wait_ready(kube, "ns", "svc", 1, 5, {"s3://b/1/"}, sleep=lambda s: None)
    assert str(caught.value) == ("InferenceService 'svc' failed: ModelLoadFailed; kserve-container of pod "
                                 "svc-predictor-1 exited (Error, exit code 1): RuntimeError: no model file "
                                 "(*.joblib) in /mnt/models")
    with pytest.raises(PhaseError, match=r"^InferenceService 'svc' failed: ModelLoadFailed$"):
        service.wait_ready(FailedLoadKube([]), "ns", "svc", 1, 5, {"s3://b/1/"}, sleep=lambda s: None)


class ReplacingABrokenVersionKube:
    """The service's old version never loaded (its pod keeps exiting, KServe's model status says so); the
    update's pod serves the new model and becomes ready after a few polls."""

    def __init__(self):
        self.polls = 0

    def get(self, path):
        if "/pods?labelSelector=" in path:
            self.polls += 1
            old = pod("s3://b/old/", ready="False")
            old["metadata"]["name"] = "svc-predictor-old"
            old["status"]["containerStatuses"] = [{"name": "kserve-container", "restartCount": 4, "lastState": {
                "terminated": {"reason": "Error", "exitCode": 1}}}]
            new = pod("s3://b/new/", ready="True" if self.polls > 3 else "False")
            return {"items": [new] if self.polls > 3 else [old, new]}
        return status(ready="True" if self.polls > 3 else "False", model_status={} if self.polls > 3 else {
            "transitionStatus": "BlockedByFailedLoad", "lastFailureInfo": {"reason": "ModelLoadFailed"}})

    def text(self, path):
        return "RuntimeError: no model file in /mnt/models\n"


def test_updating_a_service_whose_old_version_never_loaded_waits_for_the_new_pods():
    kube = ReplacingABrokenVersionKube()
    ready = service.wait_ready(kube, "ns", "svc", 1, 5, {"s3://b/new/"}, sleep=lambda s: None)
    assert service.condition(ready, "Ready")["status"] == "True"  # not failed on the old version's status


def test_the_new_versions_own_crash_still_fails_the_update():
    crashing = pod("s3://b/new/", ready="False")
    crashing["metadata"]["name"] = "svc-predictor-new"
    crashing["status"]["containerStatuses"] = [{"name": "kserve-container", "restartCount": 0, "state": {
        "terminated": {"reason": "Error", "exitCode": 1}}}]
    assert service.wanted_pods([pod("s3://b/old/"), crashing], {"s3://b/new/"}) == [crashing]
    assert service.crashed(service.wanted_pods([pod("s3://b/old/"), crashing], {"s3://b/new/"}), restarts=0) == (
        "svc-predictor-new", "kserve-container", "Error, exit code 1")


class FakeKube:
    def __init__(self, states=("True",)):
        self.objects: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.states = list(states)

    def call(self, method, path, body=None):
        self.calls.append((method, path))
        if method == "POST":
            body = copy.deepcopy(body)
            body["metadata"].update(resourceVersion="1", generation=1, uid="uid-1")
            if body["kind"] == "Service":
                body["spec"]["clusterIP"] = "10.96.7.7"
            self.objects[f"{path}/{body['metadata']['name']}"] = body
            return body
        if method == "PUT":
            old = self.objects[path]
            body = copy.deepcopy(body)
            body["metadata"].update(generation=old["metadata"]["generation"] + 1, uid="uid-1")
            self.objects[path] = body
            return body
        raise AssertionError(method)

    def text(self, path):
        return "Traceback\nRuntimeError: no model file\n"

    def get(self, path):
        self.calls.append(("GET", path))
        if "/pods?labelSelector=" in path:  # one ready pod per model the InferenceService names
            isvc = next(o for o in self.objects.values() if o["kind"] == "InferenceService")
            predictors = [isvc["spec"]["predictor"]] + [c["predictor"] for c in isvc["spec"].get("canary", [])]
            return {"items": [pod(p["model"]["storageUri"]) for p in predictors]}
        found = copy.deepcopy(self.objects.get(path))
        if found is not None and found["kind"] == "InferenceService":
            ready = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            found["status"] = {"observedGeneration": found["metadata"]["generation"],
                               "conditions": [{"type": "Ready", "status": ready}]}
        return found


@pytest.fixture()
def fakes(monkeypatch):
    kube = FakeKube()
    monkeypatch.setattr(service.Kube, "in_cluster", classmethod(lambda cls: kube))
    monkeypatch.setattr(service.MLflow, "from_env", classmethod(
        lambda cls: FakeMLflow({"iris": [version(1, "1.1.1", "s3://b/1/"), version(2, "1.1.2", "s3://b/2/")]})))
    monkeypatch.setattr(service.time, "sleep", lambda s: None)
    return kube


RUN = RunContext("run-1", "wf2k8s", {"model_name": "iris", "service": ""})


def spec_with(value, envs=None, service_name=None, config=None, more_inputs=(), policy=None):
    """A ServiceStep's spec as the compiler writes it; ``config`` replaces the ServiceConfig (JSON)."""
    if config is None:
        config = {"infer_type": "real-time"}
        if envs:
            config["envs"] = envs
        if service_name:
            config["service_name"] = service_name
    return phase("service", "service_step", inputs=[{"name": "si", "data": {
        "$param": "si_placeholder1", "type": "service_input", "value": json.dumps(value),
        "details": {"model_name": {"$param": "model_name", "type": "str"}}}}, *more_inputs],
        outputs=[{"name": "service_output", "service_config": config}], **({"policy": policy} if policy else {}))


def test_run_creates_waits_and_outputs_addresses(fakes):
    result = service.run(spec_with([entry("1.1.2")], envs={"infer_address": "http://10.0.0.1/v1/models/sub"}), RUN)
    variables = result["variables"]["service_output"]
    assert variables["cluster_inner_access_address"] == "http://10.96.7.7/v1/models/service-step"
    assert variables["access_address"] == variables["cluster_inner_access_address"]
    assert variables["service_name"] == "service-step"
    isvc = fakes.objects["/apis/serving.kserve.io/v1beta1/namespaces/wf2k8s/inferenceservices/service-step"]
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == "s3://b/2/"
    assert isvc["spec"]["predictor"]["model"]["env"] == [{"name": "infer_address",
                                                          "value": "http://10.0.0.1/v1/models/sub"}]
    assert result["outputs"]["service_output"]["action"] == "created"
    front = fakes.objects["/api/v1/namespaces/wf2k8s/services/service-step-serving"]
    assert front["spec"]["selector"] == {"serving.kserve.io/inferenceservice": "service-step", "component": "predictor"}
    assert front["metadata"]["ownerReferences"][0]["uid"] == "uid-1"


def test_replicas_render_the_weights():
    assert service.replicas([50, 50]) == 2
    assert service.replicas([75, 25]) == 4
    assert service.replicas([70, 30]) == service.MAX_REPLICAS
    assert service.replicas([34, 33, 33]) == service.MAX_REPLICAS


def test_run_again_is_idempotent_and_a_new_version_updates(fakes):
    service.run(spec_with([entry("1.1.1")]), RUN)
    again = service.run(spec_with([entry("1.1.1")]), RUN)
    assert again["outputs"]["service_output"]["action"] == "unchanged"
    assert not [c for c in fakes.calls if c[0] == "PUT"]
    updated = service.run(spec_with([entry("1.1.2")]), RUN)
    assert updated["outputs"]["service_output"]["action"] == "updated"


def test_run_refuses_bad_input_and_unsupported_config(fakes):
    with pytest.raises(service.DeploymentError, match="sum to 50"):
        service.run(spec_with([entry("1.1.1", 50)]), RUN)
    bad = spec_with([entry("1.1.1")], config={"infer_type": "real-time", "vpc_id": "v", "cluster_id": "c"})
    with pytest.raises(ContractError, match="vpc_id, cluster_id cannot be applied"):
        service.run(bad, RUN)
    batch = spec_with([entry("1.1.1")], config={"infer_type": "batch"})
    with pytest.raises(ContractError, match="additional_properties must hold src_path and dest_path"):
        service.run(batch, RUN)
    other = spec_with([entry("1.1.1")], config={"infer_type": "offline"})
    with pytest.raises(ContractError, match="infer_type must be real-time, batch or edge, got 'offline'"):
        service.run(other, RUN)


# infer_type edge ----------------------------------------------------------------------------------

EDGE = {"WF2K8S_EDGE_NODE_SELECTOR": '{"node-role.kubernetes.io/edge": "true"}',
        "WF2K8S_EDGE_TOLERATIONS": '[{"key": "node-role.kubernetes.io/edge", "operator": "Exists", '
                                   '"effect": "NoSchedule"}]'}


def test_edge_without_configured_edge_nodes_names_the_missing_configuration(fakes, monkeypatch):
    monkeypatch.delenv("WF2K8S_EDGE_NODE_SELECTOR", raising=False)
    edge = spec_with([entry("1.1.1")], config={"infer_type": "edge"})
    with pytest.raises(PhaseError) as caught:
        service.run(edge, RUN)
    text = str(caught.value)
    assert text.startswith("ServiceConfig.infer_type 'edge': this cluster has no edge nodes configured")
    assert "WF2K8S_EDGE_NODE_SELECTOR" in text and "WF2K8S_EDGE_TOLERATIONS" in text
    assert "ConfigMap wf2k8s-config (namespace wf2k8s)" in text
    assert not [c for c in fakes.calls if c[0] in ("POST", "PUT")]  # nothing deployed


@pytest.mark.parametrize("env, problem", [
    ({"WF2K8S_EDGE_NODE_SELECTOR": "{oops"}, "WF2K8S_EDGE_NODE_SELECTOR in ConfigMap wf2k8s-config (namespace ns) "
                                             "is not a JSON object"),
    ({"WF2K8S_EDGE_NODE_SELECTOR": "edge"}, "must be a JSON object of node labels or key=value"),
    ({"WF2K8S_EDGE_NODE_SELECTOR": '{"edge": true}'}, "must map node label names to text values"),
    ({"WF2K8S_EDGE_NODE_SELECTOR": "edge=true", "WF2K8S_EDGE_TOLERATIONS": '{"key": "x"}'},
     "WF2K8S_EDGE_TOLERATIONS in ConfigMap wf2k8s-config (namespace ns) must be a JSON list of tolerations"),
])
def test_bad_edge_configuration_names_the_key(env, problem):
    with pytest.raises(PhaseError, match=re.escape(problem)):
        service.edge_placement(env, "ns")


def test_edge_placement_forms():
    assert service.edge_placement({"WF2K8S_EDGE_NODE_SELECTOR": "edge=true, zone=a"}) == {
        "nodeSelector": {"edge": "true", "zone": "a"}}
    assert service.edge_placement(EDGE)["tolerations"][0]["operator"] == "Exists"


def test_edge_renders_node_selector_and_tolerations_on_every_predictor(fakes, monkeypatch):
    for key, value in EDGE.items():
        monkeypatch.setenv(key, value)
    edge = spec_with([entry("1.1.1", 50), entry("1.1.2", 50)], config={"infer_type": "edge"})
    result = service.run(edge, RUN)
    isvc = next(o for o in fakes.objects.values() if o["kind"] == "InferenceService")
    for predictor in [isvc["spec"]["predictor"]] + [c["predictor"] for c in isvc["spec"]["canary"]]:
        assert predictor["nodeSelector"] == {"node-role.kubernetes.io/edge": "true"}
        assert predictor["tolerations"] == [{"key": "node-role.kubernetes.io/edge", "operator": "Exists",
                                             "effect": "NoSchedule"}]
    assert isvc["metadata"]["annotations"]["wf2k8s.io/infer-type"] == "edge"
    assert result["variables"]["service_output"]["access_address"].endswith("/v1/models/service-step")
    # the same service as real-time again is a change (the edge placement goes)
    real_time = spec_with([entry("1.1.1", 50), entry("1.1.2", 50)])
    assert service.run(real_time, RUN)["outputs"]["service_output"]["action"] == "updated"
    isvc = next(o for o in fakes.objects.values() if o["kind"] == "InferenceService")
    assert "nodeSelector" not in isvc["spec"]["predictor"]


def test_run_times_out_with_kserve_reason(fakes):
    fakes.states = ["False"]
    spec = spec_with([entry("1.1.1")], policy={"poll_interval_seconds": 1, "max_execution_minutes": 0})
    with pytest.raises(PhaseError, match="not Ready after 0 min"):
        service.run(spec, RUN)


def waits(monkeypatch):
    """The (poll, minutes) each call of the deployer's wait loop is given."""
    given = []
    wait_ready = service.wait_ready

    def recording(kube, namespace, name, poll, minutes, *rest, **more):
        given.append((poll, minutes))
        return wait_ready(kube, namespace, name, poll, minutes, *rest, **more)

    monkeypatch.setattr(service, "wait_ready", recording)
    return given


def test_a_step_at_the_sdk_defaults_polls_every_second_for_up_to_seven_days(fakes, monkeypatch):
    # a ServiceStep with no policy: the compiler writes the SDK's StepPolicy defaults (1 s, 10080 min)
    # into its spec, and the deployer waits with those (it once used 5 s and 30 min of its own)
    from modelarts import workflow as wf
    from wf2k8s import contract
    from wf2k8s.graph.build import build_graph

    step = wf.steps.ServiceStep(
        name="service_step", inputs=wf.steps.ServiceInput(name="si", data=wf.data.ServiceInputPlaceholder(
            name="deploy_models", model_name="iris")),
        outputs=wf.steps.ServiceOutput(name="service_output"))
    [compiled] = [p.spec for p in build_graph(wf.Workflow(name="defaults", desc="d", steps=[step])).phases
                  if p.kind == "service"]
    spec = contract.load_phase("service", contract.dump(compiled))  # as the phase container reads it
    given = waits(monkeypatch)
    service.run(spec, RunContext("run-1", "wf2k8s", {"deploy_models": json.dumps([entry("1.1.1")])}))
    assert given == [(1.0, 10080.0)]
    # the same from a spec written by hand with the SDK's defaults
    given.clear()
    service.run(spec_with([entry("1.1.1")], policy={"poll_interval_seconds": 1, "max_execution_minutes": 10080}),
                RUN)
    assert given == [(1.0, 10080.0)]


def test_the_wait_loop_takes_the_specs_policy(fakes, monkeypatch):
    given = waits(monkeypatch)
    service.run(spec_with([entry("1.1.1")], policy={"poll_interval_seconds": 7, "max_execution_minutes": 42}), RUN)
    assert given == [(7.0, 42.0)]


def test_update_needs_an_existing_service(fakes):
    spec = spec_with([entry("1.1.1")], more_inputs=[
        {"name": "svc", "data": {"$param": "service", "type": "service", "value": "old-one"}}])
    with pytest.raises(PhaseError, match="'old-one' to update does not exist"):
        service.run(spec, RUN)


def test_third_party_service_deploys_nothing(fakes):
    spec = phase("service", "s", inputs=[], outputs=[{"name": "o", "service_config": {
        "kind": "tripartite_service_config", "service_name": "ext", "access_address": "http://ext.example/v1"}}])
    result = service.run(spec, RUN)
    assert result["variables"]["o"]["access_address"] == "http://ext.example/v1"
    assert fakes.calls == []
