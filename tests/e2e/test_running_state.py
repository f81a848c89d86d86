"""The running state (seed chapter 3) on the real cluster, through the wf2k8s CLI: retry a failed run
after fixing the value that made it fail (what succeeded is not run again), rerun, stop, logs."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

import wf2k8s as wf
from conftest import task_pods, wait_until_running
from wf2k8s import cli, cluster, running
from wf2k8s.runtime.clients import MLflow

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"
FLAVOR = {"cpu": "250m", "memory": "256Mi"}


def job(name: str, s3, boot_file: str, parameters=(), depend_steps=None) -> wf.steps.JobStep:
    return wf.steps.JobStep(
        name=name,
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/running/", boot_file=boot_file,
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__),
                                   parameters=list(parameters)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/e2e/data/")),
        outputs=wf.steps.JobOutput(name="train_url"),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=FLAVOR)),
        depend_steps=depend_steps)


@pytest.fixture
def uploaded(s3, code):
    s3.put(s3.bucket, "e2e/running/train.py", (HERE / "code" / "mode_train.py").read_bytes())
    s3.put(s3.bucket, "e2e/running/slow.py", (HERE / "code" / "slow_train.py").read_bytes())


def test_retry_after_fixing_the_value_reruns_only_what_failed_then_rerun_and_logs(kube, s3, uploaded, capsys):
    mode = wf.Placeholder(name="mode", placeholder_type=wf.PlaceholderType.STR, default="bad")
    prepare = job("prepare", s3, "train.py", [wf.AlgorithmParameters(name="mode", value="prepared")])
    train = job("train", s3, "train.py", [wf.AlgorithmParameters(name="mode", value=mode)], depend_steps=[prepare])
    failed = cluster.release_and_run(wf.Workflow(name="e2e-retry", desc="retry", steps=[prepare, train]),
                                     parameters={}, wait=True, progress=None, timeout=600)
    name = failed["name"]
    assert failed["steps"] == {"prepare": "Succeeded", "train": "Failed"}, failed
    prepared = task_pods(name, "prepare")

    assert cli.main(["retry", name, "-p", "epochs=3"]) == 2  # no such parameter: refused, nothing done
    assert "has no parameter 'epochs'" in capsys.readouterr().err
    assert cli.main(["retry", name, "-p", "mode=good", "--wait"]) == 0
    retried = cluster.summary(running.existing_run(name, NAMESPACE), cluster.run_step_names(
        running.existing_run(name, NAMESPACE)))
    assert retried["phase"] == "Succeeded" and retried["steps"] == {"prepare": "Succeeded", "train": "Succeeded"}
    assert task_pods(name, "prepare") == prepared  # the phase that succeeded was not run again
    assert s3.get(s3.bucket, f"wf2k8s-runs/{name}/train/train_url/model.txt") == b"trained with mode good\n"

    capsys.readouterr()
    assert cli.main(["logs", name, "train"]) == 0
    assert "trained with mode good" in capsys.readouterr().out
    assert cli.main(["logs", name]) == 0
    text = capsys.readouterr().out
    assert text.index("==> prepare <==") < text.index("trained with mode prepared") < text.index("==> train <==")

    assert cli.main(["rerun", name, "--wait"]) == 0
    again = capsys.readouterr().out.split(":")[0]
    assert again != name and again.startswith(name)
    assert running.existing_run(again, NAMESPACE)["status"]["phase"] == "Succeeded"
    assert len(task_pods(again, "prepare")) == 1  # a rerun runs everything again, with the fixed value


def test_stop_ends_a_running_run(kube, s3, uploaded, capsys):
    started = cluster.release_and_run(wf.Workflow(name="e2e-stop", desc="stop", steps=[job("slow", s3, "slow.py")]),
                                      parameters={}, progress=None)
    name = started["name"]
    wait_until_running(name, "slow")
    assert cli.main(["stop", name]) == 0
    stopped = cluster.follow(name, NAMESPACE, progress=None, timeout=300)
    assert stopped["phase"] in ("Failed", "Error") and stopped["steps"]["slow"] != "Succeeded", stopped
    assert not s3.exists(s3.bucket, f"wf2k8s-runs/{name}/slow/train_url/done.txt")
    assert cli.main(["retry", "no-such-run-0"]) == 1
    assert "no run wf2k8s/no-such-run-0" in capsys.readouterr().err


def cli_out(capsys, *argv: str, code: int = 0) -> str:
    """What ``wf2k8s ARGV`` printed: stdout when it exits 0, else (the exit code expected) the one-line error."""
    capsys.readouterr()
    assert cli.main(list(argv)) == code, capsys.readouterr()
    said = capsys.readouterr()
    if code:
        assert said.out == "" and len(said.err.strip().splitlines()) == 1, said
        return said.err
    return said.out


def test_list_tag_configure_start_records_copy_and_delete(kube, s3, code, capsys):
    """A released workflow operated as on the console: configured, started three times with different
    accuracies, tagged, listed and filtered, its execution records with their metrics, copied, deleted."""
    from test_semantics import job  # the e2e training job (its script reports --accuracy as a metric)

    name = f"e2e_console_{secrets.token_hex(2)}"  # its own, whatever earlier runs of the test left
    dns = name.replace("_", "-")

    storage = wf.data.OutputStorage(name="out", title="out", description="outputs")
    accuracy = wf.Placeholder(name="accuracy", placeholder_type=wf.PlaceholderType.FLOAT, default=0.5)
    workflow = wf.Workflow(name=name, desc="the console's operations", storages=[storage],
                           steps=[job("train", code, storage=storage, metrics=True, accuracy=accuracy)])
    workflow.release(apply=True)
    root = f"obs://{s3.bucket}/e2e/console/"
    assert "placeholder 'accuracy' must be float" in cli_out(capsys, "configure", name, "-p", "accuracy=abc",
                                                             code=2)
    out = cli_out(capsys, "configure", name, "-p", f"out={root}", "-p", "accuracy=0.7")
    assert "accuracy=0.7" in out
    names = []
    for value in ("0.7", None, "0.9"):  # configured, configured, given
        out = cli_out(capsys, "start", name, "--wait", *(("-p", f"accuracy={value}") if value else ()))
        names.append(out.split(":")[0])
    cli_out(capsys, "tag", names[2], "best", "--run")
    assert cli_out(capsys, "tag", name, "demo", "team-a").strip() == f"{name}: tags demo, team-a"

    listed = json.loads(cli_out(capsys, "list", name, "--tag", "demo", "--output", "json"))
    assert [(w["workflow"], w["runs"], w["last_run"]) for w in listed] == [(name, 3, "Succeeded")]
    assert json.loads(cli_out(capsys, "list", "--tag", "no-such-tag", "--output", "json")) == []
    runs = json.loads(cli_out(capsys, "list", name, "--runs", "--status", "succeeded", "--output", "json"))
    assert sorted(r["run"] for r in runs) == sorted(names)

    rows = json.loads(cli_out(capsys, "records", name, "--output", "json"))
    assert [(r["run"], r["status"], r["metrics"]) for r in rows] == [
        (names[0], "Succeeded", {"train.accuracy": 0.7}), (names[1], "Succeeded", {"train.accuracy": 0.7}),
        (names[2], "Succeeded", {"train.accuracy": 0.9})]
    assert all(r["duration"] > 0 for r in rows) and rows[2]["tags"] == ["best"]
    best = json.loads(cli_out(capsys, "records", name, "--tag", "best", "--output", "json"))
    assert [r["run"] for r in best] == [names[2]]
    table = cli_out(capsys, "records", name, "--output", "csv").splitlines()
    assert table[0] == "run,status,start,duration,tags,train.accuracy" and table[3].endswith(",best,0.9")
    check_mlflow_comparison(name, names)

    assert cli_out(capsys, "copy", name).startswith(f"{dns}-copy: a copy of {name}")
    assert "copy name: must be" in cli_out(capsys, "copy", name, "bad name!", code=2)
    assert "confirm with --yes" in cli_out(capsys, "delete", f"{name}_copy", code=2)  # not at a terminal
    assert cluster.get_object("workflowtemplate", f"{dns}-copy", NAMESPACE) is not None
    assert cli_out(capsys, "delete", f"{name}_copy", "--yes").strip() == f"deleted workflow {dns}-copy"
    out = cli_out(capsys, "delete", name, "--yes")
    assert sorted(out.split("\n")[1:-1]) == sorted(f"deleted run {n}" for n in names)
    assert cluster.get_object("workflowtemplate", dns, NAMESPACE) is None
    assert all(cluster.get_object("workflow", n, NAMESPACE) is None for n in names)


MLFLOW = os.environ.get("MLFLOW_TRACKING_URI", "http://10.96.0.50:5000").rstrip("/")
#: where CI keeps what a test leaves to look at (the MLflow comparison page's screenshot)
ARTIFACTS = Path(os.environ.get("WF2K8S_ARTIFACTS", "/tmp/wf2k8s-artifacts"))


def check_mlflow_comparison(workflow: str, names: list[str]) -> None:
    """Each run is an MLflow run of the pipeline's experiment (the run-end phase), and MLflow's own UI,
    rendered by a real browser (Debian's headless Chromium), compares them with their metric values."""
    mlflow = MLflow(MLFLOW)
    experiment = mlflow.experiment_id(workflow)
    found = mlflow.call("POST", "runs/search", {"experiment_ids": [experiment], "max_results": 10})["runs"]
    recorded = {r["info"]["run_name"]: (r["info"]["status"],
                                        {m["key"]: m["value"] for m in r["data"].get("metrics", [])},
                                        {p["key"]: p["value"] for p in r["data"].get("params", [])})
                for r in found}
    assert {n: (status, metrics) for n, (status, metrics, _) in recorded.items()} == {
        names[0]: ("FINISHED", {"train.accuracy": 0.7}), names[1]: ("FINISHED", {"train.accuracy": 0.7}),
        names[2]: ("FINISHED", {"train.accuracy": 0.9})}
    assert recorded[names[2]][2]["accuracy"] == "0.9"  # the run's values are its params

    ids = json.dumps([r["info"]["run_id"] for r in found], separators=(",", ":"))
    experiments = json.dumps([experiment])
    page = f"{MLFLOW}/#/compare-runs?runs={urllib.parse.quote(ids)}&experiments={urllib.parse.quote(experiments)}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "mlflow-compare-runs.png"
    browser = shutil.which("chromium")
    assert browser, "Debian's chromium is not installed (hack/cluster-up.sh installs it)"
    common = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--virtual-time-budget=20000", "--window-size=1400,1000"]
    dom = subprocess.run([browser, *common, "--dump-dom", page], capture_output=True, text=True, timeout=120).stdout
    subprocess.run([browser, *common, f"--screenshot={shot}", page], capture_output=True, timeout=120)
    for run in names:
        assert run in dom, f"MLflow's comparison page does not show run {run} ({shot})"
    assert "train.accuracy" in dom and "0.9" in dom and "0.7" in dom, f"no metric values on the page ({shot})"
    assert shot.stat().st_size > 10_000, shot
