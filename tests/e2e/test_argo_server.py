"""Argo's server on the offline cluster (hack/cluster-up.sh): its API answers, `argo` works through it with
the caller's own token (client auth mode), and a token without rights gets nothing."""

from __future__ import annotations

import json
import os
import secrets
import subprocess

import pytest

import wf2k8s as wf
from conftest import NAMESPACE, kubectl, kubectl_json
from wf2k8s import cluster

SERVER = os.environ.get("WF2K8S_ARGO_SERVER", "127.0.0.1:2746")


@pytest.fixture
def account(kube):
    """A ServiceAccount that may read and stop workflows and read logs, and its token; removed afterwards."""
    name = f"e2e-argo-{secrets.token_hex(3)}"
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "rules": [{"apiGroups": ["argoproj.io"], "resources": ["workflows"],
                       "verbs": ["get", "list", "watch", "update", "patch"]},
                      {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": name, "namespace": NAMESPACE},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
               "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": NAMESPACE}]}
    kubectl("create", "serviceaccount", name, "-n", NAMESPACE)
    items = {"apiVersion": "v1", "kind": "List", "items": [role, binding]}
    kubectl("apply", "-f", "-", stdin=json.dumps(items))
    token = kubectl("create", "token", name, "-n", NAMESPACE).strip()
    yield name, token
    kubectl("delete", "rolebinding,role,serviceaccount", name, "-n", NAMESPACE, "--ignore-not-found")


def argo(token: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARGO_SERVER": SERVER, "ARGO_HTTP1": "true", "ARGO_SECURE": "false",
           "ARGO_TOKEN": f"Bearer {token}", "KUBECONFIG": "/dev/null"}  # the server, never the kubeconfig
    binary = os.environ.get("WF2K8S_ARGO") or "argo"
    return subprocess.run([binary, "-n", NAMESPACE, *args], env=env, capture_output=True, text=True, timeout=120)


def test_argo_works_through_the_server_with_the_callers_own_rights(kube, s3, code, account):
    engine = wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)
    job = wf.steps.JobStep(
        name="train", algorithm=wf.BaseAlgorithm(code_dir=code, boot_file="train.py", engine=engine),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "250m", "memory": "256Mi"})))
    run = cluster.release_and_run(wf.Workflow(name="e2e-argo-server", desc="seen through Argo's server", steps=[job]),
                                  parameters={}, wait=True, progress=None, timeout=600)
    assert run["phase"] == "Succeeded", run
    name, token = account

    listed = argo(token, "list", "-o", "name")
    assert listed.returncode == 0, listed.stderr
    assert run["name"] in listed.stdout.split()
    got = argo(token, "get", run["name"], "-o", "json")
    assert got.returncode == 0 and json.loads(got.stdout)["status"]["phase"] == "Succeeded", got.stderr
    logs = argo(token, "logs", run["name"])
    assert logs.returncode == 0 and "running: " in logs.stdout, logs.stderr  # the runtime's first line

    # the caller's rights, not the server's: this account may not delete, and a token of no one gets nothing
    refused = argo(token, "delete", run["name"])
    assert refused.returncode != 0 and "forbidden" in (refused.stderr + refused.stdout).lower()
    assert kubectl_json("get", "workflow", run["name"], "-n", NAMESPACE)["metadata"]["name"] == run["name"]
    assert argo("not-a-token", "list").returncode != 0
