"""ServiceStep infer_type "batch" (wf2k8s/runtime/batch.py): the fields, reading input files, where
predictions go, a whole run against fakes of Kubernetes, S3 and the model server (the real ones:
tests/e2e/test_serving.py), and the SDK's checks."""

from __future__ import annotations

import json

import pytest

from memory_s3 import MemoryS3
from modelarts import workflow as wf
from specs import phase
from wf2k8s import contract
from wf2k8s.contract import ContractError
from wf2k8s.contract.phases import ServiceConfig
from wf2k8s.errors import ValidationError
from wf2k8s.runtime import batch, service
from wf2k8s.runtime.context import RunContext
from wf2k8s.runtime.errors import PhaseError


def config(**extra):
    """A batch ServiceConfig as the spec holds it (JSON)."""
    return {"infer_type": "batch", "additional_properties": {"src_path": "obs://b/in/", "dest_path": "obs://b/out/",
                                                             **extra}}


def settings(data, run=None):
    """batch_config of a ServiceConfig (JSON), loaded and resolved as the deployer has it."""
    return batch.batch_config((run or RunContext()).resolve(contract.load(ServiceConfig, data)))


def test_batch_config():
    assert settings(config(mapping_type="csv", batch_size=2)) == {
        "src": ("b", "in/"), "dest": ("b", "out/"), "mapping_type": "csv", "batch_size": 2}
    assert settings(config())["batch_size"] == batch.DEFAULT_BATCH_SIZE
    # another step's output gives its uri
    produced = {"$output": "train/out", "result": {"outputs": {"out": {"uri": "s3://b/x/"}}}}
    assert settings({"infer_type": "batch", "additional_properties": {"src_path": produced, "dest_path": "/b/y/"}})[
        "src"] == ("b", "x/")


@pytest.mark.parametrize("properties, problem", [
    (None, "must hold src_path and dest_path"),
    ({"src_path": "obs://b/in/"}, "dest_path must be an OBS path"),
    ({"src_path": "in/", "dest_path": "obs://b/out/"}, "src_path: 'in/' is not an OBS path"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/out/", "mapping_type": "xml"}, "mapping_type must be one of"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/out/", "batch_size": 0}, "batch_size must be a whole number"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/out/", "extra": 1}, "unknown field(s) extra"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/in/out/"}, "is inside src_path"),
    ({"src_path": "obs://b/in", "dest_path": "obs://b/in"}, "is inside src_path"),
])
def test_bad_batch_fields_name_the_field(properties, problem):
    with pytest.raises(ContractError) as caught:
        settings({"infer_type": "batch", "additional_properties": properties})
    assert "ServiceConfig.additional_properties" in str(caught.value) and problem in str(caught.value)


def test_a_sibling_prefix_is_not_inside():
    assert settings({"infer_type": "batch", "additional_properties": {"src_path": "obs://b/in",
                                                                     "dest_path": "obs://b/in-out/"}})


def test_read_rows():
    assert batch.read_rows("a.csv", b"sepal_length,sepal_width\n5.1,3.5\n6.7,3\n\n") == [[5.1, 3.5], [6.7, 3]]
    assert batch.read_rows("a.csv", b"5.1,3.5\n6.7,3.0\n") == [[5.1, 3.5], [6.7, 3.0]]
    assert batch.read_rows("a.json", b'[[1, 2], [3, 4]]') == [[1, 2], [3, 4]]
    assert batch.read_rows("a.json", b'{"instances": [[1, 2]]}') == [[1, 2]]
    assert batch.read_rows("a.jsonl", b'[1, 2]\n[3, 4]\n') == [[1, 2], [3, 4]]
    assert batch.read_rows("data.txt", b"1,2\n", "csv") == [[1, 2]]
    assert batch.read_rows("a.csv", b"") == []


@pytest.mark.parametrize("name, data, problem", [
    ("a.parquet", b"x", "not a .csv, .json or .jsonl file"),
    ("a.json", b"{oops", "neither JSON nor JSON lines"),
    ("a.json", b'{"rows": []}', "expected a JSON list of rows"),
    ("a.csv", b"\xff\xfe\x00", "not UTF-8 text"),
])
def test_unreadable_input_names_the_file(name, data, problem):
    with pytest.raises(PhaseError, match=f"batch input {name}"):
        batch.read_rows(name, data)
    with pytest.raises(PhaseError, match=problem):
        batch.read_rows(name, data)


def test_result_keys_keep_the_path_under_src():
    assert batch.result_key("in/", "in/day1/a.csv", "out/") == "out/day1/a.csv_result.json"
    assert batch.result_key("in/a.csv", "in/a.csv", "out") == "out/a.csv_result.json"
    assert batch.result_key("", "a.csv", "") == "a.csv_result.json"


def test_transient_name_is_per_run_and_short():
    name = batch.transient_name("a" * 60, "ns/run-1/step", 45)
    assert len(name) <= 45 and "-batch-" in name
    assert name == batch.transient_name("a" * 60, "ns/run-1/step", 45) \
        != batch.transient_name("a" * 60, "ns/run-2/step", 45)


def test_predict_file_sends_chunks_and_checks_answers():
    sent = []

    def post(url, body):
        sent.append(len(body["instances"]))
        return {"predictions": [0] * len(body["instances"])}

    assert batch.predict_file("a.csv", [[1]] * 5, "http://x", 2, post) == [0] * 5
    assert sent == [2, 2, 1]
    with pytest.raises(PhaseError, match=r"a.csv, rows 1-2: the model server answered .* not 2 predictions"):
        batch.predict_file("a.csv", [[1]] * 2, "http://x", 2, lambda url, body: {"predictions": [0]})


# a whole run against fakes ----------------------------------------------------------------------


class FakeKube:
    def __init__(self):
        self.objects = {}
        self.calls = []

    def call(self, method, path, body=None):
        self.calls.append((method, path))
        if method == "POST":
            self.objects[f"{path}/{body['metadata']['name']}"] = body
            return body
        if method == "DELETE":
            return self.objects.pop(path)
        raise AssertionError(method)

    def get(self, path):
        if path.endswith("-predictor") and "/services/" in path:
            return {"spec": {"clusterIP": "10.96.8.8"}}
        return self.objects.get(path)


def fake_model_server(url, body):
    assert url.startswith("http://10.96.8.8/v1/models/") and url.endswith(":predict")
    return {"predictions": [int(row[0] > 6) for row in body["instances"]]}


def test_run_batch_predicts_every_file_then_deletes_the_service():
    s3 = MemoryS3({"s3://b/in/a.csv": b"x,y\n5.1,3.5\n6.7,3.0\n", "s3://b/in/sub/b.json": b"[[7, 1]]",
                   "s3://b/in/empty/": b""})
    kube = FakeKube()
    isvc = {"metadata": {"name": "svc-batch-1", "namespace": "ns"},
            "spec": {"predictor": {"model": {"storageUri": "s3://m/1/"}}}}
    waited = []
    done = batch.run_batch(kube, s3, isvc, settings(config(batch_size=1)), 1, 5,
                           lambda *args: waited.append(args), post=fake_model_server)
    assert waited[0][1:3] == ("ns", "svc-batch-1") and waited[0][-1] == {"s3://m/1/"}
    assert done["rows"] == 3 and [f["result"] for f in done["files"]] == [
        "s3://b/out/a.csv_result.json", "s3://b/out/sub/b.json_result.json"]
    assert json.loads(s3.data[("b", "out/a.csv_result.json")]) == {
        "source": "s3://b/in/a.csv", "rows": 2, "predictions": [0, 1]}
    assert json.loads(s3.data[("b", "out/sub/b.json_result.json")])["predictions"] == [1]
    assert kube.objects == {} and kube.calls[-1][0] == "DELETE"


def test_run_batch_deletes_the_service_when_a_file_fails():
    s3 = MemoryS3({"s3://b/in/a.parquet": b"x"})
    kube = FakeKube()
    isvc = {"metadata": {"name": "svc-batch-1", "namespace": "ns"},
            "spec": {"predictor": {"model": {"storageUri": "s3://m/1/"}}}}
    with pytest.raises(PhaseError, match="a.parquet: not a .csv"):
        batch.run_batch(kube, s3, isvc, settings(config()), 1, 5, lambda *a: None, post=fake_model_server)
    assert kube.objects == {}
    with pytest.raises(PhaseError, match="no files under obs://b/in/"):
        batch.run_batch(kube, MemoryS3(), isvc, settings(config()), 1, 5, lambda *a: None)


def test_service_run_batch_refuses_several_versions_and_updates(monkeypatch):
    monkeypatch.setattr(service.MLflow, "from_env", classmethod(lambda cls: pytest.fail("no MLflow call expected")))
    run = RunContext("run-1", "wf2k8s", {})

    def spec(value, *more):
        return phase("service", "score", outputs=[{"name": "o", "service_config": config()}], inputs=[
            {"name": "m", "data": {"$param": "p", "type": "service_input", "value": json.dumps(value)}}, *more])

    two = [{"model_name": "iris", "model_version": "1", "weight": 50},
           {"model_name": "iris", "model_version": "2", "weight": 50}]
    with pytest.raises(ContractError, match="a batch service runs one model version; the input gives weight to 2"):
        service.run(spec(two), run)
    with pytest.raises(ContractError, match="cannot update a service"):
        service.run(spec([{"model_name": "iris"}], {"name": "s", "data": {"$param": "s", "type": "service",
                                                                         "value": "old"}}), run)


def test_a_batch_service_at_the_sdk_defaults_polls_every_second_for_up_to_seven_days(monkeypatch):
    # the spec's policy (the SDK's defaults: 1 s, 10080 min) is what the batch run waits with
    model = {"name": "iris", "version": "1", "source": "s3://m/1/",
             "tags": [{"key": "modelarts.model_type", "value": "Scikit_Learn"}]}
    monkeypatch.setattr(service.MLflow, "from_env", classmethod(lambda cls: type(
        "Registry", (), {"versions": lambda self, name: iter([model])})()))
    monkeypatch.setattr(service.Kube, "in_cluster", classmethod(lambda cls: FakeKube()))
    monkeypatch.setattr(service.S3, "from_env", classmethod(lambda cls: MemoryS3()))
    given = []

    def run_batch(kube, s3, isvc, batch_settings, poll, minutes, wait_ready):
        given.append((poll, minutes, wait_ready))
        return {"files": [], "rows": 0}

    monkeypatch.setattr(batch, "run_batch", run_batch)
    for policy, wanted in (({"poll_interval_seconds": 1, "max_execution_minutes": 10080}, (1.0, 10080.0)),
                           ({"poll_interval_seconds": 3, "max_execution_minutes": 15}, (3.0, 15.0))):
        spec = phase("service", "score", policy=policy, outputs=[{"name": "o", "service_config": config()}],
                     inputs=[{"name": "m", "data": {"$param": "p", "type": "service_input",
                                                    "value": '[{"model_name": "iris"}]'}}])
        result = service.run(spec, RunContext("run-1", "wf2k8s", {}))
        assert given.pop() == (*wanted, service.wait_ready)
        assert result["outputs"]["o"]["uri"] == "s3://b/out/"


# the SDK's checks -----------------------------------------------------------------------------------


def batch_workflow(properties):
    step = wf.steps.ServiceStep(
        name="score", inputs=wf.steps.ServiceInput(name="m", data=wf.data.ServiceInputPlaceholder(
            name="p", model_name="iris")),
        outputs=wf.steps.ServiceOutput(name="o", service_config=wf.steps.ServiceConfig(
            infer_type="batch", additional_properties=properties)))
    return wf.Workflow(name="batch", desc="d", steps=[step])


@pytest.mark.parametrize("properties, where", [
    (None, "additional_properties['src_path']: is mandatory for infer_type 'batch'"),
    ({"src_path": "obs://b/in/"}, "additional_properties['dest_path']: is mandatory"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/out/", "format": "csv"}, "unknown field(s) format"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/out/", "mapping_type": "xml"}, "must be 'csv' or 'json'"),
    ({"src_path": "obs://b/in/", "dest_path": "obs://b/out/", "batch_size": 0}, "whole number 1-10000"),
])
def test_the_sdk_refuses_bad_batch_fields(properties, where):
    with pytest.raises(ValidationError) as caught:
        batch_workflow(properties).to_workflow_template()
    assert "ServiceStep 'score' > outputs[0].service_config.additional_properties" in str(caught.value)
    assert where in str(caught.value)


def test_batch_fields_may_be_placeholders():
    dest = wf.Placeholder(name="dest", placeholder_type=wf.PlaceholderType.STR)
    template = batch_workflow({"src_path": "obs://b/in/", "dest_path": dest}).to_workflow_template()
    assert "dest" in [p["name"] for p in template["spec"]["arguments"]["parameters"]]
