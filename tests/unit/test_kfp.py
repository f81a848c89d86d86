"""The Kubeflow Pipelines target: every seed example compiles to a pipeline kfp reads back, or is refused with
the documented reason; the compiled pipelines run the seed's run/skip semantics (checked by walking the IR
kfp wrote, as a KFP backend would); what KFP cannot express is refused in one line.

kfp is a dependency of these tests (hack/test.sh installs the ``kfp`` extra): without it they fail."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import kfp  # noqa: F401  (no kfp, no test: these fail loudly rather than skip)
import pytest
import yaml
from kfp.components import load_component_from_text

import wf2k8s as wf
from wf2k8s import cli
from wf2k8s.backends import kfp as kfp_target
from wf2k8s.errors import ValidationError
from wf2k8s.sdk import platform

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"
GOLDEN = ROOT / "tests" / "golden" / "kfp"
UPDATE = os.environ.get("WF2K8S_UPDATE_GOLDEN") == "1"

#: the examples the KFP target refuses, and why (README, "One pipeline, two targets")
REFUSED = {
    "s4_10_1_partial_execution": "Placeholder 'si_placeholder1': Kubeflow Pipelines target: a value given while the "
                                 "run waits",
    "s4_1_3_data_objects": "Placeholder 'service_input_placeholder': Kubeflow Pipelines target: a value given while",
    "s4_4_2_a_labeling_dataset": "step 'labeling': Kubeflow Pipelines target: a LabelingStep waits for people",
    "s4_4_2_b_labeling_task": "step 'labeling': Kubeflow Pipelines target: a LabelingStep waits for people",
    "s4_4_2_c_labeling_after_create": "step 'labeling': Kubeflow Pipelines target: a LabelingStep waits for people",
    "s4_4_4_c_release_after_labeling": "step 'labeling': Kubeflow Pipelines target: a LabelingStep waits for people",
    "s4_4_7_a_service_config": "Placeholder 'si_placeholder1': Kubeflow Pipelines target: a value given while",
    "s4_4_7_b_service_deploy": "Placeholder 'si_placeholder1': Kubeflow Pipelines target: a value given while",
    "s4_4_7_c_service_update": "Placeholder 'si_placeholder2': Kubeflow Pipelines target: a value given while",
    "s4_4_7_d_service_access_address": "Placeholder 'si_placeholder1': Kubeflow Pipelines target: a value given",
    "s4_8_debug": "Placeholder 'si_placeholder1': Kubeflow Pipelines target: a value given while the run waits",
}
EXAMPLES = sorted(SEED.glob("*.py"))


def compile_example(path: Path) -> str:
    (workflow,) = cli.load_workflows(path)
    return kfp_target.compile_graph(platform.graph(workflow))


def compile_steps(*steps: Any, **kwargs: Any) -> dict:
    text = kfp_target.compile_graph(platform.graph(wf.Workflow(name="wf", desc="d", steps=list(steps), **kwargs)))
    load_component_from_text(text)
    return yaml.safe_load(text)


# every example --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_compiles_to_a_pipeline_kfp_reads_back_or_is_refused_as_documented(path: Path):
    if path.stem in REFUSED:
        with pytest.raises(ValidationError) as refused:
            compile_example(path)
        assert str(refused.value).startswith(REFUSED[path.stem])
        assert "\n" not in str(refused.value)
        return
    text = compile_example(path)
    component = load_component_from_text(text)  # kfp's own loader: the pipeline spec parser
    assert component.pipeline_spec.root.dag.tasks
    golden = GOLDEN / f"{path.stem}.yaml"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), f"no golden file {golden}: run with WF2K8S_UPDATE_GOLDEN=1"
    assert text == golden.read_text()


def test_no_golden_file_is_left_over():
    assert sorted(p.stem for p in GOLDEN.glob("*.yaml")) == sorted(p.stem for p in EXAMPLES if p.stem not in REFUSED)


# the IR, run as a KFP backend would run it ---------------------------------------------------------------

INPUT = re.compile(r"\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}")


class IRRun:
    """Walks a compiled pipeline's DAGs as a KFP backend runs them: a task runs when its group's trigger
    condition holds; a container task "runs" by recording its step's name and its spec with every input
    substituted; its ``result`` names it, its ``condition`` is the scenario's."""

    def __init__(self, text: str, parameters: dict[str, Any], conditions: dict[str, bool] | None = None):
        self.ir = yaml.safe_load(text)
        self.conditions = conditions or {}
        self.ran: dict[str, list[dict]] = {}
        root = self.ir["root"]
        values = {name: spec.get("defaultValue") for name, spec in root["inputDefinitions"]["parameters"].items()}
        self.dag(root["dag"], {**values, **parameters})

    def dag(self, dag: dict, scope: dict[str, Any]) -> None:
        outputs: dict[str, dict[str, Any]] = {}
        pending = dict(dag["tasks"])
        while pending:
            name, task = next((n, t) for n, t in pending.items()
                              if all(d in outputs or d not in pending for d in t.get("dependentTasks", [])))
            del pending[name]
            inputs = {key: self.value(source, scope, outputs)
                      for key, source in task.get("inputs", {}).get("parameters", {}).items()}
            condition = task.get("triggerPolicy", {}).get("condition")
            if condition and not evaluate(condition, inputs):
                continue
            component = self.ir["components"][task["componentRef"]["name"]]
            if "dag" in component:
                self.dag(component["dag"], inputs)
            else:
                outputs[name] = self.execute(task["taskInfo"]["name"], component, inputs)

    def value(self, source: dict, scope: dict[str, Any], outputs: dict[str, dict[str, Any]]) -> Any:
        if "componentInputParameter" in source:
            return scope[source["componentInputParameter"]]
        if "taskOutputParameter" in source:
            produced = source["taskOutputParameter"]
            return outputs[produced["producerTask"]][produced["outputParameterKey"]]
        return source["runtimeValue"]["constant"]

    def execute(self, step: str, component: dict, inputs: dict[str, Any]) -> dict[str, Any]:
        container = self.ir["deploymentSpec"]["executors"][component["executorLabel"]]["container"]
        args = [INPUT.sub(lambda m: json.dumps(inputs[m.group(1)]) if not isinstance(inputs[m.group(1)], str)
                          else inputs[m.group(1)], a) for a in container.get("args", [])]
        spec = json.loads(args[args.index("--spec") + 1]) if "--spec" in args else {}
        self.ran.setdefault(step, []).append(spec)
        return {"result": json.dumps({"ran": step}), "condition": str(self.conditions.get(step, True)).lower(),
                "image": "an/image:1", "cpu": "1", "memory": "1Gi", "gpu": "0"}

    def steps(self) -> set[str]:
        """The pipeline's steps that ran (not the tasks the target adds: zipapp, resolution, flavor)."""
        return {s for s in self.ran if not s.startswith(("wf2k8s runtime", "resolve-image-", "flavor "))}


def evaluate(condition: str, inputs: dict[str, Any]) -> bool:
    """The CEL kfp writes for dsl.If (``inputs.parameter_values['x'] == true``, ``!(...)``), as Python."""
    python = re.sub(r"inputs\.parameter_values\['([^']+)'\]", lambda m: f"inputs[{m.group(1)!r}]", condition)
    python = re.sub(r"(?<!')\btrue\b(?!')", "True", re.sub(r"(?<!')\bfalse\b(?!')", "False", python))
    python = python.replace("!(", "not (")
    return bool(eval(python, {}, {"inputs": inputs}))  # noqa: S307 - the IR kfp wrote for this test


def selected(spec: dict) -> list[Any]:
    """The results a DataConsumptionSelector's options carry in a spec (None: that step did not run)."""
    options = spec["inputs"][0]["data"]["$select"]
    # a result is spliced in as the raw JSON its producer wrote, so it reads back as an object
    return [o["result"]["ran"] if o["result"] is not None else None for o in options]


@pytest.fixture(scope="module")
def multi_branch() -> str:
    return compile_example(SEED / "s4_5_c_skip_multi_branch.py")


@pytest.mark.parametrize("skip_a, skip_b, runs", [
    (False, False, {"training_job_a", "training_job_b", "model_registration"}),
    (True, False, {"training_job_b", "model_registration"}),
    (False, True, {"training_job_a", "model_registration"}),
    (True, True, set()),
])
def test_the_seeds_branch_control_table_runs_as_on_argo(multi_branch, skip_a, skip_b, runs):
    run = IRRun(multi_branch, {"job_step_a_is_skip": skip_a, "job_step_b_is_skip": skip_b, "train_flavor": {}})
    assert run.steps() == runs
    if "model_registration" in runs:
        (spec,) = run.ran["model_registration"]
        # the selector reads the jobs that ran; the others are null, as on Argo (the runtime takes the first)
        assert selected(spec) == [None if skip_a else "training_job_a", None if skip_b else "training_job_b"]


@pytest.mark.parametrize("outcome, job", [(True, "training_job_1"), (False, "training_job_2")])
def test_condition_step_and_data_selection_both_ways(outcome, job):
    text = compile_example(SEED / "s4_6_data_selection.py")
    run = IRRun(text, {"is_true": outcome, "obs_placeholder_name": "obs://b/d/", "placeholder_name": "m",
                       "storage_name": "obs://b/", "train_flavor": {}}, {"condition_step": outcome})
    assert run.steps() == {"condition_step", job, "model_registration"}
    (spec,) = run.ran["model_registration"]
    assert [s for s in selected(spec) if s] == [job]


@pytest.mark.parametrize("skip", [True, False])
def test_a_skip_condition_on_a_parameter_is_a_dsl_if_on_the_pipeline_parameter(skip):
    text = compile_example(SEED / "s4_5_a_skip_parameter.py")
    ir = yaml.safe_load(text)
    assert any("inputs.parameter_values['pipelinechannel--" in t.get("triggerPolicy", {}).get("condition", "")
               for c in ir["components"].values() if "dag" in c for t in c["dag"]["tasks"].values()) or \
        any("triggerPolicy" in t for t in ir["root"]["dag"]["tasks"].values())
    names = {n for n, s in ir["root"]["inputDefinitions"]["parameters"].items() if s["parameterType"] == "BOOLEAN"}
    (flag,) = names
    run = IRRun(text, {flag: skip, "train_flavor": {}})
    assert ("training_job" in run.steps()) is not skip


@pytest.mark.parametrize("skipped", [True, False])
def test_a_metric_skip_condition_is_evaluated_by_the_runtime_in_a_gate_task(skipped):
    text = compile_example(SEED / "s4_5_b_skip_metric.py")
    gates = [c for c in yaml.safe_load(text)["deploymentSpec"]["executors"].values()
             if "condition" in c["container"].get("args", [])]
    assert gates, "the runtime's condition command evaluates the skip conditions"
    gate = next(s for s in IRRun(text, {"train_flavor": {}}).ran if s.endswith(": skip conditions"))
    run = IRRun(text, {"train_flavor": {}}, {gate: skipped})
    step = gate.removesuffix(": skip conditions")
    assert (step in run.steps()) is not skipped
    (spec,) = run.ran[gate]
    assert spec["conditions"], "the gate's spec holds the step's skip conditions"


def test_default_rule_over_a_branch_carries_down():
    check = wf.steps.ConditionStep(name="check", conditions=[wf.steps.Condition(
        condition_type=wf.steps.ConditionTypeEnum.EQ, left=wf.Placeholder(
            name="go", placeholder_type=wf.PlaceholderType.BOOL, default=True), right=True)],
        if_then_steps=["a"], else_then_steps=[])
    a = job("a", depend_steps=[check])
    b = job("b", depend_steps=[a])
    text = kfp_target.compile_graph(platform.graph(wf.Workflow(name="wf", desc="d", steps=[check, a, b])))
    assert IRRun(text, {}, {"check": True}).steps() == {"check", "a", "b"}
    assert IRRun(text, {}, {"check": False}).steps() == {"check"}


def test_phases_run_the_runtime_command_line_through_the_adapter_with_caching_off(multi_branch):
    ir = yaml.safe_load(multi_branch)
    model = next(e["container"] for n, e in ir["deploymentSpec"]["executors"].items()
                 if n.startswith("exec-model-registration"))
    assert model["image"] == "wf2k8s/runtime:" + wf.__version__
    assert model["command"][:2] == ["python3", "-c"]
    args = model["args"]
    assert args[:3] == ["run", "--exec", "wf2k8s-runtime"]
    assert args[args.index("--") + 1:args.index("--spec")] == [
        "model", "--run", "{{$.pipeline_job_name}}", "--namespace", "wf2k8s"]
    tasks = [t for c in [ir["root"], *ir["components"].values()] if "dag" in c for t in c["dag"]["tasks"].values()
             if "cachingOptions" in t]
    assert tasks and all(t["cachingOptions"] == {} or not t["cachingOptions"].get("enableCache") for t in tasks)


def test_a_job_runs_in_its_resolved_engine_image_with_the_runtime_zipapp_and_its_flavor():
    ir = compile_steps(job("train", flavor={"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1}))
    executor = next(e["container"] for n, e in ir["deploymentSpec"]["executors"].items() if n == "exec-train")
    assert executor["args"][:4] == ["run", "--exec", "python3", "--exec"]
    assert executor["args"][4] == "{{$.inputs.artifacts['runtime_zipapp'].path}}"
    assert executor["resources"]["resourceCpuLimit"] == "2"
    assert executor["resources"]["resourceMemoryRequest"] == "4Gi"
    assert executor["resources"]["accelerator"]["resourceCount"] == "1"
    assert executor["image"] == "team/train:1"
    task = ir["root"]["dag"]["tasks"]["train"]
    assert task["inputs"]["artifacts"]["runtime_zipapp"]["taskOutputArtifact"]["producerTask"] == \
        "wf2k8s-runtime-zipapp"


def test_typed_pipeline_parameters_with_their_defaults():
    lr = wf.Placeholder(name="lr", placeholder_type=wf.PlaceholderType.FLOAT, default=0.1)
    epochs = wf.Placeholder(name="epochs", placeholder_type=wf.PlaceholderType.INT, default=3)
    step = job("train", algorithm=wf.BaseAlgorithm(
        code_dir="obs://b/code/", boot_file="train.py", engine=wf.steps.JobEngine(image_url="team/train:1"),
        parameters=[wf.AlgorithmParameters(name="lr", value=lr), wf.AlgorithmParameters(name="epochs", value=epochs)]))
    parameters = compile_steps(step)["root"]["inputDefinitions"]["parameters"]
    assert parameters["lr"] == {"defaultValue": 0.1, "isOptional": True, "parameterType": "NUMBER_DOUBLE"}
    assert parameters["epochs"] == {"defaultValue": 3.0, "isOptional": True, "parameterType": "NUMBER_INTEGER"}


def test_placeholder_names_become_kfp_parameter_names_and_the_runtime_keeps_theirs():
    lr = wf.Placeholder(name="class", placeholder_type=wf.PlaceholderType.FLOAT, default=0.1)
    step = job("train", algorithm=wf.BaseAlgorithm(
        code_dir="obs://b/code/", boot_file="train.py", engine=wf.steps.JobEngine(image_url="team/train:1"),
        parameters=[wf.AlgorithmParameters(name="lr", value=lr)]))
    ir = compile_steps(step)
    assert "class_" in ir["root"]["inputDefinitions"]["parameters"]
    args = ir["deploymentSpec"]["executors"]["exec-train"]["container"]["args"]
    assert args[args.index("--parameter"):args.index("--parameter") + 4] == [
        "--parameter", "class", "float", "{{$.inputs.parameters['param_class_']}}"]


# refusals ----------------------------------------------------------------------------------------------------

FLAVOR = {"cpu": "1", "memory": "1Gi"}


def job(name, depend_steps=None, flavor=None, **kwargs):
    return wf.steps.JobStep(
        name=name,
        algorithm=kwargs.pop("algorithm", None) or wf.BaseAlgorithm(
            code_dir="obs://b/code/", boot_file="train.py", engine=wf.steps.JobEngine(image_url="team/train:1")),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://b/data/")),
        outputs=[wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path="obs://b/o/"))],
        spec=kwargs.pop("spec", None) or wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=flavor or FLAVOR)),
        depend_steps=depend_steps, **kwargs)


def refusal(*steps: Any, **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        compile_steps(*steps, **kwargs)
    assert "\n" not in str(refused.value)
    return str(refused.value)


def test_a_delayed_placeholder_is_refused():
    lr = wf.Placeholder(name="lr", placeholder_type=wf.PlaceholderType.FLOAT, default=0.1, delay=True)
    step = job("train", algorithm=wf.BaseAlgorithm(
        code_dir="obs://b/code/", boot_file="train.py", engine=wf.steps.JobEngine(image_url="team/train:1"),
        parameters=[wf.AlgorithmParameters(name="lr", value=lr)]))
    assert refusal(step).startswith("Placeholder 'lr': Kubeflow Pipelines target: a value given while the run waits")


def test_a_priority_nfs_volumes_and_other_resources_are_refused():
    priority = wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=FLAVOR),
                                schedule_policy=wf.steps.SchedulePolicy(priority=2))
    assert refusal(job("train", spec=priority)).startswith(
        "step 'train' > spec.schedule_policy: Kubeflow Pipelines target: a priority")
    assert refusal(job("train", flavor={**FLAVOR, "ephemeral-storage": "1Gi"})).startswith(
        "step 'train' > spec.resource.flavor: Kubeflow Pipelines target: resource 'ephemeral-storage'")


@pytest.mark.parametrize("nodes", [2, wf.Placeholder(name="nodes", placeholder_type=wf.PlaceholderType.INT, default=1)])
def test_a_job_on_several_nodes_is_refused(nodes):
    spec = wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=FLAVOR, node_count=nodes))
    assert refusal(job("train", spec=spec)).startswith(
        "step 'train' > spec.resource.node_count: Kubeflow Pipelines target: a job on several nodes")


def test_scenes_are_refused():
    a, b = job("a"), job("b")
    text = refusal(a, b, policy=wf.policy.Policy(scenes=[wf.policy.Scene(scene_name="only_a", scene_steps=[a])]))
    assert text.startswith("Workflow 'wf' > scene 'only_a': Kubeflow Pipelines target: partial execution")


def test_a_default_rule_needing_too_many_branches_is_refused():
    jobs = [job(f"j{i}", policy=wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
        condition_type=wf.steps.ConditionTypeEnum.EQ,
        left=wf.Placeholder(name=f"skip{i}", placeholder_type=wf.PlaceholderType.BOOL, default=False), right=True)))
        for i in range(5)]
    last = job("last", depend_steps=jobs)
    assert refusal(*jobs, last).startswith("step 'last': Kubeflow Pipelines target: the default skip rule")


# the command line -------------------------------------------------------------------------------------------


def test_cli_compiles_the_multi_branch_example_for_kfp(tmp_path, capsys):
    out = tmp_path / "pipeline.yaml"
    assert cli.main(["compile", str(SEED / "s4_5_c_skip_multi_branch.py"), "--target", "kfp", "-o", str(out)]) == 0
    assert load_component_from_text(out.read_text()).name == "new-condition-demo"
    assert cli.main(["compile", str(SEED / "s4_5_c_skip_multi_branch.py"), "--target", "kfp"]) == 0
    assert capsys.readouterr().out == out.read_text()


def test_cli_refuses_in_one_line_with_exit_2(capsys):
    assert cli.main(["compile", str(SEED / "s4_4_2_a_labeling_dataset.py"), "--target", "kfp"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("wf2k8s: invalid pipeline: step 'labeling': Kubeflow Pipelines target:")
    assert error.count("\n") == 1


def test_cli_without_kfp_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "kfp", None)
    monkeypatch.delitem(__import__("sys").modules, "wf2k8s.backends.kfp.compiler", raising=False)
    assert cli.main(["compile", str(SEED / "s4_5_c_skip_multi_branch.py"), "--target", "kfp"]) == 2
    assert capsys.readouterr().err == "wf2k8s: the Kubeflow Pipelines target needs the kfp SDK: " \
                                      "pip install 'wf2k8s[kfp]'\n"


def test_the_argo_target_stays_the_default(capsys):
    assert cli.main(["compile", str(SEED / "s4_5_c_skip_multi_branch.py")]) == 0
    assert "kind: WorkflowTemplate" in capsys.readouterr().out
