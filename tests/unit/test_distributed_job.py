"""A JobStep on several nodes: what the backend gives the launcher, the JobSet the launcher makes, how it reads
the workers' ends, and what a worker of another rank than 0 does (pure logic; the real run is e2e)."""

from __future__ import annotations

import json

import pytest

import wf2k8s as wf
from memory_s3 import MemoryS3
from specs import phase
from wf2k8s.contract import load_phase
from wf2k8s.runtime import distributed, job
from wf2k8s.runtime.clients import KubeError
from wf2k8s.runtime.context import ContractError, RunContext


def compiled(node_count, flavor=None, priority=None) -> dict:
    spec = wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=flavor or {"cpu": "1", "memory": "1Gi"},
                                                          node_count=node_count),
                            schedule_policy=wf.steps.SchedulePolicy(priority=priority) if priority else None)
    step = wf.steps.JobStep(
        name="train", algorithm=wf.BaseAlgorithm(code_dir="obs://b/code/", boot_file="train.py",
                                                 engine=wf.steps.JobEngine(image_url="reg/torch:2")),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://b/in/")),
        outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path="obs://b/out/")),
        spec=spec)
    return wf.Workflow(name="ddp", desc="d", steps=[step]).to_workflow_template()


def task_and_template(template: dict) -> tuple[dict, dict]:
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    task = next(t for t in templates["main"]["dag"]["tasks"] if t["name"] == "train")
    return {p["name"]: p["value"] for p in task["arguments"]["parameters"]}, templates[task["template"]]


def test_the_launcher_holds_the_launcher_account_and_no_s3_key():
    arguments, launcher = task_and_template(compiled(2))
    assert launcher["serviceAccountName"] == "wf2k8s-launcher" and launcher["automountServiceAccountToken"]
    assert [e["configMapRef"]["name"] for e in launcher["container"]["envFrom"]] == ["wf2k8s-config"]
    assert arguments["image"] == "reg/torch:2"


def test_each_worker_is_the_pod_of_a_one_node_job_with_its_flavor_and_no_token():
    arguments, _ = task_and_template(compiled(2, priority=3))
    worker = json.loads(arguments["worker"])
    container = worker["containers"][0]
    flavor = {"cpu": "1", "memory": "1Gi"}
    assert container["resources"] == {"requests": flavor, "limits": flavor}
    assert {e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e} == {"wf2k8s-s3-jobs"}
    assert worker["automountServiceAccountToken"] is False and worker["priorityClassName"] == "wf2k8s-high"
    assert container["command"] == ["python3", "/wf2k8s/bin/wf2k8s-runtime.pyz"]
    one_node, _ = task_and_template(compiled(1, priority=3))
    assert json.loads(one_node["pod-spec-patch"])["containers"][0]["resources"] == container["resources"]


def test_a_flavor_placeholder_reaches_every_worker_as_one_json_value():
    flavor = wf.Placeholder(name="flavor", placeholder_type=wf.PlaceholderType.JSON, default={"cpu": "1"})
    arguments, _ = task_and_template(compiled(wf.Placeholder(name="n", placeholder_type=wf.PlaceholderType.INT,
                                                             default=2), flavor=flavor))
    assert "\"requests\":{{=toJson(fromJSON(workflow.parameters['flavor']))}}" in arguments["worker"]


@pytest.fixture
def run() -> RunContext:
    return RunContext.from_args("ddp-run-1", "wf2k8s", json.dumps([{"name": "n", "value": "3"},
                                                                   {"name": "note", "value": "a{\u2060{b}}"}]))


def ddp_spec(nodes=None):
    return phase("job", step="train_ddp", algorithm={"code_dir": "obs://b/code/", "boot_file": "train.py"},
                 spec={"resource": {"flavor": {"cpu": "1"}, "node_count": nodes or {"$param": "n", "type": "int"}}},
                 inputs=[], outputs=[{"name": "train_url", "obs_config": {"obs_path": "obs://b/out/"}}])


def test_the_jobset_runs_n_ranked_workers_that_find_rank_0_by_name(run):
    name = distributed.jobset_name("train_ddp", "ddp-run-1-distributed-job-123")
    manifest = distributed.jobset(name, 3, {"containers": [{"name": "main", "command": ["python3", "rt.pyz"]}]},
                                  "reg/torch:2", ["job", "--spec", "{}"], run, "train_ddp", ("launcher", "uid-1"))
    assert len(f"{name}-worker-0-2") <= 63 and name.startswith("train-ddp-")
    job_spec = manifest["spec"]["replicatedJobs"][0]["template"]["spec"]
    assert (job_spec["parallelism"], job_spec["completions"], job_spec["completionMode"], job_spec["backoffLimit"]) \
        == (3, 3, "Indexed", 0)
    assert manifest["spec"]["failurePolicy"] == {"maxRestarts": 0}
    assert manifest["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind": "Pod", "name": "launcher",
                                                        "uid": "uid-1"}]
    container = job_spec["template"]["spec"]["containers"][0]
    assert container["image"] == "reg/torch:2" and container["command"] == ["python3", "rt.pyz", "job", "--spec", "{}"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["MASTER_ADDR"] == env["PET_MASTER_ADDR"] == f"{name}-worker-0-0.{name}"
    assert (env["WORLD_SIZE"], env["MASTER_PORT"], env["LOCAL_RANK"], env["PET_NNODES"]) == ("3", "29500", "0", "3")
    assert env["VC_WORKER_HOSTS"].split(",") == [f"{name}-worker-0-{i}.{name}" for i in range(3)]
    index = {"fieldRef": {"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}
    assert env["RANK"] == env["NODE_RANK"] == env["VC_TASK_INDEX"] == env["WF2K8S_RANK"] == index


def test_a_worker_reads_the_launchers_spec_and_values_as_the_launcher_read_them(run):
    args = distributed.worker_args(ddp_spec(), run)
    assert args[:5] == ["job", "--run", "ddp-run-1", "--namespace", "wf2k8s"]
    worker_run = RunContext.from_args(args[4], args[4], args[6])
    assert worker_run.parameters == run.parameters and worker_run.parameters["note"] == "a{{b}}"
    assert load_phase("job", args[8]) == ddp_spec()


@pytest.mark.parametrize("value", ["0", "65", "two"])
def test_a_node_count_value_out_of_range_is_refused_when_the_launcher_starts(value):
    context = RunContext.from_args("r", "wf2k8s", json.dumps({"n": value}))
    with pytest.raises(ContractError, match="node_count|placeholder 'n' must be int"):
        distributed.node_count(ddp_spec(), context)


def worker(rank, phase_="Running", terminated=None):
    state = {"terminated": terminated} if terminated is not None else {"running": {}}
    return {"metadata": {"name": f"w-{rank}", "annotations": {distributed.INDEX_ANNOTATION: str(rank)}},
            "status": {"phase": phase_, "containerStatuses": [{"name": "main", "state": state}]}}


def test_the_lowest_failed_rank_gives_the_reason_with_its_log_tail():
    pods = [worker(0), worker(2, "Failed", {"exitCode": 1, "message": "killed"}),
            worker(1, "Failed", {"exitCode": 1,
                                 "message": "the job's code exited with 3; last lines of its log:\nboom"})]
    assert distributed.failure(pods, 3) == ("rank 1 of 3 (pod w-1) failed: the job's code exited with 3; "
                                            "last lines of its log:\nboom")
    assert distributed.failure([worker(0, "Failed", {"exitCode": 137, "reason": "OOMKilled"})], 2) == \
        "rank 0 of 2 (pod w-0) failed: OOMKilled (exit code 137)"
    assert distributed.failure([worker(0), worker(1)], 2) is None


def test_the_result_is_rank_0s_report():
    result = {"outputs": {"train_url": {"uri": "s3://b/out/"}}, "metrics": {}}
    pods = [worker(1, "Succeeded", {"exitCode": 0, "message": '{"outputs":{},"metrics":{}}'}),
            worker(0, "Succeeded", {"exitCode": 0, "message": json.dumps(result)})]
    assert distributed.result_of(pods) == result
    with pytest.raises(distributed.DistributedJobFailed, match="rank 0 reported no result"):
        distributed.result_of([worker(0, "Succeeded", {"exitCode": 0})])


def test_the_jobset_ends_by_its_terminal_state_or_condition():
    assert distributed.finished({"status": {"terminalState": "Completed"}}) == "Completed"
    assert distributed.finished({"status": {"conditions": [{"type": "Failed", "status": "True"}]}}) == "Failed"
    assert distributed.finished({"status": {"conditions": [{"type": "Completed", "status": "False"}]}}) is None


class FakeKube:
    """The API as the launcher sees it: a JobSet that goes through the given states, with its pods."""

    def __init__(self, states: list[tuple[dict, list[dict]]], create_status: int | None = None):
        self.states, self.create_status, self.created = states, create_status, []

    def call(self, method, path, body=None):
        if method == "POST":
            if self.create_status:
                raise KubeError("Kubernetes POST: HTTP", self.create_status)
            self.created.append(body)
            return body
        return {"items": self.states[0][1]}

    def get(self, path):
        if path.endswith("/log") or "/pods/" in path:
            return worker(0, "Succeeded", {"exitCode": 0})
        jobset = self.states[0][0]
        if len(self.states) > 1:
            self.states.pop(0)
        return jobset

    def stream_lines(self, path, on_line, timeout=0):
        on_line("2026-11-30T00:00:01.000000001Z hello")


@pytest.fixture
def launcher_env(monkeypatch):
    monkeypatch.setenv("WF2K8S_WORKER_POD", json.dumps({"containers": [{"name": "main", "command": ["python3"]}]}))
    monkeypatch.setenv("WF2K8S_WORKER_IMAGE", "reg/torch:2")
    monkeypatch.setenv("WF2K8S_POD_NAME", "ddp-run-1-launcher")
    monkeypatch.setenv("WF2K8S_POD_UID", "uid-1")


def test_the_launcher_waits_for_the_jobset_and_returns_rank_0s_result(run, launcher_env, capsys):
    done = '{"outputs":{"train_url":{"uri":"s3://b/out/"}},"metrics":{}}'
    kube = FakeKube([({}, [worker(0), worker(1)]),
                     ({"status": {"terminalState": "Completed"}},
                      [worker(0, "Succeeded", {"exitCode": 0, "message": done}),
                       worker(1, "Succeeded", {"exitCode": 0, "message": "{}"})])])
    assert distributed.run(ddp_spec(2), run, kube=kube, sleep=lambda s: None) == json.loads(done)
    assert kube.created[0]["spec"]["replicatedJobs"][0]["template"]["spec"]["completions"] == 2
    out = capsys.readouterr().out
    assert "[rank 0] hello" in out and "[rank 1] hello" in out


def test_the_launcher_fails_with_the_failed_ranks_reason(run, launcher_env):
    kube = FakeKube([({}, [worker(0), worker(1, "Failed", {"exitCode": 1, "message": "exited with 3: boom"})])])
    with pytest.raises(distributed.DistributedJobFailed, match=r"^rank 1 of 2 \(pod w-1\) failed: exited with 3"):
        distributed.run(ddp_spec(2), run, kube=kube, sleep=lambda s: None)


def test_a_cluster_without_jobset_is_named(run, launcher_env):
    with pytest.raises(distributed.PhaseError, match="no JobSet API"):
        distributed.run(ddp_spec(2), run, kube=FakeKube([], create_status=404), sleep=lambda s: None)


def test_a_worker_of_another_rank_than_0_runs_the_code_but_writes_no_outputs(run, tmp_path, monkeypatch):
    s3 = MemoryS3({"obs://b/code/train.py": b"import sys, os\nprint('rank', os.environ['WF2K8S_RANK'])\n"})
    monkeypatch.setattr(job.S3, "from_env", lambda: s3)
    monkeypatch.setattr(job, "WORK", tmp_path / "work")
    monkeypatch.setenv("WF2K8S_TERMINATION_LOG", str(tmp_path / "termination"))
    monkeypatch.setenv("WF2K8S_RANK", "1")
    assert job.run(ddp_spec(2), run) == {"outputs": {}, "metrics": {}}
    assert not any(key.startswith("out/") for _, key in s3.data)
    assert json.loads((tmp_path / "termination").read_text()) == {"outputs": {}, "metrics": {}}
    monkeypatch.setenv("WF2K8S_RANK", "0")
    (tmp_path / "work" / "outputs" / "train_url").mkdir(parents=True, exist_ok=True)
    assert job.run(ddp_spec(2), run)["outputs"] == {"train_url": {"uri": "s3://b/out/"}}
    assert json.loads((tmp_path / "termination").read_text())["outputs"] == {"train_url": {"uri": "s3://b/out/"}}
