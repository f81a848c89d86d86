"""Conditions (seed 4.4.8 and 4.5): what ConditionStep branches on and what skip_conditions test.

Both the condition phase (`wf2k8s.sdk.steps.condition`) and every step's policy
(`wf2k8s.sdk.steps.base.StepPolicy`) use them, so they live apart from both.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, TypeAlias

from wf2k8s.sdk._spec import Checker, Spec, field, plain_problem, spec
from wf2k8s.sdk.data import Consumption
from wf2k8s.sdk.placeholder import Placeholder, PlaceholderType

__all__ = ["ConditionTypeEnum", "MetricInfo", "Condition", "Operand", "OPERAND_TYPES"]


class ConditionTypeEnum(enum.Enum):
    """The operator of a Condition (seed 4.4.8): ==, >, >=, in, <, <=, != and or.

    On Kubernetes: applied by the wf2k8s runtime in a ConditionStep's pod, or in a task's Argo ``when``
    for skip conditions.
    """

    EQ = "=="
    GT = ">"
    GTE = ">="
    IN = "in"
    LT = "<"
    LTE = "<="
    NOT = "!="
    OR = "or"


@spec
class MetricInfo(Spec):
    """A float metric of a JobStep output, read by ``json_key`` from its metrics file (seed table 4-64).

    On Kubernetes: read with ``jsonpath`` from the producing job task's ``result`` output.
    """

    input_data: Consumption = field(Consumption, required=True)
    json_key: str = field(str, required=True)

    def check(self, error: Checker) -> None:
        step = self.input_data.step
        if getattr(step, "step_type", None) != "job":
            error("input_data", f"must be the output of a JobStep, got {self.input_data.label()}")
            return
        output = next((o for o in step.outputs if o.name == self.input_data.output_name), None)
        if output is None or getattr(output, "metrics_config", None) is None:
            error("input_data", f"{self.input_data.label()} has no metrics_config, so it has no metrics to read")
        if not self.json_key:
            error("json_key", "must not be empty")


OPERAND_TYPES = (int, float, str, bool, Placeholder, list, tuple, MetricInfo)

#: what a side of a Condition may be (seed table 4-63)
Operand: TypeAlias = "int | float | str | bool | Placeholder | Sequence[Any] | Condition | MetricInfo"


@spec
class Condition(Spec):
    """A comparison of two values, or the OR of two conditions (seed table 4-63).

    On Kubernetes: in a ConditionStep, evaluated by the wf2k8s runtime in the step's pod; in
    ``skip_conditions``, compiled into the task's Argo ``when``.
    """

    condition_type: ConditionTypeEnum = field(ConditionTypeEnum, required=True)
    # mandatory, as check() reports (not a field Rule: check() gives the operator's rules first)
    left: Operand | None = None
    right: Operand | None = None

    def check(self, error: Checker) -> None:
        op = self.condition_type
        for side in ("left", "right"):
            value = getattr(self, side)
            if value is None:
                error(side, "is mandatory")
            if op is ConditionTypeEnum.OR:
                if not isinstance(value, Condition):
                    error(side, f"must be a Condition when condition_type is OR, got {type(value).__name__}")
                continue
            if isinstance(value, Condition):
                error(side, "can be a Condition only when condition_type is OR")
            if not isinstance(value, OPERAND_TYPES):
                error(side, "must be int, float, str, bool, Placeholder, a sequence, Condition or MetricInfo, "
                      f"got {type(value).__name__}")
            if isinstance(value, Placeholder) and value.placeholder_type is PlaceholderType.JSON:
                error(side, f"Placeholder {value.name!r} is JSON, which cannot be compared")
            plain = plain_problem(value)  # NaN, 1e999 or a 401-digit number is no operand of a comparison
            if plain:
                error(f"{side}{plain[0]}", plain[1])
        if op is ConditionTypeEnum.IN:
            right = self.right
            is_list_placeholder = isinstance(right, Placeholder) and right.placeholder_type is PlaceholderType.LIST
            if not isinstance(right, (list, tuple)) and not is_list_placeholder:
                error("right", f"must be a sequence (or a LIST Placeholder) when condition_type is IN, got {right!r}")
        elif op in (ConditionTypeEnum.GT, ConditionTypeEnum.GTE, ConditionTypeEnum.LT, ConditionTypeEnum.LTE):
            for side in ("left", "right"):
                value = getattr(self, side)
                if isinstance(value, (list, tuple, bool)) or (
                        isinstance(value, Placeholder) and value.placeholder_type in (
                            PlaceholderType.BOOL, PlaceholderType.LIST)):
                    error(side, f"cannot be ordered with {op.value}, got {value!r}")
        for side in ("left", "right"):
            value = getattr(self, side)
            if isinstance(value, (Condition, MetricInfo)):
                error.nested(value, side)

    def metric_sources(self) -> list[MetricInfo]:
        found = []
        for value in (self.left, self.right):
            if isinstance(value, MetricInfo):
                found.append(value)
            elif isinstance(value, Condition):
                found.extend(value.metric_sources())
        return found
