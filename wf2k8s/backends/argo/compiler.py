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
from wf2k8s.backends.argo.phases import PHASE_TYPES, RESOLVER, Task
from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import Graph, OutputRef, Param, ParamRef, Phase

API_VERSION = "argoproj.io/v1alpha1"
SCENE_PARAM = "wf2k8s-scene"
ALL_SCENES = "all"
SERVICE_ACCOUNT = "wf2k8s-runner"
DEFAULT_NAMESPACE = "wf2k8s"
STEP_NAMES_ANNOTATION = "wf2k8s.io/step-names"


def dns_name(name: str) -> str:
    """A ModelArts name as an Argo/Kubernetes name: lower case, ``_`` as ``-``."""
    return re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")


def param_value(param: Param) -> str | None:
    if not param.has_default:
        return None if param.required else ""
    value = param.default
    if param.source == "data":
        return value.get("obs_path") if isinstance(value, dict) and value.get("kind") == "obs_path" \
            else json.dumps({k: v for k, v in value.items() if k != "kind"}, separators=(",", ":"))
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


class ArgoCompiler:
    def __init__(self, graph: Graph, namespace: str = DEFAULT_NAMESPACE, image_registry: str = "",
                 image_tag: str = __version__):
        self.graph = graph
        self.namespace = namespace
        self.images = t.Images(image_registry, image_tag)
        self.name = dns_name(graph.name)
        self.task_names = self.name_tasks()
        self.scope = Scope(graph.params, self.task_names.__getitem__, self.input_task_name, self.name)
        self.delayed = {name: p for name, p in graph.params.items() if p.delay}

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
            raise ValidationError(f"Workflow {self.graph.name!r} > steps",
                                  f"step {self.reserved[name]!r} has the name wf2k8s gives to {owner}; rename it")
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
        for name, template in templates.items():
            if name == "main":
                raise AssertionError
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
            STEP_NAMES_ANNOTATION: json.dumps({self.task_names[p.name]: p.name for p in self.graph.phases},
                                              separators=(",", ":")),
            "wf2k8s.io/version": __version__,
        }
        document = m.WorkflowTemplate(
            api_version=API_VERSION, kind="WorkflowTemplate",
            metadata=m.ObjectMeta(name=self.name, namespace=self.namespace or None,
                                  labels={"app.kubernetes.io/managed-by": "wf2k8s"}, annotations=annotations),
            spec=spec,
        )
        return document.model_dump(by_alias=True, exclude_none=True, mode="json")

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
        kind = PHASE_TYPES[phase.kind]
        task = kind.arguments(phase, self.scope, self.images) if kind.arguments else Task(kind.template)
        self.ensure_template(kind.template, templates)
        name = self.task_names[phase.name]
        depends = [self.task_names[d] for d in phase.depends]
        depends += [self.input_task_name(p) for p, users in consumers.items() if phase.name in users]
        when = self.when(phase)
        emitted = []
        arguments = dict(task.arguments)
        if kind.command is not None:
            arguments = {"spec": to_json(self.spec(phase, task)), **arguments}
        if phase.max_execution_minutes != 10080 and kind.command is not None:
            arguments["timeout-seconds"] = str(int(phase.max_execution_minutes * 60))
        if task.resolver:
            resolver = self.claim(f"{name}-resolve", f"the image resolution of step {phase.name!r}")
            self.ensure_template(RESOLVER.template, templates)
            emitted.append(self.dag_task(resolver, RESOLVER.template, depends, when,
                                         {"spec": to_json({"step": self.step_info(phase),
                                                           "algorithm": self.encode(phase.config["algorithm"])})}))
            arguments["image"] = "{{tasks." + resolver + ".outputs.parameters.image}}"
            depends = [*depends, resolver]
        emitted.append(self.dag_task(name, task.template, depends, when, arguments))
        return emitted

    def dag_task(self, name: str, template: str, depends: list[str], when: str | None,
                 arguments: dict[str, str]) -> m.DAGTask:
        return m.DAGTask(
            name=name, template=template, dependencies=depends or None, when=when,
            arguments=m.Arguments(parameters=[m.Parameter(name=k, value=v) for k, v in arguments.items()]),
        )

    def ensure_template(self, name: str, templates: dict) -> None:
        if name in templates:
            return
        if name == "job":
            templates[name] = t.job_template(self.images)
        elif name == "mrs-job":
            templates[name] = t.spark_template()
        else:
            kind = RESOLVER if name == RESOLVER.template else next(
                k for k in PHASE_TYPES.values() if k.template == name)
            templates[name] = t.runtime_template(name, kind.command, self.images, kind.outputs,
                                                 catalog=name in ("resolve", "model"))

    def step_info(self, phase: Phase) -> dict:
        info: dict[str, Any] = {"name": phase.name, "kind": phase.kind, "run": "{{workflow.name}}"}
        if phase.title != phase.name:
            info["title"] = phase.title
        if phase.poll_interval_seconds != 1:
            info["poll_interval_seconds"] = phase.poll_interval_seconds
        if phase.max_execution_minutes != 10080:
            info["max_execution_minutes"] = phase.max_execution_minutes
        return info

    def spec(self, phase: Phase, task: Task) -> dict:
        spec: dict[str, Any] = {"step": self.step_info(phase), "config": self.encode(phase.config)}
        if task.resolver:
            resolver = self.task_names[phase.name] + "-resolve"
            from wf2k8s.backends.argo.expressions import Raw

            spec["resolved"] = Raw("{{tasks." + resolver + ".outputs.parameters.result}}")
        return spec

    def encode(self, value: Any) -> Any:
        return encode(value, self.scope, self.declared_location)

    def declared_location(self, ref: OutputRef) -> Any:
        """Where the producing step's output is configured to go, if the configuration says so."""
        producer = self.graph.phase(ref.step)
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
            parts.append(f"!({skip})")
        elif not phase.branches:
            # (a branch already requires its ConditionStep to have succeeded, which implies the rule)
            rule = self.default_rule(phase.depends)
            if rule:
                parts.append(rule)
        return "{{=" + " && ".join(parts) + "}}" if parts else None

    def default_rule(self, depends: list[str]) -> str | None:
        if not depends:
            return None
        return "(" + " || ".join(self.scope.succeeded(d) for d in depends) + ")"

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
        parts = [p for p in (self.scene_expr(users), self.default_rule(depends)) if p]
        when = "{{=" + " && ".join(parts) + "}}" if parts else None
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
