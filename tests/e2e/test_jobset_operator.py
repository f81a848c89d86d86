"""The JobSet operator the cluster runs (hack/lib/jobset.sh; kind: the upstream release), as distributed
training JobSteps use it: one replicatedJob "worker", an Indexed Job of N pods with DNS hostnames.

The JobSets here are made directly (no wf2k8s run), in the wf2k8s namespace, on the runtime image.
Without the cluster or without JobSet these tests fail: they never skip.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

import wf2k8s
from wf2k8s import cluster

from conftest import kubectl

NAMESPACE = "wf2k8s"
IMAGE = f"wf2k8s/runtime:{wf2k8s.__version__}"
PRINT_INDEX = ("import os, socket, sys\n"
               "index = os.environ['JOB_COMPLETION_INDEX']\n"
               "print(f'index={index} hostname={socket.gethostname()}', flush=True)\n"
               "sys.exit(int(index in os.environ.get('FAIL_INDEXES', '').split(',')))\n")


def get_json(*args: str) -> dict:
    return json.loads(kubectl("get", *args, "-n", NAMESPACE, "-o", "json"))


def jobset(name: str, workers: int, fail_indexes: str = "") -> dict:
    return {
        "apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"wf2k8s.io/e2e": "jobset-operator"}},
        "spec": {
            "network": {"enableDNSHostnames": True},
            "replicatedJobs": [{
                "name": "worker", "replicas": 1,
                "template": {"spec": {
                    "completionMode": "Indexed", "parallelism": workers, "completions": workers,
                    "backoffLimit": 0,
                    "template": {"spec": {
                        "restartPolicy": "Never",
                        "automountServiceAccountToken": False,
                        "containers": [{
                            "name": "main", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                            "command": ["python3", "-c", PRINT_INDEX],
                            "env": [{"name": "FAIL_INDEXES", "value": fail_indexes}],
                            "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}},
                        }],
                    }},
                }},
            }],
        },
    }


def diagnostics(name: str) -> str:
    parts = []
    for args in (("get", "jobset", name, "-n", NAMESPACE, "-o", "yaml"),
                 ("get", "jobs,pods,services", "-n", NAMESPACE, "-l", f"jobset.sigs.k8s.io/jobset-name={name}",
                  "-o", "wide"),
                 ("get", "events", "-n", NAMESPACE, "--sort-by=.lastTimestamp")):
        try:
            parts.append(kubectl(*args))
        except cluster.ClusterError as problem:
            parts.append(str(problem))
    return "\n".join(parts)[-6000:]


def wait_terminal(name: str, timeout: float = 300) -> dict:
    """The JobSet once it reached a terminal state (status.terminalState, or a Completed/Failed condition)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = get_json("jobset", name).get("status", {})
        conditions = {c["type"]: c["status"] for c in status.get("conditions", [])}
        if status.get("terminalState") or conditions.get("Completed") == "True" or conditions.get("Failed") == "True":
            return status
        time.sleep(2)
    raise AssertionError(f"JobSet {name} did not finish in {timeout:.0f}s:\n{diagnostics(name)}")


def pods_of(name: str) -> list[dict]:
    return get_json("pods", "-l", f"jobset.sigs.k8s.io/jobset-name={name}")["items"]


@pytest.fixture
def jobsets(kube):
    """Create JobSets (the operator's CRD and webhooks must be there); they are deleted afterwards."""
    try:
        kubectl("get", "crd", "jobsets.jobset.x-k8s.io", "-o", "name")
    except cluster.ClusterError as problem:
        pytest.fail(f"the cluster has no JobSet CRD (hack/cluster-up.sh installs it unless WF2K8S_JOBSET=0): {problem}")
    made: list[str] = []

    def create(workers: int, fail_indexes: str = "") -> str:
        name = f"e2e-js-{uuid.uuid4().hex[:6]}"
        kubectl("create", "-f", "-", stdin=json.dumps(jobset(name, workers, fail_indexes)))
        made.append(name)
        return name

    yield create
    for name in made:
        kubectl("delete", "jobset", name, "-n", NAMESPACE, "--ignore-not-found", "--wait=false")


def test_an_indexed_worker_job_completes_with_dns_hostnames(jobsets):
    name = jobsets(workers=2)
    created = get_json("jobset", name)
    # the defaulting webhook (served by the operator) filled in upstream's defaults
    assert created["spec"]["network"]["publishNotReadyAddresses"] is True, created["spec"]
    assert created["spec"]["successPolicy"]["operator"] == "All", created["spec"]
    assert created["spec"]["startupPolicy"]["startupPolicyOrder"] == "AnyOrder", created["spec"]
    status = wait_terminal(name)
    assert status.get("terminalState") == "Completed", f"{status}\n{diagnostics(name)}"
    pods = pods_of(name)
    assert len(pods) == 2, diagnostics(name)
    seen = {}
    for pod in pods:
        labels = pod["metadata"]["labels"]
        index = labels["batch.kubernetes.io/job-completion-index"]
        assert labels["jobset.sigs.k8s.io/replicatedjob-name"] == "worker"
        assert labels["jobset.sigs.k8s.io/job-index"] == "0"
        assert pod["spec"]["hostname"] == f"{name}-worker-0-{index}", pod["spec"]
        assert pod["spec"]["subdomain"] == name, pod["spec"]
        assert pod["status"]["phase"] == "Succeeded", pod["status"]
        log = kubectl("logs", pod["metadata"]["name"], "-n", NAMESPACE, "-c", "main")
        assert f"index={index} hostname={name}-worker-0-{index}" in log, log
        seen[index] = pod["spec"]["hostname"]
    assert sorted(seen) == ["0", "1"], seen
    # the headless Service the workers' DNS names come from
    service = get_json("service", name)
    assert service["spec"]["clusterIP"] == "None", service["spec"]
    assert service["spec"]["selector"] == {"jobset.sigs.k8s.io/jobset-name": name}, service["spec"]


def test_a_failing_worker_fails_the_jobset(jobsets):
    name = jobsets(workers=2, fail_indexes="1")
    status = wait_terminal(name)
    assert status.get("terminalState") == "Failed", f"{status}\n{diagnostics(name)}"
    conditions = {c["type"]: c["status"] for c in status.get("conditions", [])}
    assert conditions.get("Failed") == "True", status
    # index 1 failed with its own exit code (index 0 may have finished, or been stopped when its Job failed)
    pods = {p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"]: p for p in pods_of(name)}
    assert "1" in pods, diagnostics(name)
    assert pods["1"]["status"]["phase"] == "Failed", pods["1"]["status"]
    terminated = pods["1"]["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 1, terminated
