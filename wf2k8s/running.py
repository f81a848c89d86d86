"""The running state (seed chapter 3): operating released pipelines and their runs, as ModelArts'
console does. Stop, retry and rerun are Argo's own operations (its CLI, ``cluster.argo``); the rest
reads and labels the WorkflowTemplates and Workflows wf2k8s made (the kubernetes client, ``wf2k8s.kube``).

Tags are labels ``tag.wf2k8s.io/<tag>``; a workflow's configured run values are its WorkflowTemplate's
parameter values (what a run gets when it gives none).
"""

from __future__ import annotations

import json
import re
from typing import Any

from wf2k8s import kube
from wf2k8s.backends.argo import notifications
from wf2k8s.errors import ValidationError
from wf2k8s.backends.argo.compiler import SCENE_PARAM, dns_name, pipeline_info, run_manifest
from wf2k8s.cluster import (
    FINISHED, ClusterError, ParameterError, apply_template_version, argo, get_object, node_pods, parse_time,
    pod_nodes, run_name, run_step_names, run_template_spec, seconds_between, task_of, task_of_step, value_problem,
)
from wf2k8s.contract.values import protect, unprotect
from wf2k8s.sdk._spec import NAME_PATTERN, NAME_RULE_TEXT

TAG_PREFIX = "tag.wf2k8s.io/"
#: a tag is a label's name: what Kubernetes allows there
TAG_PATTERN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?")
MANAGED = "app.kubernetes.io/managed-by=wf2k8s"
WORKFLOW_LABEL = "wf2k8s.io/workflow"
TEMPLATE_LABEL = "workflows.argoproj.io/workflow-template"


def existing_run(name: str, namespace: str) -> dict:
    workflow = get_object("workflow", name, namespace)
    if workflow is None:
        raise ClusterError(f"no run {namespace}/{name}")
    return workflow


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
        problem = value_problem(name, value, declared[name].get("enum"), types.get(name))
        if problem:
            raise ParameterError(problem)
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


def task_log(workflow: dict, task: str, step: str) -> str:
    """What a task's code printed (its main container; a retried phase's latest attempt)."""
    name, namespace = workflow["metadata"]["name"], workflow["metadata"].get("namespace", "default")
    attempts = pod_nodes(workflow, {task})
    if not attempts:
        raise ClusterError(f"run {name}: step {step!r} has not started a pod")
    pods = node_pods(name, namespace, [attempts[-1]["id"]])
    if not pods:
        raise ClusterError(f"run {name}: the pod of step {step!r} is gone (deleted with its logs)")
    return kube.pod_log(pods[0], namespace, "main")


def step_log(name: str, namespace: str, step: str) -> str:
    """What a step's code printed."""
    workflow = existing_run(name, namespace)
    return task_log(workflow, task_of_step(workflow, step), step)


def run_logs(name: str, namespace: str) -> str:
    """Every step's log, each under a line with its name, in the order they started."""
    workflow = existing_run(name, namespace)
    names = run_step_names(workflow)
    tasks = dict.fromkeys(task_of(n["displayName"]) for n in pod_nodes(workflow, names))  # first start first
    return "\n".join(f"==> {names[task]} <==\n" + task_log(workflow, task, names[task]) for task in tasks)


# --- workflows and runs: list, tag, copy, delete, configure, start, records ------------------------------

def items(kind: str, namespace: str, selector: str) -> list[dict]:
    return kube.list_objects(kind, namespace, selector)


def tags_of(obj: dict) -> list[str]:
    return sorted(k[len(TAG_PREFIX):] for k in (obj["metadata"].get("labels") or {}) if k.startswith(TAG_PREFIX))


def modelarts_name(template: dict) -> str:
    """A released workflow's own name (``Workflow.name``, kept as its title), else its template's."""
    title = (template["metadata"].get("annotations") or {}).get("workflows.argoproj.io/title")
    return unprotect(title) if title else template["metadata"]["name"]


def released(name: str, namespace: str) -> dict:
    """A released workflow by its ModelArts name or its WorkflowTemplate's name."""
    template = get_object("workflowtemplate", dns_name(name), namespace)
    if template is None or (template["metadata"].get("labels") or {}).get("app.kubernetes.io/managed-by") != "wf2k8s":
        raise ClusterError(f"no released workflow {name!r} in namespace {namespace} (wf2k8s list shows them)")
    return template


def run_row(run: dict) -> dict[str, Any]:
    """A run as the console's execution records show it: status, start, duration, running steps, tags."""
    status = run.get("status") or {}
    names = run_step_names(run)
    running = sorted({names[task_of(n["displayName"])] for n in pod_nodes(run, names) if n.get("phase") == "Running"})
    return {"run": run["metadata"]["name"], "workflow": (run["metadata"].get("labels") or {}).get(WORKFLOW_LABEL, ""),
            "status": status.get("phase") or "Pending", "running": running,
            "start": status.get("startedAt") or "",
            "duration": seconds_between(status.get("startedAt"), status.get("finishedAt")) or 0,
            "tags": tags_of(run)}


def list_workflows(namespace: str, name: str | None = None, tag: str | None = None) -> list[dict[str, Any]]:
    runs = items("workflows", namespace, WORKFLOW_LABEL)
    rows = []
    for template in items("workflowtemplates", namespace, MANAGED + (f",{TAG_PREFIX}{tag}" if tag else "")):
        title = modelarts_name(template)
        if name and name.lower() not in title.lower() and dns_name(name) not in template["metadata"]["name"]:
            continue
        own = sorted((r for r in runs if (r["metadata"].get("labels") or {}).get(TEMPLATE_LABEL)
                      == template["metadata"]["name"]), key=lambda r: r["metadata"]["creationTimestamp"])
        rows.append({"workflow": title, "template": template["metadata"]["name"],
                     "created": template["metadata"]["creationTimestamp"], "tags": tags_of(template),
                     "runs": len(own), "last_run": run_row(own[-1])["status"] if own else ""})
    return sorted(rows, key=lambda r: r["workflow"])


def list_runs(namespace: str, workflow: str | None = None, status: str | None = None, tag: str | None = None,
              step: str | None = None, since: str | None = None, sort: str = "start") -> list[dict[str, Any]]:
    """Runs, filtered as the console filters execution records, newest first (or by duration or name)."""
    selector = WORKFLOW_LABEL + (f",{TAG_PREFIX}{tag}" if tag else "")
    try:
        after = parse_time(since)
    except ValueError:
        raise ParameterError(f"--since {since!r}: expected a date or time (2026-11-29 or "
                             "2026-11-29T10:00:00Z)") from None
    rows = []
    for run in items("workflows", namespace, selector):
        row = run_row(run)
        if workflow and dns_name(workflow) not in (row["workflow"],
                                                  (run["metadata"].get("labels") or {}).get(TEMPLATE_LABEL)):
            continue
        if status and row["status"].lower() != status.lower():
            continue
        if step and step not in row["running"]:
            continue
        started = parse_time(row["start"])
        if after and (started is None or started < after):
            continue
        rows.append(row)
    key = {"start": lambda r: r["start"], "duration": lambda r: r["duration"], "name": lambda r: r["run"]}[sort]
    return sorted(rows, key=key, reverse=sort != "name")


def tag(name: str, namespace: str, tags: list[str], remove: bool = False, run: bool = False) -> list[str]:
    """Add (or remove) tags on a released workflow or, with ``run``, on a run; the tags it has afterwards."""
    for t in tags:
        if not TAG_PATTERN.fullmatch(t):
            raise ParameterError(f"tag {t!r}: must be 1-63 letters, digits, '-', '_' or '.', starting and ending "
                                 "with a letter or digit")
    kind, target = ("workflow", existing_run(name, namespace)["metadata"]["name"]) if run else \
        ("workflowtemplate", released(name, namespace)["metadata"]["name"])
    # a merge patch: a label set to None is removed (``kubectl label --overwrite tag.wf2k8s.io/T-``)
    kube.patch(kind, target, namespace, {"metadata": {"labels": {f"{TAG_PREFIX}{t}": None if remove else ""
                                                                 for t in tags}}})
    return tags_of(get_object(kind, target, namespace) or {"metadata": {}})


def copy_workflow(name: str, namespace: str, new_name: str | None = None) -> str:
    """A released workflow copied under a new ModelArts name (``<name>_copy`` by default); its template's name."""
    template = released(name, namespace)
    new_name = new_name or f"{modelarts_name(template)}_copy"
    if not NAME_PATTERN.fullmatch(new_name):
        raise ParameterError(f"copy name: must be {NAME_RULE_TEXT}, got {new_name!r}")
    if get_object("workflowtemplate", dns_name(new_name), namespace) is not None:
        raise ParameterError(f"copy name {new_name!r}: a workflow of that name exists already")
    spec = json.loads(json.dumps(template["spec"]))
    spec.setdefault("workflowMetadata", {}).setdefault("labels", {})[WORKFLOW_LABEL] = dns_name(new_name)
    annotations = {k: v for k, v in (template["metadata"].get("annotations") or {}).items()
                   if k != "kubectl.kubernetes.io/last-applied-configuration"}
    copied = dns_name(new_name)
    labels = {k: v for k, v in (template["metadata"].get("labels") or {}).items() if not k.startswith(TAG_PREFIX)}
    manifest = {"apiVersion": template["apiVersion"], "kind": "WorkflowTemplate", "metadata": {
        "name": copied, "namespace": namespace, "labels": {**labels, WORKFLOW_LABEL: dns_name(new_name)},
        "annotations": {**annotations, "workflows.argoproj.io/title": protect(new_name)}}, "spec": spec}
    subscriptions = notifications.stored(template)
    apply_template_version(notifications.with_notifications(manifest, subscriptions) if subscriptions else manifest,
                           None)
    return copied


def notify(name: str, namespace: str, url: str | None = None, events: str | None = None, step: str | None = None,
           remove: str | None = None) -> list[notifications.Subscription]:
    """Subscribe a webhook to events of a released workflow (its runs, or one phase of them), or remove a
    webhook's subscriptions (seed 3.1.5); the subscriptions afterwards. Kept with the WorkflowTemplate as
    lifecycle hooks (``backends/argo/notifications.py``); the runs started from then on notify."""
    template = released(name, namespace)
    subscriptions = notifications.stored(template)
    try:
        if remove is not None:
            if not any(s.url == remove for s in subscriptions):
                raise ParameterError(f"notify {name} --remove: no subscription of {remove!r}")
            subscriptions = [s for s in subscriptions if s.url != remove]
        if url is not None:
            wanted = notifications.Subscription(notifications.check_url(url),
                                                notifications.events_of(events or ",".join(notifications.EVENT_NAMES)),
                                                step)
            subscriptions = [s for s in subscriptions if (s.url, s.step) != (url, step)] + [wanted]
        manifest = {"apiVersion": template["apiVersion"], "kind": "WorkflowTemplate",
                    "metadata": {k: template["metadata"][k] for k in ("name", "namespace", "labels", "annotations")
                                 if k in template["metadata"]},
                    "spec": template["spec"]}
        rendered = notifications.with_notifications(manifest, subscriptions)
    except ValidationError as problem:
        raise ParameterError(f"notify {name}: {problem}") from None
    apply_template_version(rendered, template)
    return subscriptions


def delete(name: str, namespace: str, run: bool = False) -> list[str]:
    """Delete a run, or a released workflow with its runs (their execution records); the services it
    deployed and the models it registered stay. What was deleted."""
    if run:
        existing_run(name, namespace)
        kube.delete("workflow", name, namespace)
        return [f"run {name}"]
    template = released(name, namespace)["metadata"]["name"]
    runs = [r["metadata"]["name"] for r in items("workflows", namespace, f"{TEMPLATE_LABEL}={template}")]
    for r in runs:
        kube.delete("workflow", r, namespace, wait=False)
    for r in runs:  # gone, as `kubectl delete` waits for them
        kube.wait_gone("workflow", r, namespace)
    kube.delete("workflowtemplate", template, namespace)
    return [f"workflow {template}", *(f"run {r}" for r in runs)]


def configure(name: str, namespace: str, values: dict[str, str], scene: str | None = None) -> dict[str, str]:
    """Save run values (and a scene) with a released workflow: the values later runs get when they give
    none (``wf2k8s start``). Checked like a run's values; the configured values afterwards."""
    template = released(name, namespace)
    spec = template["spec"]
    given = dict(values)
    if scene is not None:
        given[SCENE_PARAM] = scene
    checked = checked_values(spec, given, f"workflow {name}")
    parameters = [{**p, "value": checked[p["name"]]} if p["name"] in checked else p
                  for p in (spec.get("arguments") or {}).get("parameters") or []]
    # a merge patch replaces a list whole: the parameters as given here, the rest of spec.arguments kept
    kube.patch("workflowtemplate", template["metadata"]["name"], namespace,
               {"spec": {"arguments": {"parameters": parameters}}})
    return {p["name"]: unprotect(p["value"]) for p in parameters if "value" in p}


def start(name: str, namespace: str, values: dict[str, str] | None = None) -> str:
    """A run of a released workflow with its configured values (``values`` replace some); its name."""
    template = released(name, namespace)
    spec = template["spec"]
    checked = checked_values(spec, values or {}, f"workflow {name}")
    missing = [p["name"] for p in (spec.get("arguments") or {}).get("parameters") or []
               if "value" not in p and p["name"] not in checked]
    if missing:
        raise ParameterError(f"no value for {', '.join(missing)}: configure them (wf2k8s configure {name} -p "
                             "NAME=VALUE) or give them (-p NAME=VALUE)")
    manifest = run_manifest(template, run_name(template["metadata"]["name"]), checked)
    kube.create(manifest)
    return manifest["metadata"]["name"]


def metrics_of(run: dict) -> dict[str, float]:
    """Every float metric the run's JobSteps reported, as ``<step>.<metric>``."""
    names = run_step_names(run)
    found: dict[str, float] = {}
    for node in ((run.get("status") or {}).get("nodes") or {}).values():
        step = names.get(node.get("displayName", ""))
        if step is None or node.get("phase") != "Succeeded":
            continue
        for parameter in (node.get("outputs") or {}).get("parameters") or []:
            if parameter.get("name") != "result":
                continue
            try:
                result = json.loads(parameter.get("value") or "{}")
            except ValueError:
                continue
            for values in ((result.get("metrics") or {}) if isinstance(result, dict) else {}).values():
                for metric, value in (values or {}).items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        found[f"{step}.{metric}"] = float(value)
    return found


def records(workflow: str, namespace: str, tag: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """The execution records of a workflow (seed 3.3, Figure 3-14): a row per run with status, start,
    duration, tags and every float metric of its JobSteps; oldest first."""
    template = released(workflow, namespace)["metadata"]["name"]
    rows = []
    for run in items("workflows", namespace, f"{TEMPLATE_LABEL}={template}" + (f",{TAG_PREFIX}{tag}" if tag else "")):
        row = run_row(run)
        if status and row["status"].lower() != status.lower():
            continue
        rows.append({**{k: row[k] for k in ("run", "status", "start", "duration", "tags")}, "metrics": metrics_of(run)})
    return sorted(rows, key=lambda r: r["start"])
