"""A small declarative layer for the SDK's objects.

Every SDK object is a dataclass whose fields carry a `Rule`: the accepted types,
whether the field is mandatory, and extra checks. Objects that users name
(steps, placeholders, storages) validate themselves when they are constructed;
configuration objects (JobSpec, ModelConfig, ...) are validated by the step that
owns them, so an error names the whole path:
``JobStep 'train' > spec.schedule_policy.priority: must be 1, 2 or 3, got 5``.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any, Callable, ClassVar, Iterable

from wf2k8s.errors import ValidationError

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
NAME_RULE_TEXT = "1-64 letters, digits, '_' or '-', starting with a letter"

Check = Callable[[Any], "str | None"]

_MISSING = dataclasses.MISSING


@dataclasses.dataclass(frozen=True)
class Rule:
    types: tuple[type, ...] = (object,)
    required: bool = False
    many: bool = False  # "X or list of X": stored as a list
    checks: tuple[Check, ...] = ()
    # the scalar type a Placeholder must stand for here ("int", "str", ...)
    scalar: str | None = None


def field(*types: type, required: bool = False, default: Any = None, many: bool = False,
          checks: Iterable[Check] = (), scalar: str | None = None, factory: Callable[[], Any] | None = None):
    rule = Rule(types=types or (object,), required=required, many=many, checks=tuple(checks), scalar=scalar)
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"rule": rule})
    return dataclasses.field(default=default, metadata={"rule": rule})


def type_names(types: Iterable[type]) -> str:
    names = []
    for t in types:
        names.append({str: "str", int: "int", float: "float", bool: "bool", dict: "dict", list: "list"}.get(t, t.__name__))
    return " or ".join(names)


def describe(value: Any) -> str:
    if isinstance(value, Spec):
        return value.label()
    if isinstance(value, str):
        return repr(value)
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

    def check(self, error: "Checker") -> None:
        """Rules that involve several fields; call ``error(field, message)``."""


class Checker:
    """Reports a broken rule at a field of the object being validated."""

    def __init__(self, where: str, path: str):
        self.where = where
        self.path = path

    def __call__(self, field_path: str, message: str) -> None:
        fail(self.where, join(self.path, field_path), message)

    def nested(self, value: "Spec", field_path: str) -> None:
        """Validate an object held by this one, reporting with the full path."""
        value.validate(self.where, join(self.path, field_path))


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
        return
    if rule.many:
        for i, item in enumerate(value):
            check_one(item, rule, where, f"{path}[{i}]")
    else:
        check_one(value, rule, where, path)


def check_one(value: Any, rule: Rule, where: str, path: str) -> None:
    from wf2k8s.sdk.placeholder import Placeholder  # the one cycle in the SDK: placeholders are values

    if rule.types != (object,):
        ok = isinstance(value, rule.types)
        # bool is an int in Python; a field that wants an int must not take True
        if ok and isinstance(value, bool) and bool not in rule.types and int in rule.types:
            ok = False
        if not ok:
            fail(where, path, f"must be {type_names(rule.types)}, got {describe(value)}")
    if isinstance(value, Placeholder) and rule.scalar:
        value.check_usable_as(rule.scalar, where, path)
    if isinstance(value, Spec) and not value.validate_on_init:
        value.validate(where, path)
    if isinstance(value, Placeholder):
        # a value set at run time is checked where it is used; its default and choices are known now
        for label, literal in [("default", value.default)] + [(f"enum_list[{i}]", v)
                                                              for i, v in enumerate(value.enum_list or [])]:
            if literal is None:
                continue
            for check in rule.checks:
                message = check(literal)
                if message:
                    fail(where, path, f"{label} of Placeholder {value.name!r} {message}")
        return
    for check in rule.checks:
        message = check(value)
        if message:
            fail(where, path, message)


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


def spec(cls: type) -> type:
    """Make ``cls`` an SDK dataclass (identity equality: objects are nodes of a graph)."""
    return dataclasses.dataclass(eq=False)(cls)
