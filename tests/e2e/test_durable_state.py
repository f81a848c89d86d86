"""Durable state (issue 12): a registered model version and a Label Studio project with its annotation
are still there after the MLflow and Label Studio pods are deleted and their Deployments make new ones
(their databases are on PersistentVolumeClaims, manifests/mlflow.yaml and manifests/label-studio.yaml)."""

from __future__ import annotations

import base64
import time
import urllib.request
import uuid

import pytest
from conftest import NAMESPACE, kubectl, kubectl_json

from wf2k8s.runtime.clients import LabelStudio, MLflow

DEPLOYMENTS = ("mlflow", "label-studio")
LABEL_CONFIG = ('<View><Text name="text" value="$text"/>'
                '<Choices name="label" toName="text"><Choice value="keep"/><Choice value="drop"/></Choices></View>')


@pytest.fixture(scope="module")
def services(kube) -> tuple[MLflow, LabelStudio, str]:
    config = kubectl_json("get", "configmap", "wf2k8s-config", "-n", NAMESPACE)["data"]
    secret = kubectl_json("get", "secret", "wf2k8s-label-studio", "-n", NAMESPACE)["data"]
    studio = LabelStudio(config["LABEL_STUDIO_URL"], base64.b64decode(secret["LABEL_STUDIO_TOKEN"]).decode())
    return MLflow(config["MLFLOW_TRACKING_URI"]), studio, config["WF2K8S_S3_BUCKET"]


def pods(app: str, ready: bool = False) -> set[str]:
    """The uids of the app's pods (not being deleted; only Ready ones if ``ready``)."""
    found = kubectl_json("get", "pods", "-n", NAMESPACE, "-l", f"app.kubernetes.io/name={app}")["items"]
    return {p["metadata"]["uid"] for p in found if not p["metadata"].get("deletionTimestamp")
            and (not ready or any(c["type"] == "Ready" and c["status"] == "True"
                                  for c in p.get("status", {}).get("conditions", [])))}


def wait_for_new_pod(app: str, old: set[str], timeout: float = 600) -> None:
    """Until a pod of the app other than ``old`` is Ready (the Deployment's status lags behind a deletion,
    so `rollout status` alone may still count the deleted pod)."""
    deadline = time.monotonic() + timeout
    while not pods(app, ready=True) - old:
        if time.monotonic() > deadline:
            raise AssertionError(f"{app}: no new Ready pod in {timeout:.0f} s")
        time.sleep(1)


def wait_healthy(url: str, timeout: float = 120) -> None:
    """Until GET <url>/health answers 200: right after a rollout, kube-proxy may not route the Service's
    ClusterIP yet (and on this VM an unrouted address may get an answer from elsewhere)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer /health in {timeout:.0f} s")
        time.sleep(1)


def test_registry_and_labels_survive_their_pods(services):
    registry, studio, bucket = services
    for app in DEPLOYMENTS:
        claim = kubectl_json("get", "pvc", f"{app}-data", "-n", NAMESPACE)
        assert claim["status"]["phase"] == "Bound", claim["status"]
    suffix = uuid.uuid4().hex[:8]

    model = f"e2e-durable-{suffix}"
    registry.create_registered_model(model, {"wf2k8s.e2e": "durable-state"})
    version = registry.create_version(model, f"s3://{bucket}/e2e/durable/{suffix}/model",
                                      {"wf2k8s.e2e": suffix}, "kept across pod restarts")

    title = f"e2e durable {suffix}"
    project = studio.create_project(title, LABEL_CONFIG, "kept across pod restarts")
    try:
        studio.import_tasks(project["id"], [{"text": f"remember {suffix}"}])
        [task] = studio.call("GET", "/api/tasks", query={"project": project["id"]})["tasks"]
        studio.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": [
            {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["keep"]}}]})

        before = {app: pods(app) for app in DEPLOYMENTS}
        started = time.monotonic()
        kubectl("delete", "pod", "-n", NAMESPACE, "--wait=true", "-l",
                        f"app.kubernetes.io/name in ({','.join(DEPLOYMENTS)})", timeout=180)
        for app in DEPLOYMENTS:
            wait_for_new_pod(app, before[app])
        ready = time.monotonic() - started
        for app in DEPLOYMENTS:
            assert not pods(app) & before[app], f"{app}: the deleted pod is still there"

        wait_healthy(registry.uri)
        wait_healthy(studio.url)
        kept = registry.call("GET", "model-versions/get",
                             query={"name": model, "version": version["version"]})["model_version"]
        assert (kept["source"], kept.get("description")) == (version["source"], "kept across pod restarts")
        assert {t["key"]: t["value"] for t in kept.get("tags", [])}.get("wf2k8s.e2e") == suffix

        found = studio.project(project["id"])
        assert found and found["title"] == title
        [exported] = studio.tasks(project["id"])
        assert exported["data"]["text"] == f"remember {suffix}"
        choices = [r["value"]["choices"] for a in exported["annotations"] for r in a["result"]]
        assert choices == [["keep"]], exported["annotations"]
        print(f"pods deleted -> both Deployments ready again in {ready:.1f} s, answering in "
              f"{time.monotonic() - started:.1f} s")
    finally:
        studio.call("DELETE", f"/api/projects/{project['id']}")
        registry.call("DELETE", "registered-models/delete", {"name": model})
