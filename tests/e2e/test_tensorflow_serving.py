"""Serving a TensorFlow model on the cluster's real KServe: a JobStep whose engine image is wf2k8s/kserve-tensorflow
trains a one-weight Keras model on y = 2x (tests/e2e/code/tf_regression.py) and writes a SavedModel to its output,
a ModelStep registers that output with model_type "TensorFlow" (ModelArts' default), and a ServiceStep deploys it
(modelFormat tensorflow, ClusterServingRuntime wf2k8s-tensorflow); the service then answers protocol v1 as TF
Serving's REST API does.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

import wf2k8s
from modelarts import workflow as wf
from conftest import post_json, require_serving_runtime
from wf2k8s import cluster

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"
IMAGE = f"wf2k8s/kserve-tensorflow:{wf2k8s.__version__}"
XS = [0.5, -1.5, 3.0]


@pytest.fixture(scope="module")
def tensorflow_runtime(kube) -> None:
    require_serving_runtime("wf2k8s-tensorflow")





def pipeline(code_dir: str, data: str, runs: str, model_name: str, service_name: str) -> wf.Workflow:
    train = wf.steps.JobStep(
        name="train", title="Train y = 2x with Keras",
        algorithm=wf.BaseAlgorithm(code_dir=code_dir, boot_file="tf_regression.py",
                                   engine=wf.steps.JobEngine(image_url=IMAGE),
                                   parameters=[wf.AlgorithmParameters(name="epochs", value=60)]),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=data)),
        outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=f"{runs}model/")),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1", "memory": "1Gi"})))
    register = wf.steps.ModelStep(
        name="register", title="Register the SavedModel",
        inputs=wf.steps.ModelInput(name="model_input", data=train.outputs["train_url"].as_input()),
        outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
            model_name=model_name, model_type="TensorFlow")),
        depend_steps=train)
    deploy = wf.steps.ServiceStep(
        name="deploy", title="Serve it",
        inputs=wf.steps.ServiceInput(name="models", data=wf.data.ModelData(model_name=model_name)),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
            service_name=service_name)),
        policy=wf.steps.StepPolicy(poll_interval_seconds=2, max_execution_minutes=8), depend_steps=register)
    return wf.Workflow(name="tf-serve", desc="train, register and serve a TensorFlow model",
                       steps=[train, register, deploy])


def test_a_keras_model_trained_by_a_job_is_registered_and_served_as_tensorflow(s3, step_result, tensorflow_runtime,
                                                                                  service_name):
    s3.put(s3.bucket, "e2e/tf/code/tf_regression.py", (HERE / "code" / "tf_regression.py").read_bytes())
    xs = [i / 128 - 1 for i in range(257)]  # y = 2x on [-1, 1]
    s3.put(s3.bucket, "e2e/tf/data/train.csv", ("x,y\n" + "".join(f"{x},{2 * x}\n" for x in xs)).encode())
    unique = secrets.token_hex(4)
    model_name = f"tf-regression-{unique}"
    runs = f"obs://{s3.bucket}/e2e/tf/runs/{unique}/"
    workflow = pipeline(f"obs://{s3.bucket}/e2e/tf/code/", f"obs://{s3.bucket}/e2e/tf/data/", runs, model_name,
                        service_name)
    result = cluster.release_and_run(workflow, parameters={}, wait=True, progress=None, timeout=1200)
    assert result["phase"] == "Succeeded", result
    assert result["steps"] == {"train": "Succeeded", "register": "Succeeded", "deploy": "Succeeded"}

    # the job wrote a SavedModel at the top of its output; the registration points at it
    assert s3.stat(s3.bucket, f"e2e/tf/runs/{unique}/model/saved_model.pb") is not None
    registered = step_result(result["name"], "register")["outputs"]["model_output"]
    assert (registered["model_type"], registered["uri"]) == ("TensorFlow", f"s3://{s3.bucket}/e2e/tf/runs/{unique}/model/")

    # served by the tensorflow runtime
    isvc = cluster.get_object("inferenceservice", service_name, NAMESPACE)
    assert isvc["spec"]["predictor"]["model"]["modelFormat"]["name"] == "tensorflow"
    assert isvc["status"].get("modelStatus", {}).get("states", {}).get("activeModelState") in (None, "Loaded")
    deployed = step_result(result["name"], "deploy")["variables"]["service_output"]
    address = deployed["cluster_inner_access_address"]
    assert address.endswith(f"/v1/models/{service_name}")
    answer = post_json(f"{address}:predict", {"instances": [[x] for x in XS]})
    predictions = [row[0] for row in answer["predictions"]]
    assert predictions == pytest.approx([2 * x for x in XS], abs=0.05), answer
    # rows of one feature may be plain numbers; the columnar format answers "outputs"
    assert [row[0] for row in post_json(f"{address}:predict", {"instances": XS})["predictions"]] == predictions
    assert [row[0] for row in post_json(f"{address}:predict", {"inputs": [[x] for x in XS]})["outputs"]] == predictions

    # start-to-ready: from the deploy step's start (its pod's) to the InferenceService's Ready condition
    run = cluster.get_object("workflow", result["name"], NAMESPACE)
    [deploy_pod] = cluster.pod_nodes(run, {"deploy"})
    [ready] = [c for c in isvc["status"]["conditions"] if c["type"] == "Ready"]
    from_step = cluster.seconds_between(deploy_pod["startedAt"], ready["lastTransitionTime"])
    from_isvc = cluster.seconds_between(isvc["metadata"]["creationTimestamp"], ready["lastTransitionTime"])
    [train_pod] = cluster.pod_nodes(run, {"train"})
    print(f"TensorFlow service {service_name}: Ready {from_step} s after the deploy step started "
          f"({from_isvc} s after the InferenceService was created); the training step took "
          f"{cluster.seconds_between(train_pod['startedAt'], train_pod['finishedAt'])} s; predictions {predictions}")
