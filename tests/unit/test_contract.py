"""The typed phase contract: what the compiler writes, the runtime reads back, for every example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import wf2k8s as wf
from wf2k8s import contract
from wf2k8s.backends.argo.compiler import pipeline_info, step_names
from wf2k8s.cli import load_workflows
from wf2k8s.contract.phases import CONTRACT_VERSION, NotifyPhase, ResolvePhase, RunEndPhase, ServicePhase
from wf2k8s.contract.registry import BY_COMMAND, PHASE_KINDS
from wf2k8s.runtime.__main__ import entry_point

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.py") if "code" not in p.relative_to(ROOT).parts)
#: an Argo expression or variable: its value is only known while the run runs
EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)


def phase_specs(template: dict) -> list[tuple[str, str]]:
    """(command, spec text) of every phase task of a compiled pipeline, hoisted defaults included."""
    found = []
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    for task in templates["main"]["dag"]["tasks"]:
        if task["template"] not in BY_COMMAND:
            continue
        defaults = {p["name"]: p.get("default") for p in templates[task["template"]].get("inputs", {}).get(
            "parameters", [])}
        given = {p["name"]: p.get("value") for p in task.get("arguments", {}).get("parameters", [])}
        text = given.get("spec", defaults.get("spec"))
        if text is not None:
            found.append((task["template"], text))
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES])
def test_every_phase_spec_of_an_example_is_read_back_by_the_runtime(path: Path) -> None:
    for workflow in load_workflows(path):
        for spark_operator in (False, True):
            template = workflow.to_workflow_template(spark_operator=spark_operator)
            specs = phase_specs(template)
            assert specs or spark_operator, "a pipeline has phases (the Spark Operator's read no spec)"
            for command, text in specs:
                kind = BY_COMMAND[command]
                data = json.loads(EXPRESSION.sub("null", text))
                assert data["contract"] == CONTRACT_VERSION
                spec = contract.load_phase(kind.kind, data)  # what the runtime does first
                assert isinstance(spec, kind.contract)
                assert contract.load(kind.contract, contract.dump(spec)) == spec  # the wire form round-trips
            named = step_names(template["spec"])
            assert set(named.values()) == {s.name for s in workflow.all_steps()}


def test_every_phase_kind_has_a_runtime_entry_point_and_a_contract_class() -> None:
    for kind in PHASE_KINDS:
        assert callable(entry_point(kind)), kind.kind
    assert len({k.command for k in PHASE_KINDS}) == len(PHASE_KINDS)
    # one contract class per kind of the user's steps; a backend's own kinds may read one of theirs (the
    # launcher of a job on several nodes reads the job's)
    user_kinds = [k for k in PHASE_KINDS if k.user_step]
    assert len({k.contract for k in user_kinds}) == len(user_kinds)
    assert {k.contract for k in PHASE_KINDS if not k.user_step} - {k.contract for k in user_kinds} == \
        {ResolvePhase, NotifyPhase, RunEndPhase}


def service_step(**policy) -> wf.steps.ServiceStep:
    model = wf.data.ServiceInputPlaceholder(name="model", model_name="iris")
    return wf.steps.ServiceStep(name="deploy", inputs=wf.steps.ServiceInput(name="in", data=model),
                                outputs=wf.steps.ServiceOutput(name="out"),
                                **({"policy": wf.steps.StepPolicy(**policy)} if policy else {}))


def spec_of(step, kind: str = "service"):
    template = wf.Workflow(name="w", desc="d", steps=[step]).to_workflow_template()
    (text,) = [t for c, t in phase_specs(template) if BY_COMMAND[c].kind == kind]
    return contract.load_phase(kind, EXPRESSION.sub("null", text))


def test_a_service_step_at_its_defaults_polls_every_second_and_waits_seven_days() -> None:
    spec = spec_of(service_step())
    assert isinstance(spec, ServicePhase)
    assert spec.policy.poll_interval_seconds == 1
    assert spec.policy.max_execution_minutes == 7 * 24 * 60
    assert spec.outputs[0].service_config.infer_type == "real-time"


def test_a_policy_given_is_the_one_written() -> None:
    spec = spec_of(service_step(poll_interval_seconds=30, max_execution_minutes=90))
    assert (spec.policy.poll_interval_seconds, spec.policy.max_execution_minutes) == (30, 90)


def test_defaults_of_the_sdk_are_written_out() -> None:
    job = wf.steps.JobStep(
        name="train", algorithm=wf.BaseAlgorithm(code_dir="obs://b/code/", boot_file="t.py",
                                                 engine=wf.steps.JobEngine(image_url="team/t:1")),
        inputs=wf.steps.JobInput(name="data", data=wf.data.OBSPath(obs_path="obs://b/d/")),
        outputs=[wf.steps.JobOutput(name="model", model_config=wf.steps.ModelConfig(model_name="m"),
                                    obs_config=wf.data.OBSOutputConfig(obs_path="obs://b/o/"))],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"})))
    spec = spec_of(job, "job")
    assert spec.outputs[0].model_config.model_type == "TensorFlow"  # the seed's default model type
    assert spec.spec.resource.node_count == 1


def test_a_spec_of_another_major_version_is_refused_naming_both() -> None:
    with pytest.raises(contract.ContractError, match=r"contract 2\.0.*contract 1\.0"):
        contract.load_phase("condition", {"contract": "2.0", "step": "s"})
    with pytest.raises(contract.ContractError, match="no contract version"):
        contract.load_phase("condition", {"step": "s"})


def test_a_minor_version_is_read() -> None:
    spec = contract.load_phase("condition", {"contract": "1.7", "step": "s", "title": "s",
                                             "policy": {"poll_interval_seconds": 1, "max_execution_minutes": 5},
                                             "conditions": []})
    assert spec.contract == "1.7"


@pytest.mark.parametrize("change, message", [
    ({"title": 5}, "condition spec 's' > title: must be str, got 5"),
    ({"extra": 1}, "condition spec 's' > extra: unknown field of ConditionPhase"),
    ({"policy": {"poll_interval_seconds": 1}}, "condition spec 's' > policy.max_execution_minutes: is missing"),
    ({"conditions": [{"op": "~", "left": 1, "right": 2}]}, r"conditions\[0\]\.op: must be one of"),
    ({"conditions": [{"op": "==", "left": {"$param": "x", "type": "weird"}, "right": 2}]},
     "unknown placeholder type 'weird'"),
])
def test_a_spec_that_breaks_the_contract_is_refused_with_its_path(change, message) -> None:
    data = {"contract": "1.0", "step": "s", "title": "s",
            "policy": {"poll_interval_seconds": 1, "max_execution_minutes": 5}, "conditions": [], **change}
    with pytest.raises(contract.ContractError, match=message):
        contract.load_phase("condition", data)


def test_the_cli_reads_step_names_and_inputs_from_the_compiled_pipeline_info() -> None:
    template = wf.Workflow(name="w", desc="d", steps=[service_step()]).to_workflow_template()
    info = pipeline_info(template["spec"])
    assert info["steps"] == {"deploy": {"step": "deploy", "kind": "service"}}
    assert info["inputs"]["model"]["type"] == "service_input"
    assert info["inputs"]["model"]["tasks"] == ["deploy"]
    assert info["inputs"]["model"]["details"] == {"model_name": "iris"}


def test_systemenv_workflow_name_reaches_a_phase_as_the_pipelines_name() -> None:
    from wf2k8s.runtime.context import RunContext

    job = wf.steps.JobStep(
        name="train", algorithm=wf.BaseAlgorithm(
            code_dir="obs://b/c/", boot_file="t.py", engine=wf.steps.JobEngine(image_url="team/t:1"),
            parameters=[wf.AlgorithmParameters(name=n, value=getattr(wf.SystemEnv, n))
                        for n in ("WORKFLOW_NAME", "EXECUTION_ID", "NAMESPACE")]),
        inputs=wf.steps.JobInput(name="data", data=wf.data.OBSPath(obs_path="obs://b/d/")),
        outputs=wf.steps.JobOutput(name="model"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"})))
    template = wf.Workflow(name="my-pipeline", desc="d", steps=[job]).to_workflow_template()
    (text,) = [t for c, t in phase_specs(template) if c == "job"]
    spec = contract.load_phase("job", EXPRESSION.sub("null", text))
    run = RunContext("my-pipeline-20261129-x", "team-a", {})
    values = {p.name: run.resolve(p.value) for p in spec.algorithm.parameters}
    assert values == {"WORKFLOW_NAME": "my-pipeline", "EXECUTION_ID": "my-pipeline-20261129-x",
                      "NAMESPACE": "team-a"}
