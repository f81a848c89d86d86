"""Least privilege on the real cluster: the user's code has no Kubernetes API access, and the phase
accounts hold only what their phases use."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import wf2k8s as wf
from conftest import submit_past_the_cli, wait_for_input
from wf2k8s import cluster

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


def test_a_job_step_has_no_token_and_the_api_refuses_it(kube, s3, step_log):
    """The user's code runs with no service account token; asked anonymously, the API refuses."""
    s3.put(s3.bucket, "e2e/probe/train.py", (HERE / "code" / "probe_api.py").read_bytes())
    step = wf.steps.JobStep(
        name="probe",
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/probe/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "250m", "memory": "256Mi"})))
    result = cluster.release_and_run(wf.Workflow(name="e2e-probe-api", desc="least privilege", steps=[step]),
                                     parameters={}, wait=True, progress=None, timeout=600)
    log = step_log(result["name"], "probe")
    assert '"token_mounted": false' in log, log
    assert result["phase"] == "Succeeded", (result, log)


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
    s3.put(s3.bucket, "e2e/probe/train.py", (HERE / "code" / "probe_api.py").read_bytes())
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
    pods = json.loads(cluster.kubectl("get", "pods", "-n", NAMESPACE, "-o", "json", "-l",
                                      f"workflows.argoproj.io/workflow={result['name']}"))["items"]
    for pod in pods:
        for container in pod["spec"]["containers"]:
            assert not (container.get("securityContext") or {}).get("privileged"), container
        assert "securityContext" not in json.dumps(pod["spec"].get("securityContext") or {}) or \
            not pod["spec"]["securityContext"].get("privileged")
    assert result["phase"] in ("Failed", "Error"), result  # the value is not JSON: refused, nothing patched
