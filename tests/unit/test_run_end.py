"""The end of a run: its record in MLflow tracking (pure logic against a fake MLflow) and its notifications."""

from __future__ import annotations

import datetime
import json

from specs import phase
from wf2k8s.runtime import run_end
from wf2k8s.runtime.clients import MLflowError
from wf2k8s.runtime.context import RunContext


class FakeMLflow:
    def __init__(self, runs: dict | None = None, fail: bool = False):
        self.experiments: dict[str, str] = {}
        self.runs: dict[str, dict] = runs or {}
        self.fail = fail

    def experiment_id(self, name):
        if self.fail:
            raise MLflowError("MLflow GET http://mlflow/api/2.0/mlflow/experiments/get-by-name: cannot reach mlflow")
        return self.experiments.setdefault(name, str(len(self.experiments) + 1))

    def run_tagged(self, experiment, key, value):
        return next(({"info": {"run_id": i}} for i, r in self.runs.items()
                     if r["experiment"] == experiment and r["tags"].get(key) == value), None)

    def create_run(self, experiment, name, start_ms, tags):
        run_id = f"r{len(self.runs) + 1}"
        self.runs[run_id] = {"experiment": experiment, "name": name, "start": start_ms, "tags": dict(tags),
                             "params": {}, "metrics": {}}
        return run_id

    def log_batch(self, run_id, params, metrics, tags, timestamp_ms):
        run = self.runs[run_id]
        run["params"].update(params), run["metrics"].update(metrics), run["tags"].update(tags)

    def end_run(self, run_id, status, end_ms):
        self.runs[run_id].update(status=status, end=end_ms)


def node(task, kind, phase_, metrics=None):
    outputs = {"parameters": [{"name": "result", "value": json.dumps({"outputs": {}, "metrics": metrics})}]} \
        if metrics is not None else {}
    return {"displayName": task, "type": kind, "phase": phase_, "outputs": outputs}


WORKFLOW = {"metadata": {"annotations": {}}, "status": {"startedAt": "2026-11-30T01:00:00Z", "nodes": {
    "a": node("train", "Retry", "Succeeded", {"metrics": {"accuracy": 0.93, "loss": 0.2, "note": "x"}}),
    "b": node("train(0)", "Pod", "Succeeded"),
    "c": node("evaluate", "Pod", "Failed"),
    "d": node("deploy", "Skipped", "Omitted"),
}}}


def spec(status="Failed", targets=()):
    return phase("run_end", step="run-end", workflow="iris", status=status,
                 tasks={"train": "train", "evaluate": "evaluate", "deploy": "deploy"}, targets=list(targets))


def run() -> RunContext:
    return RunContext.from_args("iris-20261130-010000-ab12", "wf2k8s", json.dumps({"lr": "0.1", "mode": "a{\u2060{b"}))


def test_a_run_is_an_mlflow_run_of_its_pipelines_experiment_with_values_metrics_and_status():
    mlflow = FakeMLflow()
    run_id = run_end.record(spec(), run(), WORKFLOW, mlflow, now_ms=1_780_000_000_000)
    recorded = mlflow.runs[run_id]
    assert mlflow.experiments == {"iris": "1"} and recorded["name"] == "iris-20261130-010000-ab12"
    started = datetime.datetime(2026, 11, 30, 1, 0, tzinfo=datetime.timezone.utc)
    assert recorded["start"] == int(started.timestamp() * 1000)  # the run's start, not the record's
    assert recorded["params"] == {"lr": "0.1", "mode": "a{{b"}
    assert recorded["metrics"] == {"train.accuracy": 0.93, "train.loss": 0.2}  # floats only
    assert recorded["tags"]["wf2k8s.step.train"] == "Succeeded" and recorded["tags"]["wf2k8s.step.evaluate"] == "Failed"
    assert recorded["tags"]["wf2k8s.run"] == "iris-20261130-010000-ab12" and recorded["status"] == "FAILED"


def test_recorded_again_the_same_mlflow_run_is_updated_and_experiment_id_names_the_experiment():
    mlflow = FakeMLflow()
    first = run_end.record(spec(), run(), WORKFLOW, mlflow, now_ms=1)
    assert run_end.record(spec("Succeeded"), run(), WORKFLOW, mlflow, now_ms=2) == first
    assert mlflow.runs[first]["status"] == "FINISHED" and len(mlflow.runs) == 1
    named = {**WORKFLOW, "metadata": {"labels": {run_end.EXPERIMENT_LABEL: "tuning"}}}  # run(experiment_id=)
    run_end.record(spec(), run(), named, mlflow, now_ms=3)
    assert set(mlflow.experiments) == {"iris", "tuning"}


class FakeKube:
    def get(self, path):
        assert path == "/apis/argoproj.io/v1alpha1/namespaces/wf2k8s/workflows/iris-20261130-010000-ab12"
        return WORKFLOW


def test_mlflow_out_of_reach_never_fails_the_run_and_the_webhooks_still_hear_of_its_end(server, capsys):
    hook = server((204, b""))
    target = {"url": hook.url, "events": ["Abnormal"]}
    result = run_end.run(spec("Error", [target]), run(), kube=FakeKube(), mlflow=FakeMLflow(fail=True))
    assert result["notified"] == [hook.url] and "mlflow_run" not in result
    assert "not recorded in MLflow: MLflow GET" in capsys.readouterr().out
    assert json.loads(hook.seen[0][3])["event"] == "Abnormal"
