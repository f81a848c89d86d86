"""Notifications (seed 3.1.5) on the real cluster: webhooks subscribed with ``wf2k8s notify`` get Awaiting input,
Executed and Abnormal events of a run and of one phase, as JSON POSTs from the run's lifecycle hooks."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import wf2k8s as wf
from conftest import NAMESPACE, kubectl, wait_for_input
from wf2k8s import cli, cluster

HERE = Path(__file__).resolve().parent
#: the node's address, where the cluster's pods reach the host (the S3 server listens there too)
NODE_IP = "192.0.2.2"


@pytest.fixture
def receiver():
    """A webhook on the host: every POST's path and JSON body, in the order they came."""
    received: list[tuple[str, dict]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((self.path, json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((NODE_IP, 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{NODE_IP}:{server.server_address[1]}", received
    server.shutdown()


def job(name: str, s3, mode, depend_steps=None) -> wf.steps.JobStep:
    return wf.steps.JobStep(
        name=name,
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/notify/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__),
                                   parameters=[wf.AlgorithmParameters(name="mode", value=mode)]),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "250m", "memory": "256Mi"})),
        depend_steps=depend_steps)


def heard(received: list, wanted: tuple[str, str], timeout: float = 60) -> None:
    """Until the webhook got an event (path, event)."""
    deadline = time.monotonic() + timeout
    while not any((p, b["event"]) == wanted for p, b in received):
        assert time.monotonic() < deadline, f"no {wanted[1]} event at {wanted[0]} within {timeout}s: {received}"
        time.sleep(0.5)


def events(received: list, path: str) -> list[tuple]:
    return [(b["event"], b["step"], b["status"]) for p, b in received if p == path]


def test_webhooks_get_the_events_of_the_run_and_of_a_phase_they_subscribed_to(kube, s3, code, receiver, capsys):
    url, received = receiver
    s3.put(s3.bucket, "e2e/notify/train.py", (HERE / "code" / "mode_train.py").read_bytes())
    mode = wf.Placeholder(name="mode", placeholder_type=wf.PlaceholderType.STR, default="good", delay=True)
    prepare = job("prepare", s3, "prepared")
    train = job("train", s3, mode, depend_steps=[prepare])
    workflow = wf.Workflow(name="e2e-notify", desc="notifications", steps=[prepare, train])
    kubectl("delete", "workflowtemplate", "e2e-notify", "-n", NAMESPACE, "--ignore-not-found")  # no old hooks
    workflow.release(apply=True)
    assert cli.main(["notify", "e2e-notify", "--url", f"{url}/run"]) == 0
    assert cli.main(["notify", "e2e-notify", "--url", f"{url}/prepare", "--events", "executed,abnormal",
                     "--step", "prepare"]) == 0
    assert cli.main(["notify", "e2e-notify", "--url", f"{url}/train", "--step", "train"]) == 0  # every event
    assert cli.main(["notify", "e2e-notify", "--url", "ftp://nowhere"]) == 2  # refused in one line, nothing kept
    assert "notification > url: must be an http:// or https:// URL" in capsys.readouterr().err

    # released again by wf2k8s (run): the subscriptions stay, their hooks made for the new version
    failed = cluster.release_and_run(workflow, parameters={}, progress=None)
    wait_for_input(failed["name"], "mode", "e2e-notify")
    heard(received, ("/run", "Awaiting input"))  # as a person would: told, then giving the value
    assert cluster.give_input(failed["name"], NAMESPACE, {"mode": "bad"}) == ["mode"]
    assert cluster.follow(failed["name"], NAMESPACE, progress=None, timeout=600)["phase"] == "Failed"

    deadline = time.monotonic() + 60
    while len(received) < 5 and time.monotonic() < deadline:
        time.sleep(1)
    assert events(received, "/run") == [("Awaiting input", "train", "Running"), ("Abnormal", None, "Failed")]
    assert events(received, "/prepare") == [("Executed", "prepare", "Succeeded")]
    assert events(received, "/train") == [("Awaiting input", "train", "Running"), ("Abnormal", "train", "Failed")]
    body = next(b for p, b in received if p == "/run")
    assert (body["workflow"], body["run"], body["namespace"]) == ("e2e-notify", failed["name"], NAMESPACE)

    received.clear()
    assert cli.main(["notify", "e2e-notify", "--remove", f"{url}/prepare"]) == 0
    done = cluster.release_and_run(workflow, parameters={}, progress=None)
    wait_for_input(done["name"], "mode", "e2e-notify")
    heard(received, ("/run", "Awaiting input"))
    cluster.give_input(done["name"], NAMESPACE, {"mode": "good"})
    assert cluster.follow(done["name"], NAMESPACE, progress=None, timeout=600)["phase"] == "Succeeded"
    deadline = time.monotonic() + 60
    while len(received) < 4 and time.monotonic() < deadline:
        time.sleep(1)
    assert events(received, "/run") == [("Awaiting input", "train", "Running"), ("Executed", None, "Succeeded")]
    assert events(received, "/train") == [("Awaiting input", "train", "Running"), ("Executed", "train", "Succeeded")]
    assert events(received, "/prepare") == []
