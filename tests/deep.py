"""A value nested too deep to write out in a test's example: made when it is used."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Deep:
    """A list nested ``depth`` levels deep, made when it is used (an example stays short to show)."""

    depth: int

    def value(self) -> list:
        value: list = []
        for _ in range(self.depth - 1):
            value = [value]
        return value

    def text(self) -> str:
        return "[" * self.depth + "]" * self.depth
