"""ServiceStep's deployer for models served from their image (model_type Image / Custom, or any type
registered with an SWRImage, SWRImagePlaceholder or GalleryModel), and its refusals of the types it
cannot serve (wf2k8s/runtime/service.py, the lists of wf2k8s/contract/support.py). The real cluster:
tests/e2e/test_custom_image_serving.py."""

from __future__ import annotations

import copy
import json

import pytest

from specs import phase
from wf2k8s.contract.support import MODEL_FORMATS, MODEL_TYPES, MODEL_TYPES_NOT_SERVED
from wf2k8s.runtime import service
from wf2k8s.runtime.context import RunContext
from wf2k8s.runtime.errors import PhaseError

IMAGE = "wf2k8s/e2e-custom-server:0.1.0"


def version(number, tag, model_type="Image", image=IMAGE, source="s3://b/m/", **config):
    """An MLflow model version as ModelStep registers it (tags of wf2k8s/runtime/model.py)."""
    tags = {"modelarts.version": tag, "modelarts.model_type": model_type,
            "modelarts.model_uri": source if source.startswith("s3://") else ""}
    if image:
        tags["modelarts.image"] = image
    for key, value in config.items():
        tags[f"modelarts.{key}"] = value if isinstance(value, str) else json.dumps(value)
    return {"name": "m", "version": str(number), "source": source or f"docker://{image}",
            "tags": [{"key": k, "value": v} for k, v in tags.items()]}


class FakeMLflow:
    def __init__(self, *versions):
        self.all = list(versions)

    def versions(self, name):
        return iter(self.all)


def resolved(*versions, wanted="", weight=100, specification=None, envs=None):
    return service.resolve_model(FakeMLflow(*versions), {"model_name": "m", "model_version": wanted,
                                                         "weight": weight, "specification": specification,
                                                         "envs": envs or {}})


def refusal(*versions) -> str:
    with pytest.raises(PhaseError) as caught:
        resolved(*versions)
    text = str(caught.value)
    assert "\n" not in text
    return text


# the InferenceService of an image model -----------------------------------------------------------


def test_an_image_model_is_a_custom_predictor_with_modelarts_port_health_check_and_its_files():
    model = resolved(version(1, "1.1.1"), specification="modelarts.vm.cpu.2u", envs={"MODE": "fast"})
    isvc = service.desired_isvc("svc", "ns", [model], [{"name": "A", "value": "1"}], "step", None)
    predictor = isvc["spec"]["predictor"]
    assert "model" not in predictor
    [container] = predictor["containers"]
    assert container["name"] == "kserve-container" and container["image"] == IMAGE
    assert container["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
    assert container["readinessProbe"] == {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"}}
    assert "command" not in container
    # the files: KServe v0.20 injects its storage initializer for a custom container's STORAGE_URI (/mnt/models)
    assert container["env"] == [{"name": "MODE", "value": "fast"}, {"name": "A", "value": "1"},
                                {"name": "STORAGE_URI", "value": "s3://b/m/"}]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "8Gi"}
    assert container["lifecycle"] == {"preStop": {"sleep": {"seconds": service.DRAIN_SECONDS}}}
    assert predictor["deploymentStrategy"] == {"type": "RollingUpdate",
                                               "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    assert predictor["serviceAccountName"] == service.SERVICE_ACCOUNT
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"


def test_port_health_check_and_command_come_from_the_registration():
    model = resolved(version(1, "1.1.1", initial_config={
        "port": 9000, "command": "python3 /srv/server.py --fast",
        "health": {"url": "/ping", "initial_delay_seconds": 5, "period_seconds": 3, "failure_threshold": 10}}))
    [container] = service.predictor(model, [])["containers"]
    assert container["ports"] == [{"containerPort": 9000, "protocol": "TCP"}]
    assert container["readinessProbe"] == {"httpGet": {"path": "/ping", "port": 9000, "scheme": "HTTP"},
                                           "initialDelaySeconds": 5, "periodSeconds": 3, "failureThreshold": 10}
    assert container["command"] == ["/bin/sh", "-c", "python3 /srv/server.py --fast"]


def test_the_apis_give_the_port_and_protocol_when_initial_config_does_not():
    apis = [{"url": "/predict", "method": "post", "protocol": "https", "port": 8443}]
    model = resolved(version(1, "1.1.1", apis=apis, initial_config={"command": ["/srv/serve", "--tls"]}))
    [container] = service.predictor(model, [])["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": 8443, "scheme": "HTTPS"}
    assert container["command"] == ["/srv/serve", "--tls"]
    front = service.front_service("svc", "ns", {}, model["server"]["port"], model["server"]["scheme"])
    assert front["spec"]["ports"] == [{"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"}]


def test_an_exec_health_check():
    model = resolved(version(1, "1.1.1", initial_config={"health": {"check_method": "EXEC",
                                                                    "command": "test -f /tmp/ready"}}))
    assert model["server"]["probe"] == {"exec": {"command": ["/bin/sh", "-c", "test -f /tmp/ready"]}}


def test_an_image_only_model_has_no_files_to_fetch():
    model = resolved(version(1, "1.1.1", source=""))
    [container] = service.predictor(model, [])["containers"]
    assert "env" not in container
    assert service.served(model) == IMAGE


@pytest.mark.parametrize("model_type", [t for t in MODEL_TYPES if t not in ("Image",)])
def test_any_type_registered_with_an_image_is_served_from_it(model_type):
    model = resolved(version(1, "1.1.1", model_type=model_type))
    assert model["image"] == IMAGE and model["format"] is None
    assert service.served(model) == f"{IMAGE} s3://b/m/"


def test_two_image_versions_split_by_weight_as_canaries():
    one = resolved(version(1, "1.1.1", image="img:1", source="s3://b/1/"), wanted="1.1.1", weight=25)
    two = resolved(version(2, "1.1.2", image="img:2", source="s3://b/2/"), wanted="1.1.2", weight=75)
    isvc = service.desired_isvc("svc", "ns", [one, two], [], "step", None)
    assert isvc["spec"]["predictor"]["containers"][0]["image"] == "img:2"
    assert isvc["spec"]["predictor"]["minReplicas"] == 4
    [canary] = isvc["spec"]["canary"]
    assert canary["trafficPercent"] == 25 and canary["predictor"]["name"] == "v1-1-1"
    assert canary["predictor"]["containers"][0]["env"] == [{"name": "STORAGE_URI", "value": "s3://b/1/"}]


def test_an_unchanged_image_deployment_is_left_alone_and_a_new_image_is_a_change():
    model = resolved(version(1, "1.1.1"))
    wanted = service.desired_isvc("svc", "ns", [model], [], "step", None)
    existing = copy.deepcopy(wanted)
    existing["spec"]["predictor"]["containers"][0]["resources"]["requests"]["ephemeral-storage"] = "1Gi"
    existing["spec"]["predictor"]["containers"][0]["readinessProbe"]["timeoutSeconds"] = 1
    assert service.unchanged(existing, wanted)
    existing["spec"]["predictor"]["containers"][0]["image"] = "other:1"
    assert not service.unchanged(existing, wanted)


def image_pod(image, uri=None, ready="True"):
    spec = {"containers": [{"name": "kserve-container", "image": image}]}
    if uri:
        spec["initContainers"] = [{"name": "storage-initializer", "args": [uri, "/mnt/models"]}]
    return {"metadata": {}, "spec": spec, "status": {"conditions": [{"type": "Ready", "status": ready}]}}


def test_ready_only_when_the_pods_run_the_wanted_image_with_the_wanted_files():
    isvc = {"metadata": {"generation": 2}, "status": {"observedGeneration": 1,
                                                      "conditions": [{"type": "Ready", "status": "True"}]}}
    wanted = {"img:2 s3://b/m/"}
    assert service.readiness(isvc, [image_pod("img:1", "s3://b/m/"), image_pod("img:2", "s3://b/m/")],
                             wanted)[0] == "waiting"
    assert service.readiness(isvc, [image_pod("img:2", "s3://b/m/")], wanted)[0] == "ready"
    assert service.readiness(isvc, [image_pod("img:2")], {"img:2"})[0] == "ready"
    # a KServe runtime's pod is known by its files alone
    assert service.serving_uris([image_pod("wf2k8s/kserve-sklearn:0.1.0", "s3://b/m/")], {"s3://b/m/"}) == \
        {"s3://b/m/": 1}


def sklearn(version_tag, weight, uri):
    return {"model_name": "m", "model_version": version_tag, "weight": weight, "uri": uri, "format": "sklearn",
            "specification": None, "envs": {}}


@pytest.mark.parametrize("kind", ["sklearn", "image"])
def test_the_stable_predictor_keeps_its_name_while_it_serves_the_same_files(kind):
    """KServe refuses to rename the stable predictor without a new storage URI: one version at 100% that becomes
    the main version of a split keeps its (empty) name; the predictor is renamed once it serves other files."""
    def made(*weights):
        if kind == "sklearn":
            models = [sklearn(f"1.1.{i + 1}", w, f"s3://b/{i + 1}/") for i, w in enumerate(weights)]
        else:
            models = [resolved(version(i + 1, f"1.1.{i + 1}", source=f"s3://b/{i + 1}/"), wanted=f"1.1.{i + 1}",
                               weight=w) for i, w in enumerate(weights)]
        return service.desired_isvc("svc", "ns", models, [], "step", None)

    single = made(100)
    split = service.keep_predictor_name(single, made(50, 50))
    assert "name" not in split["spec"]["predictor"] and service.storage_uri(split["spec"]["predictor"]) == "s3://b/1/"
    assert [c["predictor"]["name"] for c in split["spec"]["canary"]] == ["v1-1-2"]
    assert service.keep_predictor_name(split, made(50, 50)) == split  # the same deployment again: unchanged
    moved = service.keep_predictor_name(split, made(0, 100))
    assert moved == made(0, 100) and service.storage_uri(moved["spec"]["predictor"]) == "s3://b/2/"


def test_a_kept_name_a_canary_would_take_gives_the_canary_another():
    running = service.desired_isvc("svc", "ns", [sklearn("1.1.1", 75, "s3://b/x/"), sklearn("1.1.2", 25, "s3://b/y/")],
                                   [], "step", None)
    wanted = service.desired_isvc("svc", "ns", [sklearn("1.1.2", 75, "s3://b/x/"), sklearn("1.1.1", 25, "s3://b/z/")],
                                  [], "step", None)
    kept = service.keep_predictor_name(running, wanted)
    assert kept["spec"]["predictor"]["name"] == "v1-1-1"
    assert [c["predictor"]["name"] for c in kept["spec"]["canary"]] == ["v1-1-1-canary"]


# refusals: one line, naming the model, the version and what to do ---------------------------------


@pytest.mark.parametrize("model_type", ["MXNet", "Caffe", "Spark_MLlib"])
def test_types_kserve_has_no_server_for_are_refused_with_what_to_do(model_type):
    text = refusal(version(1, "1.1.1", model_type=model_type, image=None))
    assert text.startswith(f"model 'm' version 1.1.1 has model type '{model_type}': KServe has no ")
    assert "register it with a serving image (an SWRImage, SWRImagePlaceholder or GalleryModel input)" in text


def test_spark_mllib_refusal_names_the_xgboost_way_out():
    assert refusal(version(1, "1.1.1", model_type="Spark_MLlib", image=None)) == (
        "model 'm' version 1.1.1 has model type 'Spark_MLlib': KServe has no Spark MLlib server: register it with "
        "a serving image (an SWRImage, SWRImagePlaceholder or GalleryModel input) whose server loads the model "
        "files from /mnt/models, or save a Spark XGBoost model's booster (xgboost's save_model) and register that "
        "as XGBoost")


def test_a_template_whose_image_the_catalog_did_not_name_is_refused():
    text = refusal(version(1, "1.1.1", model_type="Template", image=None))
    assert "served by its template's image, which the catalog (ConfigMap wf2k8s-catalog, key templates) " in text
    assert text.endswith("it has none: register it with a serving image (an SWRImage, SWRImagePlaceholder or "
                         "GalleryModel input) whose server loads the model files from /mnt/models")


@pytest.mark.parametrize("model_type", ["Image", "Custom"])
def test_image_types_registered_without_an_image_are_refused(model_type):
    text = refusal(version(1, "1.1.1", model_type=model_type, image=None))
    assert f"has model type '{model_type}': a" in text and "has none: register it with a serving image" in text


def test_an_unknown_type_is_refused_with_what_is_served():
    assert refusal(version(1, "1.1.1", model_type="", image=None)) == (
        "model 'm' version 1.1.1 has model type 'unknown': this cluster serves Scikit_Learn, XGBoost, TensorFlow, "
        "PyTorch models, and models registered with an image")


def test_every_model_type_is_either_served_or_refused_with_a_reason():
    assert set(MODEL_TYPES) == set(MODEL_FORMATS) | set(MODEL_TYPES_NOT_SERVED)
    assert not set(MODEL_FORMATS) & set(MODEL_TYPES_NOT_SERVED)


def test_a_bad_port_is_refused():
    assert refusal(version(1, "1.1.1", initial_config={"port": 70000})) == (
        "model 'm' version 1.1.1: initial_config.port must be a whole number 1-65535, got 70000")


def test_a_bad_health_check_method_is_refused():
    assert refusal(version(1, "1.1.1", initial_config={"health": {"check_method": "TCP"}})) == (
        "model 'm' version 1.1.1: initial_config.health.check_method must be HTTP or EXEC, got 'TCP'")


def test_a_health_url_that_is_no_path_is_refused():
    assert refusal(version(1, "1.1.1", initial_config={"health": {"url": "health"}})) == (
        "model 'm' version 1.1.1: initial_config.health.url must be a path starting with /, got 'health'")


def test_a_bad_command_is_refused():
    assert refusal(version(1, "1.1.1", initial_config={"command": {"run": "x"}})) == (
        "model 'm' version 1.1.1: initial_config.command must be a text or a list of texts, got {'run': 'x'}")


def test_apis_that_are_not_json_are_refused():
    text = refusal(version(1, "1.1.1", apis="POST /predict"))
    assert text.startswith("model 'm' version 1.1.1: ModelConfig.apis") and "not JSON" in text


def test_versions_served_differently_cannot_share_a_service():
    image = resolved(version(1, "1.1.1"), weight=50)
    sklearn = {"model_name": "m", "model_version": "1.1.2", "weight": 50, "uri": "s3://b/2/", "format": "sklearn",
               "specification": None, "envs": {}}
    with pytest.raises(PhaseError) as caught:
        service.desired_isvc("svc", "ns", [image, sklearn], [], "step", None)
    assert str(caught.value) == (
        "model 'm': the versions to deploy are served differently (1.1.1 from its image, 1.1.2 as sklearn) and one "
        "service sends every request to all of them; deploy them as separate services")


def test_a_split_whose_main_version_is_an_image_without_files_is_refused():
    one = resolved(version(1, "1.1.1", source=""), wanted="1.1.1", weight=60)
    two = resolved(version(2, "1.1.2"), wanted="1.1.2", weight=40)
    with pytest.raises(PhaseError) as caught:
        service.desired_isvc("svc", "ns", [one, two], [], "step", None)
    assert str(caught.value) == (
        "model 'm': KServe splits traffic only when the main (heaviest) version has model files, and 1.1.1 is an "
        "image without any; register it with its model files (an OBS input beside the image), or deploy one version")


def test_image_versions_listening_on_different_ports_cannot_share_a_service():
    one = resolved(version(1, "1.1.1"), wanted="1.1.1", weight=50)
    two = resolved(version(2, "1.1.2", initial_config={"port": 9000}), wanted="1.1.2", weight=50)
    with pytest.raises(PhaseError, match=r"listen differently \(1.1.1 on http port 8080, 1.1.2 on http port 9000\)"):
        service.desired_isvc("svc", "ns", [one, two], [], "step", None)


# a whole run against fakes --------------------------------------------------------------------------


class FakeKube:
    """The Kubernetes API: InferenceServices are Ready at once, with one ready pod per predictor."""

    def __init__(self):
        self.objects: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []

    def call(self, method, path, body=None):
        self.calls.append((method, path))
        body = copy.deepcopy(body)
        if method == "POST":
            body["metadata"].update(resourceVersion="1", generation=1, uid="uid-1")
            if body["kind"] == "Service":
                body["spec"]["clusterIP"] = "10.96.7.8"
            self.objects[f"{path}/{body['metadata']['name']}"] = body
            return body
        body["metadata"].update(generation=self.objects[path]["metadata"]["generation"] + 1)
        self.objects[path] = body
        return body

    def get(self, path):
        if "/pods?labelSelector=" in path:
            isvc = next(o for o in self.objects.values() if o["kind"] == "InferenceService")
            pods = []
            for item in [isvc["spec"]["predictor"]] + [c["predictor"] for c in isvc["spec"].get("canary", [])]:
                container = item["containers"][0]
                uri = next((e["value"] for e in container.get("env", []) if e["name"] == "STORAGE_URI"), None)
                pods.append(image_pod(container["image"], uri))
            return {"items": pods}
        found = copy.deepcopy(self.objects.get(path))
        if found is not None and found["kind"] == "InferenceService":
            found["status"] = {"observedGeneration": found["metadata"]["generation"],
                               "conditions": [{"type": "Ready", "status": "True"}]}
        return found


RUN = RunContext("run-1", "wf2k8s", {"model_name": "m"})


def spec_with(value, config=None):
    return phase("service", "serve", inputs=[{"name": "si", "data": {
        "$param": "deploy", "type": "service_input", "value": json.dumps(value), "details": {}}}],
        outputs=[{"name": "service_output", "service_config": config or {"infer_type": "real-time"}}])


@pytest.fixture()
def kube(monkeypatch):
    kube = FakeKube()
    monkeypatch.setattr(service.Kube, "in_cluster", classmethod(lambda cls: kube))
    monkeypatch.setattr(service.MLflow, "from_env", classmethod(lambda cls: FakeMLflow(
        version(1, "1.1.1", source="s3://b/1/", initial_config={"port": 9000}),
        version(2, "1.1.2", image="other:2", source="s3://b/2/", initial_config={"port": 9000}))))
    monkeypatch.setattr(service.time, "sleep", lambda s: None)
    return kube


def test_run_serves_the_image_at_the_service_root_and_again_changes_nothing(kube):
    result = service.run(spec_with([{"model_name": "m", "model_version": "1.1.1"}]), RUN)
    variables = result["variables"]["service_output"]
    # a model server image answers on its own paths (ModelConfig.apis), under the service's address
    assert variables["access_address"] == variables["cluster_inner_access_address"] == "http://10.96.7.8"
    front = kube.objects["/api/v1/namespaces/wf2k8s/services/serve-serving"]
    assert front["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": 9000, "protocol": "TCP"}]
    assert result["outputs"]["service_output"]["models"][0]["image"] == IMAGE
    again = service.run(spec_with([{"model_name": "m", "model_version": "1.1.1"}]), RUN)
    assert again["outputs"]["service_output"]["action"] == "unchanged"
    split = service.run(spec_with([{"model_name": "m", "model_version": "1.1.1", "weight": 50},
                                   {"model_name": "m", "model_version": "1.1.2", "weight": 50}]), RUN)
    assert split["outputs"]["service_output"]["action"] == "updated"


def test_a_batch_service_refuses_an_image_model(kube):
    config = {"infer_type": "batch", "additional_properties": {"src_path": "obs://b/in/", "dest_path": "obs://b/out/"}}
    with pytest.raises(PhaseError) as caught:
        service.run(spec_with([{"model_name": "m", "model_version": "1.1.1"}], config), RUN)
    assert str(caught.value) == (
        f"model 'm' version 1.1.1 is served from its image ({IMAGE}), whose requests a batch service cannot know "
        "(it sends KServe's {\"instances\": [...]} to /v1/models/<name>:predict); deploy it as a real-time service")
