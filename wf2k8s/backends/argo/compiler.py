"""Graph model -> Argo WorkflowTemplate (through hera's Argo v4 models).

Semantics, as ModelArts defines them and Argo runs them (see README, "How a pipeline runs"):

* every phase is a DAG task with ``dependencies`` on the phases it waits for, so a failed
  dependency omits it and fails the run;
* the default rule "skipped when every phase it depends on was skipped" is a ``when`` on the
  dependencies' status; a Skipped task satisfies ``dependencies``, so the rule carries down;
* skip conditions, ConditionStep branches and scenes are ANDed into the same ``when``; a skip
  condition replaces the default rule, as the seed says it takes precedence;
* ``delay=True`` parameters are suspend nodes before the first phase that needs them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hera.workflows import models as m

from wf2k8s import __version__
from wf2k8s.backends.argo import templates as t
from wf2k8s.backends.argo.expressions import Scope, condition_expr, encode, quote, to_json
from wf2k8s.backends.argo.phases import PHASE_TYPES, RESOLVER, SPARK_OPERATOR, Task
from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import Graph, OutputRef, Param, ParamRef, Phase

API_VERSION = "argoproj.io/v1alpha1"
SCENE_PARAM = "wf2k8s-scene"
ALL_SCENES = "all"
SERVICE_ACCOUNT = "wf2k8s-runner"
#: what decides a JobStep's image; the job's own pod resolves the rest of the algorithm
IMAGE_FIELDS = ("engine", "id", "algorithm_id", "subscription_id", "item_version_id")
DEFAULT_NAMESPACE = "wf2k8s"
SPEC_STEP_NAME = re.compile(r'^\{"step":"((?:[^"\\]|\\.)*)"')


def dns_name(name: str) -> str:
    """A ModelArts name as an Argo/Kubernetes name: lower case, ``_`` as ``-``."""
    return re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")


def param_value(param: Param) -> str | None:
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
    return " ".join(parts) or None


#: runtime templates with more than the argv contract (a token, the pod's annotations)
CUSTOM_TEMPLATES = {"labeling": t.labeling_template, "dataset-import": t.dataset_import_template,
                    "service": t.service_template}


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
        unknown = set(self.phase_images) - {k.template for k in PHASE_TYPES.values()} - {RESOLVER.template}
        if unknown:
            raise ValueError(f"phase_images: no phase template named {', '.join(sorted(unknown))}")
        self.name = dns_name(graph.name)
        self.task_names = self.name_tasks()
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
        spec = m.WorkflowSpec(
            entrypoint="main",
            service_account_name=SERVICE_ACCOUNT,
            arguments=m.Arguments(parameters=self.arguments()),
            templates=[main, *templates.values()],
            workflow_metadata=m.WorkflowMetadata(labels={"wf2k8s.io/workflow": self.name}),
        )
        annotations = {
            "workflows.argoproj.io/title": self.graph.name,
            "workflows.argoproj.io/description": self.graph.description,
            "wf2k8s.io/version": __version__,
        }
        document = m.WorkflowTemplate(
            api_version=API_VERSION, kind="WorkflowTemplate",
            metadata=m.ObjectMeta(name=self.name, namespace=self.namespace or None,
                                  labels={"app.kubernetes.io/managed-by": "wf2k8s"}, annotations=annotations),
            spec=spec,
        )
        return hoist_common_arguments(document.model_dump(by_alias=True, exclude_none=True, mode="json"))

    def arguments(self) -> list[m.Parameter]:
        found = []
        for param in self.graph.params.values():
            if param.delay:
                continue
            enum = [str(v) for v in param.enum] if param.enum else None
            found.append(m.Parameter(name=param.name, value=param_value(param), enum=enum,
                                     description=param_description(param)))
        if self.graph.scenes:
            found.append(m.Parameter(name=SCENE_PARAM, value=ALL_SCENES, enum=[ALL_SCENES, *self.graph.scenes],
                                     description="Partial execution: run only the steps of this scene"))
        return found

    # phases -----------------------------------------------------------------------------------------------
    def phase_tasks(self, phase: Phase, consumers: dict[str, list[str]], templates: dict) -> list[m.DAGTask]:
        kind = SPARK_OPERATOR if phase.kind == "mrs_job" and self.spark_operator else PHASE_TYPES[phase.kind]
        task = kind.arguments(phase, self.scope, self.images) if kind.arguments else Task(kind.template)
        self.ensure_template(kind.template, templates)
        name = self.task_names[phase.name]
        depends = [self.task_names[d] for d in phase.depends]
        depends += [self.input_task_name(p) for p, users in consumers.items() if phase.name in users]
        when = self.when(phase)
        emitted = []
        arguments = dict(task.arguments)
        if kind.command is not None:
            arguments = {"spec": to_json(self.spec(phase)), **arguments}
        if phase.max_execution_minutes != 10080 and kind.command is not None:
            arguments["timeout-seconds"] = str(int(phase.max_execution_minutes * 60))
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
        emitted.append(self.dag_task(name, task.template, depends, when, arguments))
        return emitted

    def resolver(self, phase: Phase, consumers: dict[str, list[str]], templates: dict) -> tuple[str, Any]:
        """The task that resolves an image from the catalog when the run starts: one per distinct engine
        or algorithm, at the start of the run, shared by every JobStep that uses it."""
        algorithm = {k: v for k, v in phase.config["algorithm"].items() if k in IMAGE_FIELDS}
        key = to_json(self.encode(algorithm))
        if key in self.resolvers:
            return self.resolvers[key], None
        name = self.claim(f"resolve-image-{len(self.resolvers) + 1}", "an image resolution")
        self.resolvers[key] = name
        self.ensure_template(RESOLVER.template, templates)
        depends = [self.input_task_name(p) for p, users in consumers.items() if phase.name in users
                   and any(isinstance(r, ParamRef) and r.name == p for r in refs_in(algorithm))]
        spec = {"step": name, "for": phase.name, "algorithm": self.encode(algorithm)}
        return name, self.dag_task(name, RESOLVER.template, depends, None, {"spec": to_json(spec)})

    def dag_task(self, name: str, template: str, depends: list[str], when: str | None,
                 arguments: dict[str, str]) -> m.DAGTask:
        return m.DAGTask(
            name=name, template=template, dependencies=depends or None, when=when,
            arguments=m.Arguments(parameters=[m.Parameter(name=k, value=v) for k, v in arguments.items()])
            if arguments else None,
        )

    def ensure_template(self, name: str, templates: dict) -> None:
        if name in templates:
            return
        with_parameters = any(not p.delay for p in self.graph.params.values()) or bool(self.graph.scenes)
        if name == "job":
            templates[name] = t.job_template(self.images, parameters=with_parameters)
        elif name in CUSTOM_TEMPLATES:
            templates[name] = CUSTOM_TEMPLATES[name](self.images, image=self.phase_images.get(name),
                                                     parameters=with_parameters)
        elif name == "mrs-job" and self.spark_operator:
            templates[name] = t.spark_operator_template()
        elif name == "mrs-job":
            templates[name] = t.spark_local_template(self.images, image=self.phase_images.get(name),
                                                     parameters=with_parameters)
        else:
            kind = RESOLVER if name == RESOLVER.template else next(
                k for k in PHASE_TYPES.values() if k.template == name)
            templates[name] = t.runtime_template(name, kind.command, self.images, kind.outputs,
                                                 catalog=name in ("resolve", "model"),
                                                 image=self.phase_images.get(name), parameters=with_parameters)

    def step_info(self, phase: Phase) -> dict:
        info: dict[str, Any] = {"step": phase.name}
        if phase.title != phase.name:
            info["title"] = phase.title
        policy = {}
        if phase.poll_interval_seconds != 1:
            policy["poll_interval_seconds"] = phase.poll_interval_seconds
        if phase.max_execution_minutes != 10080:
            policy["max_execution_minutes"] = phase.max_execution_minutes
        if policy:
            info["policy"] = policy
        return info

    def spec(self, phase: Phase) -> dict:
        """What the runtime gets: the step's name (and title, policy), then its configuration."""
        config = phase.config
        if phase.kind == "job":  # resources, priority and volumes went into the pod spec patch
            job_spec = {k: v for k, v in config["spec"].items() if k == "log_export_path"}
            config = {**config, "spec": job_spec} if job_spec else {k: v for k, v in config.items() if k != "spec"}
        return {**self.step_info(phase), **self.encode(config)}

    def encode(self, value: Any) -> Any:
        return encode(value, self.scope, self.declared_location)

    def declared_location(self, ref: OutputRef) -> Any:
        """Where a Spark step's output goes: it writes no result of ours, so consumers need the path."""
        producer = self.graph.phase(ref.step)
        if producer.kind != "mrs_job":
            return None
        for output in producer.config.get("outputs") or []:
            if output.get("name") != ref.output:
                continue
            config = output.get("obs_config") or output.get("config")
            return config.get("obs_path") if config else None
        return None

    # when ---------------------------------------------------------------------------------------------------
    def when(self, phase: Phase) -> str | None:
        where = f"{phase.kind} step {phase.name!r}"
        parts = []
        scene = self.scene_expr([phase.name])
        if scene:
            parts.append(scene)
        for branch in phase.branches:
            cond_task = self.scope.task(branch.condition_step)
            parts.append(f"({cond_task}.status == 'Succeeded' && "
                         f"{cond_task}.outputs.parameters.condition == {quote(str(branch.when).lower())})")
        if phase.skip_conditions:
            # the skip policy takes precedence over the default rule (seed 4.5)
            skip = " && ".join(condition_expr(c, self.scope, where) for c in phase.skip_conditions)
            parts.append(f"!{skip}" if len(phase.skip_conditions) == 1 else f"!({skip})")
        rule = None if phase.skip_conditions or phase.branches else self.default_rule(phase.depends)
        # (a branch already requires its ConditionStep to have succeeded, which implies the rule)
        return join_when(rule, parts)

    def default_rule(self, depends: list[str]) -> str | None:
        if not depends:
            return None
        # simple tags, read by the when's govaluate (which takes a bare Succeeded as a string)
        return " || ".join("{{tasks." + self.task_names[d] + ".status}} == Succeeded" for d in depends)

    def scene_expr(self, steps: list[str]) -> str | None:
        if not self.graph.scenes:
            return None
        scenes = [name for name, members in self.graph.scenes.items() if set(steps) & set(members)]
        options = ", ".join(quote(s) for s in [ALL_SCENES, *scenes])
        return f"(workflow.parameters[{quote(SCENE_PARAM)}] in [{options}])"

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
        scene = self.scene_expr(users)
        when = join_when(self.default_rule(depends), [scene] if scene else [])
        templates[name] = t.input_template(name, param.name, param_value(param),
                                           param_description(param) or f"Value of {param.name}",
                                           [str(v) for v in param.enum] if param.enum else None)
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


def step_names(template: dict) -> dict[str, str]:
    """Argo task name -> ModelArts step name, read back from a compiled WorkflowTemplate."""
    phase_templates = {kind.template for kind in PHASE_TYPES.values()}
    names: dict[str, str] = {}
    for holder in template["spec"]["templates"]:
        for task in holder.get("dag", {}).get("tasks", []):
            if task["template"] not in phase_templates:
                continue
            arguments = {p["name"]: p.get("value", "") for p in task.get("arguments", {}).get("parameters", [])}
            found = SPEC_STEP_NAME.match(arguments.get("spec", "")) or \
                re.search(r'"wf2k8s.io/step-name":"((?:[^"\\]|\\.)*)"', arguments.get("manifest", ""))
            names[task["name"]] = json.loads(f'"{found.group(1)}"') if found else task["name"]
    return names


def refs_in(tree: Any) -> list[Any]:
    from wf2k8s.graph.model import walk

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
