"""Serving PyTorch models on the cluster's real KServe, in both forms ModelArts packages them: a JobStep whose
engine image is wf2k8s/kserve-pytorch trains a one-weight model on y = 2x + 1 (tests/e2e/code/torch_regression.py)
and writes it twice, as TorchScript and as a state dict with its inference code (customize_service.py); two
ModelSteps register them with model_type "PyTorch", and two ServiceSteps deploy them (modelFormat pytorch,
ClusterServingRuntime wf2k8s-pytorch). The TorchScript service answers protocol v1; the other answers through
the model's own inference code.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

import wf2k8s
from modelarts import workflow as wf
from conftest import kubectl, post_json, require_serving_runtime
from wf2k8s import cluster

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"
IMAGE = f"wf2k8s/kserve-pytorch:{wf2k8s.__version__}"
XS = [0.5, -1.5, 3.0]


@pytest.fixture(scope="module")
def pytorch_runtime(kube) -> None:
    require_serving_runtime("wf2k8s-pytorch")


def pipeline(code_dir: str, data: str, runs: str, model_name: str, service_name: str) -> wf.Workflow:
    train = wf.steps.JobStep(
        name="train", title="Train y = 2x + 1 with PyTorch",
        algorithm=wf.BaseAlgorithm(code_dir=code_dir, boot_file="torch_regression.py",
                                   engine=wf.steps.JobEngine(image_url=IMAGE)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=data)),
        outputs=[wf.steps.JobOutput(name=name, obs_config=wf.data.OBSOutputConfig(obs_path=f"{runs}{name}/"))
                 for name in ("torchscript_url", "state_dict_url")],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1", "memory": "1Gi"})))
    steps: list = [train]
    for form in ("torchscript", "state_dict"):
        register = wf.steps.ModelStep(
            name=f"register_{form}", title=f"Register the {form}",
            inputs=wf.steps.ModelInput(name="model_input", data=train.outputs[f"{form}_url"].as_input()),
            outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
                model_name=f"{model_name}-{form.replace('_', '-')}", model_type="PyTorch")),
            depend_steps=train)
        deploy = wf.steps.ServiceStep(
            name=f"deploy_{form}", title=f"Serve the {form}",
            inputs=wf.steps.ServiceInput(name="models", data=wf.data.ModelData(
                model_name=f"{model_name}-{form.replace('_', '-')}")),
            outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
                service_name=f"{service_name}-{form.replace('_', '-')}")),
            policy=wf.steps.StepPolicy(poll_interval_seconds=2, max_execution_minutes=8), depend_steps=register)
        steps += [register, deploy]
    return wf.Workflow(name="torch-serve", desc="train, register and serve a PyTorch model in both forms",
                       steps=steps)


def test_a_pytorch_model_is_served_as_torchscript_and_through_its_inference_code(s3, step_result, pytorch_runtime,
                                                                                   service_name):
    for name in ("torch_regression.py", "linear_service.py"):
        s3.put(s3.bucket, f"e2e/torch/code/{name}", (HERE / "code" / name).read_bytes())
    xs = [i / 64 - 1 for i in range(129)]  # y = 2x + 1 on [-1, 1]
    s3.put(s3.bucket, "e2e/torch/data/train.csv", ("x,y\n" + "".join(f"{x},{2 * x + 1}\n" for x in xs)).encode())
    unique = secrets.token_hex(4)
    runs = f"obs://{s3.bucket}/e2e/torch/runs/{unique}/"
    workflow = pipeline(f"obs://{s3.bucket}/e2e/torch/code/", f"obs://{s3.bucket}/e2e/torch/data/", runs,
                        f"torch-{unique}", service_name)
    services = {form: f"{service_name}-{form.replace('_', '-')}" for form in ("torchscript", "state_dict")}
    try:
        result = cluster.release_and_run(workflow, parameters={}, wait=True, progress=None, timeout=1200)
        assert result["phase"] == "Succeeded", result
        assert set(result["steps"].values()) == {"Succeeded"}, result["steps"]

        for form, files in (("torchscript", {"model.pt"}), ("state_dict", {"model.pth", "customize_service.py"})):
            registered = step_result(result["name"], f"register_{form}")["outputs"]["model_output"]
            assert registered["model_type"] == "PyTorch"
            assert registered["uri"] == f"s3://{s3.bucket}/e2e/torch/runs/{unique}/{form}_url/"
            assert {key.rsplit("/", 1)[-1] for key in s3.list(s3.bucket, f"e2e/torch/runs/{unique}/{form}_url/")} \
                == files
            isvc = cluster.get_object("inferenceservice", services[form], NAMESPACE)
            assert isvc["spec"]["predictor"]["model"]["modelFormat"]["name"] == "pytorch"

        # TorchScript: protocol v1 rows and columns
        address = step_result(result["name"], "deploy_torchscript")["variables"]["service_output"][
            "cluster_inner_access_address"]
        assert address.endswith(f"/v1/models/{services['torchscript']}")
        answer = post_json(f"{address}:predict", {"instances": [[x] for x in XS]})
        predictions = [row[0] for row in answer["predictions"]]
        assert predictions == pytest.approx([2 * x + 1 for x in XS], abs=0.01), answer
        assert [row[0] for row in post_json(f"{address}:predict", {"inputs": [[x] for x in XS]})["outputs"]] \
            == predictions

        # a state dict: the body goes through the model's own customize_service.py
        address = step_result(result["name"], "deploy_state_dict")["variables"]["service_output"][
            "cluster_inner_access_address"]
        answer = post_json(f"{address}:predict", {"x": XS})
        assert answer["y"] == pytest.approx([2 * x + 1 for x in XS], abs=0.01), answer

        run = cluster.get_object("workflow", result["name"], NAMESPACE)
        for form, service in services.items():
            isvc = cluster.get_object("inferenceservice", service, NAMESPACE)
            [deploy_pod] = cluster.pod_nodes(run, {f"deploy-{form.replace('_', '-')}"})
            [ready] = [c for c in isvc["status"]["conditions"] if c["type"] == "Ready"]
            from_step = cluster.seconds_between(deploy_pod["startedAt"], ready["lastTransitionTime"])
            from_isvc = cluster.seconds_between(isvc["metadata"]["creationTimestamp"], ready["lastTransitionTime"])
            print(f"PyTorch {form} service {service}: Ready {from_step} s after the deploy step started "
                  f"({from_isvc} s after the InferenceService was created)")
    finally:
        for service in services.values():
            kubectl("delete", "inferenceservice", service, "-n", NAMESPACE, "--ignore-not-found",
                            "--wait=false")
