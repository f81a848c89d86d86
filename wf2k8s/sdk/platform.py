"""What the SDK's methods need beyond the SDK, reached through this one module: the graph builder,
the Argo backend and the cluster. The SDK's classes know nothing of Argo; ``Workflow.release()`` and
its relatives call these functions."""

from __future__ import annotations

from typing import Any

from wf2k8s import cluster
from wf2k8s.backends.argo import compile_graph
from wf2k8s.backends.argo.yamlio import dump_all
from wf2k8s.graph.build import build_graph
from wf2k8s.graph.model import Graph

__all__ = ["graph", "workflow_template", "yaml", "cluster"]


def graph(workflow: Any) -> Graph:
    """The validated graph model of an SDK Workflow."""
    return build_graph(workflow)


def workflow_template(workflow: Any, **options: Any) -> dict:
    """The released pipeline: an Argo WorkflowTemplate, as a dict."""
    return compile_graph(build_graph(workflow), **options)


def yaml(documents: list[dict]) -> str:
    return dump_all(documents)


#: `kubectl apply` (client-side) keeps the whole object in an annotation; annotations stop at 256 KiB
CLIENT_SIDE_APPLY_LIMIT = 256 * 1024 - 4 * 1024


def apply_size_advice(text: str) -> str | None:
    """What to run instead of ``kubectl apply -f -`` when ``text`` is too large for it, or None."""
    if len(text.encode()) <= CLIENT_SIDE_APPLY_LIMIT:
        return None
    return (f"wf2k8s: this WorkflowTemplate is {len(text.encode()) // 1024} KiB, more than `kubectl apply` can keep "
            "in its last-applied annotation (256 KiB): apply it with `kubectl apply --server-side -f -` "
            "(or `kubectl create -f -`)")
