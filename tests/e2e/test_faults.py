"""Transient faults on the real cluster: a phase whose pod the system loses runs again, and the run
Succeeds; a failure of the user's own code is not retried. (An S3 server restarted in the middle of a
transfer: tests/e2e/test_data_at_scale.py.)"""

from __future__ import annotations

import time
from pathlib import Path

import wf2k8s as wf
from conftest import kubectl, task_pods, wait_until_running
from wf2k8s import cluster

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"


def slow_job(s3, boot_file: str = "train.py") -> wf.steps.JobStep:
    return wf.steps.JobStep(
        name="slow",
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/slow/", boot_file=boot_file,
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "250m", "memory": "256Mi"})))


def test_a_phase_whose_pod_is_deleted_runs_again_and_the_run_succeeds(kube, s3, code):
    s3.put(s3.bucket, "e2e/slow/train.py", (HERE / "code" / "slow_train.py").read_bytes())
    started = cluster.release_and_run(wf.Workflow(name="e2e-pod-deleted", desc="a lost pod", steps=[slow_job(s3)]),
                                      parameters={}, progress=None)
    name = started["name"]
    wait_until_running(name, "slow")
    # past Argo's "recently started" window (10 s), in which it submits a vanished pod again itself rather
    # than failing the node: this test is about the phase's retry; the job sleeps 40 s
    time.sleep(12)
    (first,) = task_pods(name, "slow")
    (pod,) = cluster.node_pods(name, NAMESPACE, [first["id"]])
    kubectl("delete", "pod", pod, "-n", NAMESPACE, "--wait=false")  # as a node drain would
    result = cluster.follow(name, NAMESPACE, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    tried = task_pods(name, "slow")
    # the deleted pod: Argo's "pod deleted", or its main container's SIGTERM exit when it stopped first
    assert [n["phase"] for n in tried][1:] == ["Succeeded"], [(n["displayName"], n.get("message")) for n in tried]
    assert tried[0]["message"] in ("pod deleted", "main: Error (exit code 143)"), tried[0]
    assert s3.exists(s3.bucket, f"wf2k8s-runs/{name}/slow/train_url/done.txt")


def test_a_failure_of_the_users_code_is_not_retried(kube, s3, code):
    s3.put(s3.bucket, "e2e/slow/fail.py", b"import sys\nprint('bad data')\nsys.exit(3)\n")
    result = cluster.release_and_run(
        wf.Workflow(name="e2e-code-fails", desc="the code's own failure", steps=[slow_job(s3, "fail.py")]),
        parameters={}, wait=True, progress=None, timeout=600)
    assert result["phase"] == "Failed", result
    assert [n["phase"] for n in task_pods(result["name"], "slow")] == ["Failed"]
