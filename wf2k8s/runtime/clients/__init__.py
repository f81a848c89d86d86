"""The services phases talk to, one small client each, every request through ``http.request`` (one
retry policy) and every failure a ``ServiceError`` (a ``PhaseError``: the step's one-line message),
or the client's subclass of it:

``S3`` (``S3Error``)
    objects in OBS/S3: code, data, datasets, outputs (``s3.py``)
``Kube`` (``KubeError``)
    the Kubernetes API with the pod's service account: InferenceServices, their pods and logs (``kube.py``)
``MLflow`` (``MLflowError``)
    the MLflow Model Registry (``mlflow.py``)
``LabelStudio`` (``LabelStudioError``)
    Label Studio projects of labeling jobs (``label_studio.py``)

Standard library only (the S3 client runs inside users' engine images).
"""

from __future__ import annotations

from .http import RETRY, Retry, ServiceError, request, request_json
from .kube import Kube, KubeError
from .label_studio import LabelStudio, LabelStudioError
from .mlflow import MLflow, MLflowError
from .s3 import S3, S3Error, split_uri

__all__ = [
    "RETRY", "Retry", "ServiceError", "request", "request_json",
    "Kube", "KubeError", "LabelStudio", "LabelStudioError", "MLflow", "MLflowError", "S3", "S3Error", "split_uri",
]
