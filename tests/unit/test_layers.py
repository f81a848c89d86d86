"""The package's layers: no import cycle anywhere in wf2k8s (imports inside functions included), and
the runtime and the contract need nothing beyond the standard library and each other."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "wf2k8s"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The wf2k8s modules ``name`` imports, anywhere in its body (``from pkg import mod`` is the module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


GRAPH = {name: imports(name) for name in MODULES}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def test_no_import_cycle():
    assert cycles() == []


@pytest.mark.parametrize("layer", ["wf2k8s.contract", "wf2k8s.runtime"])
def test_runtime_and_contract_import_only_the_standard_library_and_each_other(layer):
    allowed = ("wf2k8s.contract", "wf2k8s.runtime")
    for name, path in MODULES.items():
        if not name.startswith(layer):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                targets = [node.module or ""]
            else:
                continue
            for target in targets:
                top = target.split(".")[0]
                assert target.startswith(allowed) or top in sys.stdlib_module_names, f"{name} imports {target}"


def test_the_contract_knows_no_other_layer():
    for name in MODULES:
        if name.startswith("wf2k8s.contract"):
            assert all(t.startswith("wf2k8s.contract") for t in GRAPH[name]), (name, GRAPH[name])


def test_the_sdk_and_graph_know_no_backend_and_the_runtime_knows_no_sdk():
    for name, targets in GRAPH.items():
        if name.startswith("wf2k8s.graph"):
            assert not any(t.startswith(("wf2k8s.backends", "wf2k8s.runtime", "wf2k8s.cluster")) for t in targets), name
        if name.startswith("wf2k8s.runtime"):
            assert not any(t.startswith(("wf2k8s.sdk", "wf2k8s.graph", "wf2k8s.backends")) for t in targets), name
