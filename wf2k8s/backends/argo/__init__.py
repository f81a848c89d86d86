"""The Argo Workflows v4 backend."""

from wf2k8s.backends.argo.compiler import compile_graph, run_manifest

__all__ = ["compile_graph", "run_manifest"]
