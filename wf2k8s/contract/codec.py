"""Typed phase specs <-> JSON, strictly: a wrong type, an unknown field or a missing one is a
``ContractError`` naming its path (``job spec 'train' > algorithm.parameters[0].name: ...``).

Reads the contract dataclasses' own type hints, so a contract class is only its declaration.
Fields whose value is None are left out of the JSON (they are absent, not defaulted); every
other field is written, defaults included.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Callable, NoReturn, Union

from wf2k8s.contract.refs import REFERENCE_TYPES, Cond, Ref, dump_ref, is_marker, load_ref


class ContractError(ValueError):
    """A phase spec cannot be used: a value of the wrong type, a missing output, another version..."""


def fail(where: str, message: str) -> NoReturn:
    raise ContractError(f"{where}: {message}" if where else message)


# dumping ---------------------------------------------------------------------------------------------

RefHook = Callable[[Ref, Callable[[Any], Any]], Any]


def dump(value: Any, ref_hook: RefHook | None = None) -> Any:
    """A contract object as JSON-like data. ``ref_hook(ref, dump)`` writes references (a backend
    that splices its own expressions in); by default they are their marker objects."""
    again = functools.partial(dump, ref_hook=ref_hook)
    if isinstance(value, REFERENCE_TYPES):
        return ref_hook(value, again) if ref_hook else dump_ref(value, again)
    if isinstance(value, Cond):
        return {"op": value.op, "left": again(value.left), "right": again(value.right)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: dict[str, Any] = {}
        kind = getattr(type(value), "KIND", None)
        if kind:
            found["kind"] = kind
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is not None:
                found[f.metadata.get("wire", f.name)] = again(item)
        return found
    if isinstance(value, dict):
        return {key: again(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [again(item) for item in value]
    return value


# loading -----------------------------------------------------------------------------------------------


def load(cls: type, data: Any, where: str = "") -> Any:
    """``data`` (JSON-like; references may already be objects) as an instance of ``cls``."""
    return _load(cls, data, where)


@functools.lru_cache(maxsize=None)
def hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where and not where.endswith(" > ") else f"{where}{key}"


def _name(tp: Any) -> str:
    if tp is type(None):
        return "null"
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _json(data: Any, where: str) -> Any:
    """Free JSON whose markers are references (a placeholder inside a dict the SDK takes as it is)."""
    if isinstance(data, REFERENCE_TYPES) or isinstance(data, Cond):
        return data
    if is_marker(data):
        return load_ref(data, lambda v: _json(v, where), where, fail)
    if isinstance(data, dict):
        return {str(k): _json(v, _at(where, str(k))) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json(v, _at(where, i)) for i, v in enumerate(data)]
    if data is None or isinstance(data, (str, int, float, bool)):
        return data
    fail(where, f"not JSON: a {type(data).__name__}")


def _load(tp: Any, data: Any, where: str) -> Any:
    if tp is Any:
        return _json(data, where)
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _load_union(typing.get_args(tp), data, where)
    if tp in REFERENCE_TYPES:
        return _load_union((tp,), data, where)
    if tp is type(None):
        if data is not None:
            fail(where, f"must be null, got {_describe(data)}")
        return None
    if tp is Cond:
        return _load_cond(data, where)
    if origin in (list, tuple):
        if not isinstance(data, (list, tuple)):
            fail(where, f"must be a list, got {_describe(data)}")
        (item,) = typing.get_args(tp)[:1]
        loaded = [_load(item, v, _at(where, i)) for i, v in enumerate(data)]
        return tuple(loaded) if origin is tuple else loaded
    if origin is dict:
        if not isinstance(data, dict):
            fail(where, f"must be an object, got {_describe(data)}")
        _, item = typing.get_args(tp)
        return {str(k): _load(item, v, _at(where, str(k))) for k, v in data.items()}
    if dataclasses.is_dataclass(tp):
        return _load_dataclass(tp, data, where)
    if tp is float:  # an int is a float here (as in typing), and stays the number it was written as
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return data
    elif tp in (str, int, bool):
        if type(data) is tp:
            return data
    else:
        fail(where, f"the contract has an unsupported type {_name(tp)}")
    fail(where, f"must be {_name(tp)}, got {_describe(data)}")


def _describe(data: Any) -> str:
    if isinstance(data, (str, int, float, bool)) or data is None:
        text = repr(data)
        return text if len(text) <= 60 else text[:57] + "..."
    return type(data).__name__ if not isinstance(data, dict) else "an object"


def _load_union(options: tuple[Any, ...], data: Any, where: str) -> Any:
    refs = tuple(o for o in options if o in REFERENCE_TYPES)
    if isinstance(data, REFERENCE_TYPES):
        if isinstance(data, refs):
            return data
        fail(where, f"cannot be a {type(data).__name__} here")
    if is_marker(data):
        if not refs:
            fail(where, "cannot be a placeholder or another step's output here")
        ref = load_ref(data, lambda v: _json(v, where), where, fail)
        if not isinstance(ref, refs):
            fail(where, f"cannot be a {type(ref).__name__} here")
        return ref
    rest = [o for o in options if o not in REFERENCE_TYPES]
    if data is None:
        if type(None) in rest:
            return None
        fail(where, "is mandatory")
    classes = [o for o in rest if dataclasses.is_dataclass(o)]
    if isinstance(data, dict) and classes:
        return _load_dataclass(_choose(classes, data, where), data, where)
    for option in rest:
        if option is type(None) or dataclasses.is_dataclass(option):
            continue
        try:
            return _load(option, data, where)
        except ContractError:
            continue
    wanted = " or ".join(_name(o) for o in rest if o is not type(None))
    fail(where, f"must be {wanted}{' or a reference' if refs else ''}, got {_describe(data)}")


def _choose(classes: list[Any], data: dict[str, Any], where: str) -> Any:
    """Which of several dataclasses an object is: by its ``kind``, else by its fields."""
    if len(classes) == 1:  # one shape: its own errors say best what is wrong
        return classes[0]
    kind = data.get("kind")
    if kind is not None:
        for cls in classes:
            if getattr(cls, "KIND", None) == kind:
                return cls
        fail(where, f"kind {kind!r} is not allowed here")
    fitting = [cls for cls in classes if not getattr(cls, "KIND", None)
               and set(data) <= {f.metadata.get("wire", f.name) for f in dataclasses.fields(cls)}
               and _required(cls) <= set(data)]
    if not fitting:
        fail(where, f"is none of {', '.join(c.__name__ for c in classes)} (fields: {', '.join(sorted(data))})")
    return fitting[0]


@functools.lru_cache(maxsize=None)
def _required(cls: type) -> frozenset[str]:
    return frozenset(f.metadata.get("wire", f.name) for f in dataclasses.fields(cls)
                     if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)


def _load_dataclass(cls: Any, data: Any, where: str) -> Any:
    if isinstance(data, cls):
        return data
    if not isinstance(data, dict):
        fail(where, f"must be an object ({cls.__name__}), got {_describe(data)}")
    kind = getattr(cls, "KIND", None)
    wire = {f.metadata.get("wire", f.name): f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(wire) - ({"kind"} if kind else set()))
    if unknown:
        fail(_at(where, unknown[0]), f"unknown field of {cls.__name__} (fields: {', '.join(wire)})")
    if kind and data.get("kind", kind) != kind:
        fail(_at(where, "kind"), f"must be {kind!r}, got {data.get('kind')!r}")
    values = {}
    types_of = hints(cls)
    for key, f in wire.items():
        if key not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                fail(_at(where, key), "is missing")
            continue
        values[f.name] = _load(types_of[f.name], data[key], _at(where, key))
    return cls(**values)


def _load_cond(data: Any, where: str) -> Cond:
    if isinstance(data, Cond):
        return data
    if not isinstance(data, dict) or set(data) != {"op", "left", "right"}:
        fail(where, "a condition is an object with op, left and right")
    from wf2k8s.contract.refs import OPERATORS

    if data["op"] not in OPERATORS:
        fail(_at(where, "op"), f"must be one of {', '.join(OPERATORS)}, got {data['op']!r}")
    if data["op"] == "or":
        return Cond("or", _load_cond(data["left"], _at(where, "left")), _load_cond(data["right"], _at(where, "right")))
    return Cond(data["op"], _json(data["left"], _at(where, "left")), _json(data["right"], _at(where, "right")))
