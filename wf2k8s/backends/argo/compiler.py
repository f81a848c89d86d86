"""Graph model -> Argo WorkflowTemplate (through hera's Argo v4 models).

Semantics, as ModelArts defines them and Argo runs them (see README, "How a pipeline runs"):

* every phase is a DAG task with ``dependencies`` on the phases it waits for, so a failed
  dependency omits it and fails the run;
* the default rule "skipped when every phase it depends on was skipped" is a ``when`` on the
  dependencies' status; a Skipped task satisfies ``dependencies``, so the rule carries down;
* skip conditions and ConditionStep branches are ANDed into the same ``when``; a skip
  condition replaces the default rule, as the seed says it takes precedence;
* partial execution (seed 4.10.1 scenes; ``run(steps=...)`` is a scene of its own): a run chooses a
  scene (``wf2k8s-scene``, default ``all``). A phase outside the chosen scene is skipped. Inside it,
  the rules above hold over the phases the scene runs: a dependency on a phase the scene leaves out
  does not count for the default rule (with none left, the phase runs), nor does a branch of a
  ConditionStep left out; skip conditions apply as they are. So with scenes a phase's ``when`` is
  ``(scene in ['all', ...] && <its rule over all phases>) || (scene in ['S', ...] && <its rule over
  S>) || ...``, scenes with the same rule grouped (``gate``, ``selective_when``: the one place);
* what a phase reads from a phase the run left out stands in its ``fallback``: a value given for the
  run (``wf2k8s-output-<step>-<output>``), else the output's fixed location (``left_out_outputs``);
  ``left_out_reads`` lists what a scene's phases read from the phases it leaves out, for the CLI;
* ``delay=True`` parameters are suspend nodes before the first phase that needs them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from hera.workflows import models as m

from wf2k8s._version import __version__
from wf2k8s.backends.argo import templates as t
from wf2k8s import contract
from wf2k8s.backends.argo.expressions import Scope, argo_ref, condition_expr, quote
from wf2k8s.backends.splice import Raw, to_json
from wf2k8s.backends.argo.phases import ArgoPhase, Task, argo_phase
from wf2k8s.errors import ValidationError
from wf2k8s.contract.phases import Algorithm, ResolvePhase, RunEndPhase
from wf2k8s.contract.values import protect
from wf2k8s.contract.registry import BY_KIND, PHASE_KINDS, PhaseKind
from wf2k8s.contract.refs import SCALAR_TYPES, Fallback
from wf2k8s.graph.model import (
    Graph, MetricRef, OutputRef, Param, ParamRef, Phase, SelectRef, StorageRef, VariableRef, walk,
)

API_VERSION = "argoproj.io/v1alpha1"
#: the step that resolves a JobStep's algorithm and image from the cluster's catalog
RESOLVER = BY_KIND["resolve"]
SCENE_PARAM = "wf2k8s-scene"
ALL_SCENES = "all"
#: the run parameter of a value given for an output of a step a partial run leaves out (+ "<step>-<output>")
OUTPUT_PARAM_PREFIX = "wf2k8s-output-"
#: what decides a JobStep's image; the job's own pod resolves the rest of the algorithm
IMAGE_FIELDS = ("engine", "id", "algorithm_id", "subscription_id", "item_version_id")
DEFAULT_NAMESPACE = "wf2k8s"
#: what the CLI reads about a pipeline (its steps' names and kinds, the inputs a run may be given while it
#: runs), kept in the workflow metadata so that every run carries it in its stored spec
PIPELINE_ANNOTATION = "wf2k8s.io/pipeline"
#: the run's status where the run-end phase reads it: Argo's variable, as a JSON string of the spec
RUN_STATUS = Raw('"{{workflow.status}}"')
#: the run-end phase's deadline: a slow MLflow or webhook must not hold a run's end long
RUN_END_SECONDS = "300"


def dns_name(name: str) -> str:
    """A ModelArts name as an Argo/Kubernetes name: lower case, ``_`` as ``-``."""
    return re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")


#: Kubernetes names and label values stop at 63 characters; Argo refuses a longer WorkflowTemplate name
#: (workflow/validate: maxCharsInObjectName). DAG task names may have 128 (workflowFieldMaxLength):
#: a step's task name (1-64 characters, or "debug-"/"input-" and one) always fits.
MAX_NAME_LENGTH = 63
#: a namespace is a DNS-1123 label
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_LABEL_TEXT = ("a DNS-1123 label: 1-63 lower-case letters, digits or '-', starting and ending with a letter or "
                  "digit")


def namespace_problem(namespace: str) -> str | None:
    """Why ``namespace`` cannot be a Kubernetes namespace, or None."""
    if not isinstance(namespace, str) or len(namespace) > MAX_NAME_LENGTH or not DNS_LABEL.fullmatch(namespace):
        return f"must be {DNS_LABEL_TEXT}, got {namespace!r}"
    return None


def param_value(param: Param) -> str | None:
    """A parameter's default as the text Argo holds (protected: Argo would expand a "{{" in it)."""
    text = default_text(param)
    return protect(text) if text else text


def default_text(param: Param) -> str | None:
    if not param.has_default:
        return None if param.required else ""
    value = param.default
    if param.source == "data":
        return value if isinstance(value, str) else \
            json.dumps({k: v for k, v in value.items() if k != "kind"}, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def param_description(param: Param) -> str | None:
    hint = {"int": "integer", "float": "number", "bool": "true or false", "json": "JSON object",
            "list": f"JSON list of {param.format}"}.get(param.type)
    parts = [p for p in (param.description, f"({hint})" if hint else None) if p]
    return protect(" ".join(parts)) or None


def enum_values(param: Param) -> list[str] | None:
    return [protect(str(v)) for v in param.enum] if param.enum else None


class ArgoCompiler:
    def __init__(self, graph: Graph, namespace: str = DEFAULT_NAMESPACE, image_registry: str = "",
                 image_tag: str = __version__, phase_images: dict[str, str] | None = None,
                 pause_before: list[str] | None = None, spark_operator: bool = False):
        self.graph = graph
        self.namespace = namespace
        self.images = t.Images(image_registry, image_tag)
        # another image for a phase type's template (e.g. {"model": "my/registrar:1"}): same argv contract
        self.phase_images = dict(phase_images or {})
        # debug mode (seed 4.8): the run stops before these steps until `next()` resumes it
        self.pause_before = set(pause_before or ())
        # MrsJobStep: a SparkApplication for the Kubeflow Spark Operator instead of local-mode spark-submit
        self.spark_operator = spark_operator
        unknown = set(self.phase_images) - {k.command for k in PHASE_KINDS}
        if unknown:
            raise ValueError(f"phase_images: no phase template named {', '.join(sorted(unknown))}")
        if namespace and namespace_problem(namespace):  # "" leaves the namespace out of the manifest
            raise ValidationError("namespace", namespace_problem(namespace) or "")
        self.name = dns_name(graph.name)
        if len(self.name) > MAX_NAME_LENGTH:
            raise ValidationError(f"Workflow {graph.name!r} > name",
                                  f"has {len(self.name)} characters as an Argo WorkflowTemplate name; "
                                  f"Kubernetes names and labels stop at {MAX_NAME_LENGTH}: shorten it")
        self.task_names = self.name_tasks()
        # (step, output) -> its run parameter, for outputs some scene's phases read without their producer
        self.left_out = left_out_outputs(graph)
        self.scope = Scope(graph.params, self.task_names.__getitem__, self.input_task_name, self.name)
        self.delayed = {name: p for name, p in graph.params.items() if p.delay}
        self.resolvers: dict[str, str] = {}

    # names ------------------------------------------------------------------------------------------
    def name_tasks(self) -> dict[str, str]:
        names: dict[str, str] = {}
        owners: dict[str, str] = {}
        generated = [(p.name, dns_name(p.name)) for p in self.graph.phases]
        for step, task in generated:
            if task in owners:
                raise ValidationError(f"Workflow {self.graph.name!r} > steps",
                                      f"steps {owners[task]!r} and {step!r} both become Argo task {task!r}; "
                                      "rename one")
            owners[task] = step
            names[step] = task
        self.reserved = dict(owners)
        return names

    def input_task_name(self, param: str) -> str:
        return "input-" + dns_name(param)

    def claim(self, name: str, owner: str) -> str:
        if name in self.reserved and self.reserved[name] != owner:
            other = self.reserved[name]
            other = f"step {other!r}" if other in self.task_names else other
            raise ValidationError(f"Workflow {self.graph.name!r} > steps",
                                  f"{other} and {owner} would both be Argo task {name!r}; rename one")
        self.reserved[name] = owner
        return name

    # the document ---------------------------------------------------------------------------------------
    def compile(self) -> dict:
        tasks: list[m.DAGTask] = []
        templates: dict[str, m.Template] = {}
        consumers = self.delayed_consumers()
        for name, param in self.delayed.items():
            tasks.append(self.input_task(param, consumers.get(name, []), templates))
        for phase in self.graph.phases:
            tasks.extend(self.phase_tasks(phase, consumers, templates))
        main = m.Template(name="main", dag=m.DAGTemplate(tasks=tasks))
        run_end = self.run_end_hook(templates)
        spec = m.WorkflowSpec(
            entrypoint="main",
            # least privilege: no phase container gets a Kubernetes API token unless its kind names a service
            # account (the registry); the Argo executor beside it reports outputs with the runner's own
            service_account_name=t.RUNNER,
            automount_service_account_token=False,
            executor=m.ExecutorConfig(service_account_name=t.RUNNER),
            arguments=m.Arguments(parameters=self.arguments()),
            templates=[main, *templates.values()],
            hooks={"exit": run_end},
            workflow_metadata=m.WorkflowMetadata(labels={"wf2k8s.io/workflow": self.name},
                                                 annotations={PIPELINE_ANNOTATION: self.pipeline_info()}),
        )
        annotations = {
            # shown by the Argo UI; protected like every user text that reaches Argo
            "workflows.argoproj.io/title": protect(self.graph.name),
            "workflows.argoproj.io/description": protect(self.graph.description),
            "wf2k8s.io/version": __version__,
        }
        document = m.WorkflowTemplate(
            api_version=API_VERSION, kind="WorkflowTemplate",
            metadata=m.ObjectMeta(name=self.name, namespace=self.namespace or None,
                                  labels={"app.kubernetes.io/managed-by": "wf2k8s"}, annotations=annotations),
            spec=spec,
        )
        return hoist_common_arguments(document.model_dump(by_alias=True, exclude_none=True, mode="json"))

    def run_end_hook(self, templates: dict) -> m.LifecycleHook:
        """Every run ends with its record in MLflow tracking and the notifications of its end (``run_end``)."""
        kind = BY_KIND["run_end"]
        self.ensure_template(kind, argo_phase(kind.kind), templates)
        spec = RunEndPhase(step="run-end", workflow=self.graph.name, status=RUN_STATUS,  # type: ignore[arg-type]
                           tasks={self.task_names[p.name]: p.name for p in self.graph.phases})
        return m.LifecycleHook(template=kind.command, arguments=m.Arguments(parameters=[
            m.Parameter(name="spec", value=to_json(self.encode(spec))),
            m.Parameter(name="timeout-seconds", value=RUN_END_SECONDS)]))

    def pipeline_info(self) -> str:
        """See ``pipeline_info``: the step behind each phase task, the values a run may be given while it runs."""
        steps = {self.task_names[p.name]: {"step": p.name, "kind": p.kind} for p in self.graph.phases}
        inputs = {}
        for name, param in self.graph.params.items():
            if not (param.delay or param.type == "service_input"):
                continue
            users = [self.task_names[p.name] for p in self.graph.phases
                     if any(isinstance(r, ParamRef) and r.name == name for r in self.graph.references(p))]
            inputs[name] = {"type": param.type, "tasks": users, **({"enum": enum_values(param)} if param.enum else {}),
                            **({"details": contract.dump(param.details)} if param.details else {})}
        # the type of each typed run parameter, so that values given later (retry, configure) are checked too
        types = {name: param.type for name, param in self.graph.params.items()
                 if param.source == "placeholder" and not param.delay and param.type in SCALAR_TYPES}
        return to_json({"steps": steps, "inputs": inputs, **({"types": types} if types else {})})

    def arguments(self) -> list[m.Parameter]:
        found = []
        for param in self.graph.params.values():
            if param.delay:
                continue
            found.append(m.Parameter(name=param.name, value=param_value(param), enum=enum_values(param),
                                     description=param_description(param)))
        if self.graph.scenes:
            found.append(m.Parameter(name=SCENE_PARAM, value=ALL_SCENES,
                                     enum=[ALL_SCENES, *map(protect, self.graph.scenes)],
                                     description="Partial execution: run only the steps of this scene"))
        for (step, output), name in self.left_out.items():
            found.append(m.Parameter(name=name, value="", description=protect(
                f"Partial execution: output {output!r} of step {step!r} for a run whose scene leaves that step "
                "out (an OBS path, or a location as JSON); empty: its fixed location, else the output of "
                "the latest Succeeded run (wf2k8s run finds it)")))
        return found

    # phases -----------------------------------------------------------------------------------------------
    def phase_tasks(self, phase: Phase, consumers: dict[str, list[str]], templates: dict) -> list[m.DAGTask]:
        argo = argo_phase(phase.kind, self.spark_operator)
        task = argo.arguments(phase, self.scope, self.images) if argo.arguments else Task()
        if task.kind:  # the phase runs on another kind's template (a JobStep on several nodes: its launcher)
            argo = argo_phase(task.kind, self.spark_operator)
        kind = BY_KIND[task.kind or phase.kind]
        self.ensure_template(kind, argo, templates)
        name = self.task_names[phase.name]
        depends = [self.task_names[d] for d in phase.depends]
        depends += [self.input_task_name(p) for p, users in consumers.items() if phase.name in users]
        when = self.when(phase)
        emitted = []
        arguments = dict(task.arguments)
        if argo.reads_spec:
            arguments = {"spec": to_json(self.spec(phase)), **arguments}
            arguments["timeout-seconds"] = str(int(phase.spec.policy.max_execution_minutes * 60))
        if phase.name in self.pause_before:
            pause = self.claim(f"debug-{name}", f"the debug pause before step {phase.name!r}")
            templates.setdefault("debug-pause", m.Template(name="debug-pause", suspend=m.SuspendTemplate()))
            emitted.append(self.dag_task(pause, "debug-pause", depends, when, {}))
            depends = [*depends, pause]
        if task.resolver:
            resolver, created = self.resolver(phase, consumers, templates)
            if created is not None:
                emitted.append(created)
            arguments["image"] = "{{tasks." + resolver + ".outputs.parameters.image}}"
            depends = [*depends, resolver]
        emitted.append(self.dag_task(name, kind.command, depends, when, arguments))
        return emitted

    def resolver(self, phase: Phase, consumers: dict[str, list[str]], templates: dict) -> tuple[str, Any]:
        """The task that resolves an image from the catalog when the run starts: one per distinct engine
        or algorithm, at the start of the run, shared by every JobStep that uses it."""
        algorithm = Algorithm(**{k: getattr(phase.spec.algorithm, k) for k in IMAGE_FIELDS})
        key = to_json(self.encode(algorithm))
        if key in self.resolvers:
            return self.resolvers[key], None
        name = self.claim(f"resolve-image-{len(self.resolvers) + 1}", "an image resolution")
        self.resolvers[key] = name
        self.ensure_template(RESOLVER, argo_phase(RESOLVER.kind), templates)
        depends = [self.input_task_name(p) for p, users in consumers.items() if phase.name in users
                   and any(isinstance(r, ParamRef) and r.name == p for r in refs_in(algorithm))]
        spec = ResolvePhase(step=name, for_step=phase.name, algorithm=algorithm)
        return name, self.dag_task(name, RESOLVER.command, depends, None, {"spec": to_json(self.encode(spec))})

    def dag_task(self, name: str, template: str, depends: list[str], when: str | None,
                 arguments: dict[str, str]) -> m.DAGTask:
        return m.DAGTask(
            name=name, template=template, dependencies=depends or None, when=when,
            arguments=m.Arguments(parameters=[m.Parameter(name=k, value=v) for k, v in arguments.items()])
            if arguments else None,
        )

    def ensure_template(self, kind: PhaseKind, argo: ArgoPhase, templates: dict) -> None:
        if kind.command in templates:
            return
        with_parameters = any(not p.delay for p in self.graph.params.values()) or bool(self.graph.scenes)
        templates[kind.command] = argo.template(kind, self.images, self.phase_images.get(kind.command),
                                                with_parameters)

    def spec(self, phase: Phase) -> dict:
        """What the runtime gets: the phase's contract, references written for Argo."""
        return self.encode(phase.spec)

    def encode(self, value: Any) -> Any:
        return contract.dump(value, argo_ref(self.scope, self.declared_location, self.fallback))

    def fallback(self, ref: OutputRef) -> Fallback | None:
        """What stands for an output when a scene leaves its producer out (the runtime's order: a value given
        for the run, then the fixed location)."""
        name = self.left_out.get((ref.step, ref.output))
        return Fallback(name, fixed_location(self.graph, ref.step, ref.output)) if name else None

    def declared_location(self, ref: OutputRef) -> Any:
        """Where a Spark step's output goes: it writes no result of ours, so consumers need the path."""
        producer = self.graph.phase(ref.step)
        if producer.kind != "mrs_job" or not self.spark_operator:
            return None
        return next((o.obs_config.obs_path for o in producer.spec.outputs if o.name == ref.output), None)

    # when: the run/skip semantics, here only (see the module's docstring) -------------------------------------
    def when(self, phase: Phase) -> str | None:
        return self.selective_when([phase.name], lambda selected: self.gate(phase, selected))

    def gate(self, phase: Phase, selected: set[str] | None) -> tuple[list[str], list[str]]:
        """When ``phase`` runs in a run of the phases ``selected`` (None: every phase): the phases of which one
        must have succeeded (the default rule; empty: no such rule), and the expressions (branches, skip
        conditions) that must hold besides."""
        def inside(step: str) -> bool:
            return selected is None or step in selected

        where = f"{phase.kind} step {phase.name!r}"
        parts = []
        branches = [b for b in phase.branches if inside(b.condition_step)]  # a ConditionStep left out decides nothing
        for branch in branches:
            cond_task = self.scope.task(branch.condition_step)
            parts.append(f"({cond_task}.status == 'Succeeded' && "
                         f"{cond_task}.outputs.parameters.condition == {quote(str(branch.when).lower())})")
        if phase.skip_conditions:
            skip = " && ".join(condition_expr(c, self.scope, where) for c in phase.skip_conditions)
            parts.append(f"!{skip}" if len(phase.skip_conditions) == 1 else f"!({skip})")
        # the skip policy takes precedence over the default rule (seed 4.5); a branch already requires its
        # ConditionStep to have succeeded, which implies the rule; a phase left out does not count
        rule = [] if phase.skip_conditions or branches else [d for d in phase.depends if inside(d)]
        return rule, parts

    def selective_when(self, members: list[str],
                       gate: Callable[[set[str] | None], tuple[list[str], list[str]]]) -> str | None:
        """The ``when`` of a task for ``members`` (its phases): ``gate`` over every phase, and with scenes, per
        scene that holds a member, ``gate`` over that scene's phases; other scenes skip it."""
        if not self.graph.scenes:
            rule, parts = gate(None)
            return join_when(self.default_rule(rule), parts)
        choices: list[tuple[str, set[str] | None]] = [(ALL_SCENES, None)]
        choices += [(name, set(steps)) for name, steps in self.graph.scenes.items() if set(members) & set(steps)]
        groups: dict[str, list[str]] = {}  # what must hold -> the scenes in which it decides
        for scene, selected in choices:
            rule, parts = gate(selected)
            groups.setdefault(" && ".join(parts + ([self.rule_expr(rule)] if rule else [])), []).append(scene)
        return "{{=" + " || ".join(f"({self.scene_test(scenes)} && {test})" if test else f"({self.scene_test(scenes)})"
                                   for test, scenes in groups.items()) + "}}"

    def default_rule(self, depends: list[str]) -> str | None:
        """The default rule as simple tags (for a pipeline without scenes), read by the when's govaluate (which
        takes a bare Succeeded as a string)."""
        if not depends:
            return None
        return " || ".join("{{tasks." + self.task_names[d] + ".status}} == Succeeded" for d in depends)

    def rule_expr(self, depends: list[str]) -> str:
        """The default rule as an expression (inside a scene's alternative of the ``when``)."""
        rule = " || ".join(self.scope.succeeded(d) for d in depends)
        return f"({rule})" if len(depends) > 1 else rule

    def scene_test(self, scenes: list[str]) -> str:
        return f"workflow.parameters[{quote(SCENE_PARAM)}] in [{', '.join(quote(protect(s)) for s in scenes)}]"

    # delayed parameters ---------------------------------------------------------------------------------------
    def delayed_consumers(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for phase in self.graph.phases:
            for ref in self.graph.references(phase):
                if isinstance(ref, ParamRef) and ref.name in self.delayed:
                    found.setdefault(ref.name, [])
                    if phase.name not in found[ref.name]:
                        found[ref.name].append(phase.name)
            # a StorageRef cannot be delayed: storages are roots set when the run starts
        return found

    def input_task(self, param: Param, users: list[str], templates: dict) -> m.DAGTask:
        name = self.claim(self.input_task_name(param.name), f"the input of {param.name!r}")
        # wait where the first consumers would start: after what they depend on
        first = [u for u in users if not any(u != o and self.downstream(o, u) for o in users)]
        depends = sorted({d for u in first for d in self.graph.phase(u).depends})
        when = self.selective_when(users, lambda selected: ([d for d in depends if selected is None or d in selected],
                                                            []))
        templates[name] = t.input_template(name, param.name, param_value(param),
                                           param_description(param) or f"Value of {param.name}",
                                           enum_values(param))
        return m.DAGTask(name=name, template=name, dependencies=[self.task_names[d] for d in depends] or None,
                         when=when)

    def downstream(self, upstream: str, step: str) -> bool:
        """Whether ``step`` (transitively) depends on ``upstream``."""
        stack, seen = [step], set()
        while stack:
            current = stack.pop()
            for dep in self.graph.phase(current).depends:
                if dep == upstream:
                    return True
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        return False


def join_when(rule: str | None, expressions: list[str]) -> str | None:
    """A ``when``: the default rule (simple tags) and the rest (one expression tag), ANDed."""
    if rule and expressions and " || " in rule:
        rule = f"({rule})"
    parts = ([rule] if rule else []) + (["{{=" + " && ".join(expressions) + "}}"] if expressions else [])
    return " && ".join(parts) or None


# partial execution: what a run reads from the steps it leaves out ---------------------------------------------


def output_param(step: str, output: str) -> str:
    """The run parameter of a value given for ``step``'s ``output`` (Argo's parameter names: letters, digits, ``-``
    and ``_``; the reserved prefix keeps it apart from placeholders and storages)."""
    return OUTPUT_PARAM_PREFIX + re.sub(r"[^A-Za-z0-9_-]", "_", f"{step}-{output}")


def left_out_outputs(graph: Graph) -> dict[tuple[str, str], str]:
    """(step, output) -> its run parameter (``output_param``, numbered when two would share one), for each output a
    phase reads in a scene that leaves the output's producer out."""
    found: dict[tuple[str, str], str] = {}
    for phase in graph.phases:
        scenes = [set(steps) for steps in graph.scenes.values() if phase.name in steps]
        for ref in graph.references(phase):
            key = (ref.step, ref.output) if isinstance(ref, OutputRef) else None
            if key is None or key in found or all(ref.step in scene for scene in scenes):
                continue
            name, n = output_param(*key), 1
            while name in found.values():
                n += 1
                name = f"{output_param(*key)}-{n}"
            found[key] = name
    return found


def fixed_location(graph: Graph, step: str, output: str) -> Any:
    """Where ``step`` writes ``output`` in every run, when it has such a place: a JobStep's or MrsJobStep's OBS path,
    a storage path without execution id, or a placeholder given when the run starts; else None."""
    producer = graph.phase(step)
    if producer.kind not in ("job", "mrs_job"):
        return None
    config = next((o.obs_config for o in producer.spec.outputs if o.name == output), None)
    path = config.obs_path if config is not None else None
    if isinstance(path, str) or (isinstance(path, StorageRef) and not path.with_execution_id) or \
            (isinstance(path, ParamRef) and not graph.params[path.name].delay):
        return path
    return None


@dataclass(frozen=True)
class LeftOutRead:
    """A value a phase of a partial run reads from phases the run leaves out."""

    #: the phase that reads it, and where in its spec ("input 'data_url'", "policy.skip_conditions", ...)
    step: str
    where: str
    #: (step, output) of the outputs it reads, any one of which will do (several for a DataConsumptionSelector)
    outputs: tuple[tuple[str, str], ...]
    #: a metric or variable ("metric 'accuracy' of output 'metrics'"), for which nothing can stand in
    value: str | None = None


def scene_steps(graph: Graph, scene: str | None) -> set[str] | None:
    """The phases a run of ``scene`` runs (None: every phase)."""
    if not scene or scene == ALL_SCENES or scene not in graph.scenes:
        return None
    return set(graph.scenes[scene])


def left_out_reads(graph: Graph, scene: str | None) -> list[LeftOutRead]:
    """What the phases of ``scene`` read from the phases it leaves out (empty for a run of every phase)."""
    selected = scene_steps(graph, scene)
    if selected is None:
        return []
    found = []
    for phase in graph.phases:
        if phase.name not in selected:
            continue
        parts: list[tuple[str, Any]] = []
        for name in (f.name for f in dataclasses.fields(phase.spec)):
            value = getattr(phase.spec, name)
            if name == "inputs" and isinstance(value, (list, tuple)):
                parts += [(f"input {getattr(item, 'name', i)!r}", item) for i, item in enumerate(value)]
            else:
                parts.append((name, value))
        parts.append(("policy.skip_conditions", phase.skip_conditions))
        for where, part in parts:
            refs = refs_in(part)
            options = {id(o) for r in refs if isinstance(r, SelectRef) for o in r.options}
            for ref in refs:
                if id(ref) in options:
                    continue
                if isinstance(ref, SelectRef):
                    if not any(o.step in selected for o in ref.options):
                        found.append(LeftOutRead(phase.name, where, tuple((o.step, o.output) for o in ref.options)))
                elif isinstance(ref, OutputRef) and ref.step not in selected:
                    found.append(LeftOutRead(phase.name, where, ((ref.step, ref.output),)))
                elif isinstance(ref, (MetricRef, VariableRef)) and ref.step not in selected:
                    kind, key = ("metric", ref.key) if isinstance(ref, MetricRef) else ("variable", ref.variable)
                    found.append(LeftOutRead(phase.name, where, ((ref.step, ref.output),),
                                             f"{kind} {key!r} of output {ref.output!r}"))
    return found


def pipeline_info(spec: dict) -> dict:
    """What the compiler wrote for the CLI (``PIPELINE_ANNOTATION``) in a WorkflowTemplate's or a run's
    stored spec: ``{"steps": {TASK: {"step": NAME, "kind": KIND}}, "inputs": {PARAM: {"type": T,
    "tasks": [TASK, ...], "details": {...}}}, "types": {PARAM: T}}`` (the tasks that read an input given
    while the run runs; the type of each other typed placeholder); empty for a pipeline compiled before it
    existed."""
    annotations = (spec.get("workflowMetadata") or {}).get("annotations") or {}
    try:
        info = json.loads(annotations.get(PIPELINE_ANNOTATION) or "{}")
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def step_names(spec: dict) -> dict[str, str]:
    """Argo task name -> ModelArts step name, for a WorkflowTemplate's or a run's stored spec."""
    return {task: entry.get("step", task) for task, entry in (pipeline_info(spec).get("steps") or {}).items()}


def refs_in(tree: Any) -> list[Any]:
    found: list[Any] = []
    walk(tree, found)
    return found


def hoist_common_arguments(document: dict) -> dict:
    """An argument every task of a template passes with one value becomes the template's default.

    A pipeline whose jobs share a flavor then carries that pod patch once, not once per job.
    """
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    tasks = [task for t in document["spec"]["templates"] if "dag" in t for task in t["dag"]["tasks"]]
    by_template: dict[str, list[dict]] = {}
    for task in tasks:
        by_template.setdefault(task["template"], []).append(task)
    for template_name, users in by_template.items():
        template = templates[template_name]
        if len(users) < 2 or "suspend" in template:
            continue
        for declared in template.get("inputs", {}).get("parameters", []):
            values = {json.dumps(next((p.get("value") for p in u.get("arguments", {}).get("parameters", [])
                                       if p["name"] == declared["name"]), None)) for u in users}
            # a reference to another task resolves only in the DAG, not as a template's default
            if len(values) != 1 or values == {"null"} or "tasks" in next(iter(values)):
                continue
            declared["default"] = json.loads(values.pop())
            for user in users:
                parameters = user["arguments"]["parameters"]
                parameters[:] = [p for p in parameters if p["name"] != declared["name"]]
                if not parameters:
                    del user["arguments"]
    return document


def compile_graph(graph: Graph, **options: Any) -> dict:
    return ArgoCompiler(graph, **options).compile()


def inline_run_manifest(template: dict, run_name: str, parameters: dict[str, str], labels: dict) -> dict:
    """A development-state run: an Argo Workflow holding the pipeline itself (the released template stays)."""
    meta = template["metadata"]
    metadata: dict[str, Any] = {"name": run_name, "labels": {"wf2k8s.io/development": "true", **labels},
                                "annotations": dict(meta.get("annotations") or {})}
    if meta.get("namespace"):
        metadata["namespace"] = meta["namespace"]
    spec = json.loads(json.dumps(template["spec"]))
    declared = spec.get("arguments", {}).get("parameters", [])
    for parameter in declared:
        if parameter["name"] in parameters:
            parameter["value"] = parameters[parameter["name"]]
    return {"apiVersion": API_VERSION, "kind": "Workflow", "metadata": metadata, "spec": spec}


def run_manifest(template: dict, run_name: str, parameters: dict[str, str], labels: dict | None = None) -> dict:
    """A run of a released pipeline: an Argo Workflow referencing the WorkflowTemplate."""
    meta = template["metadata"]
    metadata: dict[str, Any] = {"name": run_name,
                                "labels": {"workflows.argoproj.io/workflow-template": meta["name"], **(labels or {})}}
    if meta.get("namespace"):
        metadata["namespace"] = meta["namespace"]
    spec: dict[str, Any] = {"workflowTemplateRef": {"name": meta["name"]}}
    if parameters:
        spec["arguments"] = {"parameters": [{"name": k, "value": v} for k, v in parameters.items()]}
    return {"apiVersion": API_VERSION, "kind": "Workflow", "metadata": metadata, "spec": spec}
