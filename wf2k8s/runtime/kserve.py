"""Where KServe's InferenceServices are in the Kubernetes API: shared by the deployer (service.py)
and batch services (batch.py), so neither imports the other's module back."""

from __future__ import annotations

import urllib.parse

GROUP = "serving.kserve.io/v1beta1"


def isvc_path(namespace: str, name: str = "") -> str:
    path = f"/apis/{GROUP}/namespaces/{urllib.parse.quote(namespace)}/inferenceservices"
    return f"{path}/{name}" if name else path
