"""The rest of the seed's development-state semantics on the real cluster (issue 14): every placeholder type as a
hyperparameter, environments and log_export_path reaching the job, nested OR conditions both ways, algorithms
from the catalog, a development-state run of a downstream part, and the scenes of the seed's 4.10.1 example."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

import wf2k8s as wf
from wf2k8s import cluster

from test_semantics import FLAVOR, ENGINE, job, model, root
from conftest import kubectl

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"
PT = wf.PlaceholderType


def shown(log: str) -> dict:
    """What tests/e2e/code/show_args.py printed: its arguments by name, and its E2E_ environment."""
    lines = [line for line in log.splitlines() if line.startswith("SHOWN ")]
    assert len(lines) == 1, log
    printed = json.loads(lines[0][len("SHOWN "):])
    args = dict(arg[2:].split("=", 1) for arg in printed["argv"] if arg.startswith("--") and "=" in arg)
    return {"args": args, "env": printed["env"]}


# JSON and LIST hyperparameters, environments, log_export_path: one job, what reaches its code -------------------


@pytest.fixture(scope="module")
def shown_run(s3) -> dict:
    nonce = secrets.token_hex(4)
    s3.put(s3.bucket, "e2e/seed/code/show_args.py", (HERE / "code" / "show_args.py").read_bytes())
    cfg = wf.Placeholder(name="cfg", placeholder_type=PT.JSON, default={"depth": 3})
    items = wf.Placeholder(name="items", placeholder_type=PT.LIST, placeholder_format="int", default=[1, 2])
    settings = wf.Placeholder(name="settings", placeholder_type=PT.JSON, default={"mode": "fast"})
    step = wf.steps.JobStep(
        name="show",
        algorithm=wf.BaseAlgorithm(
            code_dir=f"obs://{s3.bucket}/e2e/seed/code/", boot_file="show_args.py", engine=ENGINE,
            parameters=[wf.AlgorithmParameters(name="cfg", value=cfg),
                        wf.AlgorithmParameters(name="items", value=items),
                        wf.AlgorithmParameters(name="plain", value="text")],
            environments={"E2E_PLAIN": "plain value", "E2E_NUMBER": 3, "E2E_SETTINGS": settings}),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=FLAVOR), log_export_path=wf.steps.LogExportPath(
            obs_url=f"obs://{s3.bucket}/e2e/seed/logs/{nonce}/")))
    workflow = wf.Workflow(name="seed-values", desc="what reaches the code", steps=[step])
    s3.put(s3.bucket, "e2e/data/train.csv", b"x,y\n1,2\n")
    result = cluster.release_and_run(workflow, parameters={"cfg": json.dumps({"depth": 4, "name": "x y"})},
                                     wait=True, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    return {"name": result["name"], "nonce": nonce}


def test_json_and_list_hyperparameters_arrive_as_json_text(shown_run, step_log):
    args = shown(step_log(shown_run["name"], "show"))["args"]
    assert json.loads(args["cfg"]) == {"depth": 4, "name": "x y"}  # the run's value
    assert json.loads(args["items"]) == [1, 2]  # the default
    assert args["plain"] == "text"


def test_environments_reach_the_script(shown_run, step_log):
    env = shown(step_log(shown_run["name"], "show"))["env"]
    assert env["E2E_PLAIN"] == "plain value" and env["E2E_NUMBER"] == "3"
    assert json.loads(env["E2E_SETTINGS"]) == {"mode": "fast"}  # JSON, not Python's repr


def test_log_export_path_holds_the_jobs_log(shown_run, s3):
    log = s3.get(s3.bucket, f"e2e/seed/logs/{shown_run['nonce']}/show.log").decode()
    assert shown(log)["args"]["plain"] == "text"


# seed 4.4.8.3 advanced example: an AND of a comparison and a nested OR, true and false ---------------------------


@pytest.mark.parametrize("x, branch", [(-1, "if"), (7, "if"), (3, "else")])
def test_nested_or_condition_both_ways(run, code, x, branch):
    flag = wf.Placeholder(name="flag", placeholder_type=PT.BOOL, default=True)
    value = wf.Placeholder(name="x", placeholder_type=PT.INT, default=0)
    C = wf.steps.ConditionTypeEnum
    nested = wf.steps.Condition(condition_type=C.OR,
                                left=wf.steps.Condition(condition_type=C.GT, left=value, right=5),
                                right=wf.steps.Condition(condition_type=C.LT, left=value, right=0))
    check = wf.steps.ConditionStep(
        name="check", conditions=[wf.steps.Condition(condition_type=C.EQ, left=flag, right=True), nested],
        if_then_steps="if_step", else_then_steps="else_step")
    if_step = job("if_step", code, depend_steps=check)
    else_step = job("else_step", code, depend_steps=check)
    workflow = wf.Workflow(name="nested-or", desc="seed 4.4.8.3", steps=[check, if_step, else_step])
    result = run(workflow, {"x": str(x)})
    assert result["phase"] == "Succeeded", result
    assert result["steps"] == {"check": "Succeeded", "if_step": "Succeeded" if branch == "if" else "Skipped",
                               "else_step": "Succeeded" if branch == "else" else "Skipped"}


# seed 4.4.5.4: an algorithm of Algorithm Management from the catalog (the AI Gallery one, image classification,
# trains in test_seed_example_4_10_1.py) --------------------------------------------------------------------------


def test_a_catalog_algorithm_is_resolved_and_trained(run, step_result, code, s3):
    storage = wf.data.OutputStorage(name="storage_name")
    train = wf.steps.JobStep(
        name="train", algorithm=wf.Algorithm(algorithm_id="algorithm_id",
                                             parameters=[wf.AlgorithmParameters(name="C", value=1.0)]),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=[wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("m/"))),
                 wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
                     metric_files=storage.join("m/metrics.json", create_dir=False)))],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "500m", "memory": "512Mi"})))
    workflow = wf.Workflow(name="catalog-algorithm", desc="seed 4.4.5.4", steps=[train], storages=storage)
    result = run(workflow, {"storage_name": root(s3)})
    assert result["phase"] == "Succeeded", result
    assert f"e2e/runs/{result['name']}/m/model.pkl" in set(s3.list(s3.bucket, f"e2e/runs/{result['name']}/m/"))
    assert step_result(result["name"], "train")["metrics"]["metrics"]["accuracy"] > 0.5  # iris, really trained


# seed 4.8: workflow.run(steps=[...]) of a downstream part reads the output of an earlier run ----------------------


def test_run_of_a_downstream_part(run, step_result, code, s3):
    storage = wf.data.Storage(name="storage_name", with_execution_id=True, create_dir=True)  # no fixed location
    train = job("train", code, storage)
    register = model("register", train.outputs["train_url"].as_input(), depend_steps=train)
    workflow = wf.Workflow(name="downstream-part", desc="seed 4.8", steps=[train, register], storages=storage)
    first = run(workflow, {"storage_name": root(s3)})
    assert first["phase"] == "Succeeded", first
    trained = step_result(first["name"], "train")["outputs"]["train_url"]["uri"]

    part = workflow.run(steps=[register], parameters={"storage_name": root(s3)}, progress=None, timeout=600)
    assert part["phase"] == "Succeeded", part
    assert part["steps"] == {"train": "Skipped", "register": "Succeeded"}
    assert step_result(part["name"], "register")["outputs"]["model_output"]["uri"] == trained


# seed 4.10.1: scene "Model training", then scene "Service deployment" of the model it trained ---------------------


def test_seed_partial_execution_scenes(run, step_result, code, s3):
    """The seed's example (examples/seed/s4_10_1_partial_execution.py) labels images in Label Studio, which waits
    for a person, and registers a TensorFlow model that the cluster's KServe cannot serve; this pipeline has its
    scene shapes instead: "Model training" = a step, then the training job (the catalog's iris algorithm),
    "Service deployment" = the model registration reading the training job's output, then a real KServe
    deployment of that model."""
    # a storage path without execution id: the training job's output has a fixed location, as in the seed's
    # example (storage.join("directory_path")); the nonce keeps it, the model and the service this test's own
    storage = wf.data.Storage(name="storage_name", with_execution_id=False, create_dir=True)
    nonce = secrets.token_hex(4)
    model_name = wf.Placeholder(name="model_name", placeholder_type=PT.STR, default="m")
    prepare = job("prepare", code)
    training = wf.steps.JobStep(
        name="training_job", algorithm=wf.Algorithm(algorithm_id="algorithm_id"),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=[wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("m/"))),
                 wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
                     metric_files=storage.join("m/metrics.json", create_dir=False)))],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "500m", "memory": "512Mi"})),
        depend_steps=prepare)
    registration = model("model_registration", training.outputs["train_url"].as_input(), depend_steps=training)
    service = wf.steps.ServiceStep(
        name="service_step",
        inputs=wf.steps.ServiceInput(name="si_service_ph", data=wf.data.ModelData(model_name=model_name)),
        outputs=wf.steps.ServiceOutput(name="service_output", service_config=wf.steps.ServiceConfig(
            service_name=f"seed-{nonce}")),
        depend_steps=registration)
    workflow = wf.Workflow(
        name="image-cls-shape", desc="seed 4.10.1", storages=[storage],
        steps=[prepare, training, registration, service],
        policy=wf.policy.Policy(scenes=[
            wf.policy.Scene(scene_name="Model training", scene_steps=[prepare, training]),
            wf.policy.Scene(scene_name="Service deployment", scene_steps=[registration, service])]))
    values = {"storage_name": f"{root(s3)}{nonce}/", "model_name": f"seed-{nonce}"}

    trained = run(workflow, values, scene="Model training")
    assert trained["phase"] == "Succeeded", trained
    assert trained["steps"] == {"prepare": "Succeeded", "training_job": "Succeeded",
                                "model_registration": "Skipped", "service_step": "Skipped"}

    try:
        deployed = cluster.release_and_run(workflow, parameters=values, scene="Service deployment", wait=True,
                                           progress=None, timeout=900)  # the real service phase, not the stand-in
        assert deployed["phase"] == "Succeeded", deployed
        assert deployed["steps"] == {"prepare": "Skipped", "training_job": "Skipped",
                                     "model_registration": "Succeeded", "service_step": "Succeeded"}
        registered = step_result(deployed["name"], "model_registration")["outputs"]["model_output"]
        assert registered["uri"] == f"s3://{s3.bucket}/e2e/runs/{nonce}/m/"  # what the first run trained
        served = step_result(deployed["name"], "service_step")["outputs"]["service_output"]
        assert [(m["model_name"], m["uri"]) for m in served["models"]] == [(f"seed-{nonce}", registered["uri"])]
    finally:
        kubectl("delete", "inferenceservice", f"seed-{nonce}", "-n", NAMESPACE, "--ignore-not-found",
                        "--wait=false")
