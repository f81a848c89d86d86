"""Training and registration for real: scikit-learn in the trainer image, MLflow in the cluster."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import wf2k8s as wf
from wf2k8s.cli import load_workflows

ROOT = Path(__file__).resolve().parents[2]


def mlflow(path: str, **query) -> dict:
    base = os.environ.get("MLFLOW_TRACKING_URI", "http://10.96.0.50:5000")
    url = f"{base}/api/2.0/mlflow/{path}?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def iris_workflow() -> wf.Workflow:
    return load_workflows(ROOT / "examples" / "iris" / "pipeline.py")[0]


def test_train_and_register_iris(run, step_result, s3):
    """Seed 4.4.6 "Registering a Model from a Training Job": files under the run's key, the version in MLflow."""
    result = run(iris_workflow(), {"storage_name": f"obs://{s3.bucket}/e2e/runs/", "min_accuracy": "0.5"})
    assert result["phase"] == "Succeeded", result
    assert result["steps"] == {"train": "Succeeded", "register": "Succeeded"}
    keys = set(s3.list(s3.bucket, f"e2e/runs/{result['name']}/model/"))
    assert {f"e2e/runs/{result['name']}/model/model.pkl", f"e2e/runs/{result['name']}/model/metrics.json"} <= keys
    trained = step_result(result["name"], "train")
    assert trained["metrics"]["metrics"]["accuracy"] > 0.5
    registered = step_result(result["name"], "register")["outputs"]["model_output"]
    assert registered["model_name"] == "iris"
    assert registered["uri"] == f"s3://{s3.bucket}/e2e/runs/{result['name']}/model/"
    version = mlflow("model-versions/get", name="iris", version=registered["mlflow_version"])["model_version"]
    tags = {t["key"]: t["value"] for t in version.get("tags", [])}
    assert version["source"] == registered["uri"]
    assert tags["modelarts.version"] == registered["model_version"]
    assert tags["modelarts.model_type"] == "Scikit_Learn"
    assert tags["wf2k8s.run"] == result["name"] and tags["wf2k8s.step"] == "register"


@pytest.mark.parametrize("min_accuracy, registered", [("0.5", True), ("0.999", False)])
def test_real_accuracy_decides_registration(run, s3, min_accuracy, registered):
    """Seed 4.5: the job's real accuracy against the threshold skips registration or not."""
    result = run(iris_workflow(), {"storage_name": f"obs://{s3.bucket}/e2e/runs/", "min_accuracy": min_accuracy})
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"train": "Succeeded", "register": "Succeeded" if registered else "Skipped"}


@pytest.mark.parametrize("regularisation, retrained", [("1.0", False), ("0.00001", True)])
def test_metric_condition_step_with_real_training(run, s3, regularisation, retrained):
    """Seed 4.4.8.3: ConditionStep on the accuracy a real job reached: retrain or register."""
    flow = iris_workflow()
    train = next(s for s in flow.all_steps() if s.name == "train")
    check = wf.steps.ConditionStep(
        name="condition_step_test",
        conditions=wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.LT,
                                      left=wf.steps.MetricInfo(train.outputs["metrics"].as_input(), "accuracy"),
                                      right=0.8),
        if_then_steps="training_job_retrain", else_then_steps="model_registration", depend_steps=train)
    storage = flow.storages[0]
    retrain = wf.steps.JobStep(
        name="training_job_retrain", algorithm=train.algorithm, inputs=train.inputs,
        outputs=[wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
                     obs_path=storage.join("retrain/"))),
                 wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
                     metric_files=storage.join("retrain/metrics.json", create_dir=False)))],
        spec=train.spec, depend_steps=check)
    register = next(s for s in flow.all_steps() if s.name == "register")
    registration = wf.steps.ModelStep(name="model_registration", inputs=register.inputs, outputs=register.outputs,
                                      depend_steps=check)
    workflow = wf.Workflow(name="iris-condition", desc="seed 4.4.8.3", steps=[train, check, retrain, registration],
                           storages=flow.storages)
    result = run(workflow, {"storage_name": f"obs://{s3.bucket}/e2e/runs/", "C": regularisation})
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"train": "Succeeded", "condition_step_test": "Succeeded",
                               "training_job_retrain": "Succeeded" if retrained else "Skipped",
                               "model_registration": "Skipped" if retrained else "Succeeded"}


def test_failing_training_fails_the_step_with_its_log_and_registers_nothing(run, s3):
    s3.put(s3.bucket, "e2e/broken/train.py", b"import sys\nprint('loading data')\nraise SystemExit('no data here')\n")
    flow = iris_workflow()
    train = next(s for s in flow.all_steps() if s.name == "train")
    train.algorithm = wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/broken/", boot_file="train.py",
                                       engine=train.algorithm.engine)
    versions_before = mlflow("model-versions/search", filter="name='iris'").get("model_versions", [])
    result = run(flow, {"storage_name": f"obs://{s3.bucket}/e2e/runs/"})
    assert result["phase"] == "Failed"
    assert result["steps"]["train"] == "Failed" and result["steps"]["register"] in ("Omitted", "Pending")
    assert "exited with 1" in result["messages"]["train"] and "no data here" in result["messages"]["train"]
    versions_after = mlflow("model-versions/search", filter="name='iris'").get("model_versions", [])
    assert len(versions_after) == len(versions_before)
