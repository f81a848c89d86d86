"""Development-state runs (seed 4.8) leave the released pipeline alone; run values are protected."""

from __future__ import annotations

import io
import json

import pytest

import wf2k8s as wf
from argo_schema import check_document
from wf2k8s import ValidationError, cluster, kube
from wf2k8s.contract.values import unprotect


def pipeline() -> wf.Workflow:
    note = wf.Placeholder(name="note", placeholder_type=wf.PlaceholderType.STR, default="n")
    job = wf.steps.JobStep(
        name="train", algorithm=wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py",
                                                 engine=wf.steps.JobEngine(image_url="i:1"),
                                                 parameters=[wf.AlgorithmParameters(name="note", value=note)]),
        inputs=wf.steps.JobInput(name="d", data=wf.data.OBSPath(obs_path="obs://b/d/")),
        outputs=wf.steps.JobOutput(name="o"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"})))
    return wf.Workflow(name="dev", desc="d", steps=[job])


@pytest.fixture
def cluster_calls(monkeypatch) -> list:
    calls: list = []
    monkeypatch.setattr(cluster, "check_cluster", lambda: None)
    monkeypatch.setattr(cluster, "apply_template", lambda manifest: calls.append(("apply", manifest)))
    monkeypatch.setattr(kube, "create", lambda manifest: calls.append(("create", manifest)) or manifest)
    monkeypatch.setattr(kube, "list_objects", lambda *args: calls.append(("list", *args)) or [])
    return calls


def test_a_development_run_carries_the_pipeline_and_applies_no_template(cluster_calls):
    pipeline().run(parameters={"note": "x {{workflow.name}}"}, wait=False)
    assert not [c for c in cluster_calls if c[0] == "apply"]  # the released WorkflowTemplate stays as it is
    (what, run), = cluster_calls
    assert what == "create" and run["kind"] == "Workflow"
    assert "workflowTemplateRef" not in run["spec"] and run["spec"]["templates"]
    assert run["metadata"]["labels"]["wf2k8s.io/development"] == "true"
    given = {p["name"]: p["value"] for p in run["spec"]["arguments"]["parameters"]}
    assert "{{" not in given["note"] and unprotect(given["note"]) == "x {{workflow.name}}"
    assert check_document(run) == []


def test_a_released_run_references_the_template_it_applied(cluster_calls):
    pipeline().release_and_run(parameters={"note": "y"})
    assert cluster_calls[0][0] == "apply"
    what, run = cluster_calls[1]
    assert what == "create"
    assert run["spec"]["workflowTemplateRef"] == {"name": "dev"}


def test_set_placeholder_before_debug_is_a_one_line_error():
    with pytest.raises(ValidationError, match=r"^Workflow 'dev': no debug run: call debug\(\) first$"):
        pipeline().set_placeholder("note", "v")


def test_missing_values_say_how_to_give_them_in_python_too(cluster_calls):
    needs = wf.Placeholder(name="needed", placeholder_type=wf.PlaceholderType.STR)
    workflow = pipeline()
    workflow.steps[0].algorithm.parameters.append(wf.AlgorithmParameters(name="needed", value=needs))
    with pytest.raises(cluster.ParameterError, match=r"parameters=\{\.\.\.\} in Python"):
        workflow.release_and_run()


# partial execution: what stands for an output of a step the run leaves out (a given value, its fixed location,
# the latest Succeeded run's), and the refusal when nothing does --------------------------------------------------


def train_evaluate(obs_path=None) -> wf.Workflow:
    def step(name: str, data) -> wf.steps.JobStep:
        return wf.steps.JobStep(
            name=name, algorithm=wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py",
                                                  engine=wf.steps.JobEngine(image_url="i:1")),
            inputs=wf.steps.JobInput(name="data_url", data=data),
            outputs=wf.steps.JobOutput(name="train_url", **({"obs_config": wf.data.OBSOutputConfig(
                obs_path=obs_path)} if obs_path and name == "train" else {})),
            spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"})))

    train = step("train", wf.data.OBSPath(obs_path="obs://b/d/"))
    evaluate = step("evaluate", train.outputs["train_url"].as_input())
    return wf.Workflow(name="handoff", desc="d", steps=[train, evaluate], policy=wf.policy.Policy(scenes=[
        wf.policy.Scene(scene_name="training", scene_steps=[train]),
        wf.policy.Scene(scene_name="evaluation", scene_steps=[evaluate])]))


def earlier_run(template: dict, name: str, created: str, phase: str = "Succeeded", uri: str | None = None) -> dict:
    """A run as Argo keeps it: train's node with its result when it ran, Skipped without one otherwise."""
    node = {"id": name + "-1", "displayName": "train", "type": "Pod", "phase": "Succeeded" if uri else "Skipped"}
    if uri:
        node["outputs"] = {"parameters": [{"name": "result", "value": json.dumps(
            {"outputs": {"train_url": {"uri": uri}}, "metrics": {}})}]}
    return {"metadata": {"name": name, "creationTimestamp": created},
            "status": {"phase": phase, "storedWorkflowTemplateSpec": template["spec"], "nodes": {node["id"]: node}}}


@pytest.fixture
def runs_on_cluster(monkeypatch) -> tuple[list, list]:
    """The cluster answering a list of workflows with the runs of the list returned (put there by the test)."""
    runs: list = []
    calls: list = []
    monkeypatch.setattr(cluster, "check_cluster", lambda: None)
    monkeypatch.setattr(cluster, "apply_template", lambda manifest: calls.append(("apply", manifest)))

    def list_objects(kind, namespace, selector=""):
        calls.append(("list", kind, namespace, selector))
        return runs if kind == "workflows" and "workflow-template=handoff" in selector else []

    monkeypatch.setattr(kube, "list_objects", list_objects)
    monkeypatch.setattr(kube, "create", lambda manifest: calls.append(("create", manifest)) or manifest)
    return runs, calls


def started(calls: list) -> dict:
    run = next(c[1] for c in calls if c[0] == "create")
    return {p["name"]: unprotect(p["value"]) for p in run["spec"]["arguments"]["parameters"]}


def looked_up(calls: list) -> bool:
    return any(c[:2] == ("list", "workflows") for c in calls)


def test_a_scene_without_the_producer_takes_the_value_given_first(runs_on_cluster):
    runs, calls = runs_on_cluster
    workflow = train_evaluate()
    runs.append(earlier_run(workflow.to_workflow_template(), "handoff-1", "2026-01-01T00:00:00Z", uri="s3://b/r1/"))
    workflow.release_and_run(parameters={"train.train_url": "obs://b/given/"}, scene="evaluation")
    assert started(calls) == {"wf2k8s-scene": "evaluation", "wf2k8s-output-train-train_url": "obs://b/given/"}
    assert not looked_up(calls)  # (a) given: no run is looked for


def test_then_the_fixed_location_the_runtime_takes(runs_on_cluster):
    runs, calls = runs_on_cluster
    workflow = train_evaluate(obs_path="obs://b/fixed/")
    runs.append(earlier_run(workflow.to_workflow_template(), "handoff-1", "2026-01-01T00:00:00Z", uri="s3://b/r1/"))
    workflow.release_and_run(scene="evaluation")
    assert started(calls) == {"wf2k8s-scene": "evaluation"}  # (b) the spec carries obs://b/fixed/
    assert not looked_up(calls)


def test_then_the_output_of_the_latest_succeeded_run_that_has_it(runs_on_cluster):
    runs, calls = runs_on_cluster
    workflow = train_evaluate()
    template = workflow.to_workflow_template()
    runs += [earlier_run(template, "handoff-0", "2026-01-01T00:00:00Z", uri="s3://b/r0/"),
             earlier_run(template, "handoff-1", "2026-01-02T00:00:00Z", uri="s3://b/r1/"),
             earlier_run(template, "handoff-2", "2026-01-03T00:00:00Z"),  # a run of the evaluation: train skipped
             earlier_run(template, "handoff-3", "2026-01-04T00:00:00Z", phase="Failed", uri="s3://b/r3/")]
    progress = io.StringIO()
    cluster.release_and_run(workflow, {}, scene="evaluation", progress=progress)
    given = started(calls)
    assert json.loads(given["wf2k8s-output-train-train_url"]) == {"uri": "s3://b/r1/"}
    assert "train.train_url: the output of run handoff-1" in progress.getvalue()
    selectors = [c[3] for c in calls if c[:2] == ("list", "workflows")]
    assert selectors == ["workflows.argoproj.io/workflow-template=handoff",
                         "wf2k8s.io/workflow=handoff,wf2k8s.io/development=true"]


@pytest.mark.parametrize("how", ["scene", "steps"])
def test_nothing_standing_in_refuses_the_run_before_anything_is_created(runs_on_cluster, how):
    runs, calls = runs_on_cluster
    workflow = train_evaluate()
    runs.append(earlier_run(workflow.to_workflow_template(), "handoff-1", "2026-01-01T00:00:00Z"))  # train skipped
    with pytest.raises(cluster.ParameterError, match=(
            r"leaves out step 'train', whose output 'train_url' step 'evaluate' reads \(input 'data_url'\): give it "
            r"when the run starts \(wf2k8s run -p train\.train_url=obs://\.\.\., or parameters=\{'train\.train_url'"
            r".*no Succeeded run of handoff has it")) as refused:
        if how == "scene":
            workflow.release_and_run(scene="evaluation")
        else:
            workflow.run(steps=[workflow.steps[1]], wait=False)
    assert str(refused.value).startswith("scene 'evaluation'" if how == "scene" else "the steps given to run()")
    assert refused.value.exit_code == 2
    assert not [c for c in calls if c[0] in ("apply", "create")]


def test_a_full_run_and_a_scene_with_the_producer_need_nothing(runs_on_cluster):
    _, calls = runs_on_cluster
    train_evaluate().release_and_run()
    train_evaluate().release_and_run(scene="training")
    assert not looked_up(calls)


def test_a_given_value_that_is_neither_a_path_nor_a_json_object_is_refused(runs_on_cluster):
    with pytest.raises(cluster.ParameterError, match=r"train\.train_url: give a path .* or a location as a JSON"):
        train_evaluate().release_and_run(parameters={"train.train_url": "{not json"}, scene="evaluation")


HANDOFF_SCRIPT = '''
import wf2k8s as wf

def step(name, data):
    return wf.steps.JobStep(
        name=name, algorithm=wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py",
                                              engine=wf.steps.JobEngine(image_url="i:1")),
        inputs=wf.steps.JobInput(name="data_url", data=data), outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"})))

train = step("train", wf.data.OBSPath(obs_path="obs://b/d/"))
evaluate = step("evaluate", train.outputs["train_url"].as_input())
workflow = wf.Workflow(name="handoff", desc="d", steps=[train, evaluate], policy=wf.policy.Policy(scenes=[
    wf.policy.Scene(scene_name="training", scene_steps=[train]),
    wf.policy.Scene(scene_name="evaluation", scene_steps=[evaluate])]))
'''


def test_wf2k8s_run_scene_with_p_step_output(runs_on_cluster, tmp_path, capsys):
    from wf2k8s import cli

    _, calls = runs_on_cluster
    script = tmp_path / "handoff.py"
    script.write_text(HANDOFF_SCRIPT)
    assert cli.main(["run", str(script), "--scene", "evaluation"]) == 2
    assert capsys.readouterr().err.startswith("wf2k8s: scene 'evaluation' leaves out step 'train', whose output "
                                              "'train_url' step 'evaluate' reads (input 'data_url')")
    assert cli.main(["run", str(script), "--scene", "evaluation", "-p", "train.train_url=obs://b/given/"]) == 0
    assert started(calls)["wf2k8s-output-train-train_url"] == "obs://b/given/"
