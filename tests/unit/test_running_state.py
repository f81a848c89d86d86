"""The running state's checks, before Argo is asked anything: parameters named and within their enum,
values protected from Argo's template expansion, steps found by their ModelArts names."""

from __future__ import annotations

import json

import pytest

from wf2k8s import cluster, running
from wf2k8s.backends.argo.compiler import PIPELINE_ANNOTATION
from wf2k8s.contract.values import unprotect


def stored_run(parameters: list[dict], types: dict | None = None) -> dict:
    pipeline = {"steps": {"training-job": {"step": "training_job", "kind": "job"}}, "inputs": {}, "types": types or {}}
    return {"metadata": {"name": "demo-1", "namespace": "wf2k8s"},
            "status": {"phase": "Failed", "storedWorkflowTemplateSpec": {
                "arguments": {"parameters": parameters},
                "workflowMetadata": {"annotations": {PIPELINE_ANNOTATION: json.dumps(pipeline)}}}}}


def test_a_new_value_must_name_a_parameter_of_the_run():
    with pytest.raises(cluster.ParameterError, match=r"run demo-1 has no parameter 'epochs' \(its parameters: lr\)"):
        running.check_run_parameters(stored_run([{"name": "lr", "value": "0.1"}]), {"epochs": "3"})


def test_a_new_value_must_be_one_of_the_enum():
    run = stored_run([{"name": "mode", "value": "a", "enum": ["a", "b"]}])
    with pytest.raises(cluster.ParameterError, match=r"mode: 'c' is not one of a, b"):
        running.check_run_parameters(run, {"mode": "c"})
    assert running.check_run_parameters(run, {"mode": "b"}) == {"mode": "b"}


def test_new_values_reach_argo_protected_and_come_back_as_given():
    value = "x {{workflow.name}} {{=1+1}}"
    given = running.check_run_parameters(stored_run([{"name": "note", "value": ""}]), {"note": value})
    assert "{{" not in given["note"] and unprotect(given["note"]) == value


def test_a_step_is_found_by_its_modelarts_name():
    run = stored_run([])
    assert running.task_of_step(run, "training_job") == "training-job"
    with pytest.raises(cluster.ParameterError, match=r"run demo-1 has no step 'train' \(its steps: training_job\)"):
        running.task_of_step(run, "train")


@pytest.mark.parametrize("display_name, task", [("train", "train"), ("train(0)", "train"), ("train(12)", "train"),
                                                ("f(x)", "f(x)")])
def test_a_retried_phase_belongs_to_its_task(display_name, task):
    assert cluster.task_of(display_name) == task


def test_a_new_value_must_fit_its_placeholders_type():
    run = stored_run([{"name": "epochs", "value": "3"}, {"name": "cfg", "value": "{}"}],
                     {"epochs": "int", "cfg": "json"})
    with pytest.raises(cluster.ParameterError, match=r"placeholder 'epochs' must be int, got 'three'"):
        running.check_run_parameters(run, {"epochs": "three"})
    with pytest.raises(cluster.ParameterError, match=r"placeholder 'cfg' must be json"):
        running.check_run_parameters(run, {"cfg": "{not json"})
    assert running.check_run_parameters(run, {"epochs": "4", "cfg": '{"a": 1}'}) == {"epochs": "4", "cfg": '{"a": 1}'}


def test_each_step_shows_how_long_it_ran_or_has_been_running():
    import datetime

    run = stored_run([])
    run["status"]["storedWorkflowTemplateSpec"]["workflowMetadata"]["annotations"][
        "wf2k8s.io/pipeline"] = json.dumps({"steps": {"train": {"step": "train", "kind": "job"},
                                                      "deploy": {"step": "deploy", "kind": "service"},
                                                      "skip": {"step": "skip", "kind": "job"}}})
    run["status"]["nodes"] = {
        "a": {"displayName": "train", "type": "Retry", "phase": "Succeeded",
              "startedAt": "2026-11-29T10:00:00Z", "finishedAt": "2026-11-29T10:01:05Z"},
        "b": {"displayName": "deploy", "type": "Pod", "phase": "Running", "startedAt": "2026-11-29T10:01:10Z"},
        "c": {"displayName": "skip", "type": "Skipped", "phase": "Skipped", "startedAt": "2026-11-29T10:01:10Z"}}
    now = datetime.datetime(2026, 11, 29, 10, 1, 40, tzinfo=datetime.timezone.utc)
    assert cluster.step_durations(run, cluster.run_step_names(run), now) == {"train": 65, "deploy": 30}


def test_a_followed_run_shows_a_line_per_change_of_phases_or_of_a_phases_progress():
    state = {"phase": "Running", "steps": {"prepare": "Succeeded", "label": "Running", "train": "Pending"},
             "durations": {"prepare": 12, "label": 40}, "progress": {"label": "3/10"}}
    shown, line = cluster.progress_line("r-1", state)
    assert line == "Running: prepare=Succeeded (12s), label=Running [3/10] (40s), train=Pending"
    later, _ = cluster.progress_line("r-1", {**state, "durations": {"prepare": 12, "label": 42}})
    assert later == shown  # a duration growing is no change
    labeled, _ = cluster.progress_line("r-1", {**state, "progress": {"label": "4/10"}})
    assert labeled != shown  # a label more is one
    waiting = cluster.progress_line("r-1", {**state, "waiting_for": ["lr"]})[1]
    assert waiting.endswith("(waiting for input: lr; give it with `wf2k8s input r-1 NAME=VALUE`)")
