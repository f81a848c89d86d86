"""SDK objects -> the validated graph model.

Everything about the pipeline as a whole is checked here: step names, parameters,
references between steps, branches, scenes and cycles.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any

from wf2k8s import contract
from wf2k8s.contract.phases import GalleryModel, ModelData, SWRImage
from wf2k8s.contract.support import MODEL_TYPES_NOT_SERVED
from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import (
    Branch, Cond, Graph, MetricRef, OutputRef, Param, ParamRef, Phase, SelectRef, StorageRef, SystemRef,
    VariableRef,
)
from wf2k8s.sdk._spec import Spec, children
from wf2k8s.sdk.data import Consumption, DataConsumptionSelector, DataPlaceholder
from wf2k8s.sdk import data as data_module
from wf2k8s.sdk.placeholder import Placeholder, SystemEnv
from wf2k8s.sdk.steps.base import OutputVariable, Step, StepPolicy
from wf2k8s.sdk.steps.condition import Condition, ConditionStep, MetricInfo
from wf2k8s.sdk.storage import Storage, StoragePath

#: parameter names the backends use themselves
RESERVED_PARAM_PREFIX = "wf2k8s-"

#: SDK objects that are one of several shapes a field may hold (what an input's ``data`` can be, a
#: service output's configuration) carry their kind in the spec (the contract classes' KIND)
_KINDED_CLASSES = (data_module.Dataset, data_module.LabelTask, data_module.ServiceData,
                   data_module.SWRImage, data_module.GalleryModel, data_module.ModelData,
                   data_module.TripartiteServiceConfig)


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z][a-z])", r"_\1\2", name).lower()


class GraphBuilder:
    def __init__(self, workflow: Any):
        self.workflow = workflow
        self.where = workflow.label()
        self.params: dict[str, Param] = {}
        self.param_owners: dict[str, Any] = {}
        self.steps: list[Step] = []

    # entry -------------------------------------------------------------------------------------
    def build(self) -> Graph:
        self.steps = self.collect_steps()
        by_name: dict[str, Step] = {}
        for step in self.steps:
            if step.name in by_name:
                raise ValidationError(f"{self.where} > steps",
                                      f"two steps are named {step.name!r}; step names must be unique in a workflow")
            by_name[step.name] = step
        self.by_name = by_name
        for i, storage in enumerate(self.workflow.storages or []):
            self.add_storage(storage, at(at(self.where, "storages"), i))
        phases = [self.lower_step(step) for step in self.steps]
        self.add_branches(phases)
        ordered = self.topological(phases)
        check_deployments(ordered)
        scenes = self.scenes()
        return Graph(name=self.workflow.name, description=self.workflow.desc, phases=ordered,
                     params=self.params, scenes=scenes)

    def collect_steps(self) -> list[Step]:
        """The workflow's steps, then any step they reference that the list left out."""
        found: list[Step] = []
        seen: set[int] = set()

        def add(step: Step) -> None:
            if id(step) in seen:
                return
            seen.add(id(step))
            found.append(step)

        for step in self.workflow.all_steps():
            add(step)
        i = 0
        while i < len(found):
            for dep in referenced_steps(found[i]):
                add(dep)
            i += 1
        return found

    # parameters ----------------------------------------------------------------------------------
    def register(self, param: Param, owner: Any, definition: tuple[Any, ...], where: str) -> None:
        if param.name.startswith(RESERVED_PARAM_PREFIX):
            raise ValidationError(where, f"names starting with {RESERVED_PARAM_PREFIX!r} are reserved, "
                                  f"got {param.name!r}")
        known = self.param_owners.get(param.name)
        if known is None:
            self.params[param.name] = param
            self.param_owners[param.name] = (owner, definition)
            return
        other, other_definition = known
        if other is owner or other_definition == definition:
            return
        same = "another definition" if type(other) is type(owner) and kind_of(other) == kind_of(owner) else \
            f"a {kind_of(other)}, not a {kind_of(owner)}"
        raise ValidationError(where, f"{owner.label()} has the name of {other.label()} ({same}); "
                              "names of placeholders and storages must be unique in a workflow")

    def add_placeholder(self, placeholder: Placeholder, where: str) -> ParamRef | SystemRef:
        if isinstance(placeholder, SystemEnv):
            # the pipeline's own name is known now; the run's name and namespace only when it runs
            return SystemRef(placeholder.name, self.workflow.name if placeholder.name == "WORKFLOW_NAME" else None)
        ptype = placeholder.placeholder_type.value
        param = Param(name=placeholder.name, source="placeholder", type=ptype, default=placeholder.default,
                      has_default=placeholder.default is not None, enum=placeholder.enum_list,
                      description=placeholder.description, delay=placeholder.delay,
                      required=placeholder.required, format=placeholder.placeholder_format)
        self.register(param, placeholder, placeholder.definition(), where)
        return ParamRef(placeholder.name, ptype)

    def add_data_placeholder(self, placeholder: DataPlaceholder, where: str) -> ParamRef:
        details = {}
        default = None
        for f in dataclasses.fields(placeholder):  # type: ignore[arg-type]
            if f.name in ("name", "delay"):
                continue
            value = getattr(placeholder, f.name)
            if f.name == "default":
                default = self.lower(value, at(where, "default")) if value is not None else None
            elif value is not None:
                details[f.name] = self.lower(value, at(where, f.name))
        param = Param(name=placeholder.name, source="data", type=placeholder.data_kind, default=default,
                      has_default=default is not None, delay=getattr(placeholder, "delay", False),
                      description=data_description(placeholder), details=details)
        self.register(param, placeholder, placeholder.definition(), where)
        return ParamRef(placeholder.name, placeholder.data_kind, details or None)

    def add_storage(self, storage: Storage, where: str | None = None) -> None:
        param = Param(name=storage.name, source="storage", type="storage",
                      description=storage.description or f"Root path of storage {storage.title or storage.name}"
                      f" (obs://bucket/dir/ or /bucket/dir/)",
                      details={"create_dir": storage.create_dir, "with_execution_id": storage.with_execution_id})
        self.register(param, storage, ("storage", *storage.definition()), where or f"{self.where} > storages")

    # lowering -------------------------------------------------------------------------------------
    def lower_step(self, step: Step) -> Phase:
        where = step.label()
        config = {key: self.lower(value, at(where, key)) for key, value in step.config().items()}
        config = {k: v for k, v in config.items() if v is not None}
        spec = self.phase_spec(step, config, where)
        declared = unique([dep.name for dep in step.depend_steps or []])
        implicit = [ref.step for ref in refs_to_steps(config)]
        policy = step.policy
        skip = [self.lower(c, at(where, f"policy.skip_conditions[{i}]"))
                for i, c in enumerate((policy.skip_conditions if policy else None) or [])]
        implicit += [ref.step for ref in refs_to_steps(skip)]
        for name in declared + implicit:
            if name not in self.by_name:
                raise ValidationError(where, f"depends on step {name!r}, which is not in the workflow")
            if name == step.name:
                raise ValidationError(where, "cannot depend on itself")
        return Phase(name=step.name, kind=step.step_type, spec=spec, depends=unique(declared + implicit),
                     declared_depends=declared, skip_conditions=skip)

    def phase_spec(self, step: Step, config: dict[str, Any], where: str) -> Any:
        """The step as its typed phase contract, every default written out."""
        policy = step.policy or StepPolicy()
        header = {"step": step.name, "title": step.title or step.name, "description": step.description,
                  "policy": {"poll_interval_seconds": number(policy.poll_interval_seconds),
                             "max_execution_minutes": number(policy.max_execution_minutes)}}
        try:
            return contract.load(contract.phase_class(step.step_type),
                                 {k: v for k, v in {**header, **config}.items() if v is not None}, "")
        except contract.ContractError as problem:  # the SDK let through what the contract cannot carry
            raise ValidationError(where, str(problem)) from None

    def lower(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, enum.Enum):
            return value.name
        if isinstance(value, Placeholder):
            return self.add_placeholder(value, where)
        if isinstance(value, DataPlaceholder):
            return self.add_data_placeholder(value, where)
        if isinstance(value, StoragePath):
            self.add_storage(value.storage, where)
            return StorageRef(value.storage.name, value.relative_path(), bool(value.with_execution_id),
                              bool(value.create_dir))
        if isinstance(value, data_module.OBSPath):  # an OBS path is its path (a string or a storage path)
            return self.lower(value.obs_path, at(where, "obs_path"))
        if isinstance(value, Storage):
            self.add_storage(value, where)
            return StorageRef(value.name, "", value.with_execution_id, value.create_dir)
        if isinstance(value, Consumption):
            return self.output_ref(value, where)
        if isinstance(value, DataConsumptionSelector):
            return SelectRef(tuple(self.output_ref(c, where) for c in value.data_list))
        if isinstance(value, OutputVariable):
            self.check_output(value.step, value.output_name, where)
            return VariableRef(value.step.name, value.output_name, value.variable)
        if isinstance(value, MetricInfo):
            ref = self.output_ref(value.input_data, where)
            return MetricRef(ref.step, ref.output, value.json_key)
        if isinstance(value, Condition):
            return Cond(value.condition_type.value, self.lower(value.left, at(where, "left")),
                        self.lower(value.right, at(where, "right")))
        if isinstance(value, Step):
            return value.name
        if isinstance(value, dict):
            return {str(k): self.lower(v, at(where, str(k))) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.lower(v, at(where, i)) for i, v in enumerate(value)]
        if isinstance(value, Spec):
            # every field that has a value, defaults included: the runtime knows no SDK default
            lowered = {f.name: self.lower(getattr(value, f.name), at(where, f.name))
                       for f in dataclasses.fields(value)  # type: ignore[arg-type]
                       if getattr(value, f.name) is not None and not f.name.startswith("_")}
            if isinstance(value, _KINDED_CLASSES):
                lowered = {"kind": snake(type(value).__name__), **lowered}
            return lowered
        raise ValidationError(where, f"cannot use a {type(value).__name__} here")

    def output_ref(self, consumption: Consumption, where: str) -> OutputRef:
        self.check_output(consumption.step, consumption.output_name, where)
        return OutputRef(consumption.step.name, consumption.output_name)

    def check_output(self, step: Any, output: str, where: str) -> None:
        if not isinstance(step, Step):
            raise ValidationError(where, f"reads an output of {step!r}, which is not a step")
        if not any(o.name == output for o in getattr(step, "outputs", None) or []):
            raise ValidationError(where, f"reads output {output!r} of step {step.name!r}, which has no such output")

    # branches, order, scenes ---------------------------------------------------------------------------
    def add_branches(self, phases: list[Phase]) -> None:
        by_name = {p.name: p for p in phases}
        for step in self.steps:
            if not isinstance(step, ConditionStep):
                continue
            for field_name, when in (("if_then_steps", True), ("else_then_steps", False)):
                for i, target in enumerate(getattr(step, field_name) or []):
                    phase = by_name.get(target)
                    if phase is None:
                        known = ", ".join(sorted(by_name))
                        raise ValidationError(f"{step.label()} > {field_name}[{i}]",
                                              f"names step {target!r}, which is not in the workflow (steps: {known})")
                    if target == step.name:
                        raise ValidationError(f"{step.label()} > {field_name}[{i}]", "cannot name the step itself")
                    phase.branches.append(Branch(step.name, when))
                    if step.name not in phase.depends:
                        phase.depends.append(step.name)

    def topological(self, phases: list[Phase]) -> list[Phase]:
        by_name = {p.name: p for p in phases}
        state: dict[str, int] = {}
        order: list[Phase] = []

        def visit(name: str, trail: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = trail[trail.index(name):] + [name]
                raise ValidationError(f"{self.where} > steps", "the steps form a cycle: " + " -> ".join(cycle))
            state[name] = 1
            for dep in by_name[name].depends:
                visit(dep, trail + [name])
            state[name] = 2
            order.append(by_name[name])

        for phase in phases:
            visit(phase.name, [])
        return order

    def scenes(self) -> dict[str, list[str]]:
        policy = self.workflow.policy
        result: dict[str, list[str]] = {}
        for i, scene in enumerate((policy.scenes if policy else None) or []):
            names = []
            for j, step in enumerate(scene.scene_steps):
                if step.name not in self.by_name or self.by_name[step.name] is not step:
                    raise ValidationError(f"{self.where} > policy.scenes[{i}].scene_steps[{j}]",
                                          f"step {step.name!r} is not in the workflow")
                names.append(step.name)
            result[scene.scene_name] = unique(names)
        return result


def number(value: Any) -> int | float:
    """A policy's number as written (the SDK also takes its text, "30")."""
    found = float(value)
    return int(found) if found.is_integer() else found


def at(where: str, key: str | int) -> str:
    """``where`` one level down: a field name or a list index."""
    part = f"[{key}]" if isinstance(key, int) else str(key)
    if " > " not in where:
        return f"{where} > {part}"
    return f"{where}{part}" if isinstance(key, int) else f"{where}.{part}"


def kind_of(owner: Any) -> str:
    if isinstance(owner, Placeholder):
        return f"{owner.placeholder_type.name} placeholder"
    if isinstance(owner, DataPlaceholder):
        return type(owner).__name__
    return "storage"


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def refs_to_steps(tree: Any) -> list[Any]:
    from wf2k8s.graph.model import walk

    found: list[Any] = []
    walk(tree, found)
    return [r for r in found if isinstance(r, (OutputRef, VariableRef, MetricRef))]


def referenced_steps(step: Step) -> list[Step]:
    """Steps this one names through depend_steps or reads outputs of."""
    found: list[Step] = list(step.depend_steps or [])

    def visit(value: Any) -> None:
        if isinstance(value, (Consumption, OutputVariable)):
            found.append(value.step)
        elif isinstance(value, MetricInfo):
            found.append(value.input_data.step)
        elif not isinstance(value, (Step, Placeholder, DataPlaceholder, Storage, StoragePath)):
            for item in children(value):
                visit(item)

    visit(step.config())
    if step.policy is not None:
        visit(step.policy.skip_conditions)
    return [s for s in found if isinstance(s, Step)]


DATA_DESCRIPTIONS = {
    "dataset": 'Dataset as JSON: {"dataset_name": "...", "version_name": "..."}',
    "obs": "OBS path (obs://bucket/key or /bucket/key)",
    "label_task": 'Labeling job as JSON: {"dataset_name": "...", "task_name": "..."}',
    "service": "Name of the service (InferenceService) to update",
    "swr": "Container image (organization/image:tag)",
    "service_input": 'Models to deploy, as JSON: [{"model_name": "...", "model_version": "...", '
                     '"specification": "...", "weight": 100}]; weights sum to 100, one model name, distinct versions',
    "data_selector": 'OBS path, or a dataset as JSON: {"dataset_name": "...", "version_name": "..."}',
}


def data_description(placeholder: DataPlaceholder) -> str:
    text = DATA_DESCRIPTIONS[placeholder.data_kind]
    object_type = getattr(placeholder, "object_type", None)
    if object_type:
        text += f" ({object_type})"
    return text


def check_deployments(phases: list[Phase]) -> None:
    """A ServiceStep that deploys the version a ModelStep of the same workflow registers (the same literal name,
    and the same literal version or the latest after it) with a literal model type no server here serves and no
    image to run: refused now rather than when the deploy starts (contract/support.py says why and what to do)."""
    by_name = {p.name: p for p in phases}

    def before(phase: Phase) -> set[str]:
        found, stack = set(), list(phase.depends)
        while stack:
            name = stack.pop()
            if name not in found:
                found.add(name)
                stack.extend(by_name[name].depends)
        return found

    for service in (p for p in phases if p.kind == "service"):
        for i, entry in enumerate(service.spec.inputs):
            data = entry.data
            if not isinstance(data, ModelData) or not isinstance(data.model_name, str):
                continue
            for model in (p for p in phases if p.kind == "model"):
                if any(isinstance(x.data, (SWRImage, GalleryModel)) or
                       (isinstance(x.data, ParamRef) and x.data.type == "swr") for x in model.spec.inputs):
                    continue  # served from its image, whatever its type
                for output in model.spec.outputs:
                    config = output.model_config
                    same_version = data.model_version == config.model_version if data.model_version is not None \
                        else model.name in before(service)
                    # a template's image comes from the cluster's catalog when the step runs: not known here
                    if config.model_name == data.model_name and same_version and config.template is None and \
                            config.model_type in MODEL_TYPES_NOT_SERVED:
                        raise ValidationError(
                            f"ServiceStep {service.name!r} > inputs[{i}].data",
                            f"deploys model {data.model_name!r}, which ModelStep {model.name!r} registers as "
                            f"{config.model_type}: {MODEL_TYPES_NOT_SERVED[config.model_type]}")


def build_graph(workflow: Any) -> Graph:
    return GraphBuilder(workflow).build()
