"""What wf2k8s adds to each phase on the cluster: a chain of N JobSteps against the same N steps as bare
Argo container tasks running the same script in the same image. Target: at most 1.2x.

The JobSteps are what a seed user writes: code in an OBS directory, an OBS input, an output, a flavor.
The bare steps are what an Argo user would write by hand: a container with the script inline, the same
resources, nothing fetched or uploaded. Each chain runs ``--repeat`` times; the medians are compared.

    set -a; . /var/lib/wf2k8s/cluster/cluster.env; set +a
    python benchmarks/phase_overhead.py [--steps 6] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import datetime

import wf2k8s as wf
from wf2k8s import cluster, kube
from wf2k8s.runtime.clients.s3 import S3

NAMESPACE = "wf2k8s"
IMAGE = f"wf2k8s/runtime:{wf.__version__}"
SCRIPT = "print('trained')\n"
FLAVOR = {"cpu": "250m", "memory": "256Mi"}


def job_chain(steps: int, bucket: str) -> wf.Workflow:
    chain: list[wf.steps.JobStep] = []
    for i in range(steps):
        chain.append(wf.steps.JobStep(
            name=f"train_{i}",
            algorithm=wf.BaseAlgorithm(code_dir=f"obs://{bucket}/benchmarks/overhead/", boot_file="train.py",
                                       engine=wf.steps.JobEngine(image_url=IMAGE)),
            inputs=wf.steps.JobInput(name="data_url",
                                     data=wf.data.OBSPath(obs_path=f"obs://{bucket}/benchmarks/overhead/")),
            outputs=wf.steps.JobOutput(name="train_url"),
            spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=FLAVOR)),
            depend_steps=chain[-1:]))
    return wf.Workflow(name="bench-overhead", desc="phase overhead", steps=chain)


def bare_chain(steps: int) -> dict:
    tasks = [{"name": f"train-{i}", "template": "train", **({"depends": f"train-{i - 1}"} if i else {})}
             for i in range(steps)]
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"generateName": "bench-bare-", "namespace": NAMESPACE},
            "spec": {"entrypoint": "main", "serviceAccountName": "wf2k8s-runner",
                     "automountServiceAccountToken": False,
                     "executor": {"serviceAccountName": "wf2k8s-runner"},
                     "templates": [{"name": "main", "dag": {"tasks": tasks}},
                                   {"name": "train", "container": {
                                       "image": IMAGE, "command": ["python3", "-c", SCRIPT],
                                       "resources": {"requests": FLAVOR, "limits": FLAVOR}}}]}}


def duration(workflow: dict) -> float:
    """Seconds from the run's start to its end, as Argo recorded them."""
    status = workflow["status"]
    assert status["phase"] == "Succeeded", (workflow["metadata"]["name"], status.get("message"))
    started, finished = (datetime.fromisoformat(status[k].replace("Z", "+00:00")) for k in ("startedAt", "finishedAt"))
    return (finished - started).total_seconds()


def run_jobs(steps: int, bucket: str) -> float:
    started = cluster.release_and_run(job_chain(steps, bucket), parameters={}, progress=None)
    cluster.follow(started["name"], NAMESPACE, progress=None, timeout=1800)
    return duration(cluster.get_object("workflow", started["name"], NAMESPACE) or {})


def run_bare(steps: int) -> float:
    name = kube.create(bare_chain(steps))["metadata"]["name"]
    deadline = time.monotonic() + 1800
    while True:
        workflow = cluster.get_object("workflow", name, NAMESPACE) or {}
        if workflow.get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"):
            return duration(workflow)
        assert time.monotonic() < deadline, f"{name} did not finish"
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    s3 = S3.from_env()
    bucket = os.environ.get("WF2K8S_S3_BUCKET", "wf2k8s")
    s3.put(bucket, "benchmarks/overhead/train.py", SCRIPT.encode())
    jobs, bare = [], []
    for _ in range(args.repeat):
        bare.append(run_bare(args.steps))
        jobs.append(run_jobs(args.steps, bucket))
    job_time, bare_time = statistics.median(jobs), statistics.median(bare)
    print(f"{args.steps} steps, median of {args.repeat}: JobSteps {job_time:.1f} s, bare Argo containers "
          f"{bare_time:.1f} s: {job_time / bare_time:.2f}x, {(job_time - bare_time) / args.steps:.1f} s more per phase "
          f"(target: at most 1.2x)")
    print(json.dumps({"steps": args.steps, "jobs_seconds": jobs, "bare_seconds": bare}))


if __name__ == "__main__":
    main()
