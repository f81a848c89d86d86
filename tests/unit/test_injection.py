"""No user value is Argo template code: run values are protected, literals escaped, expressions quoted."""

from __future__ import annotations

import json

import pytest
import yaml

import wf2k8s as wf
from wf2k8s.backends.argo.expressions import quote
from wf2k8s.backends.splice import Raw, to_json
from wf2k8s.contract.refs import ParamRef
from wf2k8s.contract.values import protect, unprotect
from wf2k8s.runtime.context import RunContext

HOSTILE = ["{{workflow.name}}", "{{=1+1}}", "{{{", "}}}", "a{{b}}c", "{\u2060{", "{", "", "'\"\\", "\x000\x00"]


@pytest.mark.parametrize("text", HOSTILE)
def test_protected_text_has_no_tag_and_comes_back(text):
    protected = protect(text)
    assert "{{" not in protected
    if "{\u2060{" not in text:  # the one text protection cannot tell from its own output
        assert unprotect(protected) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_an_expression_literal_never_holds_an_argo_tag_boundary(text):
    literal = quote(text)
    assert "{{" not in literal and "}}" not in literal


def test_the_compilers_stand_ins_cannot_be_named_by_a_user_string():
    text = to_json({"user": "\x000\x00", "ours": Raw("{{=x}}"), "more": "\x00" + "0:0\x00"})
    assert json.loads(text.replace("{{=x}}", "null")) == {"user": "\x000\x00", "ours": None, "more": "\x000:0\x00"}


def test_the_runtime_reads_run_values_as_they_were_given():
    run = RunContext.from_args("r", "ns", json.dumps({"p": protect("x{{workflow.name}}y")}))
    assert run.resolve(ParamRef("p", "str")) == "x{{workflow.name}}y"
    assert run.resolve(ParamRef("q", "str", value=protect("{{=1+1}}"))) == "{{=1+1}}"
    assert run.resolve(ParamRef("j", "json", value=protect('{"k": "{{v}}"}'))) == {"k": "{{v}}"}


def pipeline(text: str) -> str:
    p = wf.Placeholder(name="p", placeholder_type=wf.PlaceholderType.STR, default=text, description=text)
    cond = wf.steps.Condition(wf.steps.ConditionTypeEnum.EQ, p, text)
    job = wf.steps.JobStep(
        name="train", title=text, description=text,
        algorithm=wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py", engine=wf.steps.JobEngine(image_url="i:1"),
                                   parameters=[wf.AlgorithmParameters(name="a", value=text),
                                               wf.AlgorithmParameters(name="p", value=p)]),
        inputs=wf.steps.JobInput(name="d", data=wf.data.OBSPath(obs_path="obs://b/d/")),
        outputs=wf.steps.JobOutput(name="o"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"})),
        policy=wf.steps.StepPolicy(skip_conditions=[cond]))
    return wf.Workflow(name="w", desc=text, steps=[job]).to_yaml()


def test_hostile_pipeline_text_becomes_no_tag():
    """Every tag in the output is one the compiler wrote: a user's text makes no tag of its own."""
    benign, hostile = pipeline("plain text"), pipeline("h {{workflow.name}} {{=1+1}} }} {{inputs.parameters.spec}} '")
    assert "{{=1+1}}" not in hostile
    for tag in ("{{workflow.name}}", "{{inputs.parameters.spec}}", "{{"):
        assert hostile.count(tag) == benign.count(tag), tag
    yaml.safe_load(hostile)
