"""The phase pod's own annotations, as the kubelet keeps them in a downward-API file.

How a waiting phase hears from outside without any API access of its own: ``wf2k8s resume`` and
``wf2k8s input`` annotate the pod, the kubelet rewrites ``$WF2K8S_PODINFO/annotations`` (within about
a minute), and the phase reads it while it polls. The file holds ``key="value"`` lines, the value
quoted as Go's ``%q`` does.
"""

# no ``from __future__ import annotations``: annotations() below would redefine that name (the hints here
# evaluate as they are on Python 3.10, the oldest the runtime supports)
import ast
import json
import os
from pathlib import Path

#: ``wf2k8s input RUN NAME=VALUE`` for a phase already running: the value, in this annotation
INPUT_PREFIX = "wf2k8s.io/input."
#: ``wf2k8s resume RUN STEP``: a waiting labeling phase goes on with the labels given so far
LABELING_DONE = ("wf2k8s.io/labeling", "done")


def directory() -> Path | None:
    """Where the annotations file is; None outside a pod that mounts it."""
    path = os.environ.get("WF2K8S_PODINFO")
    return Path(path) if path else None


def unquote(text: str) -> str:
    """A Go-quoted string's value (JSON's escapes, plus \\x.. and \\a \\v that Python's literals know).
    Anything but one quoted string is refused (``ValueError``): neither parser sees nested values."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text[:40]!r}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = ast.literal_eval(text)
    return value if isinstance(value, str) else str(value)


def annotations(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        lines = (path / "annotations").read_text(errors="replace").splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        key, sep, quoted = line.partition("=")
        if not sep:
            continue
        try:
            found[key.strip()] = unquote(quoted.strip())
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            continue
    return found
