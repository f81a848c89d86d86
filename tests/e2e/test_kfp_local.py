"""Compiled KFP pipelines run with ``kfp.local``'s DockerRunner in the wf2k8s runtime image: the real runtime
and adapter in the real image, KFP's own local orchestrator deciding the dsl.If/Else groups.

The phases are ConditionSteps, the one phase kind that needs no service (S3, MLflow, the catalog): they stand
for any phase in the seed's run/skip shapes. The runtime image comes from hack/cluster-up.sh, so these run in
the e2e suite, after it; without docker or that image they fail, saying which."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from kfp import local
from kfp.components import load_component_from_text

import wf2k8s as wf
from wf2k8s.backends import kfp as kfp_target
from wf2k8s.sdk import platform

IMAGE = f"wf2k8s/runtime:{wf.__version__}"
PT, OP = wf.PlaceholderType, wf.steps.ConditionTypeEnum


def docker_problem() -> str | None:
    try:
        import docker

        client = docker.from_env()
        client.images.get(IMAGE)
    except Exception as problem:  # no docker package, no daemon or no image: say which
        return f"kfp.local's DockerRunner needs docker and the image {IMAGE} (hack/cluster-up.sh builds it): {problem}"
    return None


@pytest.fixture(autouse=True)
def docker_with_the_runtime_image():
    """In the e2e suite, after hack/cluster-up.sh built the image: a missing docker or image is a failure."""
    problem = docker_problem()
    if problem is not None:
        pytest.fail(problem)


def run(workflow: wf.Workflow, root: Path, **parameters: Any) -> set[str]:
    """Runs the compiled pipeline; the steps whose phase succeeded (the adapter hands KFP the runtime's result only
    then: kfp.local may take a container that is gone before it asks for its exit code for a success)."""
    text = kfp_target.compile_graph(platform.graph(workflow))
    # the runtime image's ENTRYPOINT is wf2k8s-runtime; a KFP backend sets the pod's command, kfp.local passes
    # the component's command as docker arguments: ``env`` runs it as the command
    local.init(runner=local.DockerRunner(entrypoint=["env"]), pipeline_root=str(root), raise_on_error=True)
    load_component_from_text(text)(**parameters)
    return succeeded(root)


def succeeded(root: Path) -> set[str]:
    """The KFP tasks that wrote their result (output folders by task name, copies' suffixes cut)."""
    runs = list(root.iterdir())  # a run in which no task ran writes nothing
    assert len(runs) <= 1
    return {task.name.rsplit("-", 1)[0] if task.name.rsplit("-", 1)[-1].isdigit() else task.name
            for run_dir in runs for task in run_dir.iterdir() if (task / "result").is_file()}


def flag(name: str) -> wf.Placeholder:
    return wf.Placeholder(name=name, placeholder_type=PT.BOOL, default=False)


def phase(name: str, skip: wf.steps.Condition | None = None, depend_steps: list | None = None,
          ) -> wf.steps.ConditionStep:
    """A phase of the shapes below: a ConditionStep that always holds (nothing branches on it)."""
    return wf.steps.ConditionStep(name=name, conditions=[wf.steps.Condition(condition_type=OP.EQ, left=1, right=1)],
                                  depend_steps=depend_steps,
                                  policy=wf.steps.StepPolicy(skip_conditions=skip) if skip else None)


@pytest.mark.parametrize("go, ran", [(True, {"check", "yes"}), (False, {"check", "no"})])
def test_condition_step_both_ways(tmp_path, go, ran):
    check = wf.steps.ConditionStep(name="check", conditions=[wf.steps.Condition(
        condition_type=OP.EQ, left=flag("go"), right=True)], if_then_steps=["yes"], else_then_steps=["no"])
    yes, no = phase("yes", depend_steps=[check]), phase("no", depend_steps=[check])
    assert run(wf.Workflow(name="cond", desc="d", steps=[check, yes, no]), tmp_path, go=go) == ran


@pytest.mark.parametrize("skip_a, skip_b, ran", [
    (False, False, {"a", "b", "c"}), (True, False, {"b", "c"}), (False, True, {"a", "c"}), (True, True, set())])
def test_the_branch_control_table(tmp_path, skip_a, skip_b, ran):
    a = phase("a", skip=wf.steps.Condition(condition_type=OP.EQ, left=flag("skip_a"), right=True))
    b = phase("b", skip=wf.steps.Condition(condition_type=OP.EQ, left=flag("skip_b"), right=True))
    c = phase("c", depend_steps=[a, b])  # the default rule: skipped when both are
    assert run(wf.Workflow(name="table", desc="d", steps=[a, b, c]), tmp_path, skip_a=skip_a, skip_b=skip_b) == ran


# Not here: a phase's skip conditions the runtime evaluates in a gate task (test_kfp.py walks that IR). kfp.local
# 2.17.3 reads a dsl.If at the top level on a task output only when the output is named "Output" (its condition
# evaluator guesses producers from channel names), so it would skip such a phase whatever the gate said.


def test_the_run_is_not_faked(tmp_path):
    """The runtime really runs in the container: a condition it cannot evaluate fails its phase."""
    good = phase("good")
    bad = wf.steps.ConditionStep(name="bad", depend_steps=[good], conditions=[wf.steps.Condition(
        condition_type=OP.GT, left=wf.Placeholder(name="x", placeholder_type=PT.STR, default="abc"), right=1)])
    with contextlib.suppress(RuntimeError):  # kfp.local says so, unless the container was gone before it asked
        run(wf.Workflow(name="not-faked", desc="d", steps=[good, bad]), tmp_path)
    assert succeeded(tmp_path) == {"good"}

