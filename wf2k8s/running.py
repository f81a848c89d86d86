"""The running state (seed chapter 3): operating released pipelines and their runs, as ModelArts'
console does. Stop, retry and rerun are Argo's own operations (its CLI, ``cluster.argo``); the rest
reads and labels the WorkflowTemplates and Workflows wf2k8s made.

Tags are labels ``tag.wf2k8s.io/<tag>``; a workflow's configured run values are its WorkflowTemplate's
parameter values (what a run gets when it gives none).
"""

from __future__ import annotations

from wf2k8s.backends.argo.compiler import pipeline_info
from wf2k8s.cluster import (
    FINISHED, ClusterError, ParameterError, argo, get_object, kubectl, node_pods, run_step_names, run_template_spec,
    task_of,
)
from wf2k8s.contract.refs import SCALAR_TYPES
from wf2k8s.contract.values import protect
from wf2k8s.runtime.context import ContractError, parse_typed


def existing_run(name: str, namespace: str) -> dict:
    workflow = get_object("workflow", name, namespace)
    if workflow is None:
        raise ClusterError(f"no run {namespace}/{name}")
    return workflow


def task_of_step(workflow: dict, step: str) -> str:
    """The Argo task of a ModelArts step of a run; one line naming the steps when there is none."""
    names = run_step_names(workflow)
    for task, name in names.items():
        if name == step:
            return task
    raise ParameterError(f"run {workflow['metadata']['name']} has no step {step!r} "
                         f"(its steps: {', '.join(sorted(names.values()))})")


def check_run_parameters(workflow: dict, values: dict[str, str]) -> dict[str, str]:
    """Values for a run's parameters as Argo takes them (protected: never template code), after checking
    that each names one of the run's parameters and fits its enum."""
    return checked_values(run_template_spec(workflow), values, f"run {workflow['metadata']['name']}")


def checked_values(spec: dict, values: dict[str, str], owner: str) -> dict[str, str]:
    """``values`` for the parameters of a pipeline's ``spec``: each must name one, fit its enum and its
    placeholder's type; returned protected (Argo never reads them as template code)."""
    declared = {p["name"]: p for p in (spec.get("arguments") or {}).get("parameters") or []}
    types = pipeline_info(spec).get("types") or {}
    for name, value in values.items():
        if name not in declared:
            raise ParameterError(f"{owner} has no parameter {name!r} "
                                 f"(its parameters: {', '.join(sorted(declared)) or 'none'})")
        enum = declared[name].get("enum")
        if enum and protect(value) not in enum:
            raise ParameterError(f"{name}: {value!r} is not one of {', '.join(enum)}")
        if types.get(name) in SCALAR_TYPES:
            try:
                parse_typed(value, types[name], name)
            except ContractError as problem:
                raise ParameterError(str(problem)) from None
    return {name: protect(value) for name, value in values.items()}


def stop_run(name: str, namespace: str) -> None:
    """Stop a run (seed 3.3 "Stop"): its running phases' pods are stopped and no further phase starts; the
    services it deployed and the models it registered stay (they outlive runs, as on ModelArts' console)."""
    existing_run(name, namespace)
    argo("stop", name, "-n", namespace, "--message", "stopped with wf2k8s stop")


def retry_run(name: str, namespace: str, step: str | None = None, values: dict[str, str] | None = None) -> None:
    """Run a finished run's failed phases again (seed 3.4 "Retry"), keeping the phases that succeeded and
    their outputs; with ``step``, that step again even if it succeeded, and what follows it; ``values``
    replace run parameters first (a fixed value takes effect in the phases run again)."""
    workflow = existing_run(name, namespace)
    phase = workflow.get("status", {}).get("phase")
    if phase not in FINISHED:
        raise ClusterError(f"run {name} is {phase or 'Pending'}: only a finished run can be retried")
    if phase == "Succeeded" and step is None:
        raise ClusterError(f"run {name} Succeeded: nothing failed to retry (name a step with --step to run it again)")
    args = ["retry", name, "-n", namespace]
    for key, value in check_run_parameters(workflow, values or {}).items():
        args += ["-p", f"{key}={value}"]
    if step is not None:
        args += ["--restart-successful", "--node-field-selector", f"displayName={task_of_step(workflow, step)}"]
    argo(*args)


def rerun(name: str, namespace: str, values: dict[str, str] | None = None) -> str:
    """A new run of the same pipeline with the same parameters (seed 3.3 "Rerun"); ``values`` replace some;
    the new run's name."""
    workflow = existing_run(name, namespace)
    args = ["resubmit", name, "-n", namespace, "-o", "name"]
    for key, value in check_run_parameters(workflow, values or {}).items():
        args += ["-p", f"{key}={value}"]
    return argo(*args).strip().rsplit("/", 1)[-1]


def step_log(name: str, namespace: str, step: str) -> str:
    """What a step's code printed (its main container; a retried phase's latest attempt)."""
    workflow = existing_run(name, namespace)
    task = task_of_step(workflow, step)
    attempts = [n for n in (workflow.get("status", {}).get("nodes") or {}).values()
                if n.get("type") == "Pod" and task_of(n.get("displayName", "")) == task]
    if not attempts:
        raise ClusterError(f"run {name}: step {step!r} has not started a pod")
    latest = max(attempts, key=lambda n: n.get("startedAt") or "")
    pods = node_pods(name, namespace, [latest["id"]])
    if not pods:
        raise ClusterError(f"run {name}: the pod of step {step!r} is gone (deleted with its logs)")
    return kubectl("logs", pods[0], "-n", namespace, "-c", "main")


def run_logs(name: str, namespace: str) -> str:
    """Every step's log, each under a line with its name, in the order they started."""
    workflow = existing_run(name, namespace)
    names = run_step_names(workflow)
    started = sorted((n for n in (workflow.get("status", {}).get("nodes") or {}).values()
                      if n.get("type") == "Pod" and task_of(n.get("displayName", "")) in names),
                     key=lambda n: n.get("startedAt") or "")
    seen, text = set(), []
    for node in started:
        step = names[task_of(node["displayName"])]
        if step not in seen:
            seen.add(step)
            text.append(f"==> {step} <==\n" + step_log(name, namespace, step))
    return "\n".join(text)
