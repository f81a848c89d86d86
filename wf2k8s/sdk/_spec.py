"""A small declarative layer for the SDK's objects.

Every SDK object is a dataclass whose fields carry a `Rule`: the accepted types,
whether the field is mandatory, and extra checks. Objects that users name
(steps, placeholders, storages) validate themselves when they are constructed;
configuration objects (JobSpec, ModelConfig, ...) are validated by the step that
owns them, so an error names the whole path:
``JobStep 'train' > spec.schedule_policy.priority: must be 1, 2 or 3, got 5``.

Types: `spec` is a `typing.dataclass_transform`, so type checkers and IDEs see each class's
constructor: its keywords, their types, and which are mandatory (a `field` with
``required=True``; an optional one names its ``default``). The annotations say what the seed's
tables say; a field that takes "X or list of X" is annotated `Many` / `OptionalMany`, so the
constructor takes one X or a sequence and the attribute is a list. The annotations are for type
checkers only: the runtime `Rule` checks decide, as before.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
from collections.abc import Sequence
from typing import (
    TYPE_CHECKING, Any, Callable, ClassVar, Generic, Iterable, Iterator, TypeVar, dataclass_transform, overload,
)

from wf2k8s.errors import ValidationError

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
NAME_RULE_TEXT = "1-64 letters, digits, '_' or '-', starting with a letter"

Check = Callable[[Any], "str | None"]

_MISSING = dataclasses.MISSING
#: ``field(default=...)`` not given
_NO_DEFAULT: Any = object()

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Rule:
    """What a field accepts: checked by `Spec.validate` (the type checker sees the annotations)."""

    types: tuple[type, ...] = (object,)
    required: bool = False
    many: bool = False  # "X or list of X": stored as a list
    checks: tuple[Check, ...] = ()
    # the scalar type a Placeholder must stand for here ("int", "str", ...)
    scalar: str | None = None
    # Argo writes the value into the pod spec itself (an image, a volume, resources): a run value only
    # the wf2k8s runtime fills in (a SystemEnv) cannot stand here (`RunValue.check_usable_in_pod_spec`)
    pod_spec: bool = False
    # False: None is refused (a field whose default is a value, not "unset"); ``default`` is named then
    allow_none: bool = True
    default: Any = None


def field(*types: type, required: bool = False, default: Any = _NO_DEFAULT, many: bool = False,
          checks: Iterable[Check] = (), scalar: str | None = None, factory: Callable[[], Any] | None = None,
          pod_spec: bool = False, allow_none: bool = True) -> Any:
    """A field of an SDK class, accepting ``types`` (any type when none is given).

    ``required=True``: mandatory (the constructor keyword has no default for type checkers; at run
    time a missing value is reported as "is mandatory"). Otherwise give ``default`` or ``factory``:
    type checkers take a field without one as mandatory, so one is needed here too.
    ``allow_none=False``: an explicit None is refused (the field has a default value, and None is
    not one of its values). ``pod_spec=True``: Argo writes the value into the job's pod spec.
    """
    rule = Rule(types=types or (object,), required=required, many=many, checks=tuple(checks), scalar=scalar,
                pod_spec=pod_spec, allow_none=allow_none,
                default=default if not allow_none and default is not _NO_DEFAULT else None)
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"rule": rule})
    if default is _NO_DEFAULT:
        if not required:
            raise TypeError("an optional field needs default= or factory= (type checkers see it as mandatory "
                            "without one)")
        default = None
    return dataclasses.field(default=default, metadata={"rule": rule})


def name_field() -> Any:
    """A mandatory name: 1-64 letters, digits, '_' or '-', starting with a letter (steps, inputs, outputs)."""
    return field(str, required=True, checks=[is_name])


def io_field(*types: type, required: bool = False, default: Any = _NO_DEFAULT) -> Any:
    """A step's ``inputs`` or ``outputs``: one object or a list of them, stored as a list."""
    return field(*types, required=required, default=default, many=True)


class Many(Generic[T]):
    """The annotation of a mandatory field that takes one ``T`` or a sequence of them and holds a list.

    Only type checkers read it, as a descriptor (the constructor takes ``T | Sequence[T]``, the attribute
    is ``list[T]``); at run time the field is a plain dataclass field, a list or tuple stored as a list.
    """

    if TYPE_CHECKING:
        @overload
        def __get__(self, instance: None, owner: Any) -> Many[T]: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> list[T]: ...

        def __get__(self, instance: Any, owner: Any) -> Any: ...

        def __set__(self, instance: Any, value: T | Sequence[T]) -> None: ...


class OptionalMany(Generic[T]):
    """`Many` for an optional field: the constructor also takes None, the attribute may be None."""

    if TYPE_CHECKING:
        @overload
        def __get__(self, instance: None, owner: Any) -> OptionalMany[T]: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> list[T] | None: ...

        def __get__(self, instance: Any, owner: Any) -> Any: ...

        def __set__(self, instance: Any, value: T | Sequence[T] | None) -> None: ...


def type_names(types: Iterable[type]) -> str:
    names = []
    builtin = {str: "str", int: "int", float: "float", bool: "bool", dict: "dict", list: "list"}
    for t in types:
        names.append(builtin.get(t, t.__name__))
    return " or ".join(names)


def describe(value: Any) -> str:
    if isinstance(value, Spec):
        return value.label()
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 1000:
        return f"a whole number of about {int(abs(value).bit_length() * math.log10(2)) + 1} digits"  # no repr()
    if isinstance(value, (int, float, bool)) or value is None:
        return repr(value)
    return type(value).__name__


class Spec:
    """Base of every SDK object."""

    validate_on_init: ClassVar[bool] = False

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            rule: Rule | None = f.metadata.get("rule")
            if rule is None or not rule.many:
                continue
            value = getattr(self, f.name)
            if value is not None and not isinstance(value, (list, tuple)):
                object.__setattr__(self, f.name, [value])
            elif isinstance(value, tuple):
                object.__setattr__(self, f.name, list(value))
        if self.validate_on_init:
            self.validate()

    # naming -------------------------------------------------------------------------------
    def label(self) -> str:
        name = getattr(self, "name", None)
        return f"{type(self).__name__} {name!r}" if isinstance(name, str) else type(self).__name__

    # validation ---------------------------------------------------------------------------
    def validate(self, where: str | None = None, path: str = "") -> None:
        """Check every field, then the object's own cross-field rules."""
        where = where or self.label()
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            rule: Rule | None = f.metadata.get("rule")
            if rule is not None:
                check_value(getattr(self, f.name), rule, where, join(path, f.name))
        self.check(Checker(where, path))

    def check(self, error: Checker) -> None:
        """Rules that involve several fields; call ``error(field, message)``."""


class RunValue(Spec):
    """A value set when a run starts, not when the pipeline is written (a `Placeholder`).

    A field checks its type now (`check_usable_as`); its other rules apply to the values known
    now (`known_values`: the default and the choices), the rest is checked where it is used.
    """

    def check_usable_as(self, kind: str, where: str, path: str) -> None:
        """Fail unless this value can stand for a ``kind`` ("int", "str", ... as `Rule.scalar`)."""
        raise NotImplementedError

    def check_usable_in_pod_spec(self, where: str, path: str) -> None:
        """Fail unless Argo can write this value into a pod spec itself (`Rule.pod_spec`)."""

    def known_values(self) -> list[tuple[str, Any]]:
        """The values known before the run, labelled as an error names them: ``("default", 1)``."""
        return []

    def value_label(self) -> str:
        """How an error about a known value names this one."""
        return self.label()


class Checker:
    """Reports a broken rule at a field of the object being validated."""

    def __init__(self, where: str, path: str):
        self.where = where
        self.path = path

    def __call__(self, field_path: str, message: str) -> None:
        fail(self.where, join(self.path, field_path), message)

    def nested(self, value: Spec, field_path: str) -> None:
        """Validate an object held by this one, reporting with the full path."""
        value.validate(self.where, join(self.path, field_path))


def children(value: Any) -> Iterator[Any]:
    """What an SDK object, a dict or a list holds, one level down (for walks over a pipeline)."""
    if isinstance(value, Spec):
        yield from (getattr(value, f.name) for f in dataclasses.fields(value))  # type: ignore[arg-type]
    elif isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, (list, tuple)):
        yield from value


def join(path: str, name: str) -> str:
    if not name:
        return path
    if name.startswith("["):
        return f"{path}{name}"
    return f"{path}.{name}" if path else name


def fail(where: str, path: str, message: str) -> None:
    raise ValidationError(f"{where} > {path}" if path else where, message)


def check_value(value: Any, rule: Rule, where: str, path: str) -> None:
    if value is None or (rule.many and value == []):
        if rule.required:
            fail(where, path, "is mandatory")
        if value is None and not rule.allow_none:
            fail(where, path, f"must be {type_names(rule.types)}, got None (leave it out for the default, "
                 f"{rule.default!r})")
        return
    if rule.many:
        for i, item in enumerate(value):
            check_one(item, rule, where, f"{path}[{i}]")
    else:
        check_one(value, rule, where, path)


def check_one(value: Any, rule: Rule, where: str, path: str) -> None:
    if rule.types != (object,):
        ok = isinstance(value, rule.types)
        # bool is an int in Python; a field that wants an int must not take True
        if ok and isinstance(value, bool) and bool not in rule.types and int in rule.types:
            ok = False
        if not ok:
            fail(where, path, f"must be {type_names(rule.types)}, got {describe(value)}")
    problem = plain_problem(value)
    if problem:
        fail(where, join(path, problem[0]), problem[1])
    if isinstance(value, RunValue) and rule.pod_spec:  # first: its type is not what a SystemEnv there lacks
        value.check_usable_in_pod_spec(where, path)
    if isinstance(value, RunValue) and rule.scalar:
        value.check_usable_as(rule.scalar, where, path)
    if isinstance(value, Spec) and not value.validate_on_init:
        value.validate(where, path)
    if isinstance(value, RunValue):
        # a value set at run time is checked where it is used; its default and choices are known now
        for label, literal in value.known_values():
            if literal is None:
                continue
            for check in rule.checks:
                message = check(literal)
                if message:
                    fail(where, path, f"{label} of {value.value_label()} {message}")
        return
    for check in rule.checks:
        message = check(value)
        if message:
            fail(where, path, message)


#: how deeply a dict or list the SDK takes as it is may nest (the runtime reads JSON no deeper, as
#: ``wf2k8s.runtime.untrusted.MAX_DEPTH`` says)
MAX_NESTING = 100
#: the largest whole number a value may be: a float's range, as the runtime reads numbers
MAX_WHOLE = int(1.7976931348623157e308)


def plain_problem(value: Any, floats: bool = True) -> tuple[str, str] | None:
    """Why a number, or a dict or list taken as it is, cannot reach the runtime as JSON: a float that is not
    finite (unless ``floats`` is False), a whole number beyond the range of a float, or nesting deeper than
    `MAX_NESTING` levels. ``(path within the value, message)``, or None. Iterative: a value nested a thousand
    levels deep is refused, not a RecursionError."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, at, level = stack.pop()
        if floats and isinstance(item, float) and not math.isfinite(item):
            return at, f"must be a finite number, got {item!r} (JSON has no NaN or Infinity)"
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_WHOLE:
            digits = int(abs(item).bit_length() * math.log10(2)) + 1  # no str(): Python refuses 4300 digits
            return at, f"must be within the range of a float (1.8e308), got a whole number of about {digits} digits"
        if isinstance(item, (dict, list, tuple)):
            if level >= MAX_NESTING:
                return "", f"must not nest more than {MAX_NESTING} levels of lists and dicts (the runtime reads " \
                    "no deeper)"
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((child, f"{at}[{key!r}]", level + 1) for key, child in reversed(list(pairs)))
    return None


# reusable checks ------------------------------------------------------------------------------


def is_name(value: Any) -> str | None:
    if isinstance(value, str) and not NAME_PATTERN.fullmatch(value):
        return f"must be {NAME_RULE_TEXT}, got {value!r}"
    return None


def one_of(*choices: Any) -> Check:
    def check(value: Any) -> str | None:
        v = value.value if isinstance(value, enum.Enum) else value
        allowed = [c.value if isinstance(c, enum.Enum) else c for c in choices]
        if v not in allowed:
            return f"must be one of {', '.join(map(str, allowed))}, got {value!r}"
        return None

    return check


def in_range(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return f"must be a number from {low} to {high}, got {value!r}"
        if not low <= number <= high:
            return f"must be from {low} to {high}, got {value!r}"
        return None

    return check


def max_length(n: int, min_length: int = 0) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and not min_length <= len(value) <= n:
            return f"must have {min_length} to {n} characters, got {len(value)}"
        return None

    return check


#: the most a description (a workflow's, a step's, a placeholder's, ...) may hold, in bytes of UTF-8: it is
#: kept in the WorkflowTemplate, whose annotations (the workflow's desc) Kubernetes limits to 256 KiB in all
#: and the whole object (every description) to about 1.5 MiB (etcd's request limit)
DESCRIPTION_MAX_BYTES = 16 * 1024


def description_size(value: Any) -> str | None:
    """A description that fits in the WorkflowTemplate: at most `DESCRIPTION_MAX_BYTES` of UTF-8."""
    if isinstance(value, str):
        size = len(value.encode("utf-8", "surrogatepass"))
        if size > DESCRIPTION_MAX_BYTES:
            return (f"must be at most {DESCRIPTION_MAX_BYTES} bytes (16 KiB of UTF-8), got {size} bytes: it is "
                    "kept in the WorkflowTemplate, whose annotations Kubernetes limits to 256 KiB in all and the "
                    "whole object to about 1.5 MiB")
    return None


def without_chars(chars: str) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str):
            bad = sorted({c for c in value if c in chars})
            if bad:
                return f"must not contain {' '.join(bad)}, got {value!r}"
        return None

    return check


def matches(pattern: str, text: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any) -> str | None:
        if isinstance(value, str) and not compiled.fullmatch(value):
            return f"must be {text}, got {value!r}"
        return None

    return check


@overload
def spec(cls: type[T], /) -> type[T]: ...


@overload
def spec(*, kw_only: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(eq_default=False, field_specifiers=(field, name_field, io_field, dataclasses.field))
def spec(cls: type[T] | None = None, /, *, kw_only: bool = False) -> Any:
    """Make ``cls`` an SDK dataclass (identity equality: objects are nodes of a graph).

    Its fields may be given by keyword or, in field order, by position (the seed writes
    ``MetricInfo(output.as_input(), "accuracy")``). ``@spec(kw_only=True)`` tells type checkers
    that the class's own fields are keyword-only: the phases' fields follow Step's optional ones,
    so only a keyword can give them. At run time it changes nothing.
    """
    if cls is None:
        return spec
    return dataclasses.dataclass(eq=False)(cls)
