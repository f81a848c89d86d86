"""Serving a model registered from a custom image on the cluster's real KServe: a ModelStep registers a model of
model_type "Image" from an SWRImage (tests/e2e/images/custom-server, the user's own server code) and model files on
S3, and a ServiceStep deploys it as a custom KServe predictor; the service answers from the user's server with the
model file KServe's storage initializer put in /mnt/models. Then a second version is registered and the service is
updated to a 50/50 split between the two (canary).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.request
from pathlib import Path

import pytest

import wf2k8s
from modelarts import workflow as wf
from conftest import post_json, wait_for_input
from wf2k8s import cluster

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "wf2k8s"
IMAGE = f"wf2k8s/e2e-custom-server:{wf2k8s.__version__}"
CONTEXT = Path(__file__).resolve().parent / "images" / "custom-server"
APIS = json.dumps([{"url": "/predict", "method": "post", "protocol": "http"}])
ROWS = [[1.0, 2.0], [3.0, -1.0]]
MODELS = {"1.1.1": {"name": "linear-v1", "weights": [2.0, 3.0], "bias": 1.0},
          "1.1.2": {"name": "linear-v2", "weights": [-1.0, 10.0], "bias": 0.5}}


@pytest.fixture(scope="module")
def custom_server(kube) -> str:
    """The user's image, built with docker and loaded into the cluster's containerd by hack/lib/images.sh's own
    functions (FROM the runtime image the hack scripts built). Fails when docker or containerd is not there."""
    script = ('set -euo pipefail; source hack/lib/common.sh; source hack/lib/images.sh; '
              '_docker_build --build-arg "WF2K8S_VERSION=$1" -t "$2" "$3"; load_image_into_containerd "$2"')
    done = subprocess.run(["bash", "-c", script, "build", wf2k8s.__version__, IMAGE, str(CONTEXT)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"building and loading {IMAGE} failed (docker and the cluster's containerd are needed): "
                    f"{done.stderr[-2000:]}")
    return IMAGE





def expected(version: str) -> list[float]:
    model = MODELS[version]
    return [sum(w * x for w, x in zip(model["weights"], row, strict=True)) + model["bias"] for row in ROWS]


def register(model_name: str, version: str, files: str, image: str) -> wf.steps.ModelStep:
    return wf.steps.ModelStep(
        name="register", title="Register the model from its serving image",
        inputs=[wf.steps.ModelInput(name="image", data=wf.data.SWRImage(swr_path=image)),
                wf.steps.ModelInput(name="model_files", data=wf.data.OBSPath(obs_path=files))],
        outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
            model_name=model_name, model_version=version, model_type="Image", apis=APIS)))


def deploy(data, service_name: str, after) -> wf.steps.ServiceStep:
    return wf.steps.ServiceStep(
        name="deploy", title="Deploy the model",
        inputs=wf.steps.ServiceInput(name="models", data=data),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
            service_name=service_name)),
        policy=wf.steps.StepPolicy(poll_interval_seconds=2, max_execution_minutes=8), depend_steps=after)


def test_a_model_registered_from_a_custom_image_is_served_by_the_users_own_server(s3, step_result, custom_server,
                                                                                  service_name):
    model_name = f"custom-{secrets.token_hex(4)}"
    prefix = f"e2e/custom-image/{model_name}"
    for version, model in MODELS.items():
        s3.put(s3.bucket, f"{prefix}/{version}/model.json", json.dumps(model).encode())

    # 1. register 1.1.1 (image + files) and deploy it, without waiting for input
    first = register(model_name, "1.1.1", f"obs://{s3.bucket}/{prefix}/1.1.1/", custom_server)
    workflow = wf.Workflow(name="custom-image-serve", desc="register a model from its image and serve it", steps=[
        first, deploy(wf.data.ModelData(model_name=model_name, model_version="1.1.1"), service_name, first)])
    result = cluster.release_and_run(workflow, parameters={}, wait=True, progress=None, timeout=900)
    assert result["phase"] == "Succeeded", result
    registered = step_result(result["name"], "register")["outputs"]["model_output"]
    assert (registered["model_type"], registered["image"]) == ("Image", custom_server)
    deployed = step_result(result["name"], "deploy")
    address = deployed["variables"]["service_output"]["access_address"]
    assert address.startswith("http://") and "/v1/models/" not in address  # the image's own routes, ModelArts' way
    [served] = deployed["outputs"]["service_output"]["models"]
    assert served["image"] == custom_server and served["uri"] == f"s3://{s3.bucket}/{prefix}/1.1.1/"

    isvc = cluster.get_object("inferenceservice", service_name, NAMESPACE)
    [container] = isvc["spec"]["predictor"]["containers"]
    assert container["image"] == custom_server and container["readinessProbe"]["httpGet"]["path"] == "/health"
    with urllib.request.urlopen(f"{address}/health", timeout=30) as response:
        assert json.loads(response.read())["status"] == "OK"
    answer = post_json(f"{address}/predict", {"instances": ROWS})
    # the user's server code, with the model file the storage initializer fetched into /mnt/models
    assert answer["server"] == "wf2k8s-e2e-custom-server" and answer["model"] == "linear-v1", answer
    assert answer["model_file"].startswith("/mnt/models/") and answer["predictions"] == expected("1.1.1"), answer

    # 2. register 1.1.2 and update the service to 50/50 (a canary), given while the run waits
    second = register(model_name, "1.1.2", f"obs://{s3.bucket}/{prefix}/1.1.2/", custom_server)
    update = wf.Workflow(name="custom-image-canary", desc="a second version beside the first", steps=[
        second, deploy(wf.data.ServiceInputPlaceholder(name="deploy_models", model_name=model_name), service_name,
                       second)])
    started = cluster.release_and_run(update, parameters={}, wait=False, progress=None)
    wait_for_input(started["name"], "deploy_models", "custom-image-canary")
    cluster.give_input(started["name"], NAMESPACE, {"deploy_models": json.dumps([
        {"model_name": model_name, "model_version": "1.1.1", "weight": 50},
        {"model_name": model_name, "model_version": "1.1.2", "weight": 50}])})
    result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=900)
    assert result["phase"] == "Succeeded", result
    assert step_result(started["name"], "deploy")["outputs"]["service_output"]["action"] == "updated"
    isvc = cluster.get_object("inferenceservice", service_name, NAMESPACE)
    assert [c["trafficPercent"] for c in isvc["spec"]["canary"]] == [50]
    answers: dict[str, list] = {}
    for _ in range(60):
        answer = post_json(f"{address}/predict", {"instances": ROWS})
        answers[answer["model"]] = answer["predictions"]
        if len(answers) == 2:
            break
    assert answers == {"linear-v1": expected("1.1.1"), "linear-v2": expected("1.1.2")}, answers


def test_a_template_model_is_served_by_the_templates_image_from_the_catalog(s3, code, step_result, service_name):
    """Seed 4.4.6.3 "Registering a Model Using a Template": the catalog's template ``fake_template_id`` names its
    serving image (KServe's scikit-learn server) and how it starts; the template's input is the model a job trained
    (the catalog's iris algorithm), the ModelStep registers it as Template, the ServiceStep serves it from that
    image."""
    nonce = secrets.token_hex(4)
    trained = f"obs://{s3.bucket}/e2e/template/{nonce}/"
    train = wf.steps.JobStep(
        name="train", algorithm=wf.Algorithm(algorithm_id="algorithm_id"),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=[wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=trained)),
                 wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
                     metric_files=f"obs://{s3.bucket}/e2e/template/{nonce}-metrics/metrics.json"))],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "500m", "memory": "512Mi"})))
    template = wf.steps.Template(template_id="fake_template_id", infer_format="fake_infer_format",
                                 template_inputs=[wf.steps.TemplateInputs(input_id="fake_input_id", input=trained)])
    model_name = f"template-{nonce}"
    register = wf.steps.ModelStep(
        name="model_registration", title="Model registration",
        outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
            model_name=model_name, model_type="Template", template=template)),
        depend_steps=train)
    deploy = wf.steps.ServiceStep(
        name="deploy", inputs=wf.steps.ServiceInput(name="models", data=wf.data.ModelData(model_name=model_name)),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
            service_name=service_name)),
        policy=wf.steps.StepPolicy(poll_interval_seconds=2, max_execution_minutes=8), depend_steps=register)
    workflow = wf.Workflow(name="e2e-template-model", desc="seed 4.4.6.3 template", steps=[train, register, deploy])
    result = cluster.release_and_run(workflow, parameters={}, wait=True, progress=None, timeout=900)
    assert result["phase"] == "Succeeded", result
    registered = step_result(result["name"], "model_registration")["outputs"]["model_output"]
    assert registered["model_type"] == "Template"
    assert registered["image"] == f"wf2k8s/kserve-sklearn:{wf2k8s.__version__}"
    isvc = cluster.get_object("inferenceservice", service_name, NAMESPACE)
    [container] = isvc["spec"]["predictor"]["containers"]
    assert container["image"] == registered["image"]
    address = step_result(result["name"], "deploy")["variables"]["service_output"]["cluster_inner_access_address"]
    rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]  # a setosa and a virginica
    answer = post_json(f"{address}/v1/models/model:predict", {"instances": rows})
    assert answer["predictions"] == [0, 2], answer
