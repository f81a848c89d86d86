"""Phase specs for unit tests of the runtime: the contract's own classes, built from the JSON a
test writes, with the header (contract version, title, policy) filled in as the compiler writes it."""

from __future__ import annotations

from typing import Any

from wf2k8s import contract
from wf2k8s.contract.phases import CONTRACT_VERSION

POLICY = {"poll_interval_seconds": 1.0, "max_execution_minutes": 10080.0}


def phase(kind: str, step: str = "step", **fields: Any) -> Any:
    """``kind``'s contract object for a spec with these fields (JSON-like, references as marker
    objects), checked as the runtime checks a spec it is given."""
    data: dict[str, Any] = {"contract": CONTRACT_VERSION, "step": step, "title": fields.pop("title", step),
                            "policy": fields.pop("policy", POLICY), **fields}
    if kind in ("resolve", "notify", "run_end"):
        data.pop("title"), data.pop("policy")
    return contract.load_phase(kind, data)
