"""The runtime's pure logic: the run's context and spec loading, condition evaluation, metric files, the job's
command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from specs import POLICY, phase
from wf2k8s.contract import CONTRACT_VERSION, load, load_phase
from wf2k8s.contract.refs import SelectRef
from wf2k8s.runtime import condition, job, metrics
from wf2k8s.runtime import resolve as resolve_module
from wf2k8s.runtime.context import ContractError, RunContext, join_path, parse_typed
from wf2k8s.runtime.job import as_uri, command_line
from memory_s3 import MemoryS3
from wf2k8s.runtime.clients import S3Error, split_uri


@pytest.fixture
def run() -> RunContext:
    return RunContext.from_args("demo-run-1", "wf2k8s", json.dumps([
        {"name": "lr", "value": "0.01"}, {"name": "epochs", "value": "3"}, {"name": "flag", "value": "true"},
        {"name": "root", "value": "obs://bucket/out/"}, {"name": "items", "value": "[1, 2]"},
        {"name": "bad_int", "value": "3.5"}]))


def test_run_context_from_the_command_line():
    assert RunContext.from_args("r", "ns", '{"a": "1"}') == RunContext("r", "ns", {"a": "1"})
    assert RunContext.from_args("r", "ns", "").parameters == {}
    with pytest.raises(ContractError, match="--parameters: not JSON"):
        RunContext.from_args("r", "ns", "{nope")


@pytest.mark.parametrize("marker, expected", [
    ({"$param": "lr", "type": "float"}, 0.01),
    ({"$param": "epochs", "type": "int"}, 3),
    ({"$param": "flag", "type": "bool"}, True),
    ({"$param": "items", "type": "list"}, [1, 2]),
    ({"$param": "epochs", "type": "str"}, "3"),
    ({"$param": "late", "type": "int", "value": "7"}, 7),  # a delayed value, spliced in by Argo
    ({"$system": "EXECUTION_ID"}, "demo-run-1"),
    ({"$system": "NAMESPACE"}, "wf2k8s"),
    ({"$system": "WORKFLOW_NAME", "value": "my-pipeline"}, "my-pipeline"),  # the compiler writes the name
    ({"$storage": "root", "path": "model/"}, "obs://bucket/out/model/"),
    ({"$storage": "root", "path": "model/", "execution_id": True}, "obs://bucket/out/demo-run-1/model/"),
    ({"$storage": "root", "path": "m/metrics.json", "execution_id": True}, "obs://bucket/out/demo-run-1/m/metrics.json"),
])
def test_markers_resolve_to_typed_values(run, marker, expected):
    assert run.resolve({"x": [marker]}) == {"x": [expected]}


def test_references_in_a_typed_spec_resolve_in_place(run):
    spec = phase("condition", step="c", conditions=[
        {"op": "<", "left": {"$param": "lr", "type": "float"}, "right": {"$param": "epochs", "type": "int"}}])
    resolved = run.resolve(spec.conditions[0])
    assert (resolved.left, resolved.right) == (0.01, 3)
    assert spec.conditions[0].left != 0.01  # the spec itself is left as it was


def test_a_placeholder_value_is_checked_again_where_it_is_used(run):
    with pytest.raises(ContractError, match="placeholder 'bad_int' must be int, got '3.5'"):
        run.resolve({"$param": "bad_int", "type": "int"})
    with pytest.raises(ContractError, match="placeholder 'missing' has no value"):
        run.resolve({"$param": "missing", "type": "str"})
    with pytest.raises(ContractError, match="storage 'nowhere' has no root path"):
        run.resolve({"$storage": "nowhere", "path": "x"})


def test_parse_typed():
    assert parse_typed("2", "int", "n") == 2 and parse_typed("False", "bool", "b") is False
    assert parse_typed('{"a": 1}', "json", "j") == {"a": 1} and parse_typed("x", "enum", "e") == "x"
    with pytest.raises(ContractError, match="placeholder 'j' must be json"):
        parse_typed("[1]", "json", "j")
    with pytest.raises(ContractError, match="placeholder 'b' must be bool, got 'yes'"):
        parse_typed("yes", "bool", "b")


def test_outputs_of_other_steps(run):
    result = {"outputs": {"train_url": {"uri": "s3://b/a/"}}, "metrics": {"metrics": {"accuracy": 0.8}},
              "variables": {"svc": {"access_address": "http://x"}}}
    assert run.resolve({"$output": "a/train_url", "result": result}) == {"uri": "s3://b/a/"}
    assert run.resolve({"$metric": "a/metrics/accuracy", "result": result}) == 0.8
    assert run.resolve({"$variable": "a/svc/access_address", "result": result}) == "http://x"
    with pytest.raises(ContractError, match="step 'a' did not run"):
        run.resolve({"$output": "a/train_url", "result": None})
    with pytest.raises(ContractError, match="has no float metric 'f1'"):
        run.resolve({"$metric": "a/metrics/f1", "result": result})
    # a Spark step writes no result of ours: its declared path is used
    assert run.resolve({"$output": "s/out", "result": {}, "declared": "obs://b/spark/"}) == {"uri": "obs://b/spark/"}


def test_select_takes_the_output_that_ran(run):
    ran = {"outputs": {"train_url": {"uri": "s3://b/two/"}}}
    selector = {"$select": [{"$output": "one/train_url", "result": None},
                            {"$output": "two/train_url", "result": ran}]}
    assert run.resolve(load(SelectRef, selector)) == {"uri": "s3://b/two/"}
    with pytest.raises(ContractError, match="none of one/train_url, two/train_url ran"):
        run.resolve(load(SelectRef, {"$select": [{"$output": "one/train_url", "result": None},
                                                 {"$output": "two/train_url", "result": None}]}))


def partial(run: RunContext, **given: str) -> RunContext:
    return RunContext(run.name, run.namespace, {**run.parameters, **given})


GIVEN = "wf2k8s-output-a-train_url"


def test_an_output_whose_producer_ran_is_its_result_whatever_stands_in_for_it(run):
    ran = {"outputs": {"train_url": {"uri": "s3://b/ran/"}}}
    marker = {"$output": "a/train_url", "result": ran,
              "fallback": {"given": GIVEN, "fixed": {"$storage": "root", "path": "a/"}}}
    assert partial(run, **{GIVEN: "obs://b/given/"}).resolve(marker) == {"uri": "s3://b/ran/"}


def test_an_output_whose_producer_did_not_run_is_the_value_given_then_its_fixed_location(run):
    marker = {"$output": "a/train_url", "result": None,
              "fallback": {"given": GIVEN, "fixed": {"$storage": "root", "path": "a/"}}}
    # (a) a value given when the run started: a path, or a location as a JSON object (a dataset version, ...)
    assert partial(run, **{GIVEN: "obs://b/given/"}).resolve(marker) == {"uri": "obs://b/given/"}
    assert partial(run, **{GIVEN: '{"uri": "s3://b/earlier-run/a/"}'}).resolve(marker) == {"uri": "s3://b/earlier-run/a/"}
    # (b) none given (the run parameter is empty): where the producer writes it in every run
    assert partial(run, **{GIVEN: ""}).resolve(marker) == {"uri": "obs://bucket/out/a/"}
    assert run.resolve(marker) == {"uri": "obs://bucket/out/a/"}
    # neither: the phase fails, saying how to give one
    bare = {"$output": "a/train_url", "result": None, "fallback": {"given": GIVEN}}
    with pytest.raises(ContractError, match=r"step 'a' did not run.*wf2k8s run -p a\.train_url=obs://"):
        partial(run, **{GIVEN: ""}).resolve(bare)
    with pytest.raises(ContractError, match="the value given for a/train_url: not JSON"):
        partial(run, **{GIVEN: '{"uri": "s3://b/'}).resolve(bare)


def test_a_selector_none_of_whose_options_ran_takes_the_first_that_has_a_stand_in(run):
    selector = {"$select": [{"$output": "one/train_url", "result": None},
                            {"$output": "two/train_url", "result": None,
                             "fallback": {"given": "wf2k8s-output-two-train_url"}},
                            {"$output": "three/train_url", "result": None, "fallback": {"fixed": "obs://b/three/"}}]}
    assert run.resolve(load(SelectRef, selector)) == {"uri": "obs://b/three/"}
    given = partial(run, **{"wf2k8s-output-two-train_url": "obs://b/two/"})
    assert given.resolve(load(SelectRef, selector)) == {"uri": "obs://b/two/"}


def test_the_fallback_on_the_wire_is_one_optional_key():
    from wf2k8s.contract import dump
    from wf2k8s.contract.refs import Fallback, OutputRef, StorageRef

    ref = load(OutputRef, {"$output": "a/train_url", "result": None,
                           "fallback": {"given": GIVEN, "fixed": {"$storage": "root", "path": "a/"}}})
    assert ref.fallback == Fallback(GIVEN, StorageRef("root", "a/"))
    assert dump(ref) == {"$output": "a/train_url", "result": None,
                         "fallback": {"given": GIVEN, "fixed": {"$storage": "root", "path": "a/"}}}
    assert load(OutputRef, {"$output": "a/train_url", "result": None}).fallback is None  # contract 1.0 as before
    with pytest.raises(ContractError, match="fallback: must be an object with given"):
        load(OutputRef, {"$output": "a/train_url", "result": None, "fallback": {"given": GIVEN, "other": 1}})


def test_join_path_keeps_single_slashes_and_a_trailing_one():
    assert join_path("/root/", "run", "/input/data/") == "/root/run/input/data/"
    assert join_path("obs://b/r", "file.json") == "obs://b/r/file.json"


def test_load_spec_errors():
    with pytest.raises(ContractError, match="not JSON"):
        load_phase("condition", "{nope")
    with pytest.raises(ContractError, match="must be a JSON object"):
        load_phase("condition", "[]")
    header = {"contract": CONTRACT_VERSION, "title": "c", "policy": POLICY}
    with pytest.raises(ContractError, match=r"condition spec > step: is missing"):
        load_phase("condition", json.dumps({**header, "conditions": []}))
    with pytest.raises(ContractError, match=r"condition spec 'c' > config: unknown field of ConditionPhase"):
        load_phase("condition", json.dumps({**header, "step": "c", "conditions": [], "config": {}}))
    with pytest.raises(ContractError, match=r"condition spec 'c' > policy.poll_interval_seconds: is missing"):
        load_phase("condition", json.dumps({**header, "step": "c", "conditions": [],
                                            "policy": {"max_execution_minutes": 1}}))
    assert load_phase("condition", json.dumps({**header, "step": "c", "conditions": []})).step == "c"


def test_a_spec_of_another_contract_version_is_refused():
    spec = {"contract": "2.0", "step": "c", "title": "c", "policy": POLICY, "conditions": []}
    with pytest.raises(ContractError, match=rf"the spec is contract 2\.0, this runtime reads contract "
                                            rf"{CONTRACT_VERSION}"):
        load_phase("condition", json.dumps(spec))
    with pytest.raises(ContractError, match="the spec has no contract version"):
        load_phase("condition", json.dumps({k: v for k, v in spec.items() if k != "contract"}))


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
def test_all_operators(run, expression, expected):
    (typed,) = phase("condition", step="c", conditions=[expression]).conditions
    assert condition.evaluate(typed, [], run) is expected


def test_conditions_are_anded_and_written_for_the_branches(run):
    result = condition.run(phase("condition", step="c", conditions=[cond("==", 1, 1), cond(">", 1, 2)]), run)
    assert result["files"]["condition"] == "false"
    assert result["variables"]["condition"]["result"] is False
    result = condition.run(phase("condition", step="c", conditions=[cond("==", 1, 1), cond("<", 1, 2)]), run)
    assert result["files"]["condition"] == "true"
    assert result["variables"]["condition"]["result"] is True


def test_ordering_a_bool_is_an_error(run):
    (typed,) = phase("condition", step="c", conditions=[cond(">", True, 1)]).conditions
    with pytest.raises(ContractError, match="cannot order a bool"):
        condition.evaluate(typed, [], run)


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
    (b"[" + b" " * (1024 * 1024) + b"]", "over the 1 MiB limit"),
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


# the entry points, on a typed spec -------------------------------------------------------------------------



TRAIN = b"""import json, os, sys
args = dict(a[2:].split("=", 1) for a in sys.argv[1:])
print("training", args["lr"], os.environ["MODE"], open(os.path.join(args["data_url"], "x.txt")).read())
open(os.path.join(args["train_url"], "model.txt"), "w").write(args["lr"] + " " + args["epochs"])
open(os.path.join(args["extra"], "note.txt"), "w").write("extra")
json.dump([{"key": "accuracy", "title": "accuracy", "type": "float", "data": {"value": 0.9}}],
          open(os.path.join(args["metrics"], "metrics.json"), "w"))
"""

RESOURCE = {"resource": {"flavor": {"cpu": "1"}, "node_count": 1}}


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setattr(job, "WORK", tmp_path / "work")
    monkeypatch.setattr(job, "RESULT_DIR", str(tmp_path / "result"))
    return tmp_path


def job_spec(**changes):
    fields = dict(
        algorithm={"code_dir": "obs://b/code/", "boot_file": "train.py", "environments": {"MODE": "fast"},
                   "parameters": [{"name": "lr", "value": {"$param": "lr", "type": "float"}},
                                  {"name": "epochs", "value": 2}]},
        spec={**RESOURCE, "log_export_path": {"obs_url": "obs://b/logs/"}},
        inputs=[{"name": "data_url", "data": "obs://b/data/"}],
        outputs=[{"name": "train_url", "obs_config": {"obs_path": {"$storage": "root", "path": "model/",
                                                                    "execution_id": True}}},
                 {"name": "extra"},
                 {"name": "metrics", "metrics_config": {"metric_files": ["obs://b/m/metrics.json"],
                                                        "realtime_visualization": False, "visualization": True}}])
    return phase("job", step="train", **{**fields, **changes})


def test_the_job_runs_the_code_and_uploads_its_outputs(run, work, monkeypatch):
    s3 = MemoryS3({"obs://b/code/train.py": TRAIN, "obs://b/data/x.txt": b"data"})
    monkeypatch.setattr(job.S3, "from_env", lambda: s3)
    monkeypatch.setenv("WF2K8S_S3_BUCKET", "runs")
    result = job.run(job_spec(), run)
    assert result == {"outputs": {"train_url": {"uri": "s3://bucket/out/demo-run-1/model/"},
                                  "extra": {"uri": "s3://runs/wf2k8s-runs/demo-run-1/train/extra/"},
                                  "metrics": {"uri": "s3://b/m/metrics.json"}},
                      "metrics": {"metrics": {"accuracy": 0.9}}}
    assert s3.get("bucket", "out/demo-run-1/model/model.txt") == b"0.01 2"
    assert s3.get("runs", "wf2k8s-runs/demo-run-1/train/extra/note.txt") == b"extra"
    assert b"training 0.01 fast data" in s3.get("b", "logs/train.log")  # spec.spec.log_export_path
    assert (work / "result" / "metrics.html").is_file()


def test_a_failing_job_says_how_it_ended(run, work, monkeypatch):
    s3 = MemoryS3({"obs://b/code/train.py": b"import sys\nprint('bad input')\nsys.exit(3)\n"})
    monkeypatch.setattr(job.S3, "from_env", lambda: s3)
    spec = job_spec(inputs=[], spec=RESOURCE)
    with pytest.raises(job.JobFailed, match="exited with 3; last lines of its log:\nbad input"):
        job.run(spec, run)
    assert not any(key.startswith("logs/") for _, key in s3.data)  # no log_export_path: no log uploaded


def test_the_catalog_algorithm_under_the_steps_own_settings(run, tmp_path, monkeypatch):
    catalog = {"engines": {"pytorch/2.1": {"image": "reg/pytorch:2.1"}, "e-1": {"image": "reg/e1"}},
               "algorithms": {"algo-1": {"code_dir": "obs://b/catalog-code/", "boot_file": "main.py",
                                         "engine": {"engine_name": "pytorch", "engine_version": "2.1"},
                                         "parameters": [{"name": "lr", "value": 0.5}, {"name": "depth", "value": 3}],
                                         "environments": {"A": "1", "B": "2"}}},
               "gallery_algorithms": {"sub/v1": {"command": "run.sh", "engine": {"image_url": "reg/gallery"}}}}
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    monkeypatch.setenv("WF2K8S_CATALOG", str(tmp_path / "catalog.json"))
    spec = phase("job", step="train", algorithm={
        "algorithm_id": "algo-1", "boot_file": {"$param": "boot", "type": "str", "value": "own.py"},
        "parameters": [{"name": "lr", "value": {"$param": "lr", "type": "float"}}], "environments": {"B": "3"}},
        spec=RESOURCE, inputs=[], outputs=[])
    assert job.algorithm_of(spec, run) == {
        "code_dir": "obs://b/catalog-code/", "boot_file": "own.py",
        "engine": {"engine_name": "pytorch", "engine_version": "2.1"},
        "parameters": {"lr": 0.01, "depth": 3}, "environments": {"A": "1", "B": "3"}}
    # the resolve phase: the image of the step's engine, else of the catalog algorithm's
    resolving = phase("resolve", step="resolve-image-1", for_step="train", algorithm={"algorithm_id": "algo-1"})
    assert resolve_module.run(resolving, run) == {"image": "reg/pytorch:2.1", "files": {"image": "reg/pytorch:2.1"}}
    own = phase("resolve", step="resolve-image-1", for_step="train",
                algorithm={"algorithm_id": "algo-1", "engine": {"engine_id": {"$param": "e", "type": "str",
                                                                               "value": "e-1"}}})
    assert resolve_module.run(own, run)["image"] == "reg/e1"
    gallery = phase("resolve", step="resolve-image-2", for_step="t2",
                    algorithm={"subscription_id": "sub", "item_version_id": "v1"})
    assert resolve_module.run(gallery, run)["image"] == "reg/gallery"
    with pytest.raises(ContractError, match="algorithm 'nope' is not in the catalog"):
        resolve_module.run(phase("resolve", step="r", for_step="t", algorithm={"id": "nope"}), run)
    with pytest.raises(ContractError, match=r"engine 'tf/1' is not in the catalog .*engines: e-1, pytorch/2.1\)"):
        resolve_module.run(phase("resolve", step="r", for_step="t", algorithm={
            "engine": {"engine_name": "tf", "engine_version": "1"}}), run)
