"""ServiceStep on the cluster's real KServe (hack/cluster-up.sh installs it unless WF2K8S_KSERVE=0): train,
register and deploy the iris model, then ask the service for predictions.

Unlike the other e2e tests, the runs here use the real "service" phase image (the `run` fixture of
conftest.py swaps it for the stand-in).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import secrets
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from modelarts import workflow as wf
from conftest import kubectl, wait_for_input
from wf2k8s import cluster

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "wf2k8s"
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]


@pytest.fixture(scope="module")
def kserve(kube) -> None:
    if cluster.get_object("crd", "inferenceservices.serving.kserve.io", "") is None:
        pytest.skip("KServe is not installed on the cluster (hack/cluster-up.sh without WF2K8S_KSERVE=0)")


@pytest.fixture
def run_serving(kube, kserve):
    """Start a run whose phases all use their real images (ServiceStep included)."""

    def start(workflow, parameters: dict | None = None):
        return cluster.release_and_run(workflow, parameters={k: str(v) for k, v in (parameters or {}).items()},
                                       wait=False, progress=None)

    return start


@pytest.fixture
def services():
    """Names of InferenceServices a test made; deleted afterwards."""
    made: list[str] = []
    yield made
    for name in made:
        kubectl("delete", "inferenceservice", name, "-n", NAMESPACE, "--ignore-not-found", "--wait=false")


def iris_module():
    spec = importlib.util.spec_from_file_location("iris_pipeline", ROOT / "examples" / "iris" / "pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step_result(run_name: str, step: str) -> dict:
    workflow = json.loads(kubectl("get", "workflow", run_name, "-n", NAMESPACE, "-o", "json"))
    for node in workflow["status"]["nodes"].values():
        if node.get("displayName") == step.replace("_", "-"):
            parameters = {p["name"]: p.get("value") for p in node.get("outputs", {}).get("parameters", [])}
            return json.loads(parameters["result"])
    raise AssertionError(f"run {run_name} has no step {step}")


def predict(address: str, rows: list) -> dict:
    request = urllib.request.Request(f"{address}:predict", data=json.dumps({"instances": rows}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def cli_input(run_name: str, placeholder: str, value) -> subprocess.CompletedProcess:
    """``wf2k8s input RUN NAME=VALUE``, as a user types it."""
    return subprocess.run([sys.executable, "-m", "wf2k8s.cli", "input", run_name, "-n", NAMESPACE,
                           f"{placeholder}={json.dumps(value)}"], capture_output=True, text=True, timeout=120)


def deploy_step(model_name, name="deploy", envs=None, after=None) -> wf.steps.ServiceStep:
    config = wf.steps.ServiceConfig(envs=envs) if envs else wf.steps.ServiceConfig()
    return wf.steps.ServiceStep(
        name=name, title="Deploy the model",
        inputs=wf.steps.ServiceInput(name="models", data=wf.data.ServiceInputPlaceholder(
            name="deploy_models", model_name=model_name)),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=config),
        policy=wf.steps.StepPolicy(poll_interval_seconds=2, max_execution_minutes=8),
        depend_steps=after,
    )


def test_train_register_deploy_and_predict(run_serving, services):
    iris = iris_module()
    model_name = iris.register.outputs[0].model_config.model_name
    deploy = deploy_step(model_name, after=iris.register)
    workflow = wf.Workflow(name="iris-serve", desc="train, register and deploy iris",
                           steps=[iris.train, iris.register, deploy], storages=iris.storage)
    unique = f"iris-serve-{secrets.token_hex(3)}"
    services.append("deploy")
    started = run_serving(workflow, {"storage_name": "obs://wf2k8s/e2e/runs/", "model_name": unique})
    name = started["name"]
    wait_for_input(name, "deploy_models", "iris-serve")
    # a bad value through the CLI: refused with the seed's message, the run keeps waiting for it
    refused = cli_input(name, "deploy_models", [{"model_name": unique, "model_version": "1.1.1", "weight": 60},
                                                {"model_name": unique, "model_version": "1.1.2", "weight": 30}])
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused
    assert "the weights sum to 90, not 100" in refused.stderr
    assert "The sum of the weights must be equal to 100" in refused.stderr
    refused = cli_input(name, "deploy_models", [{"model_name": "someone-else", "weight": 100}])
    assert refused.returncode == 2 and f"this phase deploys model {unique!r}" in refused.stderr, refused
    wait_for_input(name, "deploy_models", "iris-serve")
    # a good one: the run goes on
    entry = [{"model_name": unique, "model_version": "", "weight": 100}]
    given = cli_input(name, "deploy_models", entry)
    assert given.returncode == 0, given
    result = cluster.follow(name, NAMESPACE, progress=None, timeout=900)
    assert result["phase"] == "Succeeded", result
    assert result["steps"] == {"train": "Succeeded", "register": "Succeeded", "deploy": "Succeeded"}
    deployed = step_result(name, "deploy")
    variables = deployed["variables"]["service_output"]
    assert variables["service_name"] == "deploy"
    assert variables["cluster_inner_access_address"].endswith("/v1/models/deploy")
    [model] = deployed["outputs"]["service_output"]["models"]
    assert model["model_name"] == unique and model["model_version"] == "1.1.1"
    assert model["uri"].startswith(f"s3://wf2k8s/e2e/runs/{name}/")
    answer = predict(variables["cluster_inner_access_address"], ROWS)
    assert answer["predictions"][:2] == [0, 2] and len(answer["predictions"]) == 3

    # the same deployment again: nothing changes, the service is not restarted
    isvc = cluster.get_object("inferenceservice", "deploy", NAMESPACE)
    again = run_serving(wf.Workflow(name="iris-redeploy", desc="deploy again", steps=[deploy_step(model_name)]),
                        {"model_name": unique})
    wait_for_input(again["name"], "deploy_models", "iris-redeploy")
    cluster.give_input(again["name"], NAMESPACE, {"deploy_models": json.dumps(entry)})
    second = cluster.follow(again["name"], NAMESPACE, progress=None, timeout=600)
    assert second["phase"] == "Succeeded", second
    assert step_result(again["name"], "deploy")["outputs"]["service_output"]["action"] == "unchanged"
    after = cluster.get_object("inferenceservice", "deploy", NAMESPACE)
    assert after["metadata"]["generation"] == isvc["metadata"]["generation"]


def deployer_log(run_name: str) -> str:
    workflow = cluster.get_object("workflow", run_name, NAMESPACE)
    nodes = [n["id"] for n in workflow["status"]["nodes"].values() if n.get("templateName") == "service"]
    pods = cluster.node_pods(run_name, NAMESPACE, nodes)
    try:
        return kubectl("logs", pods[0], "-n", NAMESPACE, "-c", "main") if pods else ""
    except cluster.ClusterError:  # the pod is still starting
        return ""


def test_bad_deployment_input_set_without_the_cli_waits_for_a_corrected_one(run_serving, kserve):
    """A value set another way than `wf2k8s input` (the Argo UI's Resume form) is not checked before
    the run resumes: the deployer refuses it with the same message and the step waits again, until
    `wf2k8s input` gives a corrected value (on the deployer's pod)."""
    model_name = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR, default="iris")
    workflow = wf.Workflow(name="bad-deploy", desc="a bad deployment input",
                           steps=[deploy_step(model_name, name="bad_deploy")])
    started = run_serving(workflow, {})
    name = started["name"]
    wait_for_input(name, "deploy_models", "bad-deploy")
    bad = [{"model_name": "iris", "model_version": "1.1.1", "weight": 60},
           {"model_name": "iris", "model_version": "1.1.2", "weight": 30}]
    refused = cli_input(name, "deploy_models", bad)
    assert refused.returncode == 2 and "the weights sum to 90" in refused.stderr, refused
    wait_for_input(name, "deploy_models", "bad-deploy")
    assert cluster.resume(name, NAMESPACE, {"deploy_models": json.dumps(bad)}) == ["deploy_models"]
    log = ""
    for _ in range(60):
        log = deployer_log(name)
        if "waiting for a corrected value" in log:
            break
        time.sleep(2)
    assert "ServiceInputPlaceholder 'deploy_models': the weights sum to 90" in log, log
    assert "The sum of the weights must be equal to 100" in log
    names = cluster.template_step_names("bad-deploy", NAMESPACE)
    for _ in range(30):  # the controller marks the node Running a little after the pod runs
        state = cluster.summary(cluster.get_object("workflow", name, NAMESPACE), names)
        if state["steps"]["bad_deploy"] != "Pending":
            break
        time.sleep(2)
    time.sleep(5)
    state = cluster.summary(cluster.get_object("workflow", name, NAMESPACE), names)
    assert state["phase"] == "Running" and state["steps"]["bad_deploy"] == "Running", state  # waits, not failed
    # corrected through the CLI: checked, then given to the waiting deployer, which goes on with it
    version = f"9.{secrets.randbelow(1000)}.0"
    given = cli_input(name, "deploy_models", [{"model_name": "iris", "model_version": version, "weight": 100}])
    assert given.returncode == 0, given
    result = cluster.follow(name, NAMESPACE, progress=None, timeout=300)
    # the deployer took the corrected value: it went on to look the version up in MLflow, where there is none
    message = result["messages"]["bad_deploy"]
    assert result["phase"] == "Failed" and "weights" not in message and "model 'iris'" in message, result
    assert "corrected value accepted" in deployer_log(name)


# gray update: two versions by weight, then only the second ------------------------------------------


def register_versions(run_serving, count: int) -> str:
    """Train and register the iris model ``count`` times (runs in parallel): versions 1.1.1, 1.1.2, ..."""
    iris = iris_module()
    workflow = wf.Workflow(name="iris-versions", desc="train and register", steps=[iris.train, iris.register],
                           storages=iris.storage)
    unique = f"iris-gray-{secrets.token_hex(3)}"
    started = []
    for _ in range(count):
        started.append(run_serving(workflow, {"storage_name": "obs://wf2k8s/e2e/runs/", "model_name": unique}))
        time.sleep(1.5)  # run names carry the second
    for run in started:
        result = cluster.follow(run["name"], NAMESPACE, progress=None, timeout=600)
        assert result["phase"] == "Succeeded", result
    return unique


def deploy(run_serving, model_name: str, template: str, entries: list[dict], service: str = "gray") -> dict:
    placeholder = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)
    started = run_serving(wf.Workflow(name=template, desc="deploy", steps=[deploy_step(placeholder, name=service)]),
                          {"model_name": model_name})
    wait_for_input(started["name"], "deploy_models", template)
    cluster.give_input(started["name"], NAMESPACE, {"deploy_models": json.dumps(entries)})
    result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    return step_result(started["name"], service)


def predictions_by_version(name: str) -> dict[str, float]:
    """Requests each predictor pod of InferenceService ``name`` answered (its /metrics), by the
    storage URI it serves."""
    pods = json.loads(kubectl("get", "pods", "-n", NAMESPACE, "-l",
                                      f"serving.kserve.io/inferenceservice={name},component=predictor", "-o", "json"))
    counts: dict[str, float] = {}
    for pod in pods["items"]:
        if pod["status"].get("phase") != "Running" or pod["metadata"].get("deletionTimestamp"):
            continue
        uri = next(a for c in pod["spec"].get("initContainers", []) for a in c.get("args", []) if a.startswith("s3://"))
        with urllib.request.urlopen(f"http://{pod['status']['podIP']}:8080/metrics", timeout=10) as response:
            text = response.read().decode()
        total = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                    if line.startswith("request_predict_seconds_count"))
        counts[uri] = counts.get(uri, 0.0) + total
    return counts


def test_gray_update_splits_traffic_then_moves_it(run_serving, services):
    model_name = register_versions(run_serving, 2)
    services.append("gray")
    half = deploy(run_serving, model_name, "gray-half", [
        {"model_name": model_name, "model_version": "1.1.1", "weight": 50},
        {"model_name": model_name, "model_version": "1.1.2", "weight": 50}])
    address = half["variables"]["service_output"]["cluster_inner_access_address"]
    uris = {m["model_version"]: m["uri"] for m in half["outputs"]["service_output"]["models"]}
    before = predictions_by_version("gray")
    for _ in range(40):
        assert len(predict(address, ROWS[:1])["predictions"]) == 1
    after = predictions_by_version("gray")
    served = {version: after.get(uri, 0) - before.get(uri, 0) for version, uri in uris.items()}
    assert served["1.1.1"] > 0 and served["1.1.2"] > 0, served

    full = deploy(run_serving, model_name, "gray-full", [
        {"model_name": model_name, "model_version": "1.1.1", "weight": 0},
        {"model_name": model_name, "model_version": "1.1.2", "weight": 100}])
    assert full["variables"]["service_output"]["cluster_inner_access_address"] == address
    deadline = time.time() + 120
    while set(predictions_by_version("gray")) != {uris["1.1.2"]} and time.time() < deadline:
        time.sleep(2)  # the old version's pods terminate
    assert set(predictions_by_version("gray")) == {uris["1.1.2"]}
    for _ in range(10):
        assert len(predict(address, ROWS[:1])["predictions"]) == 1


# the seed's sub-service / main-service example (4.4.7.3) ------------------------------------------


def test_main_service_gets_the_sub_service_address(run_serving, services):
    model_name = register_versions(run_serving, 1)
    services.extend(["sub-service-step", "main-service-step"])
    name_placeholder = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)
    sub = wf.steps.ServiceStep(
        name="sub_service_step", title="Subservice",
        inputs=wf.steps.ServiceInput(name="si_service_ph", data=wf.data.ServiceInputPlaceholder(
            name="si_placeholder1", model_name=name_placeholder)),
        outputs=wf.steps.ServiceOutput(name="service_output"))
    main = wf.steps.ServiceStep(
        name="main_service_step", title="Main service",
        inputs=wf.steps.ServiceInput(name="si_service_ph", data=wf.data.ServiceInputPlaceholder(
            name="si_placeholder2", model_name=name_placeholder)),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
            infer_type="real-time",
            envs={"infer_address": sub.outputs["service_output"].get_output_variable("access_address")})),
        depend_steps=sub)
    workflow = wf.Workflow(name="service-step-demo", desc="sub and main service", steps=[sub, main])
    started = run_serving(workflow, {"model_name": model_name})
    entry = json.dumps([{"model_name": model_name, "model_version": "1.1.1", "weight": 100}])
    wait_for_input(started["name"], "si_placeholder1", "service-step-demo")
    cluster.give_input(started["name"], NAMESPACE, {"si_placeholder1": entry})
    wait_for_input(started["name"], "si_placeholder2", "service-step-demo")
    cluster.give_input(started["name"], NAMESPACE, {"si_placeholder2": entry})
    result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    sub_address = step_result(started["name"], "sub_service_step")["variables"]["service_output"]["access_address"]
    isvc = cluster.get_object("inferenceservice", "main-service-step", NAMESPACE)
    env = {e["name"]: e["value"] for e in isvc["spec"]["predictor"]["model"]["env"]}
    assert env["infer_address"] == sub_address
    pods = json.loads(kubectl("get", "pods", "-n", NAMESPACE, "-l",
                                      "serving.kserve.io/inferenceservice=main-service-step", "-o", "json"))["items"]
    container = next(c for c in pods[0]["spec"]["containers"] if c["name"] == "kserve-container")
    assert {"name": "infer_address", "value": sub_address} in container["env"]
    assert predict(sub_address, ROWS[:1])["predictions"] == [0]


# a model that cannot load ----------------------------------------------------------------------------


def register_broken_model() -> str:
    """A version in MLflow whose files are no model (the e2e training code)."""
    import os

    base = os.environ.get("MLFLOW_TRACKING_URI", "http://10.96.0.50:5000").rstrip("/") + "/api/2.0/mlflow/"
    name = f"broken-{secrets.token_hex(3)}"

    def post(endpoint, body):
        request = urllib.request.Request(base + endpoint, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    post("registered-models/create", {"name": name})
    post("model-versions/create", {"name": name, "source": "s3://wf2k8s/e2e/code/", "tags": [
        {"key": "modelarts.version", "value": "1.1.1"}, {"key": "modelarts.model_type", "value": "Scikit_Learn"}]})
    return name


def test_a_model_that_cannot_load_fails_the_step_with_the_reason(run_serving, services, code):
    model_name = register_broken_model()
    services.append("broken")
    placeholder = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)
    started = run_serving(wf.Workflow(name="broken-deploy", desc="a model that cannot load",
                                      steps=[deploy_step(placeholder, name="broken")]), {"model_name": model_name})
    wait_for_input(started["name"], "deploy_models", "broken-deploy")
    cluster.give_input(started["name"], NAMESPACE, {"deploy_models": json.dumps(
        [{"model_name": model_name, "model_version": "1.1.1"}])})
    result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=600)
    assert result["phase"] == "Failed"
    message = result["messages"]["broken"]
    # KServe's reason (when it gives one) and the model server's own error, from its log
    assert "kserve-container of pod broken-predictor-" in message and "no model file" in message, message


# zero downtime: an update to a new single version while a client keeps asking ---------------------


def served_uris(name: str) -> set[str]:
    """The storage URIs of every predictor pod of InferenceService ``name``, terminating ones included."""
    pods = json.loads(kubectl("get", "pods", "-n", NAMESPACE, "-l",
                                      f"serving.kserve.io/inferenceservice={name},component=predictor", "-o", "json"))
    return {a for p in pods["items"] for c in p["spec"].get("initContainers", []) for a in c.get("args", [])
            if a.startswith("s3://")}


def test_an_update_to_a_new_version_drops_no_request(run_serving, services):
    import threading

    model_name = register_versions(run_serving, 2)
    services.append("steady")
    first = deploy(run_serving, model_name, "steady-v1", [{"model_name": model_name, "model_version": "1.1.1"}],
                   service="steady")
    address = first["variables"]["service_output"]["cluster_inner_access_address"]
    outcomes: list = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                answer = predict(address, ROWS[:1])
                outcomes.append("ok" if answer.get("predictions") == [0] else f"answer {answer}")
            except Exception as problem:  # what a client of the service would see
                outcomes.append(f"{type(problem).__name__}: {problem}")
            time.sleep(0.05)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    try:
        second = deploy(run_serving, model_name, "steady-v2", [{"model_name": model_name, "model_version": "1.1.2",
                                                                "weight": 100}], service="steady")
        uris = {m["model_version"]: m["uri"] for m in second["outputs"]["service_output"]["models"]}
        assert second["outputs"]["service_output"]["action"] == "updated"
        deadline = time.time() + 180
        while served_uris("steady") != {uris["1.1.2"]} and time.time() < deadline:
            time.sleep(1)  # the old version's pod drains and goes while the client keeps asking
        time.sleep(3)
    finally:
        stop.set()
        thread.join(timeout=60)
    failures = [o for o in outcomes if o != "ok"]
    print(f"zero downtime: {len(outcomes)} requests during the update, {len(failures)} failed")
    assert outcomes and not failures, failures[:5]
    # afterwards only version 2 answers
    pods = json.loads(kubectl("get", "pods", "-n", NAMESPACE, "-l",
                                      "serving.kserve.io/inferenceservice=steady", "-o", "json"))["items"]
    rs = kubectl("get", "rs,deploy", "-n", NAMESPACE, "-l", "serving.kserve.io/inferenceservice=steady")
    assert set(predictions_by_version("steady")) == {uris["1.1.2"]}, (rs, [
        (p["metadata"]["name"], p["status"].get("phase"), p["metadata"].get("deletionTimestamp"),
         p["status"].get("conditions")) for p in pods])
    before = predictions_by_version("steady")[uris["1.1.2"]]
    for _ in range(10):
        assert predict(address, ROWS[:1])["predictions"] == [0]
    assert predictions_by_version("steady") == {uris["1.1.2"]: before + 10}


# infer_type batch: the registered model over the input files, predictions written, service gone ----


def test_batch_service_predicts_every_input_file_and_stops(run_serving, s3):
    model_name = register_versions(run_serving, 1)
    prefix = f"e2e/batch/{model_name}"
    s3.put(s3.bucket, f"{prefix}/in/flowers.csv", b"sepal_length,sepal_width,petal_length,petal_width\n" +
           b"".join((",".join(map(str, row)) + "\n").encode() for row in ROWS))
    s3.put(s3.bucket, f"{prefix}/in/more/two.json", json.dumps({"instances": ROWS[:2]}).encode())
    placeholder = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)
    step = wf.steps.ServiceStep(
        name="score", title="Batch scoring",
        inputs=wf.steps.ServiceInput(name="models", data=wf.data.ServiceInputPlaceholder(
            name="deploy_models", model_name=placeholder)),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
            infer_type="batch", additional_properties={"src_path": f"obs://{s3.bucket}/{prefix}/in/",
                                                       "dest_path": f"obs://{s3.bucket}/{prefix}/out/",
                                                       "batch_size": 2})),
        policy=wf.steps.StepPolicy(poll_interval_seconds=2, max_execution_minutes=8))
    started = run_serving(wf.Workflow(name="batch-score", desc="batch scoring", steps=[step]),
                          {"model_name": model_name})
    wait_for_input(started["name"], "deploy_models", "batch-score")
    given = cli_input(started["name"], "deploy_models", [{"model_name": model_name, "model_version": "1.1.1"}])
    assert given.returncode == 0, given
    result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    output = step_result(started["name"], "score")["outputs"]["service_output"]
    assert output["uri"] == f"s3://{s3.bucket}/{prefix}/out/" and output["rows"] == 5
    first = json.loads(s3.get(s3.bucket, f"{prefix}/out/flowers.csv_result.json"))
    assert first["source"] == f"s3://{s3.bucket}/{prefix}/in/flowers.csv" and first["rows"] == 3
    assert first["predictions"][:2] == [0, 2] and len(first["predictions"]) == 3
    second = json.loads(s3.get(s3.bucket, f"{prefix}/out/more/two.json_result.json"))
    assert second["predictions"] == [0, 2]
    # the batch service stopped: its InferenceService is gone (or going)
    left = cluster.get_object("inferenceservice", output["service_name"], NAMESPACE)
    assert left is None or left["metadata"].get("deletionTimestamp"), left


# infer_type edge: this cluster has no edge nodes configured ------------------------------------------


def test_edge_service_without_edge_nodes_fails_naming_the_configuration(run_serving):
    config = cluster.get_object("configmap", "wf2k8s-config", NAMESPACE)
    if (config.get("data") or {}).get("WF2K8S_EDGE_NODE_SELECTOR"):
        pytest.skip("this cluster has edge nodes configured")
    step = wf.steps.ServiceStep(
        name="edge", inputs=wf.steps.ServiceInput(name="models", data=wf.data.ServiceInputPlaceholder(
            name="deploy_models", model_name="iris")),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(infer_type="edge")))
    started = run_serving(wf.Workflow(name="edge-deploy", desc="an edge service", steps=[step]))
    wait_for_input(started["name"], "deploy_models", "edge-deploy")
    assert cli_input(started["name"], "deploy_models", [{"model_name": "iris"}]).returncode == 0
    result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=300)
    assert result["phase"] == "Failed"
    message = result["messages"]["edge"]
    assert "ServiceConfig.infer_type 'edge': this cluster has no edge nodes configured" in message, message
    assert "WF2K8S_EDGE_NODE_SELECTOR" in message and "ConfigMap wf2k8s-config" in message
    assert cluster.get_object("inferenceservice", "edge", NAMESPACE) is None
