"""References: leaves of a phase spec whose value is known only when a run starts or while it runs.

The graph model writes them (name, type), a backend fills in how the run finds them (``value``,
``result``: Argo expression tags, for instance), and the runtime resolves them to plain values.
On the wire each is a JSON object with one marker key (``$param``, ``$system``, ...), so no user
value, which is always a plain JSON string, number or object without those keys, is ever taken
for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn, Union

#: the placeholder types (seed 4.2.3), then the data placeholder kinds, then storage roots
SCALAR_TYPES = ("int", "str", "bool", "float", "enum", "json", "list", "flavor")
DATA_TYPES = ("dataset", "obs", "label_task", "service", "swr", "service_input", "data_selector")
SYSTEM_NAMES = ("EXECUTION_ID", "WORKFLOW_NAME", "NAMESPACE")
OPERATORS = ("==", ">", ">=", "in", "<", "<=", "!=", "or")


@dataclass(frozen=True)
class ParamRef:
    """A value set per run: a placeholder or a data placeholder.

    ``details`` is what the runtime needs besides the value (a data placeholder's object_type,
    model_name, ...); ``value`` the text given while the run runs (a ``delay=True`` placeholder),
    else the runtime takes the run's parameter of that name.
    """

    name: str
    type: str = "str"
    details: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    value: Any = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class SystemRef:
    """A value of the run itself: EXECUTION_ID (the run's name), WORKFLOW_NAME or NAMESPACE."""

    name: str
    #: the pipeline's name, for WORKFLOW_NAME (known when it is compiled)
    value: str | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class StorageRef:
    """``<root of storage>[/<execution id>]/<path>``; the root is the run's parameter ``storage``."""

    storage: str
    path: str
    with_execution_id: bool = False
    create_dir: bool = field(default=False, compare=False, hash=False)


@dataclass(frozen=True)
class Fallback:
    """What an output stands for in a run where its producer did not run (partial execution: a scene, or
    ``run(steps=...)``, that leaves the producer out), in this order:

    ``given``
        the run parameter (``wf2k8s-output-<step>-<output>``) holding a value given for it when the run
        started: a path (``obs://...``), or a location as the producer's result holds it (a JSON object);
        empty when none was given;
    ``fixed``
        where the producer writes it in every run (an OBS path, a storage path without execution id, a
        placeholder's path), when it has such a place.
    """

    given: str | None = None
    fixed: Any = None


@dataclass(frozen=True)
class OutputRef:
    """Another step's output: its ``result`` when it ran, None when it did not.

    ``declared`` is where the output goes when its producer writes no result of ours (a Spark
    step run by the Spark Operator); ``fallback`` what stands for it when its producer did not run
    (wire key ``fallback``, optional: contract 1.0 specs without it read as before)."""

    step: str
    output: str
    result: Any = field(default=None, compare=False, hash=False)
    declared: Any = field(default=None, compare=False, hash=False)
    fallback: Fallback | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class VariableRef:
    """A value a step outputs while it runs (a service's ``access_address``, ...)."""

    step: str
    output: str
    variable: str
    result: Any = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class MetricRef:
    """A float metric of a JobStep output, by key."""

    step: str
    output: str
    key: str
    result: Any = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class SelectRef:
    """The output of whichever of ``options`` ran (DataConsumptionSelector)."""

    options: tuple[OutputRef, ...]


Ref = Union[ParamRef, SystemRef, StorageRef, OutputRef, VariableRef, MetricRef, SelectRef]
REFERENCE_TYPES = (ParamRef, SystemRef, StorageRef, OutputRef, VariableRef, MetricRef, SelectRef)


@dataclass(frozen=True)
class Cond:
    """``left <op> right``; for ``or`` both sides are Cond. Operands: literals, lists, ParamRef, MetricRef."""

    op: str
    left: Any
    right: Any


# the wire form -------------------------------------------------------------------------------------

MARKERS = ("$param", "$system", "$storage", "$output", "$variable", "$metric", "$select")


def dump_ref(ref: Ref, dump: Callable[[Any], Any]) -> dict[str, Any]:
    """A reference as its marker object; ``dump`` writes nested values (details, results)."""
    if isinstance(ref, ParamRef):
        encoded: dict[str, Any] = {"$param": ref.name, "type": ref.type}
        if ref.value is not None:
            encoded["value"] = dump(ref.value)
        if ref.details:
            encoded["details"] = dump(ref.details)
        return encoded
    if isinstance(ref, SystemRef):
        return {"$system": ref.name, **({"value": ref.value} if ref.value is not None else {})}
    if isinstance(ref, StorageRef):
        return {"$storage": ref.storage, "path": ref.path,
                **({"execution_id": True} if ref.with_execution_id else {})}
    if isinstance(ref, OutputRef):
        encoded = {"$output": f"{ref.step}/{ref.output}", "result": dump(ref.result)}
        if ref.declared is not None:
            encoded["declared"] = dump(ref.declared)
        if ref.fallback is not None:
            encoded["fallback"] = {**({"given": ref.fallback.given} if ref.fallback.given else {}),
                                   **({"fixed": dump(ref.fallback.fixed)} if ref.fallback.fixed is not None else {})}
        return encoded
    if isinstance(ref, VariableRef):
        return {"$variable": f"{ref.step}/{ref.output}/{ref.variable}", "result": dump(ref.result)}
    if isinstance(ref, MetricRef):
        return {"$metric": f"{ref.step}/{ref.output}/{ref.key}", "result": dump(ref.result)}
    return {"$select": [dump(option) for option in ref.options]}


def is_marker(value: Any) -> bool:
    return isinstance(value, dict) and any(key in value for key in MARKERS)


def load_ref(value: dict[str, Any], load: Callable[[Any], Any], where: str,
             fail: Callable[[str, str], NoReturn]) -> Ref:
    """The reference a marker object stands for; ``load`` reads nested values, ``fail(where, text)`` raises."""
    def text(key: str, parts: int = 1) -> list[str]:
        found = value.get(key)
        pieces = found.split("/", parts - 1) if isinstance(found, str) else []
        if len(pieces) != parts or not all(pieces):
            fail(where, f"{key} must be {'/'.join(['NAME'] * parts)}, got {found!r}")
        return pieces

    if "$param" in value:
        (name,) = text("$param")
        kind = value.get("type", "str")
        if kind not in SCALAR_TYPES + DATA_TYPES:
            fail(where, f"unknown placeholder type {kind!r}")
        details = value.get("details")
        if details is not None and not isinstance(details, dict):
            fail(where, "details must be an object")
        return ParamRef(name, kind, load(details) if details else None, value.get("value"))
    if "$system" in value:
        (name,) = text("$system")
        if name not in SYSTEM_NAMES:
            fail(where, f"unknown system value {name!r} (known: {', '.join(SYSTEM_NAMES)})")
        return SystemRef(name, value.get("value"))
    if "$storage" in value:
        (name,) = text("$storage")
        path = value.get("path", "")
        if not isinstance(path, str):
            fail(where, "path must be a string")
        return StorageRef(name, path, value.get("execution_id") is True)
    if "$output" in value:
        step, output = text("$output", 2)
        return OutputRef(step, output, value.get("result"), load(value.get("declared")),
                         load_fallback(value.get("fallback"), load, f"{where} fallback" if where else "fallback", fail))
    if "$variable" in value:
        step, output, variable = text("$variable", 3)
        return VariableRef(step, output, variable, value.get("result"))
    if "$metric" in value:
        step, output, key = text("$metric", 3)
        return MetricRef(step, output, key, value.get("result"))
    options = value.get("$select")
    if not isinstance(options, list) or not options:
        fail(where, "$select must be a non-empty list of outputs")
    loaded = tuple(load(option) for option in options)
    if not all(isinstance(option, OutputRef) for option in loaded):
        fail(where, "$select must list $output references")
    return SelectRef(loaded)


def load_fallback(value: Any, load: Callable[[Any], Any], where: str,
                  fail: Callable[[str, str], NoReturn]) -> Fallback | None:
    """An ``$output``'s ``fallback`` object (absent: None)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"given", "fixed"}:
        fail(where, "must be an object with given (a run parameter's name) and fixed (a location), both optional")
    given = value.get("given")
    if given is not None and (not isinstance(given, str) or not given):
        fail(where, f"given must be a run parameter's name, got {given!r}")
    return Fallback(given, load(value.get("fixed")))
