"""End-to-end tests: real compiled pipelines on the cluster hack/cluster-up.sh brings up.

They need KUBECONFIG (hack/test.sh sets it from cluster-up.sh's last line). Without a cluster
they fail: they never skip silently.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import wf2k8s
from wf2k8s import cluster
from wf2k8s.runtime.clients import S3

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"
STAND_IN = f"wf2k8s/e2e-stand-in:{wf2k8s.__version__}"


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def kubectl(*args: str, stdin: str | None = None, timeout: float = 120) -> str:
    """kubectl on the test cluster (``WF2K8S_KUBECTL``, cluster.env names it), for what the tests do past
    wf2k8s: set-up, clean-up, ``--as`` a user, ``wait``, ``describe``; wf2k8s itself uses the kubernetes client."""
    binary = os.environ.get("WF2K8S_KUBECTL") or "kubectl"
    return cluster.run_tool("kubectl", binary, f"{binary} is not installed (the e2e tests use it; cluster.env "
                            "names it WF2K8S_KUBECTL)", args, stdin, timeout)


def kubectl_json(*args: str) -> dict:
    return json.loads(kubectl(*args, "-o", "json"))


@pytest.fixture(scope="session")
def kube() -> None:
    if not os.environ.get("KUBECONFIG"):
        pytest.fail("KUBECONFIG is not set: bring the cluster up with hack/cluster-up.sh (hack/test.sh does)")
    cluster.check_cluster()


@pytest.fixture(scope="session")
def s3(kube) -> S3:
    config = kubectl_json("get", "configmap", "wf2k8s-config", "-n", NAMESPACE)["data"]
    secret = {k: base64.b64decode(v).decode()
              for k, v in kubectl_json("get", "secret", "wf2k8s-s3", "-n", NAMESPACE)["data"].items()}
    client = S3(config["WF2K8S_S3_ENDPOINT"], secret["AWS_ACCESS_KEY_ID"], secret["AWS_SECRET_ACCESS_KEY"])
    client.bucket = config["WF2K8S_S3_BUCKET"]  # type: ignore[attr-defined]
    return client


@pytest.fixture(scope="session")
def code(s3) -> str:
    """The training code of the tests, uploaded where JobSteps' code_dir points."""
    s3.put(s3.bucket, "e2e/code/train.py", (HERE / "code" / "train.py").read_bytes())
    s3.put(s3.bucket, "e2e/data/train.csv", b"x,y\n1,2\n")
    return f"obs://{s3.bucket}/e2e/code/"


@pytest.fixture(scope="session")
def stand_in(kube) -> str:
    """The test image standing in for phases whose runtime does not exist yet, loaded into the cluster."""
    subprocess.run(["docker", "build", "-q", "-t", STAND_IN, str(HERE / "stand-in")], check=True,
                   stdout=subprocess.DEVNULL)
    save = subprocess.Popen(["docker", "save", STAND_IN], stdout=subprocess.PIPE)
    subprocess.run(["ctr", "-n", "k8s.io", "images", "import", "-"], stdin=save.stdout, check=True,
                   stdout=subprocess.DEVNULL)
    save.wait()
    subprocess.run(["ctr", "-n", "k8s.io", "images", "label", f"docker.io/{STAND_IN}",
                    "io.cri-containerd.pinned=pinned"], check=True, stdout=subprocess.DEVNULL)
    return STAND_IN


@pytest.fixture
def run(kube, stand_in):
    """Run a pipeline to its end; phases without a runtime yet (services, datasets) use the stand-in image."""

    def start(workflow, parameters: dict | None = None, scene: str | None = None, wait: bool = True,
              timeout: float = 600):
        images = {name: stand_in for name in ("service", "create-dataset", "labeling", "dataset-import",
                                               "release-dataset")}
        return cluster.release_and_run(workflow, parameters={k: str(v) for k, v in (parameters or {}).items()},
                                       scene=scene, wait=wait, progress=None, timeout=timeout,
                                       phase_images=images)

    return start


@pytest.fixture
def step_result(kube):
    """The result a step of a run wrote (its `result` output parameter, as Argo keeps it)."""

    def read(run_name: str, step: str) -> dict:
        workflow = kubectl_json("get", "workflow", run_name, "-n", NAMESPACE)
        task = step.replace("_", "-")
        for node in workflow["status"]["nodes"].values():
            if node.get("displayName") == task:
                parameters = {p["name"]: p.get("value") for p in node.get("outputs", {}).get("parameters", [])}
                return json.loads(parameters["result"])
        raise AssertionError(f"run {run_name} has no step {step}")

    return read


@pytest.fixture
def service_name(kube):
    """A fresh InferenceService name for a test, its service deleted afterwards."""
    name = f"svc-{secrets.token_hex(3)}"
    yield name
    kubectl("delete", "inferenceservice", name, "-n", NAMESPACE, "--ignore-not-found", "--wait=false")


def require_serving_runtime(runtime: str) -> None:
    """KServe and its ClusterServingRuntime ``runtime`` are on the cluster (cluster-up installs them)."""
    if cluster.get_object("crd", "inferenceservices.serving.kserve.io", "") is None:
        pytest.skip("KServe is not installed on the cluster (hack/cluster-up.sh without WF2K8S_KSERVE=0)")
    if cluster.get_object("clusterservingruntime", runtime, "") is None:
        pytest.fail(f"ClusterServingRuntime {runtime} is missing: run hack/cluster-up.sh")


def post_json(url: str, body: dict) -> dict:
    """A JSON POST (a prediction) and its JSON answer."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def step_log(kube):
    """The log of a step's main container in a run (what the user's code printed)."""

    def read(run_name: str, step: str) -> str:
        workflow = kubectl_json("get", "workflow", run_name, "-n", NAMESPACE)
        task = step.replace("_", "-")
        attempts = cluster.pod_nodes(workflow, {task})
        pods = cluster.node_pods(run_name, NAMESPACE, [attempts[-1]["id"]]) if attempts else []  # the last attempt
        if not pods:
            raise AssertionError(f"run {run_name} has no pod for step {step}")
        return kubectl("logs", pods[0], "-n", NAMESPACE, "-c", "main")

    return read


def submit_past_the_cli(workflow, parameters: dict[str, str], timeout: float = 600) -> dict:
    """Run a pipeline with values set past wf2k8s's checks (as `kubectl create` or the Argo UI would):
    the template applied, a run of it created with these values, followed to its end."""
    from wf2k8s.backends.argo.compiler import run_manifest
    from wf2k8s.contract.values import protect

    template = workflow.to_workflow_template()
    cluster.apply_manifest(template)
    name = cluster.run_name(template["metadata"]["name"])
    run = run_manifest(template, name, {k: protect(v) for k, v in parameters.items()})
    kubectl("create", "-f", "-", stdin=json.dumps(run))
    return cluster.follow(name, NAMESPACE, progress=None, timeout=timeout)


def wait_for_input(name: str, placeholder: str, template: str) -> None:
    """Until run ``name`` (of WorkflowTemplate ``template``) waits for ``placeholder``; fails if it ends first."""
    names = cluster.template_step_names(template, NAMESPACE)
    state: dict = {}
    for _ in range(150):
        state = cluster.summary(cluster.get_object("workflow", name, NAMESPACE), names)
        if state.get("waiting_for") == [placeholder]:
            return
        if state["phase"] in ("Failed", "Error", "Succeeded"):
            break
        time.sleep(2)
    pytest.fail(f"run {name} never waited for {placeholder}: {state}")


def task_pods(run_name: str, task: str) -> list[dict]:
    """The pod nodes of a task of a run (a retried phase has one per attempt), in the order they started."""
    return cluster.pod_nodes(cluster.get_object("workflow", run_name, NAMESPACE) or {}, {task})


def wait_until_running(run_name: str, task: str, timeout: float = 300) -> None:
    """Until a pod of the task runs; fails the test if none does within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not any(n.get("phase") == "Running" for n in task_pods(run_name, task)):
        assert time.monotonic() < deadline, f"run {run_name}: task {task} never ran"
        time.sleep(1)
