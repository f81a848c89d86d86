"""Backends turn the graph model into what an orchestrator runs. Argo Workflows is the first."""
