"""Graph model -> Kubeflow Pipelines v2 pipeline, through the kfp SDK's DSL and compiler.

* every phase is a container component (``dsl.container_component``) running the wf2k8s runtime, in the
  runtime image or its engine image, with the same command line as on Argo, through a small adapter
  (``adapter.py``) for KFP's way of passing inputs and taking outputs; caching is off (phases have effects);
* an engine phase (JobStep, MrsJobStep) gets the runtime zipapp as an input artifact made by one task in the
  runtime image (Argo copies it with an init container, which KFP's DSL has not);
* placeholders and storage roots are typed pipeline parameters with their defaults;
* the run/skip rules are nested ``dsl.If/Else`` groups (``plan.py``);
* a flavor is the task's resource requests and limits (and accelerators); a flavor placeholder is read by a
  small task whose outputs set them when the run starts; a catalog image is resolved by the runtime's
  ``resolve`` command and set with ``set_container_image``.

What KFP cannot express is refused, one line naming the step and the feature (``unsupported``).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import keyword
import operator
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

from kfp import compiler as kfp_compiler
from kfp import dsl

from wf2k8s import contract
from wf2k8s._version import __version__
from wf2k8s.backends.splice import Raw, to_json
from wf2k8s.backends.kfp.plan import GateNode, Node, OutputTest, ParamTest, Planner, SplitNode, TaskNode
from wf2k8s.backends.kfp.unsupported import check_supported
from wf2k8s.contract.phases import Algorithm, ConditionPhase, ResolvePhase
from wf2k8s.contract.registry import BY_KIND, PhaseKind
from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import (
    Graph, MetricRef, OutputRef, Param, ParamRef, Phase, SelectRef, StorageRef, VariableRef, walk,
)



def compact_source(path: Path) -> str:
    """A module's code without its docstrings and comments: it is repeated in every component's command."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body.pop(0)
    return ast.unparse(tree)


ADAPTER = compact_source(Path(__file__).with_name("adapter.py"))
RUNTIME_ZIPAPP = "/opt/wf2k8s/wf2k8s-runtime.pyz"
#: what decides a JobStep's image (as on Argo); the job's own pod resolves the rest of the algorithm
IMAGE_FIELDS = ("engine", "id", "algorithm_id", "subscription_id", "item_version_id")
GPU = "nvidia.com/gpu"
FLAVOR_OUTPUTS = ("cpu", "memory", "gpu")
#: the KFP type of a placeholder's pipeline parameter (anything else, data placeholders included: str)
PARAMETER_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "json": dict, "flavor": dict,
                                    "list": list}
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def dns_name(name: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")


def identifier(name: str) -> str:
    """A name as a Python identifier (KFP's pipeline and component inputs are function parameters)."""
    text = re.sub(r"\W", "_", name)
    text = text if text[:1].isalpha() else f"p_{text}"
    return f"{text}_" if keyword.iskeyword(text) else text


@dataclasses.dataclass(frozen=True)
class PipelineParameter:
    param: Param
    #: the KFP name (an identifier); the runtime still gets the graph's name
    name: str
    annotation: type
    default: Any


def pipeline_parameters(graph: Graph) -> list[PipelineParameter]:
    found: list[PipelineParameter] = []
    owners: dict[str, str] = {}
    for param in graph.params.values():
        name = identifier(param.name)
        if name in owners:
            raise ValidationError(f"Placeholder {param.name!r}", f"Kubeflow Pipelines target: {owners[name]!r} and "
                                  f"{param.name!r} both become KFP parameter {name!r}: rename one")
        owners[name] = param.name
        annotation = PARAMETER_TYPES.get(param.type, str) if param.source == "placeholder" else str
        found.append(PipelineParameter(param, name, annotation, parameter_default(param, annotation)))
    return found


def parameter_default(param: Param, annotation: type) -> Any:
    """A placeholder's default as its KFP type; none: a run must give it (an optional one defaults to "")."""
    if not param.has_default:
        return inspect.Parameter.empty if param.required or annotation is not str else ""
    value = param.default
    if annotation is str and not isinstance(value, str):  # a data placeholder's object: JSON, as on Argo
        return json.dumps({k: v for k, v in value.items() if k != "kind"} if isinstance(value, dict) else value,
                          separators=(",", ":"))
    return value


def make_component(name: str, inputs: dict[str, Any], outputs: list[str],
                   build: Callable[[dict[str, Any]], dsl.ContainerSpec]) -> Any:
    """A ``dsl.container_component`` with the given inputs (name -> annotation) and str outputs, made from a
    function whose signature is generated: what the decorator reads is all KFP needs."""
    names = [*inputs, *outputs]
    annotations = [*inputs.items(), *((n, dsl.OutputPath(str)) for n in outputs)]
    parameters = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=a) for n, a in annotations]

    def body(*placeholders: Any) -> dsl.ContainerSpec:
        return build(dict(zip(names, placeholders, strict=True)))

    body.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    body.__name__ = name
    return dsl.container_component(body)


class Scope:
    """The tasks a branch sees: the phases that ran there and in the groups around it, and the shared tasks."""

    def __init__(self, params: dict[str, Any]):
        self.params = params
        self.tasks: dict[str, Any] = {}

    def child(self) -> "Scope":
        scope = Scope(self.params)
        scope.tasks = dict(self.tasks)
        return scope


class KfpCompiler:
    def __init__(self, graph: Graph, namespace: str = "wf2k8s", image_registry: str = "", image_tag: str = __version__):
        check_supported(graph)
        self.graph = graph
        self.namespace = namespace
        self.registry = image_registry.rstrip("/")
        self.tag = image_tag
        self.parameters = pipeline_parameters(graph)
        self.plan = Planner(graph).plan()
        # shared tasks, made once at the top of the pipeline: the runtime zipapp, image resolutions, flavors
        self.zipapp: Any = None
        self.resolvers: dict[str, Any] = {}
        self.flavors: dict[str, Any] = {}
        self.top = Scope({})

    def image(self, name: str) -> str:
        return f"{self.registry + '/' if self.registry else ''}wf2k8s/{name}:{self.tag}"

    # the document -----------------------------------------------------------------------------------------
    def compile(self) -> str:
        # a Python signature lists parameters without defaults first
        ordered = sorted(self.parameters, key=lambda p: p.default is not inspect.Parameter.empty)
        signature = inspect.Signature([inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                         annotation=p.annotation, default=p.default) for p in ordered])

        def pipeline(*channels: Any, **named: Any) -> None:
            # kfp calls it with every parameter's channel, by position
            top = Scope({**dict(zip([p.name for p in ordered], channels, strict=False)), **named})
            self.shared_tasks(self.plan, top)
            self.render(self.plan, top)

        pipeline.__signature__ = signature  # type: ignore[attr-defined]
        pipeline.__name__ = identifier(self.graph.name)
        compiled = dsl.pipeline(name=dns_name(self.graph.name), description=self.graph.description or None)(pipeline)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "pipeline.yaml"
            kfp_compiler.Compiler().compile(compiled, str(path))
            return path.read_text()

    def render(self, nodes: list[Node], scope: Scope) -> None:
        for node in nodes:
            if isinstance(node, TaskNode):
                scope.tasks[node.phase.name] = self.phase_task(node.phase, node.phase.spec, BY_KIND[node.phase.kind],
                                                               node.ran, scope)
            elif isinstance(node, GateNode):
                scope.tasks[gate_name(node.phase)] = self.gate_task(node.phase, node.ran, scope)
            else:
                self.render_split(node, scope)

    def render_split(self, node: SplitNode, scope: Scope) -> None:
        if not node.then and not node.otherwise:
            return
        if not node.then:  # an empty dsl.If is no group: the test turned round, alone
            with dsl.If(self.condition(node.test, scope, negate=True)):
                self.render(node.otherwise, scope.child())
            return
        with dsl.If(self.condition(node.test, scope)):
            self.render(node.then, scope.child())
        if node.otherwise:
            with dsl.Else():
                self.render(node.otherwise, scope.child())

    def condition(self, test: ParamTest | OutputTest, scope: Scope, negate: bool = False) -> Any:
        if isinstance(test, ParamTest):
            test = test.negated() if negate else test
            return COMPARISONS[test.op](scope.params[identifier(test.param)], test.value)
        output = scope.tasks[gate_name(self.graph.phase(test.step)) if test.gate else test.step].outputs["condition"]
        return output != "true" if negate else output == "true"

    # phase tasks ------------------------------------------------------------------------------------------
    def phase_task(self, phase: Phase, spec: Any, kind: PhaseKind, ran: frozenset[str], scope: Scope,
                   name: str | None = None, title: str | None = None) -> Any:
        producers = [s for s in dict.fromkeys(reads(spec)) if s in ran]
        results = {s: f"result_{identifier(s)}" for s in producers}
        used = used_parameters(self.graph, spec)
        engine = kind.runs_in == "engine"
        inputs: dict[str, Any] = {results[s]: str for s in producers}
        inputs.update({f"param_{identifier(p)}": self.annotation(p) for p in used})
        if engine:
            inputs["runtime_zipapp"] = dsl.Input[dsl.Artifact]
        flavor = self.flavor_of(phase) if spec is phase.spec else None
        if flavor is not None:
            # kfp's compiler carries a resource setting's task output into a dsl.If group only when the task also
            # takes it as an input: the flavor's values are inputs too (the command does not use them)
            inputs.update({f"flavor_{k}": str for k in FLAVOR_OUTPUTS})
        outputs = ["result", *kind.outputs]

        def build(placeholders: dict[str, Any]) -> dsl.ContainerSpec:
            encoded = contract.dump(spec, self.ref_writer(results, placeholders))
            program = ["--exec", "python3", "--exec", placeholders["runtime_zipapp"].path] if engine \
                else ["--exec", "wf2k8s-runtime"]
            arguments: list[Any] = ["run", *program]
            for output in outputs:
                file = "result.json" if output == "result" else output
                arguments += ["--output", file, placeholders[output]]
            for param in used:
                arguments += ["--parameter", param, self.graph.params[param].type,
                              placeholders[f"param_{identifier(param)}"]]
            arguments += ["--", kind.command, "--run", dsl.PIPELINE_JOB_NAME_PLACEHOLDER,
                          "--namespace", self.namespace, "--spec", to_json(encoded)]
            return dsl.ContainerSpec(image=self.kind_image(kind), command=["python3", "-c", ADAPTER], args=arguments)

        component = make_component(name or dns_name(phase.name), inputs, outputs, build)
        arguments = {results[s]: scope.tasks[s].outputs["result"] for s in producers}
        arguments.update({f"param_{identifier(p)}": scope.params[identifier(p)] for p in used})
        if engine:
            arguments["runtime_zipapp"] = self.runtime_zipapp().outputs["zipapp"]
        if flavor is not None:
            arguments.update({f"flavor_{k}": self.flavors[flavor].outputs[k] for k in FLAVOR_OUTPUTS})
        task = component(**arguments)
        task.set_display_name(title or phase.name)
        task.set_caching_options(False)
        for step in dict.fromkeys(phase.depends):
            if step in ran and step not in producers:
                task.after(scope.tasks[step])
        if phase.kind == "job" and spec is phase.spec:
            self.job_settings(phase, task, scope)
        return task

    @staticmethod
    def flavor_of(phase: Phase) -> str | None:
        """The flavor placeholder of a JobStep, if its flavor is one."""
        flavor = phase.spec.spec.resource.flavor if phase.kind == "job" else None
        return flavor.name if isinstance(flavor, ParamRef) else None

    def kind_image(self, kind: PhaseKind) -> str:
        return self.image(kind.default_engine_image or "runtime") if kind.runs_in == "engine" else self.image("runtime")

    def annotation(self, param: str) -> type:
        return next(p.annotation for p in self.parameters if p.param.name == param)

    def ref_writer(self, results: dict[str, str], placeholders: dict[str, Any]) -> Callable[[Any, Callable], Any]:
        """References as the runtime reads them: another step's result spliced in as the raw JSON KFP substitutes
        for the input holding it (null for a step that did not run in this branch); parameters by name."""
        def produced(step: str) -> Any:
            return Raw(str(placeholders[results[step]])) if step in results else None

        def write(ref: Any, dump: Callable[[Any], Any]) -> Any:
            if isinstance(ref, OutputRef):
                ref = dataclasses.replace(ref, result=produced(ref.step))
            elif isinstance(ref, (VariableRef, MetricRef)):
                ref = dataclasses.replace(ref, result=produced(ref.step))
            elif isinstance(ref, SelectRef):
                ref = SelectRef(tuple(dataclasses.replace(o, result=produced(o.step)) for o in ref.options))
            return contract.refs.dump_ref(ref, dump)

        return write

    def gate_task(self, phase: Phase, ran: frozenset[str], scope: Scope) -> Any:
        """The runtime's condition command on a phase's skip conditions: ``condition`` true skips the phase."""
        spec = ConditionPhase(step=gate_name(phase), title=f"skip conditions of {phase.name}",
                              policy=phase.spec.policy, conditions=list(phase.skip_conditions))
        return self.phase_task(phase, spec, BY_KIND["condition"], ran, scope, name=gate_name(phase),
                               title=f"{phase.name}: skip conditions")

    def shared_tasks(self, nodes: list[Node], top: Scope) -> None:
        """The tasks branches share, made first at the top level (a task inside a dsl.If could not be read from
        another branch): the runtime zipapp, each image resolution and each flavor placeholder's reading."""
        self.top = top
        for node in nodes:
            if isinstance(node, SplitNode):
                self.shared_tasks(node.then + node.otherwise, top)
                continue
            kind = BY_KIND[node.phase.kind] if isinstance(node, TaskNode) else BY_KIND["condition"]
            if kind.runs_in == "engine":
                self.runtime_zipapp()
            if isinstance(node, TaskNode) and node.phase.kind == "job":
                engine = node.phase.spec.algorithm.engine
                if engine is None or engine.image_url is None:
                    self.resolver(node.phase)
                flavor = node.phase.spec.spec.resource.flavor
                if isinstance(flavor, ParamRef):
                    self.flavor_task(flavor.name, node.phase)

    # JobStep: image and resources -------------------------------------------------------------------------
    def job_settings(self, phase: Phase, task: Any, scope: Scope) -> None:
        engine = phase.spec.algorithm.engine
        if engine is not None and engine.image_url is not None:
            image = engine.image_url
            task.set_container_image(scope.params[identifier(image.name)] if isinstance(image, ParamRef) else image)
        else:  # official engines, algorithm ids and subscriptions: the catalog decides when the run starts
            task.set_container_image(self.resolver(phase).outputs["image"])
        flavor = phase.spec.spec.resource.flavor
        if isinstance(flavor, ParamRef):
            outputs = self.flavors[flavor.name].outputs
            cpu, memory, gpu = outputs["cpu"], outputs["memory"], outputs["gpu"]
            task.set_accelerator_type(GPU).set_accelerator_limit(gpu)
        else:
            cpu, memory, gpu = str(flavor.get("cpu", "")), str(flavor.get("memory", "")), flavor.get(GPU)
            if gpu is not None:
                task.set_accelerator_type(GPU).set_accelerator_limit(str(gpu))
        if cpu != "":
            task.set_cpu_request(cpu).set_cpu_limit(cpu)
        if memory != "":
            task.set_memory_request(memory).set_memory_limit(memory)

    def runtime_zipapp(self) -> Any:
        """The runtime zipapp (standard library only) as an artifact, for the engine images to run."""
        if self.zipapp is None:
            def build(placeholders: dict[str, Any]) -> dsl.ContainerSpec:
                return dsl.ContainerSpec(image=self.image("runtime"), command=["sh", "-c"], args=[
                    'mkdir -p "$(dirname "$1")" && cp "$0" "$1"', RUNTIME_ZIPAPP, placeholders["zipapp"].path])

            component = make_component("wf2k8s-runtime-zipapp", {"zipapp": dsl.Output[dsl.Artifact]}, [], build)
            self.zipapp = component().set_display_name("wf2k8s runtime").set_caching_options(False)
        return self.zipapp

    def resolver(self, phase: Phase) -> Any:
        """One ``resolve`` task per distinct engine or algorithm, shared by every JobStep using it."""
        algorithm = Algorithm(**{k: getattr(phase.spec.algorithm, k) for k in IMAGE_FIELDS})
        key = json.dumps(contract.dump(algorithm), sort_keys=True)
        if key not in self.resolvers:
            name = f"resolve-image-{len(self.resolvers) + 1}"
            spec = ResolvePhase(step=name, for_step=phase.name, algorithm=algorithm)
            self.resolvers[key] = self.phase_task(phase, spec, BY_KIND["resolve"], frozenset(), self.top,
                                                  name=name, title=name)
        return self.resolvers[key]

    def flavor_task(self, param: str, phase: Phase) -> Any:
        """One task per flavor placeholder: its run value as the cpu, memory and GPU count the jobs' resources take."""
        if param not in self.flavors:
            def build(placeholders: dict[str, Any]) -> dsl.ContainerSpec:
                return dsl.ContainerSpec(image=self.image("runtime"), command=["python3", "-c", ADAPTER], args=[
                    "flavor", phase.name, placeholders["flavor"], placeholders["cpu"], placeholders["memory"],
                    placeholders["gpu"]])

            component = make_component(f"flavor-{dns_name(param)}", {"flavor": dict}, list(FLAVOR_OUTPUTS), build)
            task = component(flavor=self.top.params[identifier(param)])
            self.flavors[param] = task.set_display_name(f"flavor {param}").set_caching_options(False)
        return self.flavors[param]


def gate_name(phase: Phase) -> str:
    return f"{dns_name(phase.name)}-skip-conditions"


def reads(spec: Any) -> list[str]:
    """The steps whose results a spec reads (outputs, metrics, variables, selected outputs)."""
    found: list[Any] = []
    walk(spec, found)
    return [r.step for r in found if isinstance(r, (OutputRef, MetricRef, VariableRef))]


def used_parameters(graph: Graph, spec: Any) -> list[str]:
    """The run parameters a spec reads: placeholders and storage roots, in the graph's order."""
    found: list[Any] = []
    walk(spec, found)
    names = {r.name for r in found if isinstance(r, ParamRef)} | {r.storage for r in found if isinstance(r, StorageRef)}
    return [n for n in graph.params if n in names]


def compile_graph(graph: Graph, **options: Any) -> str:
    """The KFP pipeline YAML of a graph (what the KFP UI and ``kfp.Client().upload_pipeline`` take)."""
    return KfpCompiler(graph, **options).compile()
