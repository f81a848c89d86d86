"""The run/skip semantics of a graph as nested KFP conditions (pure: no kfp import).

KFP decides with ``dsl.If/Else`` groups, and a task may only depend on a task inside a group when it is
inside that group too. The seed's rules (skip conditions, ConditionStep branches, and the default rule: a
phase is skipped when every phase it depends on was skipped) decide per phase at run time. So the plan
walks the phases in topological order keeping one *world*: which phases ran, which tests are decided.
A phase whose run depends on an undecided test splits the world: the phases that test touches (the phases
after them, and the phases not yet planned that those read) are planned twice, once in ``dsl.If(test)`` and
once in ``dsl.Else()``, each copy knowing statically which of its dependencies ran, so a
DataConsumptionSelector reads the one that ran. The other phases stay outside, planned once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import Cond, Graph, ParamRef, Phase

#: how many copies of one phase the branches may hold before the pipeline is refused
MAX_COPIES = 8
#: comparisons KFP's dsl.If takes on a pipeline parameter, and their negations
NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


@dataclass(frozen=True)
class ParamTest:
    """``parameter <op> literal``, evaluated by KFP itself."""

    param: str
    op: str
    value: Union[bool, int, float, str]

    def negated(self) -> "ParamTest":
        return ParamTest(self.param, NEGATED[self.op], self.value)


@dataclass(frozen=True)
class OutputTest:
    """A task's ``condition`` output is ``'true'`` (a ConditionStep, or the gate of a phase's skip conditions)."""

    step: str
    gate: bool = False


Test = Union[ParamTest, OutputTest]


@dataclass
class TaskNode:
    """One phase run in the branch it stands in; ``ran`` are the phases that ran before it there."""

    phase: Phase
    ran: frozenset[str]


@dataclass
class GateNode:
    """The runtime's condition command evaluating a phase's skip conditions (metrics, several conditions)."""

    phase: Phase
    ran: frozenset[str]


@dataclass
class SplitNode:
    test: Test
    then: list["Node"] = field(default_factory=list)
    otherwise: list["Node"] = field(default_factory=list)


Node = Union[TaskNode, GateNode, SplitNode]


@dataclass
class World:
    ran: dict[str, bool] = field(default_factory=dict)
    #: test key -> its outcome in this branch
    decided: dict[tuple[str, str], bool] = field(default_factory=dict)
    gates: set[str] = field(default_factory=set)

    def branch(self, key: tuple[str, str], outcome: bool) -> "World":
        return World(dict(self.ran), {**self.decided, key: outcome}, set(self.gates))


@dataclass(frozen=True)
class Split:
    key: tuple[str, str]
    test: Test


def simple_skip_test(graph: Graph, conditions: list[Cond]) -> ParamTest | None:
    """One comparison of a placeholder with a literal of its type: a dsl.If on the pipeline parameter."""
    if len(conditions) != 1 or conditions[0].op not in NEGATED:
        return None
    cond = conditions[0]
    for param_side, literal, op in ((cond.left, cond.right, cond.op), (cond.right, cond.left, mirrored(cond.op))):
        if not isinstance(param_side, ParamRef) or isinstance(literal, (ParamRef, list, dict, Cond)):
            continue
        kind = graph.params[param_side.name].type
        fits = (kind == "bool" and isinstance(literal, bool) and op in ("==", "!=")) or \
            (kind in ("int", "float") and isinstance(literal, (int, float)) and not isinstance(literal, bool)) or \
            (kind in ("str", "enum") and isinstance(literal, str) and op in ("==", "!="))
        if fits:
            return ParamTest(param_side.name, op, literal)
    return None


def mirrored(op: str) -> str:
    """``a op b`` as ``b op' a``."""
    return {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)


class Planner:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.copies: dict[str, int] = {}

    def plan(self) -> list[Node]:
        return self.emit(list(self.graph.phases), World())

    # the walk -------------------------------------------------------------------------------------
    def emit(self, pending: list[Phase], world: World) -> list[Node]:
        nodes: list[Node] = []
        for i, phase in enumerate(pending):
            decision = self.decide(phase, world, nodes)
            if isinstance(decision, bool):
                world.ran[phase.name] = decision
                if decision:
                    nodes.append(TaskNode(phase, self.ran(world)))
                    self.count(phase)
                continue
            rest = pending[i:]
            affected = self.affected(decision.key, rest)
            inside = [p for p in rest if p.name in affected]
            nodes.append(SplitNode(decision.test, self.emit(inside, world.branch(decision.key, True)),
                                   self.emit(inside, world.branch(decision.key, False))))
            # the others neither read the phases inside nor are read by them: planned once, after the split
            nodes.extend(self.emit([p for p in rest if p.name not in affected], world))
            return nodes
        return nodes

    def decide(self, phase: Phase, world: World, nodes: list[Node]) -> bool | Split:
        """Whether ``phase`` runs in ``world``, or the test that must split the world first."""
        for branch in phase.branches:
            if not world.ran.get(branch.condition_step, False):
                return False  # its ConditionStep did not run: neither branch does
            key = ("branch", branch.condition_step)
            if key not in world.decided:
                return Split(key, OutputTest(branch.condition_step))
            if world.decided[key] != branch.when:
                return False
        if phase.skip_conditions:  # they take precedence over the default rule (seed 4.5)
            key = ("skip", phase.name)
            if key not in world.decided:
                return Split(key, self.skip_test(phase, world, nodes))
            return not world.decided[key]
        if phase.branches or not phase.depends:
            return True
        return any(world.ran.get(d, False) for d in phase.depends)

    def skip_test(self, phase: Phase, world: World, nodes: list[Node]) -> Test:
        simple = simple_skip_test(self.graph, phase.skip_conditions)
        if simple is not None:
            return simple
        if phase.name not in world.gates:  # the runtime evaluates them, as a ConditionStep's
            world.gates.add(phase.name)
            nodes.append(GateNode(phase, self.ran(world)))
        return OutputTest(phase.name, gate=True)

    def affected(self, key: tuple[str, str], phases: list[Phase]) -> set[str]:
        """The phases of ``phases`` to plan inside the split on ``key``: those it decides, every phase after them,
        and the phases of ``phases`` those read (a copy inside a branch can only read a task of its branch or
        of a group around it)."""
        kind, step = key
        upstream = {p.name: set(p.depends) | {b.condition_step for b in p.branches} for p in phases}
        found = {p.name for p in phases if (kind == "skip" and p.name == step)
                 or (kind == "branch" and any(b.condition_step == step for b in p.branches))}
        while True:
            grown = set(found)
            for phase in phases:  # topological order: one pass takes every phase after them
                if upstream[phase.name] & grown:
                    grown.add(phase.name)
            for phase in reversed(phases):  # and every phase of the rest before them they read
                if phase.name in grown:
                    grown |= upstream[phase.name] & upstream.keys()
            if grown == found:
                return found
            found = grown

    # bookkeeping ----------------------------------------------------------------------------------
    @staticmethod
    def ran(world: World) -> frozenset[str]:
        return frozenset(step for step, ran in world.ran.items() if ran)

    def count(self, phase: Phase) -> None:
        self.copies[phase.name] = self.copies.get(phase.name, 0) + 1
        if self.copies[phase.name] > MAX_COPIES:
            raise ValidationError(
                f"step {phase.name!r}",
                f"Kubeflow Pipelines target: the default skip rule over the conditions before this step needs more "
                f"than {MAX_COPIES} dsl.If branches holding it (KFP cannot depend on a task inside another dsl.If); "
                "the Argo target runs it")
