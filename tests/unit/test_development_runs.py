"""Development-state runs (seed 4.8) leave the released pipeline alone; run values are protected."""

from __future__ import annotations

import json

import pytest

import wf2k8s as wf
from argo_schema import check_document
from wf2k8s import ValidationError, cluster
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
    monkeypatch.setattr(cluster, "apply_manifest", lambda manifest: calls.append(("apply", manifest)))
    monkeypatch.setattr(cluster, "kubectl", lambda *args, stdin=None, **kw: calls.append((args, stdin)) or "")
    return calls


def test_a_development_run_carries_the_pipeline_and_applies_no_template(cluster_calls):
    pipeline().run(parameters={"note": "x {{workflow.name}}"}, wait=False)
    assert not [c for c in cluster_calls if c[0] == "apply"]  # the released WorkflowTemplate stays as it is
    (args, stdin), = cluster_calls
    run = json.loads(stdin)
    assert args[:2] == ("create", "-f") and run["kind"] == "Workflow"
    assert "workflowTemplateRef" not in run["spec"] and run["spec"]["templates"]
    assert run["metadata"]["labels"]["wf2k8s.io/development"] == "true"
    given = {p["name"]: p["value"] for p in run["spec"]["arguments"]["parameters"]}
    assert "{{" not in given["note"] and unprotect(given["note"]) == "x {{workflow.name}}"
    assert check_document(run) == []


def test_a_released_run_references_the_template_it_applied(cluster_calls):
    pipeline().release_and_run(parameters={"note": "y"})
    assert cluster_calls[0][0] == "apply"
    run = json.loads(cluster_calls[1][1])
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
