"""What every phase has: a name, a policy, dependencies, named inputs and outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, SupportsIndex, TypeVar, cast, overload

from wf2k8s.errors import ValidationError
from wf2k8s.sdk._spec import (
    Checker, OptionalMany, Spec, description_size, field, in_range, io_field, is_name, name_field, spec,
)
from wf2k8s.sdk.data import Consumption
from wf2k8s.sdk.steps.conditions import Condition

__all__ = ["StepPolicy", "Outputs", "OutputList", "OptionalOutputList", "StepOutput", "OutputVariable", "Step",
           "io_field", "name_field", "DEFAULT_POLL_INTERVAL_SECONDS", "DEFAULT_MAX_EXECUTION_MINUTES"]

OutputT = TypeVar("OutputT")
#: what ``as_input()`` of an output gives
K = TypeVar("K", bound=Consumption)

DEFAULT_POLL_INTERVAL_SECONDS = 1
DEFAULT_MAX_EXECUTION_MINUTES = 10080  # 7 days


@spec
class StepPolicy(Spec):
    """Scheduling interval, timeout and skip conditions of a phase (seed table 4-3). On Kubernetes:
    ``max_execution_minutes`` is the task's ``activeDeadlineSeconds``, ``skip_conditions`` its ``when``,
    and phases that wait (services, labeling) poll every ``poll_interval_seconds``.
    """

    poll_interval_seconds: int | float | str = field(int, float, str, default=DEFAULT_POLL_INTERVAL_SECONDS,
                                                     checks=[in_range(0.1, 86400)], allow_none=False)
    max_execution_minutes: int | float | str = field(int, float, str, default=DEFAULT_MAX_EXECUTION_MINUTES,
                                                     checks=[in_range(1, 10 * 365 * 24 * 60)], allow_none=False)
    # Condition or list of Condition: made a list below, checked in check() (a Rule of any type)
    skip_conditions: OptionalMany[Condition] = field(default=None)

    def __post_init__(self) -> None:
        if self.skip_conditions is not None and not isinstance(self.skip_conditions, (list, tuple)):
            self.skip_conditions = [self.skip_conditions]
        super().__post_init__()

    def check(self, error: Checker) -> None:
        for i, condition in enumerate(self.skip_conditions or []):
            if not isinstance(condition, Condition):
                error(f"skip_conditions[{i}]", f"must be Condition, got {type(condition).__name__}")


class Outputs(list[OutputT], Generic[OutputT]):
    """A step's outputs, also reachable by name: ``step.outputs["train_url"]``."""

    def __init__(self, items: Any, step_label: str):
        super().__init__(items)
        self._step_label = step_label

    @overload
    def __getitem__(self, key: str | SupportsIndex) -> OutputT: ...

    @overload
    def __getitem__(self, key: slice) -> list[OutputT]: ...

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            outputs: list[Any] = list(self)  # *Output objects: each has a name
            for output in outputs:
                if output.name == key:
                    return output
            names = ", ".join(repr(o.name) for o in outputs) or "none"
            raise ValidationError(f"{self._step_label} > outputs", f"has no output named {key!r} (outputs: {names})")
        return super().__getitem__(key)


class OutputList(Generic[OutputT]):
    """The annotation of a phase's mandatory ``outputs``: `Many`, but the attribute is an `Outputs`.

    Only type checkers read it: the constructor takes one output or a sequence of them, and
    ``step.outputs`` is an `Outputs` (indexed by position or by output name).
    """

    if TYPE_CHECKING:
        @overload
        def __get__(self, instance: None, owner: Any) -> OutputList[OutputT]: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> Outputs[OutputT]: ...

        def __get__(self, instance: Any, owner: Any) -> Any: ...

        def __set__(self, instance: Any, value: OutputT | Sequence[OutputT]) -> None: ...


class OptionalOutputList(Generic[OutputT]):
    """`OutputList` for optional ``outputs``: the constructor also takes None, the attribute may be None."""

    if TYPE_CHECKING:
        @overload
        def __get__(self, instance: None, owner: Any) -> OptionalOutputList[OutputT]: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> Outputs[OutputT] | None: ...

        def __get__(self, instance: Any, owner: Any) -> Any: ...

        def __set__(self, instance: Any, value: OutputT | Sequence[OutputT] | None) -> None: ...


@spec
class StepOutput(Spec, Generic[K]):
    """Base of every ``*Output`` class: bound to its step when the step is created.

    ``StepOutput[OBSConsumption]``: ``as_input()`` gives an OBSConsumption (the class's ``consumption``).
    """

    #: the Consumption class ``as_input()`` gives
    consumption: ClassVar[type[Consumption]] = Consumption

    def bind(self, step: Step) -> None:
        self._step = step

    @property
    def step(self) -> Step:
        step = getattr(self, "_step", None)
        if step is None:
            raise ValidationError(self.label(), "is not an output of any step yet")
        return step

    def as_input(self) -> K:
        return cast(K, self.consumption(step=self.step, output_name=self.name))  # type: ignore[attr-defined]

    def get_output_variable(self, variable: str) -> OutputVariable:
        return OutputVariable(step=self.step, output_name=self.name, variable=variable)  # type: ignore[attr-defined]


@spec
class OutputVariable(Spec):
    """A value a step outputs when it runs, such as a service's ``access_address`` (seed 4.4.7).

    On Kubernetes: read from the producing task's ``result`` output when the consuming task starts.
    """

    step: Step = field(required=True)
    output_name: str = field(str, required=True)
    variable: str = field(str, required=True)

    def label(self) -> str:
        return f"variable {self.variable!r} of output {self.output_name!r} of step {self.step.name!r}"


@spec
class Step(Spec):
    """Superclass of the phases (seed 4.1.2); not used directly.

    On Kubernetes: a task of the WorkflowTemplate's DAG (named after the step, made DNS-safe) that runs
    its phase type's shared template; ``depend_steps`` become the task's ``dependencies``.
    """

    name: str = field(str, required=True, checks=[is_name])
    title: str | None = field(str, default=None)
    description: str | None = field(str, default=None, checks=[description_size])
    policy: StepPolicy | None = field(StepPolicy, default=None)
    # Step or list of Step, merged into a list below and checked in check() (a Rule of any type)
    depend_steps: OptionalMany[Step] = field(default=None)
    dependencies: OptionalMany[Step] = field(default=None)  # the name table 4-2 uses; merged into depend_steps

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
            outputs = Outputs(outputs, self.label())
            object.__setattr__(self, "outputs", outputs)  # a field of each phase type, typed there
            for output in outputs:
                if isinstance(output, StepOutput):
                    output.bind(self)

    def label(self) -> str:
        return f"{type(self).__name__} {self.name!r}" if isinstance(self.name, str) else type(self).__name__

    def check(self, error: Checker) -> None:
        for i, dep in enumerate(self.depend_steps or []):
            if not isinstance(dep, Step):
                error(f"depend_steps[{i}]", f"must be a Step, got {type(dep).__name__}")
        for attr in ("inputs", "outputs"):
            seen: set[Any] = set()
            for i, item in enumerate(getattr(self, attr, None) or []):
                item_name = getattr(item, "name", None)
                if item_name in seen:
                    error(f"{attr}[{i}].name", f"{item_name!r} is used by another {attr[:-1]} of this step; "
                          f"{attr[:-1]} names must be unique in a step")
                seen.add(item_name)
        if self.policy is not None:
            for i, condition in enumerate(self.policy.skip_conditions or []):
                error.nested(condition, f"policy.skip_conditions[{i}]")

    def config(self) -> dict[str, Any]:
        """The phase's configuration for the graph model: plain data and SDK values."""
        raise NotImplementedError
