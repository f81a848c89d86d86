"""What the project's manifests promise, checked against the models they guard."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hera.workflows import models as m

from wf2k8s.sdk.gallery import whitelist_role

MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"


def gallery_policy() -> dict:
    documents = yaml.safe_load_all((MANIFESTS / "gallery-shares.yaml").read_text())
    return next(d for d in documents if d["kind"] == "ValidatingAdmissionPolicy")


def test_a_shared_run_may_set_no_workflow_spec_field_but_the_reference_and_its_parameters():
    """The policy names every field of Argo's WorkflowSpec but workflowTemplateRef and arguments: a field
    Argo adds (and hera models) fails this test until the policy refuses it too."""
    fields_rule = gallery_policy()["spec"]["validations"][2]["expression"]
    refused = set(re.findall(r"!has\(object\.spec\.(\w+)\)(?! \|\|)", fields_rule))  # not "no arguments, or"
    every_field = {field.alias or name for name, field in m.WorkflowSpec.model_fields.items()}
    assert refused == every_field - {"workflowTemplateRef", "arguments"}
    assert "!has(object.spec.arguments.artifacts)" in fields_rule


def test_every_rule_lets_pipeline_authors_through():
    policy = gallery_policy()["spec"]
    assert all(v["expression"].startswith("variables.author ||") for v in policy["validations"])
    assert "check('submit-any')" in next(v["expression"] for v in policy["variables"] if v["name"] == "author")


def test_a_share_grants_running_its_template_only():
    rules = whitelist_role("demo-v1-0-0", "wf2k8s")["rules"]
    template_rule = next(r for r in rules if r["resources"] == ["workflowtemplates"])
    assert template_rule["resourceNames"] == ["demo-v1-0-0"] and "run" in template_rule["verbs"]
    assert not any("submit-any" in r["verbs"] for r in rules)
