"""YAML out, typed as Argo (go-yaml) will read it back.

PyYAML resolves scalars by YAML 1.1 rules; Kubernetes reads with YAML 1.2-ish rules, so
strings such as ``1e-5``, ``08`` or ``0o17`` would come back as numbers (hera issue 1607).
Every string that could read as anything but a string is double-quoted. The dumper is a
class of our own, so PyYAML's global representers (which hera changes) do not matter.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import yaml

# libyaml is part of PyYAML's wheels; fall back to the pure Python emitter
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_AMBIGUOUS = re.compile(
    r"""^(?:
        [-+]?(?:\.?[0-9]|\.(?:inf|Inf|INF|nan|NaN|NAN)$)   # anything starting like a number
      | (?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$
      | (?:null|Null|NULL|~)$
      | $                                                  # the empty string
    )""",
    re.VERBOSE,
)


class ArgoDumper(_BaseDumper):
    pass


def _represent_str(dumper: Any, value: str) -> yaml.ScalarNode:
    if _AMBIGUOUS.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if "'" in value and '"' not in value and "\\" not in value:
        # expressions quote with ', which single-quoted YAML would double
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


ArgoDumper.add_representer(str, _represent_str)


class Names(list):
    """A list of plain names (task dependencies), written inline as Argo's docs do: ``[a, b]``."""


def _represent_names(dumper: Any, value: list[str]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


ArgoDumper.add_representer(Names, _represent_names)


#: keys a reader looks for first; the rest keep the models' (alphabetical) order
FIRST = ("apiVersion", "kind", "metadata", "name", "namespace", "template", "dependencies", "when", "value")
_RANK = {key: i for i, key in enumerate(FIRST)}


def readable(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: _RANK.get(k, len(FIRST)))
        return {k: Names(value[k]) if k == "dependencies" else readable(value[k]) for k in keys}
    if isinstance(value, list):
        return [readable(v) for v in value]
    return value


def dump(document: Any) -> str:
    return yaml.dump(readable(document), Dumper=ArgoDumper, sort_keys=False, default_flow_style=False, width=1 << 30,
                     allow_unicode=True)


def dump_all(documents: Iterable[Any]) -> str:
    return "".join("---\n" + dump(d) for d in documents)
