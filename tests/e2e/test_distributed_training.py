"""Distributed training on the real cluster: a JobStep with ``node_count`` 2 (a placeholder, and a literal), run
with ``wf2k8s run``, starts two worker pods (a JobSet) that find rank 0 by its DNS name, all-reduce a value
and agree on it; a rank that fails fails the step with its own log tail."""

from __future__ import annotations

import json
import re
import time

import pytest

from wf2k8s import cli

from conftest import HERE, NAMESPACE, kubectl_json

PIPELINE = '''
from modelarts import workflow as wf

nodes = wf.Placeholder(name="nodes", placeholder_type=wf.PlaceholderType.INT, default=2)
fail_rank = wf.Placeholder(name="fail_rank", placeholder_type=wf.PlaceholderType.INT, default=-1)
train = wf.steps.JobStep(
    name="all_reduce",
    algorithm=wf.BaseAlgorithm(code_dir="obs://{bucket}/e2e/ddp/code/", boot_file="allreduce.py",
                               engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__),
                               parameters=[wf.AlgorithmParameters(name="fail_rank", value=fail_rank)]),
    inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://{bucket}/e2e/ddp/code/")),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
        obs_path=wf.Placeholder(name="out", placeholder_type=wf.PlaceholderType.STR, default="obs://{bucket}/x/"))),
    spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={{"cpu": "500m", "memory": "256Mi"}},
                                                        node_count={nodes})))
workflow = wf.Workflow(name="e2e-ddp", desc="two ranks all-reduce a value", steps=[train])
'''


@pytest.fixture
def pipeline(s3, tmp_path):
    s3.put(s3.bucket, "e2e/ddp/code/allreduce.py", (HERE / "code" / "allreduce.py").read_bytes())

    def write(nodes: str) -> str:
        path = tmp_path / f"ddp_{len(nodes)}.py"
        path.write_text(PIPELINE.format(bucket=s3.bucket, nodes=nodes))
        return str(path)

    return write


def run_pipeline(path: str, capsys, *values: str) -> dict:
    argv = ["run", path, "--wait", "--output", "json"]
    for value in values:
        argv += ["-p", value]
    cli.main(argv)
    return json.loads(capsys.readouterr().out)


def launcher_log(run: dict) -> str:
    return cli_output(["logs", run["name"], "all_reduce"])


def cli_output(argv: list[str]) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(argv) == 0
    return out.getvalue()


def test_two_ranks_find_each_other_and_agree_on_an_all_reduced_value(pipeline, s3, capsys):
    out = f"obs://{s3.bucket}/e2e/ddp/out/{time.strftime('%Y%m%d%H%M%S')}/"
    run = run_pipeline(pipeline("nodes"), capsys, f"out={out}")
    log = launcher_log(run)
    assert run["phase"] == "Succeeded", (run.get("messages"), log[-3000:])
    key = out[len(f"obs://{s3.bucket}/"):]
    agreed = json.loads(s3.get(s3.bucket, key + "sum-0.json"))
    assert agreed["sum"] == 10 + 20 and agreed["world"] == 2
    assert s3.stat(s3.bucket, key + "sum-1.json") is None  # rank 0 alone uploads the outputs
    # every rank's log is in the step's log, led by its rank; rank 1 got the same sum through rank 0's DNS name
    assert "[rank 1] rank 1: all-reduce sum 30" in log and "[rank 0] rank 0: all-reduce sum 30" in log
    env = json.loads(next(line.split("] ", 1)[1] for line in log.splitlines() if line.startswith("[rank 1] {")))
    assert env["RANK"] == env["NODE_RANK"] == env["VC_TASK_INDEX"] == "1" and env["WORLD_SIZE"] == "2"
    assert env["VC_WORKER_HOSTS"].split(",")[0] == env["MASTER_ADDR"]
    jobsets = kubectl_json("get", "jobsets", "-n", NAMESPACE, "-l", f"workflows.argoproj.io/workflow={run['name']}")
    assert [j["status"].get("terminalState") for j in jobsets["items"]] == ["Completed"]


def test_a_failing_rank_fails_the_step_with_its_log_tail(pipeline, s3, capsys):
    run = run_pipeline(pipeline("2"), capsys, "fail_rank=1")
    assert run["phase"] == "Failed"
    message = run["messages"]["all_reduce"]  # Argo's "main: Error (exit code 1): " and the launcher's reason
    assert re.search(r": rank 1 of 2 \(pod all-reduce-\w+-worker-0-1-\w+\) failed: the job's code exited with 3; "
                     r"last lines of its log:\n", message), message
    assert message.endswith("\nrank 1 gives up")
