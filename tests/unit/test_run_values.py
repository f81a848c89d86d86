"""Run values are checked before anything is created; JSON and LIST hyperparameters reach code as JSON."""

from __future__ import annotations

import json

import pytest

import wf2k8s as wf
from wf2k8s import ValidationError
from wf2k8s.runtime.job import argument

PT = wf.PlaceholderType


def pipeline(**placeholders: wf.Placeholder) -> wf.Workflow:
    flavor = placeholders.pop("flavor", {"cpu": "1"})
    priority = placeholders.pop("priority", 1)
    job = wf.steps.JobStep(
        name="train",
        algorithm=wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py",
                                   engine=wf.steps.JobEngine(image_url="i:1"),
                                   parameters=[wf.AlgorithmParameters(name=k, value=v)
                                               for k, v in placeholders.items()]),
        inputs=wf.steps.JobInput(name="d", data=wf.data.OBSPath(obs_path="obs://b/d/")),
        outputs=wf.steps.JobOutput(name="o"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=flavor),
                              schedule_policy=wf.steps.SchedulePolicy(priority=priority)))
    return wf.Workflow(name="w", desc="d", steps=[job])


@pytest.mark.parametrize("ptype, extra, bad, message", [
    (PT.FLOAT, {}, "abc", "must be a finite number"),
    (PT.FLOAT, {}, "nan", "must be a finite number"),
    (PT.INT, {}, "1.5", "must be a whole number"),
    (PT.INT, {}, "9" * 401, "must be a whole number"),
    (PT.BOOL, {}, "yes", "must be true or false"),
    (PT.ENUM, {"enum_list": ["a", "b"]}, "c", "must be one of enum_list ['a', 'b']"),
    (PT.INT, {"enum_list": [1, 2]}, "3", "must be one of enum_list ['1', '2']"),
    (PT.JSON, {}, "{nope", "must be JSON (an object)"),
    (PT.JSON, {}, "[1]", "must be dict as placeholder_type is JSON"),
    (PT.LIST, {"placeholder_format": "int"}, '["x"]', "must hold int items"),
])
def test_a_run_value_of_the_wrong_type_is_refused_naming_the_placeholder(ptype, extra, bad, message):
    workflow = pipeline(p=wf.Placeholder(name="p", placeholder_type=ptype, **extra))
    with pytest.raises(ValidationError, match=r"^Placeholder 'p' > run value: ") as refused:
        workflow.check_run_values({"p": bad})
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_run_value_the_field_it_feeds_would_refuse_is_refused_there():
    priority = wf.Placeholder(name="prio", placeholder_type=PT.INT, default=1)
    workflow = pipeline(priority=priority)
    with pytest.raises(ValidationError, match=r"^JobStep 'train' > spec.schedule_policy.priority: run value of "
                                              r"Placeholder 'prio' must be 1, 2 or 3, got 7$"):
        workflow.check_run_values({"prio": "7"})
    workflow.check_run_values({"prio": "3"})
    assert priority.known_values()[0] == ("default", 1)  # the check leaves the pipeline as it was


def test_a_flavor_run_value_must_be_a_flavor():
    flavor = wf.resource.flavor_placeholder(default={"cpu": "1"})
    workflow = pipeline(flavor=flavor)
    with pytest.raises(ValidationError, match="must be JSON"):
        workflow.check_run_values({flavor.name: '{"cpu":"1"}}],"securityContext":{}'})
    workflow.check_run_values({flavor.name: '{"cpu": "2", "memory": "4Gi"}'})


def test_values_that_fit_pass_and_other_names_are_left_to_the_cluster_check():
    workflow = pipeline(lr=wf.Placeholder(name="lr", placeholder_type=PT.FLOAT),
                        cfg=wf.Placeholder(name="cfg", placeholder_type=PT.JSON),
                        items=wf.Placeholder(name="items", placeholder_type=PT.LIST, placeholder_format="int"))
    workflow.check_run_values({"lr": "0.01", "cfg": '{"depth": 3}', "items": "[1, 2]", "storage": "obs://x/"})


def test_json_and_list_placeholders_are_hyperparameters_and_reach_the_code_as_json():
    workflow = pipeline(cfg=wf.Placeholder(name="cfg", placeholder_type=PT.JSON, default={"depth": 3}),
                        items=wf.Placeholder(name="items", placeholder_type=PT.LIST, placeholder_format="int",
                                             default=[1, 2]))
    workflow.to_workflow_template()
    assert argument({"depth": 3}) == '{"depth": 3}' and argument([1, 2]) == "[1, 2]"
    assert json.loads(argument({"k": "v"})) == {"k": "v"}  # JSON, not Python's repr


def test_wf2k8s_input_refuses_a_value_of_the_wrong_type_before_resuming():
    from wf2k8s import cluster

    lr = wf.Placeholder(name="lr", placeholder_type=PT.FLOAT, delay=True)
    mode = wf.Placeholder(name="mode", placeholder_type=PT.ENUM, enum_list=["fast", "slow"], delay=True)
    template = pipeline(lr=lr, mode=mode).to_workflow_template()
    run = {"metadata": {"name": "w-1", "namespace": "wf2k8s"}, "spec": {},
           "status": {"storedWorkflowTemplateSpec": template["spec"]}}
    with pytest.raises(cluster.ParameterError, match=r"placeholder 'lr' must be float, got 'abc'.*still waits for lr"):
        cluster.check_input_values(run, {"lr": "abc"})
    with pytest.raises(cluster.ParameterError, match=r"mode: 'medium' is not one of fast, slow"):
        cluster.check_input_values(run, {"mode": "medium"})
    cluster.check_input_values(run, {"lr": "0.5", "mode": "slow"})


def test_release_says_how_to_apply_a_template_too_large_for_client_side_apply(capsys):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from compile import pipeline as synthetic

    synthetic(10).release()
    assert capsys.readouterr().err == ""
    synthetic(400).release()
    out, err = capsys.readouterr()
    assert len(out.encode()) > 256 * 1024
    assert "kubectl apply --server-side -f -" in err and err.count("\n") == 1
