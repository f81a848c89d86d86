"""`wf2k8s input RUN NAME=VALUE` checks a ServiceInputPlaceholder's value with the deployer's rules
before it resumes the run: a bad value is refused in one line (the seed's message) and nothing is
patched, so the run keeps waiting. The cluster is a fake here (``wf2k8s.kube``'s get, list and patch) that
serves one waiting run and records patches; tests/e2e/test_serving.py does the same on the real cluster."""

from __future__ import annotations

import types

import pytest

from modelarts import workflow as wf
from wf2k8s import cli, cluster, kube


class FakeCluster:
    """One run (``workflow``) and its pods (``pods``); the patches asked for, as (kind, name, namespace, body)."""

    def __init__(self, workflow: dict, pods: list[dict] | None = None):
        self.workflow, self.pods, self.patches = workflow, pods or [], []

    def get(self, kind: str, name: str, namespace: str | None) -> dict | None:
        assert kind == "workflow", kind
        return self.workflow if name == self.workflow["metadata"]["name"] else None

    def list_objects(self, kind: str, namespace: str | None, selector: str = "") -> list[dict]:
        assert kind == "pods" and selector == f"workflows.argoproj.io/workflow={self.workflow['metadata']['name']}"
        return self.pods

    def patch(self, kind: str, name: str, namespace: str | None, body: dict) -> dict:
        self.patches.append((kind, name, namespace, body))
        return {}

    def install(self, monkeypatch) -> FakeCluster:
        for name in ("get", "list_objects", "patch"):
            monkeypatch.setattr(kube, name, getattr(self, name))
        return self


def service_pipeline() -> wf.Workflow:
    model_name = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)
    step = wf.steps.ServiceStep(
        name="deploy", inputs=wf.steps.ServiceInput(name="models", data=wf.data.ServiceInputPlaceholder(
            name="deploy_models", model_name=model_name)),
        outputs=wf.steps.ServiceOutput(name="service_output"))
    return wf.Workflow(name="cli-input", desc="a delayed service input", steps=[step])


def waiting_run(template: dict, model_name: str = "iris") -> dict:
    """A run as Argo stores it while it waits for deploy_models."""
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "cli-input-1", "namespace": "wf2k8s"},
        "spec": {"workflowTemplateRef": {"name": "cli-input"},
                 "arguments": {"parameters": [{"name": "model_name", "value": model_name}]}},
        "status": {"phase": "Running", "storedWorkflowTemplateSpec": template["spec"], "nodes": {
            "cli-input-1-1": {"id": "cli-input-1-1", "displayName": "input-deploy-models", "type": "Suspend",
                              "phase": "Running", "startedAt": "2026-01-01T00:00:00Z",
                              "outputs": {"parameters": [{"name": "deploy_models",
                                                          "valueFrom": {"supplied": {}}}]}}}},
    }


@pytest.fixture
def fake(monkeypatch, capsys):
    """`wf2k8s input cli-input-1 deploy_models=VALUE` against the fake cluster: its exit code and output."""
    cluster_ = FakeCluster(waiting_run(service_pipeline().to_workflow_template())).install(monkeypatch)

    def give(value: str) -> types.SimpleNamespace:
        code = cli.main(["input", "cli-input-1", f"deploy_models={value}"])
        out, err = capsys.readouterr()
        return types.SimpleNamespace(returncode=code, stdout=out, stderr=err)

    give.patches = cluster_.patches  # type: ignore[attr-defined]
    return give


def patched(fake) -> list:
    return fake.patches


@pytest.mark.parametrize("value, problem", [
    ('[{"model_name": "iris", "model_version": "1", "weight": 60}, '
     '{"model_name": "iris", "model_version": "2", "weight": 30}]', "the weights sum to 90, not 100"),
    ('{"model_name": "iris", "weight": 100}', 'the "[" at the beginning and "]" at the end are required'),
    ('[{"model_name": "iris", "weight": 50}, {"model_name": "other", "weight": 50}]', "several models"),
    ('[{"model_name": "iris", "model_version": "1", "weight": 50}, '
     '{"model_name": "iris", "model_version": "1", "weight": 50}]', "a model version appears twice"),
    ('[{"model_name": "flowers"}]', "this phase deploys model 'iris', the input names 'flowers'"),
    ('[{"model_name": "iris", "specification": "huge"}]', "specification 'huge' is neither"),
    ("not json", "the input is not JSON"),
])
def test_a_bad_service_input_is_refused_and_the_run_keeps_waiting(fake, value, problem):
    result = fake(value)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("wf2k8s: ServiceInputPlaceholder 'deploy_models': "), line
    assert problem in line
    assert "The sum of the weights must be equal to 100" in line and "still waits for deploy_models" in line
    assert patched(fake) == []


def test_a_good_service_input_resumes_the_run(fake):
    value = '[{"model_name": "iris", "model_version": "1.1.1", "weight": 70}, {"model_name": "iris", "weight": 30}]'
    result = fake(value)
    assert result.returncode == 0, result.stderr
    [(kind, name, _, body)] = patched(fake)
    assert (kind, name) == ("workflow", "cli-input-1")
    node = body["status"]["nodes"]["cli-input-1-1"]
    assert node["phase"] == "Succeeded"
    assert node["outputs"]["parameters"] == [{"name": "deploy_models", "valueFrom": {"supplied": {}}, "value": value}]


def test_service_inputs_are_found_in_the_compiled_phase_specs():
    template = service_pipeline().to_workflow_template()
    assert cluster.service_inputs(template["spec"]) == {
        "deploy_models": {"model_name": {"$param": "model_name", "type": "str"}}}


def test_a_model_name_set_while_the_run_runs_is_left_to_the_deployer():
    template = service_pipeline().to_workflow_template()
    run = waiting_run(template)
    run["spec"]["arguments"]["parameters"] = []
    cluster.check_input_values(run, {"deploy_models": '[{"model_name": "anything"}]'})
    with pytest.raises(cluster.ParameterError, match="sum to 20"):
        cluster.check_input_values(run, {"deploy_models": '[{"model_name": "a", "weight": 20}, '
                                                          '{"model_name": "a", "model_version": "2"}]'})


def test_other_inputs_are_not_checked_as_service_inputs():
    template = service_pipeline().to_workflow_template()
    cluster.check_input_values(waiting_run(template), {"something_else": "{"})



def test_a_deployer_that_refused_its_input_gets_the_corrected_value_on_its_pod(monkeypatch):
    """The value was resumed past the CLI (the Argo UI), the deployer refused it and waits: `wf2k8s input`
    then annotates the running deployer's pod, which reads the annotation (downward API)."""
    run = waiting_run(service_pipeline().to_workflow_template())
    run["status"]["nodes"]["cli-input-1-1"]["phase"] = "Succeeded"
    run["status"]["nodes"]["cli-input-1-2"] = {"id": "cli-input-1-2", "displayName": "deploy", "type": "Pod",
                                               "templateName": "service", "phase": "Running"}
    fake = FakeCluster(run, pods=[
        {"metadata": {"name": "cli-input-1-service-2", "annotations": {
            "workflows.argoproj.io/node-id": "cli-input-1-2"}}},
        {"metadata": {"name": "cli-input-1-other", "annotations": {
            "workflows.argoproj.io/node-id": "cli-input-1-9"}}}]).install(monkeypatch)
    value = '[{"model_name": "iris", "model_version": "1.1.1", "weight": 100}]'
    assert cluster.give_input("cli-input-1", "wf2k8s", {"deploy_models": value}) == ["deploy_models"]
    assert fake.patches == [("pod", "cli-input-1-service-2", "wf2k8s",
                             {"metadata": {"annotations": {"wf2k8s.io/input.deploy_models": value}}})]
    with pytest.raises(cluster.ParameterError, match="sum to 50"):  # still checked first
        cluster.give_input("cli-input-1", "wf2k8s", {"deploy_models": '[{"model_name": "iris", "weight": 50}]'})
