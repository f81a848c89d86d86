"""The seed's semantics on the real Argo controller: branches, conditions, selection, scenes, input.

Pipelines follow the seed's examples (the section is named on each test); their JobSteps run
tests/e2e/code/train.py for real, ConditionSteps evaluate in the real runtime, and ModelSteps
register in the cluster's MLflow.
"""

from __future__ import annotations

import json
import secrets

import pytest

import wf2k8s as wf
from conftest import wait_for_input

FLAVOR = {"cpu": "100m", "memory": "128Mi"}
ENGINE = wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)  # python3 is all train.py needs


def job(name: str, code: str, storage=None, inputs=None, metrics: bool = False, depend_steps=None, policy=None,
        **hyper) -> wf.steps.JobStep:
    outputs = [wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
        obs_path=storage.join(f"{name}/")))] if storage else []
    if metrics:
        outputs.append(wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
            metric_files=storage.join(f"{name}/metrics.json", create_dir=False))))
    parameters = [wf.AlgorithmParameters(name="tag", value=name)] + \
                 [wf.AlgorithmParameters(name=k, value=v) for k, v in hyper.items()]
    return wf.steps.JobStep(
        name=name,
        algorithm=wf.BaseAlgorithm(code_dir=code, boot_file="train.py", engine=ENGINE, parameters=parameters),
        inputs=inputs or wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://wf2k8s/e2e/data/")),
        outputs=outputs or [wf.steps.JobOutput(name="train_url")],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=FLAVOR)),
        depend_steps=depend_steps, policy=policy)


def model(name: str, data, depend_steps=None, policy=None) -> wf.steps.ModelStep:
    return wf.steps.ModelStep(
        name=name, inputs=wf.steps.ModelInput(name="model_input", data=data),
        outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
            model_name=wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR, default="m"),
            model_type="Scikit_Learn")),
        depend_steps=depend_steps, policy=policy)


def is_skip(name: str) -> wf.steps.Condition:
    return wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.EQ,
                              left=wf.Placeholder(name=name, placeholder_type=wf.PlaceholderType.BOOL), right=True)


def root(s3) -> str:
    return f"obs://{s3.bucket}/e2e/runs/"


# seed 4.5 "Controlling partial execution of multiple branches": its table, all four rows --------------


@pytest.mark.parametrize("a_skip,b_skip,model_runs", [(True, True, False), (True, False, True),
                                                       (False, True, True), (False, False, True)])
def test_branch_control_table(run, step_result, code, s3, a_skip, b_skip, model_runs):
    storage = wf.data.Storage(name="storage_name", with_execution_id=True, create_dir=True)
    job_a = job("training_job_a", code, storage, policy=wf.steps.StepPolicy(skip_conditions=is_skip("a_is_skip")))
    job_b = job("training_job_b", code, storage, policy=wf.steps.StepPolicy(skip_conditions=is_skip("b_is_skip")))
    registration = model("model_registration", wf.data.DataConsumptionSelector(
        data_list=[job_a.outputs["train_url"].as_input(), job_b.outputs["train_url"].as_input()]),
        depend_steps=[job_a, job_b])
    workflow = wf.Workflow(name="new-condition-demo", desc="seed 4.5", steps=[job_a, job_b, registration],
                           storages=storage)
    result = run(workflow, {"a_is_skip": str(a_skip).lower(), "b_is_skip": str(b_skip).lower(),
                            "storage_name": root(s3)})
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {
        "training_job_a": "Skipped" if a_skip else "Succeeded",
        "training_job_b": "Skipped" if b_skip else "Succeeded",
        "model_registration": "Succeeded" if model_runs else "Skipped",
    }
    if model_runs:  # the selector gave the output of a branch that ran (the first listed, when both did)
        chosen = "training_job_a" if not a_skip else "training_job_b"
        registered = step_result(result["name"], "model_registration")["outputs"]["model_output"]
        assert registered["uri"] == f"s3://{s3.bucket}/e2e/runs/{result['name']}/{chosen}/"


# seed 4.4.8.3 simple example: left_value true and false, per its "Execution analysis" ---------------------


@pytest.mark.parametrize("left_value", [True, False])
def test_condition_step_parameter(run, code, left_value):
    left = wf.Placeholder(name="left_value", placeholder_type=wf.PlaceholderType.BOOL, default=True)
    condition_step = wf.steps.ConditionStep(
        name="condition_step_test",
        conditions=wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.EQ, left=left, right=True),
        if_then_steps="job_step_1", else_then_steps="job_step_2")
    job_1 = job("job_step_1", code, depend_steps=condition_step)
    model_1 = model("model_step_1", job_1.outputs["train_url"].as_input(), depend_steps=job_1)
    job_2 = job("job_step_2", code, depend_steps=condition_step)
    model_2 = model("model_step_2", job_2.outputs["train_url"].as_input(), depend_steps=job_2)
    workflow = wf.Workflow(name="condition-demo", desc="seed 4.4.8.3",
                           steps=[condition_step, job_1, job_2, model_1, model_2])
    result = run(workflow, {"left_value": str(left_value).lower()})
    ran, skipped = ("1", "2") if left_value else ("2", "1")
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"condition_step_test": "Succeeded",
                               f"job_step_{ran}": "Succeeded", f"model_step_{ran}": "Succeeded",
                               f"job_step_{skipped}": "Skipped", f"model_step_{skipped}": "Skipped"}


# seed 4.4.8.3 metric example and 4.5 metric skip condition: accuracy above and below 0.5 -----------------


@pytest.mark.parametrize("accuracy", [0.8, 0.3])
def test_metric_condition_step(run, code, s3, accuracy):
    storage = wf.data.Storage(name="storage_name", with_execution_id=True, create_dir=True)
    training = job("training_job", code, storage, metrics=True, accuracy=accuracy)
    condition_lt = wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.LT,
                                      left=wf.steps.MetricInfo(training.outputs["metrics"].as_input(), "accuracy"),
                                      right=0.5)
    condition_step = wf.steps.ConditionStep(name="condition_step_test", conditions=condition_lt,
                                            if_then_steps="training_job_retrain",
                                            else_then_steps="model_registration", depend_steps=training)
    retrain = job("training_job_retrain", code, depend_steps=condition_step)
    registration = model("model_registration", training.outputs["train_url"].as_input(),
                         depend_steps=condition_step)
    workflow = wf.Workflow(name="condition-metric-demo", desc="seed 4.4.8.3",
                           steps=[training, condition_step, retrain, registration], storages=storage)
    result = run(workflow, {"storage_name": root(s3)})
    low = accuracy < 0.5
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"training_job": "Succeeded", "condition_step_test": "Succeeded",
                               "training_job_retrain": "Succeeded" if low else "Skipped",
                               "model_registration": "Skipped" if low else "Succeeded"}


@pytest.mark.parametrize("accuracy", [0.8, 0.3])
def test_metric_skip_condition(run, code, s3, accuracy):
    storage = wf.data.Storage(name="storage_name", with_execution_id=True, create_dir=True)
    training = job("training_job", code, storage, metrics=True, accuracy=accuracy)
    condition_lt = wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.LT,
                                      left=wf.steps.MetricInfo(training.outputs["metrics"].as_input(), "accuracy"),
                                      right=0.5)
    registration = model("model_registration", training.outputs["train_url"].as_input(), depend_steps=training,
                         policy=wf.steps.StepPolicy(skip_conditions=condition_lt))
    workflow = wf.Workflow(name="new-condition-demo", desc="seed 4.5", steps=[training, registration],
                           storages=storage)
    result = run(workflow, {"storage_name": root(s3)})
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"training_job": "Succeeded",
                               "model_registration": "Skipped" if accuracy < 0.5 else "Succeeded"}
    metrics_key = f"e2e/runs/{result['name']}/training_job/metrics.json"
    assert json.loads(s3.get(s3.bucket, metrics_key))[0]["data"]["value"] == accuracy


# seed 4.6 data selection, both ways, checked on the S3 server ------------------------------------------


@pytest.mark.parametrize("is_true", [True, False])
def test_data_selection(run, step_result, code, s3, is_true):
    storage = wf.data.OutputStorage(name="storage_name")
    condition_step = wf.steps.ConditionStep(name="condition_step", conditions=[is_skip("is_true")],
                                            if_then_steps=["training_job_1"], else_then_steps=["training_job_2"])
    job_1 = job("training_job_1", code, storage, depend_steps=[condition_step])
    job_2 = job("training_job_2", code, storage, depend_steps=[condition_step])
    registration = model("model_registration", wf.data.DataConsumptionSelector(
        data_list=[job_1.outputs["train_url"].as_input(), job_2.outputs["train_url"].as_input()]),
        depend_steps=[job_1, job_2])
    workflow = wf.Workflow(name="data-select-demo", desc="seed 4.6",
                           steps=[condition_step, job_1, job_2, registration], storages=storage)
    result = run(workflow, {"is_true": str(is_true).lower(), "storage_name": root(s3)})
    chosen, other = ("training_job_1", "training_job_2") if is_true else ("training_job_2", "training_job_1")
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"condition_step": "Succeeded", chosen: "Succeeded", other: "Skipped",
                               "model_registration": "Succeeded"}
    registered = step_result(result["name"], "model_registration")["outputs"]["model_output"]
    assert registered["uri"] == f"s3://{s3.bucket}/e2e/runs/{result['name']}/{chosen}/"
    written = json.loads(s3.get(s3.bucket, f"e2e/runs/{result['name']}/{chosen}/model.txt"))
    assert written["tag"] == chosen


# the default rule across three levels, and a failed dependency --------------------------------------------


def test_default_rule_carries_down(run, code):
    first = job("first", code, policy=wf.steps.StepPolicy(skip_conditions=is_skip("skip_first")))
    second = job("second", code, depend_steps=first)
    third = job("third", code, depend_steps=second)
    fourth = job("fourth", code, depend_steps=third)
    other = job("other", code)
    joined = job("joined", code, depend_steps=[third, other])
    workflow = wf.Workflow(name="default-rule", desc="skips carry down",
                           steps=[first, second, third, fourth, other, joined])
    result = run(workflow, {"skip_first": "true"})
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"first": "Skipped", "second": "Skipped", "third": "Skipped", "fourth": "Skipped",
                               "other": "Succeeded", "joined": "Succeeded"}


def test_failed_dependency_stops_the_run(run, code):
    broken = job("broken", code, fail=True)
    after = job("after", code, depend_steps=broken)
    workflow = wf.Workflow(name="failing", desc="a failed dependency", steps=[broken, after])
    result = run(workflow)
    assert result["phase"] == "Failed"
    assert result["steps"]["broken"] in ("Failed", "Error")
    assert result["steps"]["after"] in ("Omitted", "Pending")
    assert "exited with 3" in result["messages"]["broken"]


# seed 4.10.1 partial execution ---------------------------------------------------------------------------


def test_scene_runs_only_its_steps(run, code):
    prepare = job("prepare", code)
    train = job("train", code, depend_steps=prepare)
    register = model("register", train.outputs["train_url"].as_input(), depend_steps=train)
    workflow = wf.Workflow(name="scenes", desc="partial execution", steps=[prepare, train, register],
                           policy=wf.policy.Policy(scenes=[
                               wf.policy.Scene(scene_name="Model training", scene_steps=[prepare, train]),
                               wf.policy.Scene(scene_name="Registration", scene_steps=[register])]))
    result = run(workflow, scene="Model training")
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"prepare": "Succeeded", "train": "Succeeded", "register": "Skipped"}


def test_a_scene_reads_the_output_of_a_step_it_leaves_out(run, code, s3):
    """Scene "evaluation" runs evaluate alone: it reads train's output from the latest Succeeded run (the run of
    scene "training"), then, given one, from the value given (``wf2k8s run --scene evaluation -p
    train.train_url=obs://...``)."""
    storage = wf.data.Storage(name="storage_name", with_execution_id=True, create_dir=True)  # no fixed location
    nonce = secrets.token_hex(4)
    train = job("train", code, storage)
    train.algorithm.parameters[0] = wf.AlgorithmParameters(name="tag", value=wf.Placeholder(
        name="train_tag", placeholder_type=wf.PlaceholderType.STR, default="train"))
    evaluate = job("evaluate", code, storage,
                   inputs=wf.steps.JobInput(name="data_url", data=train.outputs["train_url"].as_input()))
    workflow = wf.Workflow(name="scene-handoff", desc="partial execution", steps=[train, evaluate], storages=storage,
                           policy=wf.policy.Policy(scenes=[
                               wf.policy.Scene(scene_name="training", scene_steps=[train]),
                               wf.policy.Scene(scene_name="evaluation", scene_steps=[evaluate])]))

    def read(result: dict) -> dict:
        written = json.loads(s3.get(s3.bucket, f"e2e/runs/{result['name']}/evaluate/model.txt"))
        assert written["tag"] == "evaluate"
        return json.loads(written["data"])  # the model.txt evaluate found in its input

    trained = run(workflow, {"storage_name": root(s3), "train_tag": f"trained-{nonce}"}, scene="training")
    assert trained["phase"] == "Succeeded"
    assert trained["steps"] == {"train": "Succeeded", "evaluate": "Skipped"}

    # (c) nothing given, no fixed location: train's output in the latest Succeeded run, the one above
    evaluated = run(workflow, {"storage_name": root(s3)}, scene="evaluation")
    assert evaluated["phase"] == "Succeeded", evaluated
    assert evaluated["steps"] == {"train": "Skipped", "evaluate": "Succeeded"}
    assert read(evaluated)["tag"] == f"trained-{nonce}"

    # (a) a value given for the run comes first
    s3.put(s3.bucket, f"e2e/given/{nonce}/model.txt", json.dumps({"tag": f"given-{nonce}"}).encode())
    given = run(workflow, {"storage_name": root(s3), "train.train_url": f"obs://{s3.bucket}/e2e/given/{nonce}/"},
                scene="evaluation")
    assert given["phase"] == "Succeeded", given
    assert given["steps"] == {"train": "Skipped", "evaluate": "Succeeded"}
    assert read(given)["tag"] == f"given-{nonce}"


# delay=True: the run waits, the value is given as a user would, the run uses it ----------------------------


def test_delayed_placeholder_waits_for_input(run, code, s3):
    from wf2k8s import cluster

    storage = wf.data.OutputStorage(name="storage_name")
    tag = wf.Placeholder(name="tag_value", placeholder_type=wf.PlaceholderType.STR, delay=True,
                         description="a value given while the run runs")
    training = job("training_job", code, storage)
    training.algorithm.parameters[0] = wf.AlgorithmParameters(name="tag", value=tag)
    workflow = wf.Workflow(name="delayed", desc="waits for input", steps=[training], storages=storage)
    started = run(workflow, {"storage_name": root(s3)}, wait=False)
    name, namespace = started["name"], started["namespace"]
    wait_for_input(name, "tag_value", "delayed")
    state = cluster.summary(cluster.get_object("workflow", name, namespace),
                            cluster.template_step_names("delayed", namespace))
    assert state["phase"] == "Running" and state["steps"] == {"training_job": "Pending"}
    assert cluster.give_input(name, namespace, {"tag_value": "given-in-the-middle"}) == ["tag_value"]
    result = cluster.follow(name, namespace, progress=None, timeout=600)
    assert result["phase"] == "Succeeded"
    assert result["steps"] == {"training_job": "Succeeded"}
    written = json.loads(s3.get(s3.bucket, f"e2e/runs/{name}/training_job/model.txt"))
    assert written["tag"] == "given-in-the-middle"


# two runs with an OutputStorage write to different keys ---------------------------------------------------


def test_runs_are_isolated_by_execution_id(run, code, s3):
    storage = wf.data.OutputStorage(name="storage_name")
    workflow = wf.Workflow(name="isolation", desc="two runs", steps=[job("training_job", code, storage)],
                           storages=storage)
    first = run(workflow, {"storage_name": root(s3)})
    second = run(workflow, {"storage_name": root(s3)})
    assert first["phase"] == second["phase"] == "Succeeded"
    assert first["name"] != second["name"]
    for result in (first, second):
        keys = list(s3.list(s3.bucket, f"e2e/runs/{result['name']}/training_job/"))
        assert keys == [f"e2e/runs/{result['name']}/training_job/model.txt"]


# seed 4.8 debug mode: the run stops before each step, next() runs one ---------------------------------------


def test_debug_and_next(kube, stand_in, code):
    first = job("first", code)
    second = job("second", code, depend_steps=first)
    workflow = wf.Workflow(name="debugging", desc="debug mode", steps=[first, second])
    state = workflow.debug()
    assert state["paused"] == ["first"] and state["steps"] == {"first": "Pending", "second": "Pending"}
    state = workflow.next()
    assert state["paused"] == ["second"] and state["steps"]["first"] == "Succeeded"
    state = workflow.next()
    assert state["phase"] == "Succeeded"
    assert state["steps"] == {"first": "Succeeded", "second": "Succeeded"}
