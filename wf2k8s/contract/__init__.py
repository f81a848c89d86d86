"""The typed, versioned contract between the compiler and the runtime (standard library only).

Everything that crosses from the graph model to a backend and from a backend to the phase
containers is one of these classes: ``phases`` (one per phase kind), ``refs`` (values known only
while a run runs) and ``codec`` (strict JSON in and out). The runtime runs inside users' own
engine images, so nothing here imports beyond the standard library (Python 3.10 or newer).
"""

from __future__ import annotations

import json
from typing import Any

from wf2k8s.contract import phases, refs
from wf2k8s.contract.codec import ContractError, dump, load
from wf2k8s.contract.phases import CONTRACT_VERSION
from wf2k8s.contract.registry import BY_KIND, PHASE_KINDS, PhaseKind

__all__ = ["CONTRACT_VERSION", "ContractError", "PHASE_KINDS", "PhaseKind", "dump", "load",
           "load_phase", "phase_class", "phases", "refs"]

def phase_class(kind: str) -> type:
    try:
        return BY_KIND[kind].contract
    except KeyError:
        raise ContractError(f"no phase kind {kind!r} (kinds: {', '.join(BY_KIND)})") from None


def check_version(found: Any) -> None:
    """A spec of another major version than this contract's is refused, naming both."""
    if not isinstance(found, str) or not found.split(".")[0].isdigit():
        raise ContractError(f"the spec has no contract version (got {found!r}); this runtime reads contract "
                            f"{CONTRACT_VERSION}: compile the pipeline with a wf2k8s whose runtime image this is")
    if found.split(".")[0] != CONTRACT_VERSION.split(".")[0]:
        raise ContractError(f"the spec is contract {found}, this runtime reads contract {CONTRACT_VERSION}: "
                            "compile the pipeline and run it with the same major version of wf2k8s")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


#: how deeply a spec may nest (the SDK takes values of at most 100 levels; a spec adds a few of its own):
#: deeper is refused before the recursive reader sees it, not a RecursionError
MAX_NESTING = 200


def too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list, tuple)))
    return False


def load_phase(kind: str, text: str | dict[str, Any]) -> Any:
    """A phase spec (JSON text or already parsed) as its contract class, checked strictly."""
    if isinstance(text, str):
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (json.JSONDecodeError, RecursionError, ValueError) as problem:
            raise ContractError(f"--spec is not JSON: {problem}") from None
    else:
        data = text
    cls = phase_class(kind)
    if not isinstance(data, dict):
        raise ContractError("--spec must be a JSON object")
    if too_deep(data):
        raise ContractError(f"--spec nests lists and objects more than {MAX_NESTING} levels deep")
    check_version(data.get("contract"))
    step = data.get("step")
    where = f"{kind} spec {step!r} > " if isinstance(step, str) else f"{kind} spec > "
    return load(cls, data, where)
