"""A JobStep on several nodes (``node_count`` above 1, or a placeholder): the launcher.

It runs in the wf2k8s runtime image with the token of ``wf2k8s-launcher`` (JobSets, and reading pods and
their logs, in the run's namespace) and no S3 key. It starts the workers as a JobSet (sigs.k8s.io/jobset,
what Kubeflow Trainer builds on): one Indexed Job of N pods, each the pod of a one-node JobStep (the
user's image driven by the runtime zipapp, the job's S3 key, no API token) with the environment that
PyTorch DDP, ``torchrun`` and ModelArts jobs expect (``worker_env``), stable DNS names through the
JobSet's headless Service, and no restarts: a worker that fails fails the JobSet. It prints every
worker's log as it comes, each line led by ``[rank N]``, and ends as the job ends: with rank 0's result
(rank 0 uploads the outputs and reads the metrics; every rank reads the inputs), or failing with the
failed rank's own one-line reason (its exit code and the end of its log).

The JobSet belongs to the launcher's pod (an owner reference): when the run is stopped, or the launcher
is lost and retried, the workers go with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import urllib.parse
from typing import Callable

from wf2k8s.contract import dump
from wf2k8s.contract.phases import JobPhase
from wf2k8s.contract.support import MAX_NODES
from wf2k8s.contract.values import protect

from .clients import Kube, KubeError
from .context import ContractError, RunContext
from .errors import PhaseError
from .untrusted import loads

API = "jobset.x-k8s.io/v1alpha2"
REPLICATED_JOB = "worker"
#: the port rank 0 listens on for the rendezvous (PyTorch's default)
MASTER_PORT = 29500
#: the Indexed Job's annotation with a pod's index, its rank
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
JOBSET_LABEL = "jobset.sigs.k8s.io/jobset-name"
#: what a worker may report to the launcher: its container's termination message (Kubernetes keeps 4 KiB)
MAX_RESULT_BYTES = 4096
POLL_SECONDS = 2.0


class DistributedJobFailed(PhaseError):
    pass


def jobset_name(step: str, pod: str) -> str:
    """A DNS label for the workers of one launcher pod: the step's name (readable in ``kubectl get
    jobsets``) and a hash of the pod's; short enough that ``<name>-worker-0-<rank>`` stays a host name."""
    readable = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")[:24].strip("-") or "job"
    return f"{readable}-{hashlib.sha256(pod.encode()).hexdigest()[:8]}"


def host_names(name: str, nodes: int) -> list[str]:
    """Each rank's DNS name (``<pod host name>.<subdomain>``, the JobSet's headless Service)."""
    return [f"{name}-{REPLICATED_JOB}-0-{rank}.{name}" for rank in range(nodes)]


def worker_env(name: str, nodes: int) -> list[dict]:
    """The distributed-training environment of every worker; its rank is its Indexed Job index."""
    hosts = host_names(name, nodes)
    rank = {"valueFrom": {"fieldRef": {"fieldPath": f"metadata.annotations['{INDEX_ANNOTATION}']"}}}
    fixed = {
        # PyTorch (torch.distributed init_method "env://", one process per node)
        "MASTER_ADDR": hosts[0], "MASTER_PORT": str(MASTER_PORT), "WORLD_SIZE": str(nodes), "LOCAL_RANK": "0",
        # torchrun reads PET_<flag>: `torchrun train.py` joins the others without flags of its own
        "PET_NNODES": str(nodes), "PET_MASTER_ADDR": hosts[0], "PET_MASTER_PORT": str(MASTER_PORT),
        # ModelArts training jobs
        "VC_WORKER_NUM": str(nodes), "VC_WORKER_HOSTS": ",".join(hosts),
    }
    ranked = ["RANK", "NODE_RANK", "PET_NODE_RANK", "VC_TASK_INDEX", "WF2K8S_RANK"]
    return [*({"name": k, "value": v} for k, v in fixed.items()), *({"name": k, **rank} for k in ranked)]


def jobset(name: str, nodes: int, pod: dict, image: str, worker_args: list[str], run: RunContext, step: str,
           owner: tuple[str, str]) -> dict:
    """The JobSet of the workers: ``pod`` (the backend's worker pod spec) with its image, the runtime's
    ``job`` command and the distributed environment."""
    spec = json.loads(json.dumps(pod))  # a copy
    containers = spec.get("containers") or []
    if len(containers) != 1:
        raise ContractError(f"the worker pod must have one container, got {len(containers)}")
    container = containers[0]
    container["image"] = image
    container["command"] = [*container.get("command", []), *worker_args]
    container["env"] = [*container.get("env", []), *worker_env(name, nodes)]
    labels = {"workflows.argoproj.io/workflow": run.name, "wf2k8s.io/distributed-job": name}
    return {
        "apiVersion": API, "kind": "JobSet",
        "metadata": {"name": name, "labels": labels, "annotations": {"wf2k8s.io/step-name": step},
                     "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": owner[0], "uid": owner[1]}]},
        "spec": {
            "network": {"enableDNSHostnames": True, "subdomain": name, "publishNotReadyAddresses": True},
            "failurePolicy": {"maxRestarts": 0},
            "replicatedJobs": [{"name": REPLICATED_JOB, "replicas": 1, "template": {"spec": {
                "parallelism": nodes, "completions": nodes, "completionMode": "Indexed", "backoffLimit": 0,
                "template": {"metadata": {"labels": labels}, "spec": spec}}}}],
        },
    }


def node_count(spec: JobPhase, run: RunContext) -> int:
    value = run.resolve(spec.spec.resource.node_count)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NODES:
        raise ContractError(f"spec.resource.node_count must be 1 to {MAX_NODES}, got {value!r}")
    return value


def worker_args(spec: JobPhase, run: RunContext) -> list[str]:
    """The runtime's ``job`` command for a worker: the launcher's own spec and run values, written again
    (protected as the backend gives them, so the worker reads the same values)."""
    parameters = {k: protect(v) if isinstance(v, str) else v for k, v in run.parameters.items()}
    return ["job", "--run", run.name, "--namespace", run.namespace, "--parameters",
            json.dumps(parameters, ensure_ascii=False), "--spec", json.dumps(dump(spec), ensure_ascii=False)]


def rank_of(pod: dict) -> int:
    text = (pod.get("metadata", {}).get("annotations") or {}).get(INDEX_ANNOTATION, "")
    return int(text) if text.isdigit() else -1


def terminated(pod: dict) -> dict | None:
    """The worker container's terminated state, None while it runs (or has not started)."""
    for status in (pod.get("status", {}).get("containerStatuses") or []):
        if status.get("name") == "main":
            return (status.get("state") or {}).get("terminated")
    return None


def finished(jobset: dict) -> str | None:
    """"Completed" or "Failed" once the JobSet has ended, else None."""
    status = jobset.get("status") or {}
    if status.get("terminalState") in ("Completed", "Failed"):
        return status["terminalState"]
    for condition in status.get("conditions") or []:
        if condition.get("type") in ("Completed", "Failed") and condition.get("status") == "True":
            return condition["type"]
    return None


def failure(pods: list[dict], nodes: int) -> str | None:
    """The reason of the lowest failed rank: its own one-line reason (the runtime's termination message:
    the job's exit code and the end of its log), else what Kubernetes says of the container."""
    failed = sorted((rank_of(p), p) for p in pods if p.get("status", {}).get("phase") == "Failed")
    if not failed:
        return None
    rank, pod = failed[0]
    state = terminated(pod) or {}
    reason = (state.get("message") or "").strip() or \
        f"{state.get('reason') or pod.get('status', {}).get('reason') or 'failed'} (exit code {state.get('exitCode')})"
    return f"rank {rank} of {nodes} (pod {pod['metadata']['name']}) failed: {reason}"


def result_of(pods: list[dict]) -> dict:
    """Rank 0's result, which it reported as its termination message."""
    zero = next((p for p in pods if rank_of(p) == 0), None)
    message = ((terminated(zero) or {}).get("message") or "") if zero else ""
    result = loads(message, "rank 0's result", DistributedJobFailed) if message else None
    if not isinstance(result, dict):
        raise DistributedJobFailed(f"rank 0 reported no result (its termination message: {message[:200]!r})")
    return result


def report(result: dict) -> None:
    """A worker's result, for the launcher: its container's termination message (``/dev/termination-log``)."""
    text = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode()) > MAX_RESULT_BYTES:
        raise PhaseError(f"rank 0's result is {len(text.encode())} bytes, over the {MAX_RESULT_BYTES} a worker "
                         "can report: write fewer metrics")
    with open(os.environ.get("WF2K8S_TERMINATION_LOG", "/dev/termination-log"), "w") as out:
        out.write(text)


class Logs:
    """Every worker's log, followed from when its container starts, each line printed once, led by its rank."""

    def __init__(self, kube: Kube, namespace: str, write: Callable[[str], None] = print):
        self.kube, self.namespace, self.write = kube, namespace, write
        self.lock = threading.Lock()
        self.followed: dict[str, threading.Thread] = {}

    def follow(self, pod: dict) -> None:
        name = pod["metadata"]["name"]
        statuses = pod.get("status", {}).get("containerStatuses") or []
        started = any("running" in (s.get("state") or {}) or "terminated" in (s.get("state") or {}) for s in statuses)
        if name in self.followed or not started:
            return
        thread = threading.Thread(target=self.read, args=(name, rank_of(pod)), daemon=True)
        self.followed[name] = thread
        thread.start()

    def read(self, pod: str, rank: int) -> None:
        last = ""  # the timestamp of the last line printed: a stream asked for again starts after it

        def line(text: str) -> None:
            nonlocal last
            stamp, _, body = text.partition(" ")
            if stamp <= last:
                return
            last = stamp
            with self.lock:
                self.write(f"[rank {rank}] {body}")

        base = f"/api/v1/namespaces/{urllib.parse.quote(self.namespace)}/pods/{urllib.parse.quote(pod)}/log"
        for _ in range(100):
            query = {"container": "main", "follow": "true", "timestamps": "true"}
            if last:
                query["sinceTime"] = last.split(".")[0] + "Z" if "." in last else last
            try:
                self.kube.stream_lines(f"{base}?{urllib.parse.urlencode(query)}", line)
            except KubeError:
                time.sleep(POLL_SECONDS)
                continue
            current = self.kube.get(base[: -len("/log")])
            if current is None or terminated(current) is not None:
                return

    def wait(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        for thread in self.followed.values():
            thread.join(max(0.0, deadline - time.monotonic()))


def run(spec: JobPhase, run: RunContext, kube: Kube | None = None, sleep: Callable[[float], None] = time.sleep) -> dict:
    nodes = node_count(spec, run)
    pod_text, image = os.environ.get("WF2K8S_WORKER_POD", ""), os.environ.get("WF2K8S_WORKER_IMAGE", "")
    owner = (os.environ.get("WF2K8S_POD_NAME", ""), os.environ.get("WF2K8S_POD_UID", ""))
    if not pod_text or not image or not all(owner):
        raise ContractError("the launcher needs WF2K8S_WORKER_POD, WF2K8S_WORKER_IMAGE, WF2K8S_POD_NAME and "
                            "WF2K8S_POD_UID (the backend's distributed-job template sets them)")
    pod = loads(pod_text, "WF2K8S_WORKER_POD", ContractError)
    kube = kube or Kube.in_cluster()
    name = jobset_name(spec.step, owner[0])
    namespace = urllib.parse.quote(run.namespace)
    path = f"/apis/{API}/namespaces/{namespace}/jobsets"
    manifest = jobset(name, nodes, pod, image, worker_args(spec, run), run, spec.step, owner)
    try:
        kube.call("POST", path, manifest)
    except KubeError as error:
        if error.status == 404:
            raise PhaseError("the cluster has no JobSet API (jobset.x-k8s.io): a JobStep on several nodes needs "
                             "the JobSet controller (hack/cluster-up.sh and hack/kind-up.sh install it)") from None
        if error.status != 409:  # 409: this launcher made it before it was restarted
            raise
    print(f"{nodes} worker(s) in JobSet {name}: {', '.join(host_names(name, nodes))}", flush=True)
    logs = Logs(kube, run.namespace)
    selector = urllib.parse.urlencode({"labelSelector": f"{JOBSET_LABEL}={name}"})
    waiting: set[str] = set()
    while True:
        current = kube.get(f"{path}/{name}") or {}
        pods = (kube.call("GET", f"/api/v1/namespaces/{namespace}/pods?{selector}").get("items") or [])
        for worker in pods:
            logs.follow(worker)
            unscheduled = [c.get("message", "") for c in worker.get("status", {}).get("conditions") or []
                           if c.get("type") == "PodScheduled" and c.get("status") == "False"]
            if unscheduled and worker["metadata"]["name"] not in waiting:
                waiting.add(worker["metadata"]["name"])
                print(f"rank {rank_of(worker)} waits for a node: {unscheduled[0]}", flush=True)
        problem = failure(pods, nodes)
        if problem:  # reported at once: a failed JobSet deletes its workers, and their messages with them
            logs.wait()
            raise DistributedJobFailed(problem)
        state = finished(current)
        if state == "Completed":
            logs.wait()
            return result_of(pods)
        if state == "Failed":
            reasons = [c.get("message") for c in current.get("status", {}).get("conditions") or []
                       if c.get("type") == "Failed"]
            raise DistributedJobFailed(f"JobSet {name} failed: {reasons[0] if reasons else 'no reason given'}")
        sleep(POLL_SECONDS)
