"""What every phase has: a name, a policy, dependencies, named inputs and outputs."""

from __future__ import annotations

from typing import Any, ClassVar

from wf2k8s.errors import ValidationError
from wf2k8s.sdk._spec import Spec, field, in_range, is_name, spec
from wf2k8s.sdk.data import Consumption

DEFAULT_POLL_INTERVAL_SECONDS = 1
DEFAULT_MAX_EXECUTION_MINUTES = 10080  # 7 days


@spec
class StepPolicy(Spec):
    """Scheduling interval, timeout and skip conditions of a phase (seed table 4-3)."""

    poll_interval_seconds: Any = field(int, float, str, default=DEFAULT_POLL_INTERVAL_SECONDS,
                                       checks=[in_range(0.1, 86400)])
    max_execution_minutes: Any = field(int, float, str, default=DEFAULT_MAX_EXECUTION_MINUTES,
                                       checks=[in_range(1, 10 * 365 * 24 * 60)])
    skip_conditions: list | None = None  # Condition or list of Condition

    def __post_init__(self) -> None:
        from wf2k8s.sdk.steps.condition import Condition

        if self.skip_conditions is not None and not isinstance(self.skip_conditions, (list, tuple)):
            self.skip_conditions = [self.skip_conditions]
        self._condition_type = Condition
        super().__post_init__()

    def check(self, error) -> None:
        for i, condition in enumerate(self.skip_conditions or []):
            if not isinstance(condition, self._condition_type):
                error(f"skip_conditions[{i}]", f"must be Condition, got {type(condition).__name__}")


class Outputs(list):
    """A step's outputs, also reachable by name: ``step.outputs["train_url"]``."""

    def __init__(self, items, step_label: str):
        super().__init__(items)
        self._step_label = step_label

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            for output in self:
                if output.name == key:
                    return output
            names = ", ".join(repr(o.name) for o in self) or "none"
            raise ValidationError(f"{self._step_label} > outputs", f"has no output named {key!r} (outputs: {names})")
        return super().__getitem__(key)


@spec
class StepOutput(Spec):
    """Base of every ``*Output`` class: bound to its step when the step is created."""

    #: the Consumption class ``as_input()`` gives
    consumption: ClassVar[type[Consumption]] = Consumption

    def bind(self, step: "Step") -> None:
        self._step = step

    @property
    def step(self) -> "Step":
        step = getattr(self, "_step", None)
        if step is None:
            raise ValidationError(self.label(), "is not an output of any step yet")
        return step

    def as_input(self) -> Consumption:
        return self.consumption(step=self.step, output_name=self.name)  # type: ignore[attr-defined]

    def get_output_variable(self, variable: str) -> "OutputVariable":
        return OutputVariable(step=self.step, output_name=self.name, variable=variable)  # type: ignore[attr-defined]


@spec
class OutputVariable(Spec):
    """A value a step outputs when it runs, such as a service's ``access_address``."""

    step: Any = field(required=True)
    output_name: str = field(str, required=True)
    variable: str = field(str, required=True)

    def label(self) -> str:
        return f"variable {self.variable!r} of output {self.output_name!r} of step {self.step.name!r}"


@spec
class Step(Spec):
    """Superclass of the phases (seed 4.1.2); not used directly."""

    name: str = field(str, required=True, checks=[is_name])
    title: str | None = field(str)
    description: str | None = field(str)
    policy: StepPolicy | None = field(StepPolicy)
    depend_steps: list | None = None
    dependencies: list | None = None  # the name table 4-2 uses; merged into depend_steps

    validate_on_init = True
    #: the phase type, as the graph model and the backends know it
    step_type: ClassVar[str] = ""

    def __post_init__(self) -> None:
        deps: list = []
        for value in (self.depend_steps, self.dependencies):
            if value is None:
                continue
            deps.extend(value if isinstance(value, (list, tuple)) else [value])
        self.depend_steps = deps
        self.dependencies = None
        if self.title is None:
            self.title = self.name
        super().__post_init__()
        outputs = getattr(self, "outputs", None)
        if outputs is not None:
            self.outputs = Outputs(outputs, self.label())
            for output in self.outputs:
                if isinstance(output, StepOutput):
                    output.bind(self)

    def label(self) -> str:
        return f"{type(self).__name__} {self.name!r}" if isinstance(self.name, str) else type(self).__name__

    def check(self, error) -> None:
        for i, dep in enumerate(self.depend_steps or []):
            if not isinstance(dep, Step):
                error(f"depend_steps[{i}]", f"must be a Step, got {type(dep).__name__}")
        for attr in ("inputs", "outputs"):
            seen: set[str] = set()
            for i, item in enumerate(getattr(self, attr, None) or []):
                item_name = getattr(item, "name", None)
                if item_name in seen:
                    error(f"{attr}[{i}].name", f"{item_name!r} is used by another {attr[:-1]} of this step; "
                          f"{attr[:-1]} names must be unique in a step")
                seen.add(item_name)
        if self.policy is not None:
            for i, condition in enumerate(self.policy.skip_conditions or []):
                error.nested(condition, f"policy.skip_conditions[{i}]")

    def config(self) -> dict:
        """The phase's configuration for the graph model: plain data and SDK values."""
        raise NotImplementedError


def io_field(*types: type, required: bool = False):
    return field(*types, required=required, many=True)


def name_field():
    return field(str, required=True, checks=[is_name])
