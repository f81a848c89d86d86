"""Placeholders: values a user sets when a run starts (or, with ``delay``, while it runs)."""

from __future__ import annotations

import enum
import json
import math
import re
from typing import Any, NoReturn

from wf2k8s.errors import ValidationError

from wf2k8s.sdk._spec import Checker, RunValue, description_size, fail, field, is_name, plain_problem, spec

#: formats a placeholder value can have, besides the element types of a LIST
VALUE_FORMATS = ("obs", "flavor", "train_flavor", "swr", "cluster")
LIST_FORMATS = ("str", "int", "float", "bool")


class PlaceholderType(enum.Enum):
    """The type of a workflow parameter's value (seed 4.2.2): INT int, STR str, BOOL bool, FLOAT float,
    ENUM one of ``enum_list``, JSON dict, LIST list. On Kubernetes: the parameter's type and the form it
    takes in the Argo UI (an ENUM's choices become the parameter's ``enum``)."""

    INT = "int"
    STR = "str"
    BOOL = "bool"
    FLOAT = "float"
    ENUM = "enum"
    JSON = "json"
    LIST = "list"


#: which placeholder types may stand for a value of a given scalar type
USABLE_AS: dict[str, tuple[PlaceholderType, ...]] = {
    "int": (PlaceholderType.INT,),
    "float": (PlaceholderType.FLOAT, PlaceholderType.INT),
    "bool": (PlaceholderType.BOOL,),
    "str": (PlaceholderType.STR, PlaceholderType.ENUM),
    "dict": (PlaceholderType.JSON,),
    "list": (PlaceholderType.LIST,),
    # Argo writes the value into the pod spec as it is (requests and limits): nothing maps a flavor id there
    "flavor": (PlaceholderType.JSON,),
    # numbers written as text, as the seed does for train_evaluate_sample_ratio
    "number": (PlaceholderType.STR, PlaceholderType.FLOAT, PlaceholderType.INT, PlaceholderType.ENUM),
    # a hyperparameter (seed table 4-45: any placeholder); JSON and LIST reach the program as JSON text
    "scalar": (PlaceholderType.INT, PlaceholderType.STR, PlaceholderType.BOOL,
               PlaceholderType.FLOAT, PlaceholderType.ENUM, PlaceholderType.JSON, PlaceholderType.LIST),
}


#: why a kind takes only those types, where that is not plain
USABLE_AS_HINTS = {
    "flavor": ": its value becomes the job pod's resources as it is, a map such as {\"cpu\": \"2\", \"memory\": "
              "\"8Gi\"} (give a flavor id such as 'modelarts.vm.cpu.2u' as a literal)",
}


def _fits(value: Any, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    raise AssertionError(kind)


_NOTHING = object()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_problem(value: Any, at: str = "") -> str | None:
    """Why ``value`` is not JSON (what a JSON parameter's text can hold), or None: object keys are str,
    numbers are finite, and only dicts, lists, str, int, float, bool and None appear."""
    where = at or "the value"
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value!r} (JSON has no NaN or Infinity)"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"key {key!r}{' of ' + at if at else ''} is {type(key).__name__}, not str (JSON object " \
                       "keys are strings)"
            problem = json_problem(item, f"{at}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            problem = json_problem(item, f"{at}[{i}]")
            if problem:
                return problem
        return None
    return f"{where} is a {type(value).__name__}, which JSON cannot hold"


@spec
class Placeholder(RunValue):
    """A workflow parameter (seed 4.2), set before a run starts, or while it runs when ``delay``.

    On Kubernetes: a parameter of the WorkflowTemplate (``spec.arguments.parameters``, its default the
    value, ``enum_list`` the enum); with ``delay`` a suspend node the Argo UI shows as awaiting input.
    """

    name: str = field(str, required=True, checks=[is_name])
    placeholder_type: PlaceholderType = field(PlaceholderType, required=True)
    default: Any = None
    placeholder_format: str | None = field(str, default=None)
    delay: bool = field(bool, default=False)
    description: str | None = field(str, default=None, checks=[description_size])
    enum_list: list[Any] | None = field(list, default=None)
    constraint: dict[str, Any] | None = field(dict, default=None)
    required: bool = field(bool, default=True)

    validate_on_init = True

    def check(self, error: Checker) -> None:
        ptype = self.placeholder_type
        if ptype is PlaceholderType.ENUM:
            if not self.enum_list:
                error("enum_list", "must not be empty when placeholder_type is ENUM")
            for i, item in enumerate(self.enum_list or []):
                if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                    error(f"enum_list[{i}]", f"must be str, int or float, got {item!r}")
        if ptype is PlaceholderType.LIST:
            if self.placeholder_format not in LIST_FORMATS:
                error("placeholder_format", "must be str, int, float or bool when placeholder_type is LIST, "
                      f"got {self.placeholder_format!r}")
        elif self.placeholder_format is not None and self.placeholder_format not in VALUE_FORMATS:
            error("placeholder_format", f"must be one of {', '.join(VALUE_FORMATS)}, got {self.placeholder_format!r}")
        if self.delay and not self.required:
            error("required", "cannot be False when delay is True")
        if self.default is not None:
            # its nesting and whole numbers first: default_problem reads it recursively and shows it
            plain = plain_problem(self.default, floats=False)
            problem = f"{plain[0]} {plain[1]}".strip() if plain else self.default_problem(self.default)
            if problem:
                error("default", problem)
        if self.enum_list and self.default is not None and not any(
                type(self.default) is type(item) and self.default == item for item in self.enum_list):
            # any type: a parameter's value must be one of its enum (Argo refuses the template otherwise)
            error("default", f"must be one of enum_list {self.enum_list}, got {self.default!r}")
        if self.constraint is not None:
            problem = json_problem(self.constraint)
            if problem:
                error("constraint", f"must be JSON: {problem}")

    def default_problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be a value of this placeholder, or None."""
        ptype = self.placeholder_type
        scalar = {PlaceholderType.INT: "int", PlaceholderType.FLOAT: "float",
                  PlaceholderType.BOOL: "bool", PlaceholderType.STR: "str"}.get(ptype)
        if scalar and not _fits(value, scalar):
            return f"must be {scalar} as placeholder_type is {ptype.name}, got {value!r}"
        if ptype is PlaceholderType.ENUM and not isinstance(value, (str, int, float)):
            return f"must be one of enum_list, got {value!r}"
        if ptype is PlaceholderType.JSON:
            if not isinstance(value, dict):
                return f"must be dict as placeholder_type is JSON, got {value!r}"
            problem = json_problem(value)
            if problem:
                return f"must be JSON as placeholder_type is JSON: {problem}"
        if ptype is PlaceholderType.LIST:
            if not isinstance(value, list):
                return f"must be list as placeholder_type is LIST, got {value!r}"
            for item in value:
                if self.placeholder_format in LIST_FORMATS and not _fits(item, self.placeholder_format):
                    return f"must hold {self.placeholder_format} items (placeholder_format), got {item!r}"
        return None

    def parse_run_value(self, text: str) -> Any:
        """A run's text for this placeholder (``wf2k8s run -p``, ``set_placeholder``) as its value, checked
        against its type, format and enum_list; a one-line ValidationError otherwise."""
        ptype = self.placeholder_type

        def refuse(problem: str) -> NoReturn:
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise ValidationError(f"Placeholder {self.name!r} > run value", f"{problem}, got {shown!r}")

        value: Any = text
        if ptype is PlaceholderType.INT:
            if not re.fullmatch(r"[+-]?[0-9]{1,18}", text.strip()):
                refuse("must be a whole number (placeholder_type INT)")
            value = int(text)
        elif ptype is PlaceholderType.FLOAT:
            try:
                value = float(text) if re.fullmatch(r"[0-9eE+\-.]{1,40}", text.strip()) else math.nan
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                refuse("must be a finite number (placeholder_type FLOAT)")
        elif ptype is PlaceholderType.BOOL:
            if text.lower() not in ("true", "false"):
                refuse("must be true or false (placeholder_type BOOL)")
            value = text.lower() == "true"
        elif ptype in (PlaceholderType.JSON, PlaceholderType.LIST):
            try:
                value = json.loads(text, parse_constant=_no_constant)
            except (ValueError, RecursionError):
                refuse(f"must be JSON ({'an object' if ptype is PlaceholderType.JSON else 'a list'})")
        if ptype is PlaceholderType.ENUM or self.enum_list:
            choices = [str(v) for v in self.enum_list or []]
            if text not in choices:
                refuse(f"must be one of enum_list {choices}")
            value = (self.enum_list or [])[choices.index(text)]
        problem = self.default_problem(value)
        if problem:
            refuse(problem.replace(f", got {value!r}", ""))
        return value

    def check_usable_as(self, kind: str, where: str, path: str) -> None:
        allowed = USABLE_AS[kind]
        if self.placeholder_type not in allowed:
            fail(where, path, f"Placeholder {self.name!r} is {self.placeholder_type.name}, "
                 f"but a {kind} is needed here ({' or '.join(t.name for t in allowed)}){USABLE_AS_HINTS.get(kind, '')}")

    def known_values(self) -> list[tuple[str, Any]]:
        given = getattr(self, "_run_value", _NOTHING)
        if given is not _NOTHING:  # Workflow.check_run_values: the fields it feeds check a run's value
            return [("run value", given)]
        return [("default", self.default)] + [(f"enum_list[{i}]", v) for i, v in enumerate(self.enum_list or [])]

    def value_label(self) -> str:
        return f"Placeholder {self.name!r}"

    def definition(self) -> tuple[Any, ...]:
        """What makes two placeholders of one name the same parameter."""
        return (type(self).__name__, self.placeholder_type, json.dumps(self.default, sort_keys=True, default=str),
                self.placeholder_format, self.delay, self.description,
                tuple(self.enum_list or ()), json.dumps(self.constraint, sort_keys=True), self.required)


@spec
class SystemEnv(Placeholder):
    """A value the system knows when a run starts, usable wherever a str placeholder is.

    On Kubernetes: ``wf.SystemEnv.EXECUTION_ID`` is the Argo run's name (the execution id unified storage
    inserts), ``WORKFLOW_NAME`` the WorkflowTemplate's name, ``NAMESPACE`` the namespace of the run.
    """

    name: str = field(str, required=True)
    placeholder_type: PlaceholderType = field(PlaceholderType, default=PlaceholderType.STR)

    validate_on_init = False

    def check_usable_in_pod_spec(self, where: str, path: str) -> None:
        fail(where, path, f"must be a literal or a Placeholder, got {self.label()}: Argo writes this field into the "
             "pod spec itself, and a SystemEnv's value is filled in only by the wf2k8s runtime inside the pod")


SYSTEM_VALUES = ("EXECUTION_ID", "WORKFLOW_NAME", "NAMESPACE")
for _name in SYSTEM_VALUES:
    setattr(SystemEnv, _name, SystemEnv(name=_name))
