"""Least privilege on the real cluster: the user's code has no Kubernetes API access, and the phase
accounts hold only what their phases use."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

import wf2k8s as wf
from conftest import kubectl, submit_past_the_cli, wait_for_input
from wf2k8s import cluster
from wf2k8s.runtime.clients import S3, LabelStudio, LabelStudioError, S3Error

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"


def can_i(account: str, verb: str, resource: str) -> bool:
    """`kubectl auth can-i` for a service account of the namespace (the answer is on stdout either way)."""
    kubectl = os.environ.get("WF2K8S_KUBECTL") or "kubectl"
    done = subprocess.run([kubectl, "auth", "can-i", verb, resource, "-n", NAMESPACE,
                           f"--as=system:serviceaccount:{NAMESPACE}:{account}"], capture_output=True, text=True)
    return done.stdout.strip() == "yes"


@pytest.mark.parametrize("verb, resource", [
    ("list", "pods"), ("create", "pods"), ("get", "secrets"), ("list", "secrets"), ("patch", "configmaps"),
    ("create", "workflows.argoproj.io"), ("create", "inferenceservices.serving.kserve.io"),
])
def test_the_workflows_account_can_only_report_outputs(kube, verb, resource):
    assert not can_i("wf2k8s-runner", verb, resource)
    assert can_i("wf2k8s-runner", "create", "workflowtaskresults.argoproj.io")


def test_the_deployer_account_manages_inference_services_but_reads_no_secret(kube):
    assert can_i("wf2k8s-deployer", "create", "inferenceservices.serving.kserve.io")
    assert can_i("wf2k8s-deployer", "get", "pods/log")
    assert not can_i("wf2k8s-deployer", "get", "secrets")
    assert not can_i("wf2k8s-deployer", "create", "pods")


#: what the user's code may do with its S3 key (the bucket policy of hack/lib/s3access.sh)
JOB_S3_RIGHTS = {
    "write own data": "allowed", "read own data": "allowed", "read a dataset": "allowed",
    "write a dataset": 403, "read model files": 403, "write model files": 403, "write Argo's artifacts": 403,
    "read another bucket": 403, "write another bucket": 403, "create a bucket": 403,
}


def test_a_job_step_has_no_token_and_a_scoped_s3_key(kube, s3, step_log):
    """The user's code runs with no service account token (asked anonymously, the API refuses) and with
    an S3 key of its own that reaches its data, reads datasets, and nothing of wf2k8s's or another bucket."""
    s3.put(s3.bucket, "e2e/probe/train.py", (HERE / "code" / "probe_privileges.py").read_bytes())
    s3.put(s3.bucket, "datasets/privileges/sample.txt", b"a sample")
    s3.put(s3.bucket, "mlflow/privileges/model.pkl", b"a model")
    s3.request("PUT", "wf2k8s-other", allow=(409,))  # another tenant's bucket (409: it exists already)
    s3.put("wf2k8s-other", "secret.txt", b"not yours")
    step = wf.steps.JobStep(
        name="probe",
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/probe/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "250m", "memory": "256Mi"})))
    result = cluster.release_and_run(wf.Workflow(name="e2e-probe-privileges", desc="least privilege", steps=[step]),
                                     parameters={}, wait=True, progress=None, timeout=600)
    log = step_log(result["name"], "probe")
    assert result["phase"] == "Succeeded", (result, log)
    found = json.loads(next(line for line in log.splitlines() if line.startswith('{"token_mounted"')))
    assert found["token_mounted"] is False
    assert all(code in (401, 403) or str(code).startswith("unreachable") for code in found["answers"].values())
    assert found["access_key"] != s3.access_key, "the user's code holds the S3 root key"
    assert found["s3"] == JOB_S3_RIGHTS
    assert s3.get(s3.bucket, "mlflow/privileges/model.pkl") == b"a model"
    assert s3.get("wf2k8s-other", "secret.txt") == b"not yours"


def label_studio() -> LabelStudio:
    return LabelStudio(os.environ["LABEL_STUDIO_URL"], os.environ["LABEL_STUDIO_TOKEN"])


@pytest.mark.parametrize("endpoint", [
    os.environ.get("MLFLOW_TRACKING_URI", "http://10.96.0.50:5000"),  # a cluster service without auth
    "http://127.0.0.1:8080",                                           # Label Studio itself
    "http://169.254.169.254",                                          # a cloud's metadata service
])
def test_label_studio_reaches_no_address_but_the_s3_servers(kube, endpoint):
    """Label Studio's SSRF guard stays on: a project storage pointing anywhere but the cluster's S3
    server is refused."""
    studio = label_studio()
    project = studio.create_project("e2e-ssrf", "<View></View>", "SSRF guard")
    try:
        with pytest.raises(LabelStudioError) as refused:
            studio.call("POST", "/api/storages/s3", {"project": project["id"], "title": "probe", "bucket": "wf2k8s",
                                                     "s3_endpoint": endpoint, "use_blob_urls": True})
        assert refused.value.status in (400, 403), refused.value
    finally:
        studio.call("DELETE", f"/api/projects/{project['id']}")


def test_label_studio_storages_hold_a_key_that_only_reads_datasets(kube, s3):
    """What a labeling phase gives Label Studio: the key of Secret wf2k8s-s3-label-studio, which reads
    datasets' samples and cannot write anything or read outside datasets/."""
    secret = json.loads(kubectl("get", "secret", "wf2k8s-s3-label-studio", "-n", NAMESPACE, "-o", "json"))
    key = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    reader = S3(s3.endpoint, key["LABEL_STUDIO_S3_ACCESS_KEY_ID"], key["LABEL_STUDIO_S3_SECRET_ACCESS_KEY"])
    assert reader.access_key != s3.access_key
    s3.put(s3.bucket, "datasets/privileges/sample.txt", b"a sample")
    assert reader.get(s3.bucket, "datasets/privileges/sample.txt") == b"a sample"
    assert [k for k in reader.list(s3.bucket, "datasets/privileges/")] == ["datasets/privileges/sample.txt"]
    for forbidden in (lambda: reader.put(s3.bucket, "datasets/privileges/sample.txt", b"x"),
                      lambda: reader.get(s3.bucket, "e2e/code/train.py"),
                      lambda: list(reader.list(s3.bucket, "e2e/"))):
        with pytest.raises(S3Error) as refused:
            forbidden()
        assert refused.value.status == 403


HOSTILE = "a {{workflow.name}} b {{=1+1}} c $(id) ; `ls` 'q' \"d\" {{{x}}} \\ e"


def test_run_values_reach_the_code_unchanged(kube, s3, step_log):
    """No user value is Argo template code: a run parameter and a value given while the run waits, each
    with Argo tags and shell metacharacters, reach the training script as they were typed."""
    s3.put(s3.bucket, "e2e/echo/train.py", (HERE / "code" / "echo_args.py").read_bytes())
    given = wf.Placeholder(name="given", placeholder_type=wf.PlaceholderType.STR)
    later = wf.Placeholder(name="later", placeholder_type=wf.PlaceholderType.STR, delay=True)
    step = wf.steps.JobStep(
        name="echo",
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/echo/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__),
                                   parameters=[wf.AlgorithmParameters(name="given", value=given),
                                               wf.AlgorithmParameters(name="later", value=later)]),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "250m", "memory": "256Mi"})))
    workflow = wf.Workflow(name="e2e-literal-values", desc="values arrive literally", steps=[step])
    started = cluster.release_and_run(workflow, parameters={"given": HOSTILE}, wait=False, progress=None)
    name, namespace = started["name"], started["namespace"]
    wait_for_input(name, "later", "e2e-literal-values")
    assert cluster.give_input(name, namespace, {"later": HOSTILE}) == ["later"]
    result = cluster.follow(name, namespace, progress=None, timeout=600)
    log = step_log(name, "echo")
    assert result["phase"] == "Succeeded", (result, log)
    received = json.loads(next(line for line in log.splitlines() if line.startswith("{")))
    assert received == {"given": HOSTILE, "later": HOSTILE}


def test_a_hostile_flavor_stays_resources(kube, s3, step_log):
    """A flavor run value that tries to close the resources and add a privileged security context is
    parsed as one JSON value: the pod is refused or gets no privilege, never a privileged container."""
    s3.put(s3.bucket, "e2e/probe/train.py", (HERE / "code" / "probe_privileges.py").read_bytes())
    flavor = wf.resource.flavor_placeholder(default={"cpu": "250m", "memory": "256Mi"})
    step = wf.steps.JobStep(
        name="probe",
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/probe/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=flavor)))
    hostile = '{"cpu":"250m"}}],"securityContext":{"privileged":true},"x":[{"y":{"z":"1"}'
    workflow = wf.Workflow(name="e2e-hostile-flavor", desc="patch", steps=[step])
    with pytest.raises(wf.ValidationError, match="run value: must be JSON"):  # wf2k8s refuses it at once
        cluster.release_and_run(workflow, parameters={flavor.name: hostile}, progress=None)
    result = submit_past_the_cli(workflow, {flavor.name: hostile}, timeout=300)  # as kubectl or the UI would
    pods = json.loads(kubectl("get", "pods", "-n", NAMESPACE, "-o", "json", "-l",
                                      f"workflows.argoproj.io/workflow={result['name']}"))["items"]
    for pod in pods:
        for container in pod["spec"]["containers"]:
            assert not (container.get("securityContext") or {}).get("privileged"), container
        assert "securityContext" not in json.dumps(pod["spec"].get("securityContext") or {}) or \
            not pod["spec"]["securityContext"].get("privileged")
    assert result["phase"] in ("Failed", "Error"), result  # the value is not JSON: refused, nothing patched
