"""The Kubeflow Pipelines v2 backend: the graph model as a KFP pipeline, through the kfp SDK's DSL.

kfp is an optional dependency (``pip install 'wf2k8s[kfp]'``): it is imported only when this target is used.
"""

from __future__ import annotations

from typing import Any

from wf2k8s.graph.model import Graph

MISSING = "the Kubeflow Pipelines target needs the kfp SDK: pip install 'wf2k8s[kfp]'"


class KfpUnavailable(RuntimeError):
    """kfp is not installed."""


def compile_graph(graph: Graph, **options: Any) -> str:
    """The KFP pipeline YAML of a graph; ``KfpUnavailable`` without kfp."""
    try:
        from wf2k8s.backends.kfp.compiler import compile_graph as compile_with_kfp
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] != "kfp":
            raise
        raise KfpUnavailable(MISSING) from None
    return compile_with_kfp(graph, **options)


__all__ = ["MISSING", "KfpUnavailable", "compile_graph"]
