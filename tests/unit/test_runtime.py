"""The runtime's pure logic: the spec contract, condition evaluation, metric files, the job's command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from wf2k8s.runtime import condition, metrics
from wf2k8s.runtime.contract import ContractError, Run, join_path, load_spec, resolve
from wf2k8s.runtime.job import as_uri, command_line
from wf2k8s.runtime.s3 import S3Error, split_uri


@pytest.fixture(autouse=True)
def run_context():
    Run.configure("demo-run-1", "wf2k8s", json.dumps([
        {"name": "lr", "value": "0.01"}, {"name": "epochs", "value": "3"}, {"name": "flag", "value": "true"},
        {"name": "root", "value": "obs://bucket/out/"}, {"name": "items", "value": "[1, 2]"},
        {"name": "bad_int", "value": "3.5"}]))
    yield
    Run.configure("run", "", "{}")


@pytest.mark.parametrize("marker, expected", [
    ({"$param": "lr", "type": "float"}, 0.01),
    ({"$param": "epochs", "type": "int"}, 3),
    ({"$param": "flag", "type": "bool"}, True),
    ({"$param": "items", "type": "list"}, [1, 2]),
    ({"$param": "epochs", "type": "str"}, "3"),
    ({"$param": "late", "type": "int", "value": "7"}, 7),  # a delayed value, spliced in by Argo
    ({"$system": "EXECUTION_ID"}, "demo-run-1"),
    ({"$storage": "root", "path": "model/"}, "obs://bucket/out/model/"),
    ({"$storage": "root", "path": "model/", "execution_id": True}, "obs://bucket/out/demo-run-1/model/"),
    ({"$storage": "root", "path": "m/metrics.json", "execution_id": True}, "obs://bucket/out/demo-run-1/m/metrics.json"),
])
def test_markers_resolve_to_typed_values(marker, expected):
    assert resolve({"x": [marker]}) == {"x": [expected]}


def test_a_placeholder_value_is_checked_again_where_it_is_used():
    with pytest.raises(ContractError, match="placeholder 'bad_int' must be int, got '3.5'"):
        resolve({"$param": "bad_int", "type": "int"})
    with pytest.raises(ContractError, match="placeholder 'missing' has no value"):
        resolve({"$param": "missing", "type": "str"})
    with pytest.raises(ContractError, match="storage 'nowhere' has no root path"):
        resolve({"$storage": "nowhere", "path": "x"})


def test_outputs_of_other_steps():
    result = {"outputs": {"train_url": {"uri": "s3://b/a/"}}, "metrics": {"metrics": {"accuracy": 0.8}},
              "variables": {"svc": {"access_address": "http://x"}}}
    assert resolve({"$output": "a/train_url", "result": result}) == {"uri": "s3://b/a/"}
    assert resolve({"$metric": "a/metrics/accuracy", "result": result}) == 0.8
    assert resolve({"$variable": "a/svc/access_address", "result": result}) == "http://x"
    with pytest.raises(ContractError, match="step 'a' did not run"):
        resolve({"$output": "a/train_url", "result": None})
    with pytest.raises(ContractError, match="has no float metric 'f1'"):
        resolve({"$metric": "a/metrics/f1", "result": result})
    # a Spark step writes no result of ours: its declared path is used
    assert resolve({"$output": "s/out", "result": {}, "declared": "obs://b/spark/"}) == {"uri": "obs://b/spark/"}


def test_select_takes_the_output_that_ran():
    ran = {"outputs": {"train_url": {"uri": "s3://b/two/"}}}
    selector = {"$select": [{"$output": "one/train_url", "result": None},
                            {"$output": "two/train_url", "result": ran}]}
    assert resolve(selector) == {"uri": "s3://b/two/"}
    with pytest.raises(ContractError, match="none of one/train_url, two/train_url ran"):
        resolve({"$select": [{"$output": "one/train_url", "result": None},
                             {"$output": "two/train_url", "result": None}]})


def test_join_path_keeps_single_slashes_and_a_trailing_one():
    assert join_path("/root/", "run", "/input/data/") == "/root/run/input/data/"
    assert join_path("obs://b/r", "file.json") == "obs://b/r/file.json"


def test_load_spec_errors():
    with pytest.raises(ContractError, match="not JSON"):
        load_spec("{nope")
    with pytest.raises(ContractError, match="'step' is the step's name"):
        load_spec('{"config": {}}')


# conditions ------------------------------------------------------------------------------------------------


def cond(op, left, right):
    return {"op": op, "left": left, "right": right}


@pytest.mark.parametrize("expression, expected", [
    (cond("==", True, True), True), (cond("==", 1, 2), False),
    (cond("!=", "a", "b"), True), (cond(">", 10, 9), True), (cond(">=", 9, 9), True),
    (cond("<", 0.8, 0.5), False), (cond("<=", 0.5, 0.5), True),
    (cond("in", "b", ["a", "b"]), True), (cond("in", 3, [1, 2]), False),
    (cond("or", cond(">", 10, 9), cond("<", 10, 9)), True),
    (cond("or", cond("<", 10, 9), cond("<", 10, 9)), False),
    (cond("<", {"$param": "lr", "type": "float"}, 0.5), True),
    (cond("==", {"$param": "epochs", "type": "str"}, 3), True),  # text "3" against the number 3
    (cond("in", {"$param": "epochs", "type": "int"}, {"$param": "items", "type": "list"}), False),
    (cond("<", {"$metric": "j/metrics/accuracy", "result": {"metrics": {"metrics": {"accuracy": 0.3}}}}, 0.5),
     True),
])
def test_all_operators(expression, expected):
    assert condition.evaluate(expression, []) is expected


def test_conditions_are_anded_and_written_for_the_branches():
    result = condition.run({"step": "c", "conditions": [cond("==", 1, 1), cond(">", 1, 2)]})
    assert result["files"]["condition"] == "false"
    assert result["variables"]["condition"]["result"] is False


def test_ordering_a_bool_is_an_error():
    with pytest.raises(ContractError, match="cannot order a bool"):
        condition.evaluate(cond(">", True, 1), [])


# metric files ------------------------------------------------------------------------------------------------

SEED_METRICS = [
    {"key": "loss", "title": "loss", "type": "float", "data": {"value": 1.2}},
    {"key": "accuracy", "title": "accuracy", "type": "float", "data": {"value": 0.8}},
    {"key": "metric", "title": "metric", "type": "line chart",
     "data": {"x_axis": [{"title": "step/epoch", "value": [1, 2, 3]}],
              "y_axis": [{"title": "value", "value": [0.5, 0.4, 0.3]}]}},
    {"key": "hist", "title": "hist", "type": "histogram",
     "data": {"x_axis": [{"title": "step/epoch", "value": [1, 2, 3]}],
              "y_axis": [{"title": "value", "value": [0.5, 0.4, 0.3]}]}},
    {"key": "confusion_matrix", "title": "confusion_matrix", "type": "table",
     "data": {"cell_value": [[1, 2], [2, 3]], "col_labels": {"title": "labels", "value": ["daisy", "dandelion"]},
              "row_labels": {"title": "predictions", "value": ["daisy", "dandelion"]}}},
    {"key": "Application Evaluation Results", "title": "Application Evaluation Results",
     "type": "one-dimensional-table",
     "data": {"cell_value": [[10, 2, 0.5]], "labels": ["samples", "maxResTine", "p99"]}},
]


def test_the_seed_formats_parse_and_render():
    entries = metrics.parse("metrics.json", json.dumps(SEED_METRICS).encode())
    assert metrics.floats(entries) == {"loss": 1.2, "accuracy": 0.8}
    page = metrics.render("train", {"s3://b/metrics.json": entries})
    assert page.count("<svg") == 2 and "dandelion" in page and "maxResTine" in page


@pytest.mark.parametrize("raw, message", [
    (b"not json", "metrics file m.json: not JSON"),
    (b"{}", "metrics file m.json: must be a JSON list"),
    (json.dumps([{"key": "acc", "type": "float", "data": {"value": "high"}}]).encode(),
     "metrics file m.json > entry 0 ('acc'): data.value must be a number"),
    (json.dumps([SEED_METRICS[0], {"key": "x", "type": "pie", "data": {}}]).encode(),
     "metrics file m.json > entry 1 ('x'): type must be one of"),
    (json.dumps([{"key": "t", "type": "table", "data": {"cell_value": [[1, 2]], "col_labels": {"value": ["a"]},
                                                          "row_labels": {"value": ["r"]}}}]).encode(),
     "entry 0 ('t'): data.cell_value[0] has 2 cells, col_labels has 1"),
    (json.dumps([{"key": "l", "type": "line chart", "data": {"x_axis": [{"value": [1, 2]}],
                                                               "y_axis": [{"value": [1]}]}}]).encode(),
     "entry 0 ('l'): data.y_axis[0] has 1 values, x_axis has 2"),
    (b"[" + b" " * (1024 * 1024) + b"]", "over the 1 MB limit"),
])
def test_malformed_metric_files_name_the_file_and_entry(raw, message):
    with pytest.raises(metrics.MetricsError) as info:
        metrics.parse("m.json", raw)
    assert message in str(info.value)


# the job's command line --------------------------------------------------------------------------------------


def test_boot_file_runs_with_the_arguments(tmp_path: Path):
    (tmp_path / "train.py").write_text("")
    argv = command_line({"boot_file": "train.py"}, tmp_path, ["--lr=0.1", "--data_url=/tmp/in"])
    assert argv[1:] == [str(tmp_path / "train.py"), "--lr=0.1", "--data_url=/tmp/in"]
    argv = command_line({"code_dir": "obs://b/code/", "boot_file": "obs://b/code/train.py"}, tmp_path, [])
    assert argv[1] == str(tmp_path / "train.py")
    with pytest.raises(ContractError, match="is not in code_dir"):
        command_line({"code_dir": "obs://b/code/", "boot_file": "obs://b/other/train.py"}, tmp_path, [])
    with pytest.raises(ContractError, match="is not in the code directory"):
        command_line({"boot_file": "missing.py"}, tmp_path, [])


def test_command_gets_values_as_arguments_never_as_shell_text(tmp_path: Path):
    hostile = "--name=$(touch pwned); `touch pwned2`"
    argv = command_line({"command": "printf '%s\\n'"}, tmp_path, [hostile])
    printed = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert printed == hostile + "\n"
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


@pytest.mark.parametrize("location, uri", [
    ("obs://bucket/a/b", "s3://bucket/a/b"), ("/bucket/a/", "s3://bucket/a/"), ({"uri": "s3://b/k"}, "s3://b/k"),
    ({"obs_path": "obs://b/k/"}, "s3://b/k/"),
])
def test_locations(location, uri):
    assert as_uri(location, "input") == uri


def test_bad_locations():
    with pytest.raises(ContractError, match="a dataset is not an OBS path"):
        as_uri('{"dataset_name": "d", "version_name": "V001"}', "input 'data_url'")
    with pytest.raises(S3Error, match="is not an OBS path"):
        split_uri("bucket/key")
