"""Run values as text that a workflow engine will not read as its own template syntax.

Argo expands ``{{...}}`` in every parameter value it is given (a run's parameters when the run
starts, a suspended node's output when it is resumed), before wf2k8s sees it: the value
``x{{workflow.name}}`` reaches a phase as ``x<the run's name>``, and ``{{=1+1}}`` as ``2``. So every
value wf2k8s gives the engine (a placeholder's default, ``wf2k8s run -p``, ``wf2k8s input``) is
*protected*: a WORD JOINER (U+2060) goes between a ``{`` and the ``{`` after it, so no ``{{`` is left;
the runtime *unprotects* it. A value typed into the Argo UI directly is not protected (Argo expands it).
"""

from __future__ import annotations

import re

JOINER = "\u2060"
_BRACES = re.compile(r"\{(?=\{)")
_JOINED = re.compile(r"\{" + JOINER + r"(?=\{)")


def protect(text: str) -> str:
    """``text`` with no ``{{`` in it (see the module's doc)."""
    return _BRACES.sub("{" + JOINER, text)


def unprotect(text: str) -> str:
    """The value ``protect`` was given."""
    return _JOINED.sub("{", text)
