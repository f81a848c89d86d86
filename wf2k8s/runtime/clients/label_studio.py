"""The Label Studio REST API calls a labeling job needs, at ``LABEL_STUDIO_URL`` with the API token
``LABEL_STUDIO_TOKEN`` (the cluster's wf2k8s-config ConfigMap and wf2k8s-label-studio Secret),
through ``http.request_json``."""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

from . import http
from .http import ServiceError
from .s3 import S3

TIMEOUT = 120
IMPORT_BATCH = 500


class LabelStudioError(ServiceError):
    """Label Studio is not configured, cannot be reached, or answered with an error."""


class LabelStudio:
    def __init__(self, url: str, token: str):
        self.url, self.token = url.rstrip("/"), token

    @classmethod
    def from_env(cls) -> "LabelStudio":
        url, token = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_TOKEN")
        if not url:
            raise LabelStudioError("no labeling tool: set LABEL_STUDIO_URL (the cluster's wf2k8s-config ConfigMap "
                                   "does)")
        if not token:
            raise LabelStudioError("no Label Studio API token: set LABEL_STUDIO_TOKEN (the cluster's "
                                   "wf2k8s-label-studio Secret does)")
        return cls(url, token)

    def call(self, method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        try:
            return http.request_json("Label Studio", method, url, body, {"Authorization": f"Token {self.token}"},
                                     timeout=TIMEOUT, error=LabelStudioError,
                                     hint="check LABEL_STUDIO_URL and that the label-studio Deployment runs")
        except LabelStudioError as problem:
            if problem.status in (401, 403):
                raise LabelStudioError(f"Label Studio at {self.url} refused the API token ({problem.status}): "
                                       "check LABEL_STUDIO_TOKEN", problem.status, problem.body) from None
            raise

    def projects(self) -> list[dict]:
        found: list[dict] = []
        page = 1
        while True:
            body = self.call("GET", "/api/projects", query={"page": page, "page_size": 100})
            items = body.get("results", []) if isinstance(body, dict) else body or []
            found.extend(items)
            if not isinstance(body, dict) or not body.get("next"):
                return found
            page += 1

    def project(self, project_id: int) -> dict | None:
        """The project, None when there is none (404)."""
        try:
            return self.call("GET", f"/api/projects/{project_id}")
        except LabelStudioError as problem:
            if problem.status == 404:
                return None
            raise

    def create_project(self, title: str, label_config: str, description: str) -> dict:
        return self.call("POST", "/api/projects", {"title": title, "label_config": label_config,
                                                   "description": description})

    def update_project(self, project_id: int, **fields: Any) -> dict:
        return self.call("PATCH", f"/api/projects/{project_id}", fields)

    def add_s3_storage(self, project_id: int, s3: S3, bucket: str, prefix: str) -> None:
        """Let Label Studio read the project's ``s3://`` sample files (it proxies them to the browser)."""
        existing = self.call("GET", "/api/storages/s3", query={"project": project_id}) or []
        if any(s.get("bucket") == bucket and (s.get("prefix") or "") == prefix for s in existing):
            return
        self.call("POST", "/api/storages/s3", {
            "project": project_id, "title": "wf2k8s dataset", "bucket": bucket, "prefix": prefix,
            "s3_endpoint": s3.endpoint, "aws_access_key_id": s3.access_key,
            "aws_secret_access_key": s3.secret_key, "region_name": s3.region,
            "use_blob_urls": True, "presign": False})

    def tasks(self, project_id: int) -> list[dict]:
        """Every task of the project with its data and annotations (the JSON export)."""
        return self.call("GET", f"/api/projects/{project_id}/export",
                         query={"exportType": "JSON", "download_all_tasks": "true"}) or []

    def import_tasks(self, project_id: int, tasks: list[dict]) -> None:
        for start in range(0, len(tasks), IMPORT_BATCH):
            self.call("POST", f"/api/projects/{project_id}/import", tasks[start:start + IMPORT_BATCH],
                      query={"commit_to_project": "true"})

    def web_url(self, project_id: int) -> str:
        return f"{self.url}/projects/{project_id}/data"
