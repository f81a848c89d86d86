"""The validated graph model: what every backend compiles.

It knows no SDK class and no Argo object. Each phase holds its spec as the typed phase
contract (``wf2k8s.contract.phases``), whose leaves may be *references* (``wf2k8s.contract.refs``)
to values only known when a run starts or while it runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# the graph's leaves are the contract's references (re-exported for the backends)
from wf2k8s.contract.refs import (  # noqa: F401
    OPERATORS, REFERENCE_TYPES, Cond, MetricRef, OutputRef, ParamRef, Ref, SelectRef, StorageRef, SystemRef,
    VariableRef,
)

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
    enum: list[Any] | None = None
    description: str | None = None
    delay: bool = False
    required: bool = True
    format: str | None = None
    #: what the runtime needs besides the value (object_type, model_name, ...), JSON-like
    details: dict[str, Any] = field(default_factory=dict)


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
    #: what the phase does, as the typed contract its runtime reads (wf2k8s.contract.phases)
    spec: Any
    #: every phase this one waits for: declared ones and those whose outputs it reads
    depends: list[str] = field(default_factory=list)
    #: the subset of ``depends`` the user declared with depend_steps (they drive the default skip rule)
    declared_depends: list[str] = field(default_factory=list)
    skip_conditions: list[Cond] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.spec.title)


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
        """Every reference in the phase's spec, skip conditions included."""
        found: list[Any] = []
        walk(phase.spec, found)
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
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            walk(getattr(value, f.name), found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            walk(item, found)
