"""The running state on a real cluster: release, start, follow, give input. Through the kubernetes client
(``wf2k8s.kube``), on the current kube context (KUBECONFIG or ~/.kube/config, as kubectl reads it).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from typing import Any, Callable, Container, TextIO

from wf2k8s import kube
from wf2k8s.kube import ClusterError
from wf2k8s.backends.argo.compiler import (
    fixed_location, inline_run_manifest, left_out_outputs, left_out_reads, pipeline_info, run_manifest, step_names,
)
from wf2k8s.backends.argo import notifications
from wf2k8s.contract.values import protect
from wf2k8s.runtime import podinfo  # the pod annotations both sides of `wf2k8s resume` / `input` agree on
from wf2k8s.contract.refs import SCALAR_TYPES
from wf2k8s.runtime.context import ContractError, parse_typed
from wf2k8s.runtime.service import service_input_entries  # `wf2k8s input` checks with the deployer's rules

FINISHED = ("Succeeded", "Failed", "Error")


class ParameterError(ClusterError):
    """The values given for a run do not fit the pipeline's parameters."""

    exit_code = 2


def run_tool(name: str, binary: str, missing: str, args: tuple[str, ...], stdin: str | None = None,
             timeout: float = 120, env: dict[str, str] | None = None, shown: int = 3) -> str:
    """A command-line tool's stdout; one ClusterError line when it is missing, slow or fails (its last
    line of error output, after ``name`` and the first ``shown`` arguments)."""
    if shutil.which(binary) is None:
        raise ClusterError(missing)
    what = " ".join((name, *args[:shown]))
    try:
        done = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                              env=env)
    except subprocess.TimeoutExpired:
        raise ClusterError(f"{what} did not answer in {timeout:.0f} s") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise ClusterError(f"{what}: {message[-1] if message else 'failed'}")
    return done.stdout


def argo(*args: str, timeout: float = 120) -> str:
    """Argo's own CLI, on the current kube context (no Argo server needed): stopping, retrying and
    resubmitting a run are Argo's operations on its nodes, which wf2k8s uses rather than re-implements.
    It stays a subprocess on purpose: the kubernetes client has no such operations, and re-doing Argo's
    node bookkeeping (which nodes to reset, which pods to delete) here would drift from Argo's own."""
    binary = os.environ.get("WF2K8S_ARGO") or "argo"
    return run_tool("argo", binary, f"{binary} (Argo's CLI) is not installed: wf2k8s stop, retry and rerun use it "
                    "(set WF2K8S_ARGO; hack/cluster-up.sh builds one and names it in cluster.env)", args,
                    timeout=timeout, env={**os.environ, "ARGO_SERVER": ""}, shown=2)  # the kube API, not a server


def check_cluster() -> None:
    try:
        kube.version(timeout=10)
    except kube.Unreachable:
        raise
    except ClusterError as problem:
        raise ClusterError(kube.NO_CLUSTER.format(problem=problem)) from None
    try:
        found = [kube.crd(name) for name in ("workflowtemplates.argoproj.io", "workflows.argoproj.io")]
    except kube.Unreachable:
        raise
    except ClusterError:
        found = [None]
    if None in found:
        raise ClusterError("the cluster has no Argo Workflows CRDs (workflowtemplates.argoproj.io): "
                           "install Argo Workflows first (hack/cluster-up.sh does)")


#: Argo's workflow controller reads WorkflowTemplates from its watch cache, so a run created the moment after its
#: template changed may start from the version before (seen in CI, once runs were created without a kubectl
#: process in between): a changed template gets this long to reach the controller before a run of it is made.
TEMPLATE_SETTLE_SECONDS = 1.0


def apply_manifest(manifest: dict) -> dict:
    # server-side: a large pipeline's WorkflowTemplate exceeds the annotation client-side apply keeps
    return kube.apply(manifest)


def apply_template_version(manifest: dict, current: dict | None, sleep: Callable[[float], None] = time.sleep) -> None:
    """Apply a WorkflowTemplate over ``current`` (the template as the caller read it, None for a new one); when
    that changed it, wait for Argo's controller to see the new version (``TEMPLATE_SETTLE_SECONDS``)."""
    applied = apply_manifest(manifest)
    if ((current or {}).get("metadata") or {}).get("resourceVersion") != \
            (applied.get("metadata") or {}).get("resourceVersion"):
        sleep(TEMPLATE_SETTLE_SECONDS)


def apply_template(template: dict) -> None:
    """Release a compiled WorkflowTemplate: a new version keeps the notifications subscribed to the one before
    (``wf2k8s notify``), their hooks made again for the new DAG."""
    metadata = template["metadata"]
    released = get_object("workflowtemplate", metadata["name"], metadata.get("namespace", "default"))
    subscriptions = notifications.stored(released) if released else []
    apply_template_version(notifications.with_notifications(template, subscriptions) if subscriptions else template,
                           released)


def get_object(kind: str, name: str, namespace: str) -> dict | None:
    """An object (``kind`` as kubectl names it: workflow, workflowtemplate, crd, ...); None when there is none."""
    return kube.get(kind, name, namespace)


def check_parameters(template: dict, given: dict[str, str]) -> None:
    """Refuse a run before anything is applied: unknown names, missing values, values not in an enum."""
    declared = {p["name"]: p for p in template["spec"].get("arguments", {}).get("parameters", [])}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; the pipeline has: "
                           f"{', '.join(sorted(declared)) or 'none'}")
    missing = sorted(n for n, p in declared.items() if "value" not in p and n not in given)
    if missing:
        raise ParameterError(f"no value for {', '.join(missing)}: these placeholders and storages have no default; "
                           "give them when the run starts (wf2k8s run -p NAME=VALUE, or parameters={...} in Python)")
    for name, value in given.items():
        enum = declared[name].get("enum")
        if enum and value not in enum:
            raise ParameterError(f"parameter {name}: {value!r} is not one of {', '.join(enum)}")


def run_name(template_name: str) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{template_name[:40].rstrip('-')}-{stamp}-{secrets.token_hex(2)}"


def release_and_run(workflow: Any, parameters: dict[str, str], scene: str | None = None, wait: bool = False,
                    only_steps: list[str] | None = None, labels: dict | None = None,
                    progress: TextIO | None = sys.stderr, timeout: float = 3600, development: bool = False,
                    **options: Any) -> dict:
    """Apply the WorkflowTemplate, start a run of it; with ``wait``, follow it to its end.

    ``development``: a development-state run (seed 4.8: ``run()``, ``debug()``) carries the pipeline in
    the run itself and leaves the released WorkflowTemplate as it is."""
    if only_steps:  # a development-state run of some steps: a scene of its own
        workflow = workflow.with_scene("development", only_steps)
        scene = "development"
    template = workflow.to_workflow_template(**options)
    graph = workflow.graph()
    workflow.check_run_values(parameters)  # what a phase would refuse hours into the run, refused now
    given = given_outputs(graph, parameters)  # STEP.OUTPUT=VALUE: an output of a step the scene leaves out
    if scene:
        given["wf2k8s-scene"] = scene
    # Argo would expand a "{{" in a value: protected (wf2k8s.contract.values), the runtime reads it back
    given = {k: protect(v) for k, v in given.items()}
    check_parameters(template, given)
    check_cluster()
    given.update(stand_ins(graph, template, scene, given, progress,
                           "the steps given to run()/debug()" if only_steps else f"scene {scene!r}"))
    name = run_name(template["metadata"]["name"])
    labels = {k: v for k, v in (labels or {}).items() if v}
    if development:
        run = inline_run_manifest(template, name, given, labels)
    else:
        apply_template(template)
        run = run_manifest(template, name, given, labels=labels)
    kube.create(run)
    namespace = template["metadata"].get("namespace", "default")
    if progress:
        progress.write(f"started {namespace}/{name}\n")
    if not wait:
        return {"name": name, "namespace": namespace, "phase": "Pending", "steps": {}}
    return follow(name, namespace, progress=progress, timeout=timeout)


# partial execution: what stands for the outputs of the steps a run leaves out ---------------------------------------


def given_outputs(graph: Any, parameters: dict[str, str]) -> dict[str, str]:
    """The run's values, those given for outputs as ``STEP.OUTPUT`` (``wf2k8s run --scene S -p
    train.train_url=obs://...``, ``parameters={"train.train_url": ...}``) under the names of their run parameters
    (``wf2k8s-output-<step>-<output>``, which may be given as well). A name with a dot is no placeholder's."""
    names = {f"{step}.{output}": name for (step, output), name in left_out_outputs(graph).items()}
    found = {names.get(key, key): value for key, value in parameters.items()}
    for key, name in names.items():
        text = found.get(name)
        if isinstance(text, str) and text.strip().startswith("{"):
            try:
                location = json.loads(text)
            except ValueError:
                location = None
            if not isinstance(location, dict):
                raise ParameterError(f"{key}: give a path (obs://bucket/dir/) or a location as a JSON object, "
                                     f"got {text[:60]!r}")
    return found


def stand_ins(graph: Any, template: dict, scene: str | None, given: dict[str, str], progress: TextIO | None,
              label: str) -> dict[str, str]:
    """Values for the outputs the steps of a partial run (``scene``) read from the steps it leaves out, found in
    this order: (a) a value given for the run (``given``), (b) the output's fixed location (the runtime takes it;
    nothing to give), (c) that step's output in the latest Succeeded run of the pipeline, read here from the
    cluster. Returns the run parameters (c) gives; when none of (a)-(c) applies, or the value is a metric or
    variable (for which nothing stands in), the run is refused (``ParameterError``) naming the step and input."""
    params = left_out_outputs(graph)
    pipeline = template["metadata"]["name"]
    found: dict[str, str] = {}
    runs: list[dict] | None = None
    for read in left_out_reads(graph, scene):
        producer, output = read.outputs[0]
        if read.value is not None:
            raise ParameterError(f"{label} leaves out step {producer!r}, whose {read.value} step {read.step!r} reads "
                                 f"({read.where}); nothing stands in for a metric or variable: choose steps that "
                                 f"include {producer!r}")
        if any(given.get(params[key]) or found.get(params[key]) or fixed_location(graph, *key) is not None
               for key in read.outputs):
            continue
        if runs is None:
            runs = succeeded_runs(pipeline, template["metadata"].get("namespace", "default"))
        for key in read.outputs:
            hit = latest_output(runs, *key)
            if hit is not None:
                found[params[key]] = protect(json.dumps(hit[1], separators=(",", ":")))
                if progress:
                    progress.write(f"{key[0]}.{key[1]}: the output of run {hit[0]}\n")
                break
        else:
            what = f"step {producer!r}, whose output {output!r}" if len(read.outputs) == 1 else \
                "the steps of " + " and ".join(f"{s}.{o}" for s, o in read.outputs) + ", one of which"
            raise ParameterError(f"{label} leaves out {what} step {read.step!r} reads ({read.where}): give it when "
                                 f"the run starts (wf2k8s run -p {producer}.{output}=obs://..., or "
                                 f"parameters={{'{producer}.{output}': 'obs://...'}} in Python); it has no fixed "
                                 f"location, and no Succeeded run of {pipeline} has it")
    return found


def succeeded_runs(pipeline: str, namespace: str) -> list[dict]:
    """The Succeeded runs of a pipeline, newest first: runs of its WorkflowTemplate (label
    ``workflows.argoproj.io/workflow-template``) and its development-state runs (``run()``, ``debug()``)."""
    runs: dict[str, dict] = {}
    for selector in (f"workflows.argoproj.io/workflow-template={pipeline}",
                     f"wf2k8s.io/workflow={pipeline},wf2k8s.io/development=true"):
        for run in kube.list_objects("workflows", namespace, selector):
            if (run.get("status") or {}).get("phase") == "Succeeded":
                runs[run["metadata"]["name"]] = run
    return sorted(runs.values(), key=lambda r: (r["metadata"].get("creationTimestamp") or "", r["metadata"]["name"]),
                  reverse=True)


def latest_output(runs: list[dict], step: str, output: str) -> tuple[str, Any] | None:
    """(run, location) of ``step``'s ``output`` in the first of ``runs`` whose node for the step has a ``result``."""
    for run in runs:
        node = step_nodes(run, run_step_names(run)).get(step)
        parameters = ((node or {}).get("outputs") or {}).get("parameters") or []
        text = next((p.get("value") for p in parameters if p.get("name") == "result"), None)
        try:
            result = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            continue
        location = ((result.get("outputs") or {}) if isinstance(result, dict) else {}).get(output)
        if location is not None:
            return run["metadata"]["name"], location
    return None


def step_nodes(workflow: dict, names: dict[str, str]) -> dict[str, dict]:
    """The Argo node of each ModelArts step of a run (``names``: Argo task -> step)."""
    found = {}
    for node in (workflow.get("status", {}).get("nodes") or {}).values():
        step = names.get(node.get("displayName"))
        if step is not None and node.get("type") != "DAG":
            found[step] = node
    return found


def task_of(display_name: str) -> str:
    """The task a node belongs to: a retried phase's pods are ``<task>(0)``, ``<task>(1)``, ... under a
    Retry node named ``<task>``."""
    return re.sub(r"\([0-9]+\)$", "", display_name)


def pod_nodes(workflow: dict, tasks: Container[str]) -> list[dict]:
    """The pod nodes of these tasks of a run (a retried phase has one per attempt), in the order they started."""
    return sorted((n for n in (workflow.get("status", {}).get("nodes") or {}).values()
                   if n.get("type") == "Pod" and task_of(n.get("displayName", "")) in tasks),
                  key=lambda n: n.get("startedAt") or "")


def running_pod_nodes(workflow: dict, tasks: Container[str]) -> list[str]:
    """The ids of the running pod nodes of these tasks (the current attempt of a retried phase)."""
    return [n["id"] for n in pod_nodes(workflow, tasks) if n.get("phase") == "Running"]


def task_of_step(workflow: dict, step: str) -> str:
    """The Argo task of a ModelArts step of a run; one line naming the steps when there is none."""
    names = run_step_names(workflow)
    for task, name in names.items():
        if name == step:
            return task
    raise ParameterError(f"run {workflow['metadata']['name']} has no step {step!r} "
                         f"(its steps: {', '.join(sorted(names.values()))})")


def step_phases(workflow: dict, names: dict[str, str]) -> dict[str, str]:
    nodes = step_nodes(workflow, names)
    return {step: nodes[step].get("phase", "Pending") if step in nodes else "Pending" for step in names.values()}


def template_step_names(name: str, namespace: str) -> dict[str, str]:
    """Argo task -> ModelArts step of a released pipeline (a WorkflowTemplate)."""
    template = get_object("workflowtemplate", name, namespace)
    return step_names(template["spec"]) if template else {}


def run_step_names(workflow: dict) -> dict[str, str]:
    """Argo task -> ModelArts step of a run, as the compiler wrote it into the pipeline the run runs."""
    return step_names(run_template_spec(workflow))


def parse_time(text: str | None) -> datetime.datetime | None:
    """A Kubernetes timestamp (``2026-11-29T10:00:00Z``), or a date or time a user gives; UTC when it names
    no zone. Raises ValueError for text that is neither."""
    if not text:
        return None
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def seconds_between(started: str | None, finished: str | None, now: datetime.datetime | None = None) -> int | None:
    """Seconds from ``started`` to ``finished`` (to now while it runs); None when it has not started."""
    begin = parse_time(started)
    if begin is None:
        return None
    end = parse_time(finished) or now or datetime.datetime.now(datetime.timezone.utc)
    return max(0, round((end - begin).total_seconds()))


def step_durations(workflow: dict, names: dict[str, str], now: datetime.datetime | None = None) -> dict[str, int]:
    """Seconds each step that started has run (so far, for one still running)."""
    found = {}
    for step, node in step_nodes(workflow, names).items():
        seconds = seconds_between(node.get("startedAt"), node.get("finishedAt"), now)
        if seconds is not None and node.get("phase") not in ("Skipped", "Omitted"):
            found[step] = seconds
    return found


def summary(workflow: dict, names: dict[str, str]) -> dict:
    status = workflow.get("status", {})
    result = {"name": workflow["metadata"]["name"], "namespace": workflow["metadata"].get("namespace"),
              "phase": status.get("phase", "Pending"), "steps": step_phases(workflow, names)}
    if status.get("message"):
        result["message"] = status["message"]
    messages = {step: node["message"] for step, node in step_nodes(workflow, names).items()
                if node.get("phase") in ("Failed", "Error") and node.get("message")}
    if messages:
        result["messages"] = messages
    waiting = [n for n in (status.get("nodes") or {}).values()
               if n.get("type") == "Suspend" and n.get("phase") == "Running"]
    inputs = [p["name"] for n in waiting for p in n.get("outputs", {}).get("parameters", [])]
    pauses = [names.get(n["displayName"][len("debug-"):], n["displayName"]) for n in waiting
              if n.get("displayName", "").startswith("debug-")]
    # a phase's own progress (a labeling job's labeled/total); Argo's default for a pod is 0/1
    progress = {step: node["progress"] for step, node in step_nodes(workflow, names).items()
                if node.get("phase") == "Running" and node.get("progress") not in (None, "0/1")}
    if progress:
        result["progress"] = progress
    durations = step_durations(workflow, names)
    if durations:
        result["durations"] = durations
    if inputs:
        result["waiting_for"] = inputs
    if pauses:
        result["paused"] = pauses
    return result


def progress_line(name: str, state: dict) -> tuple[str, str]:
    """What a followed run shows: a line per change of its phases or of a phase's own progress (a labeling
    job's labeled/total), with each phase's duration (shown, not compared: a running phase's grows every poll);
    (what is compared, the line)."""
    durations, own = state.get("durations") or {}, state.get("progress") or {}
    shown = f"{state['phase']}: " + ", ".join(f"{s}={p}" + (f" [{own[s]}]" if s in own else "")
                                             for s, p in state["steps"].items())
    line = f"{state['phase']}: " + ", ".join(
        f"{s}={p}" + (f" [{own[s]}]" if s in own else "")
        + (f" ({durations[s]}s)" if s in durations and p not in ("Pending",) else "")
        for s, p in state["steps"].items())
    if state.get("waiting_for"):
        line += f" (waiting for input: {', '.join(state['waiting_for'])}; give it with `wf2k8s input " \
                f"{name} NAME=VALUE`)"
    return shown, line


def follow(name: str, namespace: str, progress: TextIO | None = sys.stderr, timeout: float = 3600,
           poll: float = 2.0, until_waiting: bool = False) -> dict:
    deadline = time.monotonic() + timeout
    names: dict[str, str] = {}
    last = None
    while True:
        workflow = get_object("workflow", name, namespace)
        if workflow is None:
            raise ClusterError(f"run {namespace}/{name} disappeared")
        if not names:
            names = run_step_names(workflow)
        state = summary(workflow, names)
        shown, line = progress_line(name, state)
        if progress and shown != last:
            progress.write(line + "\n")
            progress.flush()
            last = shown
        if state["phase"] in FINISHED or (until_waiting and (state.get("waiting_for") or state.get("paused"))):
            return state
        if time.monotonic() > deadline:
            raise ClusterError(f"run {namespace}/{name} did not finish in {timeout:.0f} s (phase {state['phase']})")
        time.sleep(poll)


def resume(name: str, namespace: str, values: dict[str, str] | None = None,
           pauses: int = 0) -> list[str]:
    """Resume suspend nodes, as ``argo node set`` + ``argo resume`` do: the input nodes waiting for
    ``values`` (with those values), and the first ``pauses`` debug pauses."""
    values = values or {}
    workflow = get_object("workflow", name, namespace)
    if workflow is None:
        raise ClusterError(f"no run {namespace}/{name}")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch: dict[str, Any] = {}
    resumed = []
    waiting = sorted(((node.get("startedAt", ""), node_id, node)
                      for node_id, node in (workflow.get("status", {}).get("nodes") or {}).items()
                      if node.get("type") == "Suspend" and node.get("phase") == "Running"), key=lambda n: n[0])
    for _, node_id, node in waiting:
        outputs = node.get("outputs", {}).get("parameters", [])
        if node.get("displayName", "").startswith("debug-"):
            if pauses <= 0:
                continue
            pauses -= 1
            resumed.append(node["displayName"])
            patch[node_id] = {"phase": "Succeeded", "finishedAt": now, "message": "resumed by next()"}
            continue
        if not any(p["name"] in values for p in outputs):
            continue
        parameters = [{**p, "value": protect(values[p["name"]])} if p["name"] in values else p for p in outputs]
        patch[node_id] = {"phase": "Succeeded", "finishedAt": now, "message": "input given with wf2k8s input",
                          "outputs": {**node.get("outputs", {}), "parameters": parameters}}
        resumed.extend(p["name"] for p in outputs if p["name"] in values)
    if patch:
        kube.patch("workflow", name, namespace, {"status": {"nodes": patch}})
    return resumed


def finish_labeling(name: str, namespace: str, step: str) -> str:
    """Tell a run's waiting labeling phase to go on (ModelArts: resume the running state); returns its pod."""
    workflow = get_object("workflow", name, namespace)
    if workflow is None:
        raise ClusterError(f"no run {namespace}/{name}")
    nodes = step_nodes(workflow, run_step_names(workflow))
    node = nodes.get(step)
    if node is None or node.get("phase") != "Running":
        steps = [s for s, n in nodes.items() if n.get("phase") == "Running"]
        raise ClusterError(f"run {name}: step {step!r} is not running (running: {', '.join(steps) or 'none'})")
    pods = node_pods(name, namespace, running_pod_nodes(workflow, {task_of_step(workflow, step)}))
    if not pods:
        raise ClusterError(f"run {name}: step {step!r} has no pod yet")
    key, value = podinfo.LABELING_DONE
    annotate_pod(pods[0], namespace, {key: value})
    return pods[0]


def node_pods(name: str, namespace: str, node_ids: list[str]) -> list[str]:
    """The pods of these nodes of a run."""
    pods = kube.list_objects("pods", namespace, f"workflows.argoproj.io/workflow={name}")
    return [p["metadata"]["name"] for p in pods
            if p["metadata"].get("annotations", {}).get("workflows.argoproj.io/node-id") in node_ids]


def annotate_pod(pod: str, namespace: str, annotations: dict[str, str]) -> None:
    """Set annotations of a pod, replacing those of the same names (``kubectl annotate --overwrite``)."""
    kube.patch("pod", pod, namespace, {"metadata": {"annotations": annotations}})


def correct_running_inputs(workflow: dict, values: dict[str, str]) -> list[str]:
    """Give values to the running phases of a run that read them (a ServiceStep waits for a corrected
    deployment input after refusing one); returns the names given."""
    name, namespace = workflow["metadata"]["name"], workflow["metadata"].get("namespace", "default")
    inputs = pipeline_info(run_template_spec(workflow)).get("inputs") or {}
    given = []
    for key, value in values.items():
        running = running_pod_nodes(workflow, set((inputs.get(key) or {}).get("tasks") or []))
        pods = node_pods(name, namespace, running) if running else []
        for pod in pods:
            annotate_pod(pod, namespace, {f"{podinfo.INPUT_PREFIX}{key}": value})
        if pods:
            given.append(key)
    return sorted(given)


def service_inputs(spec: dict) -> dict[str, dict]:
    """The ServiceInputPlaceholders of a compiled pipeline: NAME -> details (JSON, with references as
    marker objects such as ``{"$param": NAME, "type": T}``)."""
    inputs = pipeline_info(spec).get("inputs") or {}
    return {name: entry.get("details") or {} for name, entry in inputs.items()
            if entry.get("type") == "service_input"}


def run_template_spec(workflow: dict) -> dict:
    """The pipeline a run runs: the WorkflowTemplate as the run stored it, else as it is now."""
    stored = workflow.get("status", {}).get("storedWorkflowTemplateSpec")
    if stored:
        return stored
    ref = workflow.get("spec", {}).get("workflowTemplateRef", {}).get("name")
    template = get_object("workflowtemplate", ref, workflow["metadata"].get("namespace", "default")) if ref else None
    return (template or {}).get("spec") or workflow.get("spec", {})


def run_parameters(workflow: dict, spec: dict) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for source in (spec, workflow.get("spec", {})):
        for p in (source.get("arguments") or {}).get("parameters") or []:
            if "value" in p:
                values[p["name"]] = p["value"]
    return values


def value_problem(name: str, value: str, enum: list[str] | None, kind: str | None) -> str | None:
    """Why a value given for placeholder ``name`` does not fit its enum or its type; None when it does."""
    if enum and protect(value) not in enum:
        return f"{name}: {value!r} is not one of {', '.join(enum)}"
    if kind in SCALAR_TYPES:
        try:
            parse_typed(value, kind, name)
        except ContractError as problem:
            return str(problem)
    return None


def check_input_values(workflow: dict, values: dict[str, str]) -> None:
    """Refuse values a run's phases would refuse, before anything is resumed: a ServiceInputPlaceholder's
    deployment list is checked with the deployer's own rules (the seed's message)."""
    spec = run_template_spec(workflow)
    inputs = service_inputs(spec)
    parameters = run_parameters(workflow, spec)
    waiting = f"run {workflow['metadata']['name']} still waits for"
    for name, value in values.items():
        declared = (pipeline_info(spec).get("inputs") or {}).get(name) or {}
        problem = value_problem(name, value, declared.get("enum"), declared.get("type"))
        if problem:
            raise ParameterError(f"{problem} ({waiting} {name})")
        if name not in inputs:
            continue
        details: dict[str, Any] = {}
        for key, item in inputs[name].items():
            if isinstance(item, dict) and "$param" in item:
                text = parameters.get(item["$param"])
                if text in (None, ""):
                    continue  # set while the run runs, or not at all: the deployer checks it
                try:
                    details[key] = parse_typed(text, item.get("type", "str"), item["$param"])
                except ContractError:
                    continue
            elif not isinstance(item, (dict, list)) or key == "envs":
                details[key] = item
        try:
            service_input_entries(value, name, details)
        except ContractError as problem:
            raise ParameterError(f"{problem} (run {workflow['metadata']['name']} still waits for {name})") from None


def give_input(name: str, namespace: str, values: dict[str, str]) -> list[str]:
    """Give values a run waits for (delay=True placeholders), after checking them: a value the phase
    would refuse is refused here and the run keeps waiting."""
    workflow = get_object("workflow", name, namespace)
    if workflow is None:
        raise ClusterError(f"no run {namespace}/{name}")
    check_input_values(workflow, values)
    resumed = resume(name, namespace, values)
    rest = {k: v for k, v in values.items() if k not in resumed}
    if rest:  # not waited for at an input node: a deployer that refused the value waits for it instead
        resumed += correct_running_inputs(workflow, rest)
    unknown = sorted(set(values) - set(resumed))
    if unknown:
        raise ClusterError(f"run {name} is not waiting for {', '.join(unknown)}")
    return resumed

