"""The condition phase (seed 4.4.8): ConditionStep. Its conditions live in `wf2k8s.sdk.steps.conditions`
(skip conditions use them too) and are importable from here as well."""

from __future__ import annotations

from typing import Any

from wf2k8s.sdk._spec import Checker, Many, OptionalMany, field, spec
from wf2k8s.sdk.steps.base import Step
from wf2k8s.sdk.steps.conditions import OPERAND_TYPES, Condition, ConditionTypeEnum, MetricInfo, Operand

__all__ = ["ConditionStep", "Condition", "ConditionTypeEnum", "MetricInfo", "Operand", "OPERAND_TYPES"]


@spec(kw_only=True)
class ConditionStep(Step):
    """A condition phase (seed 4.4.8): runs ``if_then_steps`` when all conditions hold, else ``else_then_steps``.

    On Kubernetes: a task running the wf2k8s runtime, which evaluates the conditions and outputs
    ``condition``; the tasks of each branch run ``when`` it is ``true`` (or ``false``).
    """

    conditions: Many[Condition] = field(Condition, required=True, many=True)
    if_then_steps: OptionalMany[str] = field(str, default=None, many=True)
    else_then_steps: OptionalMany[str] = field(str, default=None, many=True)

    step_type = "condition"

    def check(self, error: Checker) -> None:
        super().check(error)
        both = set(self.if_then_steps or []) & set(self.else_then_steps or [])
        if both:
            error("else_then_steps", f"{sorted(both)} cannot be in both if_then_steps and else_then_steps")

    def config(self) -> dict[str, Any]:
        return {"conditions": list(self.conditions)}
