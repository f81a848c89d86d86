"""JSON with pieces spliced in as they are: how a backend writes a phase spec in which some values are
its orchestrator's own expressions (Argo's ``{{=...}}`` tags, KFP's placeholders), shared by the backends."""

from __future__ import annotations

import json
import secrets
from typing import Any


class Raw:
    """Text spliced into the JSON as is (an Argo tag that renders JSON)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def to_json(value: Any) -> str:
    """Compact JSON with the Raw leaves spliced in.

    ``{{`` never appears in compact JSON outside strings, and inside strings it is escaped
    (``{\u007b``), so the only template tags Argo sees are the ones we put there.
    """
    raws: list[str] = []
    # the Raw leaves' stand-ins carry a nonce: no user string can name one
    nonce = secrets.token_hex(8)

    def default(obj: Any) -> Any:
        if isinstance(obj, Raw):
            raws.append(obj.text)
            return f"\x00{nonce}:{len(raws) - 1}\x00"
        raise TypeError(type(obj).__name__)

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=default)
    text = text.replace("{{", "{\\u007b")
    for i, raw in enumerate(raws):
        text = text.replace(f'"\\u0000{nonce}:{i}\\u0000"', raw, 1)
    return text
