"""The few MLflow calls phases make (ModelStep registers, ServiceStep looks versions up, the end of a run
records it in tracking), over MLflow's REST API (``/api/2.0/mlflow/...``) at ``MLFLOW_TRACKING_URI``, through
``http.request_json``."""

from __future__ import annotations

import json
import os
import urllib.parse
from typing import Iterator

from . import http
from .http import ServiceError

TIMEOUT = float(os.environ.get("WF2K8S_MLFLOW_TIMEOUT", "30"))


class MLflowError(ServiceError):
    """MLflow answered with an error (``code`` is its error_code, RESOURCE_DOES_NOT_EXIST, ...) or
    cannot be reached."""

    @property
    def code(self) -> str:
        try:
            found = json.loads(self.body)
        except (ValueError, RecursionError):
            return ""
        return str(found.get("error_code") or "") if isinstance(found, dict) else ""


class MLflow:
    def __init__(self, uri: str):
        self.uri = uri.rstrip("/")

    @classmethod
    def from_env(cls) -> "MLflow":
        from wf2k8s.contract import ContractError  # here: the S3 client alone needs nothing beyond the runtime

        uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
        if not uri:
            raise ContractError("no model registry: set MLFLOW_TRACKING_URI (the cluster's wf2k8s-config "
                                "ConfigMap does, e.g. http://10.96.0.50:5000)")
        if not uri.startswith(("http://", "https://")):
            raise ContractError(f"MLFLOW_TRACKING_URI must be an http(s) address of an MLflow server, got {uri!r}")
        return cls(uri)

    def call(self, method: str, endpoint: str, body: dict | None = None, query: dict | None = None) -> dict:
        url = f"{self.uri}/api/2.0/mlflow/{endpoint}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return http.request_json("MLflow", method, url, body, timeout=TIMEOUT, error=MLflowError,
                                 hint="check MLFLOW_TRACKING_URI") or {}

    def registered_model(self, name: str) -> dict | None:
        try:
            return self.call("GET", "registered-models/get", query={"name": name})["registered_model"]
        except MLflowError as error:
            if error.code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise

    def create_registered_model(self, name: str, tags: dict[str, str]) -> None:
        try:
            self.call("POST", "registered-models/create", {"name": name, "tags": tag_list(tags)})
        except MLflowError as error:
            if error.code != "RESOURCE_ALREADY_EXISTS":  # created meanwhile by another run: fine
                raise

    def versions(self, name: str) -> Iterator[dict]:
        token = None
        while True:
            query = {"filter": f"name='{name}'", "max_results": "1000"}
            if token:
                query["page_token"] = token
            page = self.call("GET", "model-versions/search", query=query)
            yield from page.get("model_versions") or []
            token = page.get("next_page_token")
            if not token:
                return

    def create_version(self, name: str, source: str, tags: dict[str, str], description: str) -> dict:
        body = {"name": name, "source": source, "tags": tag_list(tags)}
        if description:
            body["description"] = description
        return self.call("POST", "model-versions/create", body)["model_version"]

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self.call("POST", "model-versions/set-tag", {"name": name, "version": version, "key": key, "value": value})

    def delete_version(self, name: str, version: str) -> None:
        self.call("DELETE", "model-versions/delete", {"name": name, "version": version})


    # tracking: a run of wf2k8s is a run of MLflow in the pipeline's experiment ------------------------------------
    def experiment_id(self, name: str) -> str:
        """The experiment of that name, made when there is none."""
        try:
            return str(self.call("GET", "experiments/get-by-name", query={"experiment_name": name})
                       ["experiment"]["experiment_id"])
        except MLflowError as error:
            if error.code != "RESOURCE_DOES_NOT_EXIST":
                raise
        try:
            return str(self.call("POST", "experiments/create", {"name": name})["experiment_id"])
        except MLflowError as error:
            if error.code != "RESOURCE_ALREADY_EXISTS":  # made meanwhile by another run
                raise
            return self.experiment_id(name)

    def run_tagged(self, experiment: str, key: str, value: str) -> dict | None:
        found = self.call("POST", "runs/search", {"experiment_ids": [experiment], "max_results": 1,
                                                  "filter": f"tags.`{key}` = '{value}'"}).get("runs") or []
        return found[0] if found else None

    def create_run(self, experiment: str, name: str, start_ms: int, tags: dict[str, str]) -> str:
        run = self.call("POST", "runs/create", {"experiment_id": experiment, "run_name": name,
                                                "start_time": start_ms, "tags": tag_list(tags)})["run"]
        return str(run["info"]["run_id"])

    def log_batch(self, run_id: str, params: dict[str, str], metrics: dict[str, float], tags: dict[str, str],
                  timestamp_ms: int) -> None:
        self.call("POST", "runs/log-batch", {
            "run_id": run_id, "params": [{"key": k, "value": v} for k, v in params.items()],
            "metrics": [{"key": k, "value": v, "timestamp": timestamp_ms, "step": 0} for k, v in metrics.items()],
            "tags": tag_list(tags)})

    def end_run(self, run_id: str, status: str, end_ms: int) -> None:
        self.call("POST", "runs/update", {"run_id": run_id, "status": status, "end_time": end_ms})


def tag_list(tags: dict[str, str]) -> list[dict]:
    return [{"key": k, "value": v} for k, v in tags.items()]
