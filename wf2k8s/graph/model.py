"""The validated graph model: what every backend compiles.

It knows no SDK class and no Argo object. Phase configurations are JSON-like trees
whose leaves may be *references* (the classes below) to values only known when a
run starts or while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


# parameters -------------------------------------------------------------------------------------


@dataclass
class Param:
    """A value set per run: a placeholder, a data placeholder, or a storage root."""

    name: str
    #: "placeholder", "data" or "storage"
    source: str
    #: placeholder: int|str|bool|float|enum|json|list; data: dataset|obs|label_task|service|swr|
    #: service_input|data_selector; storage: "storage"
    type: str
    default: Any = None
    has_default: bool = False
    enum: list | None = None
    description: str | None = None
    delay: bool = False
    required: bool = True
    format: str | None = None
    #: what the runtime needs besides the value (object_type, model_name, ...), JSON-like
    details: dict = field(default_factory=dict)


# references: leaves of a phase configuration ----------------------------------------------------


@dataclass(frozen=True)
class ParamRef:
    name: str


@dataclass(frozen=True)
class SystemRef:
    """A value of the run itself: EXECUTION_ID, WORKFLOW_NAME or NAMESPACE."""

    name: str


@dataclass(frozen=True)
class StorageRef:
    """``<root of storage>[/<execution id>]/<path>``."""

    storage: str
    path: str
    with_execution_id: bool
    create_dir: bool


@dataclass(frozen=True)
class OutputRef:
    step: str
    output: str


@dataclass(frozen=True)
class VariableRef:
    """A value a step outputs while it runs (``access_address``, ...)."""

    step: str
    output: str
    variable: str


@dataclass(frozen=True)
class MetricRef:
    """A float metric of a JobStep output, by key."""

    step: str
    output: str
    key: str


@dataclass(frozen=True)
class SelectRef:
    """The output of whichever of ``options`` ran (DataConsumptionSelector)."""

    options: tuple[OutputRef, ...]


Reference = Union[ParamRef, SystemRef, StorageRef, OutputRef, VariableRef, MetricRef, SelectRef]
REFERENCE_TYPES = (ParamRef, SystemRef, StorageRef, OutputRef, VariableRef, MetricRef, SelectRef)

OPERATORS = ("==", ">", ">=", "in", "<", "<=", "!=", "or")


@dataclass(frozen=True)
class Cond:
    """``left <op> right``; for ``or`` both sides are Cond. Operands: literals, lists, ParamRef, MetricRef."""

    op: str
    left: Any
    right: Any


# the graph ------------------------------------------------------------------------------------------


@dataclass
class Branch:
    """The phase runs only if ConditionStep ``condition_step`` evaluated to ``when``."""

    condition_step: str
    when: bool


@dataclass
class Phase:
    name: str
    #: job, model, service, condition, create_dataset, labeling, dataset_import, release_dataset, mrs_job
    kind: str
    title: str
    description: str | None
    config: dict
    #: every phase this one waits for: declared ones and those whose outputs it reads
    depends: list[str] = field(default_factory=list)
    #: the subset of ``depends`` the user declared with depend_steps (they drive the default skip rule)
    declared_depends: list[str] = field(default_factory=list)
    skip_conditions: list[Cond] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    poll_interval_seconds: float = 1
    max_execution_minutes: float = 10080


@dataclass
class Graph:
    name: str
    description: str
    #: in topological order
    phases: list[Phase]
    params: dict[str, Param]
    #: scene name -> names of its phases
    scenes: dict[str, list[str]] = field(default_factory=dict)

    def phase(self, name: str) -> Phase:
        for phase in self.phases:
            if phase.name == name:
                return phase
        raise KeyError(name)

    def references(self, phase: Phase) -> list[Any]:
        """Every reference in the phase's configuration, skip conditions included."""
        found: list[Any] = []
        walk(phase.config, found)
        for cond in phase.skip_conditions:
            walk(cond, found)
        return found


def walk(value: Any, found: list[Any]) -> None:
    if isinstance(value, REFERENCE_TYPES):
        found.append(value)
        if isinstance(value, SelectRef):
            found.extend(value.options)
    elif isinstance(value, Cond):
        walk(value.left, found)
        walk(value.right, found)
    elif isinstance(value, dict):
        for item in value.values():
            walk(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            walk(item, found)
