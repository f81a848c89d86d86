"""Conditions (seed 4.4.8 and 4.5): ConditionStep branches and skip conditions."""

from __future__ import annotations

import enum
from typing import Any

from wf2k8s.sdk._spec import Spec, field, spec
from wf2k8s.sdk.data import Consumption
from wf2k8s.sdk.placeholder import Placeholder, PlaceholderType
from wf2k8s.sdk.steps.base import Step


class ConditionTypeEnum(enum.Enum):
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
    """A float metric, read by ``json_key`` from the metrics file of a JobStep output."""

    input_data: Consumption = field(Consumption, required=True)
    json_key: str = field(str, required=True)

    def check(self, error) -> None:
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


@spec
class Condition(Spec):
    condition_type: ConditionTypeEnum = field(ConditionTypeEnum, required=True)
    left: Any = None
    right: Any = None

    def check(self, error) -> None:
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


@spec
class ConditionStep(Step):
    """Runs ``if_then_steps`` when all conditions hold, else ``else_then_steps``."""

    conditions: list = field(Condition, required=True, many=True)
    if_then_steps: list | None = field(str, many=True)
    else_then_steps: list | None = field(str, many=True)

    step_type = "condition"

    def check(self, error) -> None:
        super().check(error)
        both = set(self.if_then_steps or []) & set(self.else_then_steps or [])
        if both:
            error("else_then_steps", f"{sorted(both)} cannot be in both if_then_steps and else_then_steps")

    def config(self) -> dict:
        return {"conditions": list(self.conditions)}
