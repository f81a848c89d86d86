"""The end of every run (the backend's exit hook): its record in MLflow tracking, then the notifications of its
end. Neither fails the run: a problem is reported in this phase's log.

**MLflow**: the run is an MLflow run of the experiment named after the pipeline (or the run's label
``wf2k8s.io/experiment-id``, which ``workflow.run/debug(experiment_id=...)`` sets), named after the run and
tagged ``wf2k8s.run``: its start, end and status (FINISHED when it Succeeded, FAILED otherwise), its run
values as params, every float metric of its JobSteps as ``<step>.<metric>``, each step's status as tag
``wf2k8s.step.<step>``. MLflow's UI then compares runs of a pipeline with its charts. Recorded again (a
retried run), the same MLflow run is updated.

It reads its own run through the Kubernetes API as the engine keeps it (an Argo Workflow: its nodes' status
and ``result`` outputs), with the token of ``wf2k8s-recorder`` (get workflows, nothing else).
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse

from wf2k8s.contract.phases import RunEndPhase

from . import notify
from .clients import Kube, MLflow, ServiceError
from .context import ContractError, RunContext

EXPERIMENT_LABEL = "wf2k8s.io/experiment-id"
RUN_TAG = "wf2k8s.run"
#: what MLflow takes in a param or metric key; other characters become "_"
KEY = re.compile(r"[^A-Za-z0-9_\-. /]")
#: MLflow refuses longer param values (its limit, in its older versions too)
MAX_PARAM = 500


def epoch_ms(text: str | None, default: int) -> int:
    if not text:
        return default
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(moment.timestamp() * 1000)


def steps_of(workflow: dict, tasks: dict[str, str]) -> dict[str, tuple[str, dict]]:
    """step -> (its status, its metrics {output: {key: float}}) from the run's nodes."""
    found: dict[str, tuple[str, dict]] = {}
    for node in ((workflow.get("status") or {}).get("nodes") or {}).values():
        step = tasks.get(node.get("displayName", ""))
        if step is None or node.get("type") not in ("Pod", "Retry", "Skipped", "Suspend"):
            continue
        if node.get("type") == "Pod" and step in found:  # a retried phase: its Retry node speaks for it
            continue
        metrics: dict = {}
        for parameter in (node.get("outputs") or {}).get("parameters") or []:
            if parameter.get("name") == "result" and parameter.get("value"):
                try:
                    result = json.loads(parameter["value"])
                except ValueError:
                    result = {}
                metrics = result.get("metrics") or {} if isinstance(result, dict) else {}
        found[step] = (node.get("phase", ""), metrics)
    return found


def record(spec: RunEndPhase, run: RunContext, workflow: dict, mlflow: MLflow, now_ms: int) -> str:
    """The run in MLflow tracking; its MLflow run id."""
    labels = (workflow.get("metadata") or {}).get("labels") or {}
    experiment = mlflow.experiment_id(labels.get(EXPERIMENT_LABEL) or spec.workflow)
    steps = steps_of(workflow, spec.tasks)
    tags = {RUN_TAG: run.name, "wf2k8s.workflow": spec.workflow, "wf2k8s.namespace": run.namespace,
            "wf2k8s.status": spec.status,
            **{f"wf2k8s.step.{KEY.sub('_', step)}": status for step, (status, _) in steps.items()}}
    existing = mlflow.run_tagged(experiment, RUN_TAG, run.name)
    start = epoch_ms((workflow.get("status") or {}).get("startedAt"), now_ms)
    run_id = existing["info"]["run_id"] if existing else mlflow.create_run(experiment, run.name, start, tags)
    params = {KEY.sub("_", k)[:250]: str(v)[:MAX_PARAM] for k, v in run.parameters.items()}
    if existing:  # params are written once: a retried run may have other values
        params = {}
    metrics = {KEY.sub("_", f"{step}.{key}")[:250]: float(value)
               for step, (_, outputs) in steps.items() for values in outputs.values()
               for key, value in (values or {}).items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
    mlflow.log_batch(run_id, params, metrics, tags, now_ms)
    mlflow.end_run(run_id, "FINISHED" if spec.status == "Succeeded" else "FAILED", now_ms)
    return run_id


def run(spec: RunEndPhase, run: RunContext, kube: Kube | None = None, mlflow: MLflow | None = None) -> dict:
    result: dict = {"outputs": {}}
    try:
        kube = kube or Kube.in_cluster()
        path = (f"/apis/argoproj.io/v1alpha1/namespaces/{urllib.parse.quote(run.namespace)}/workflows/"
                f"{urllib.parse.quote(run.name)}")
        workflow = kube.get(path) or {}
        run_id = record(spec, run, workflow, mlflow or MLflow.from_env(),
                        int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000))
        print(f"run {run.name} ({spec.status}) recorded in MLflow: run {run_id}", flush=True)
        result["mlflow_run"] = run_id
    except (ServiceError, ContractError, KeyError, ValueError) as problem:  # never the run's failure
        print(f"run {run.name} not recorded in MLflow: {problem}", flush=True)
    body = {"workflow": spec.workflow, "run": run.name, "namespace": run.namespace, "step": None,
            "status": spec.status}
    result["notified"] = notify.deliver(spec.targets, notify.run_event(spec.status), body, f"run {run.name}")
    return result
