"""What the runtime reads but cannot trust ("Safe on a shared cluster"): S3 keys never write outside their
destination, and manifests, metric files, label files, run values and service inputs are parsed with bounds
(nesting, number size, NaN and Infinity, encoding, file size). Every refusal is the module's own error type
with one line naming the file and the entry; ``__main__`` makes it the step's failure, without a traceback."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from test_runtime import job_spec
from loopback import Server
from test_runtime_mrs import mrs_spec
from wf2k8s import contract
from wf2k8s.contract import ContractError
from wf2k8s.runtime import __main__ as runtime_main
from wf2k8s.runtime import batch, condition, dataset, job, labeling, metrics, mrs, podinfo, resolve, service, untrusted
from wf2k8s.runtime.clients import S3, S3Error, http, split_uri
from wf2k8s.runtime.clients.mlflow import MLflowError
from memory_s3 import MemoryS3
from wf2k8s.runtime.clients.s3 import S3TooLarge
from wf2k8s.runtime.context import RunContext, parse_typed
from wf2k8s.runtime.errors import PhaseError
from wf2k8s.runtime.model import obs_uri

DEEP = "[" * 100_000 + "]" * 100_000  # RecursionError in json.loads
NESTED = "[" * 500 + "]" * 500  # json.loads reads it; recursive code after it would not
DIGITS_401 = "1" * 401  # an int Python reads, a float it cannot be
DIGITS_5000 = "1" * 5000  # Python >= 3.11 refuses str -> int beyond 4300 digits


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# 1. no write outside the destination ----------------------------------------------------------------------


def bad_keys(tmp_path: Path) -> list[tuple[str, str]]:
    """Keys under ``code/`` that name no file inside a directory, with the rule each breaks."""
    return [(f"code/{tmp_path}/escaped-absolute", "has an empty segment"),  # code//tmp/.../escaped-absolute
            ("code/../../escaped-dotdot", "has a '..' segment"),
            ("code/./x.py", "has a '.' segment"),
            ("code/a//b.py", "has an empty segment"),
            ("code/sub/..", "has a '..' segment")]


@pytest.mark.parametrize("index", range(5))
def test_download_refuses_a_key_that_is_no_path_inside_the_destination(tmp_path, index):
    key, rule = bad_keys(tmp_path)[index]
    destination = tmp_path / "work" / "code"
    s3 = MemoryS3({f"obs://b/{key}": b"x", "obs://b/code/ok.py": b"ok"})
    with pytest.raises(S3Error) as refused:
        s3.download("obs://b/code/", destination)
    message = str(refused.value)
    assert "\n" not in message and rule in message
    assert f"S3 object s3://b/{key} (key {key!r})" in message and f"inside {destination} (refused)" in message
    assert files_under(tmp_path) == []  # refused before anything was written, inside or out


def test_download_keeps_good_keys_and_their_directories(tmp_path):
    s3 = MemoryS3({"obs://b/code/train.py": b"t", "obs://b/code/lib/util.py": b"u", "obs://b/code/a.b..c": b"dots",
                   "obs://b/code/.hidden": b"h", "obs://b/code/dir/": b""})
    assert s3.download("obs://b/code", tmp_path / "code") == tmp_path / "code"
    assert files_under(tmp_path / "code") == [".hidden", "a.b..c", "lib/util.py", "train.py"]
    assert s3.download("obs://b/code/train.py", tmp_path / "one.py").read_bytes() == b"t"


def test_download_refuses_a_path_through_a_symbolic_link_out_of_the_destination(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    destination = tmp_path / "code"
    destination.mkdir()
    os.symlink(outside, destination / "link")
    s3 = MemoryS3({"obs://b/code/link/x.py": b"x"})
    with pytest.raises(S3Error, match=r"its path 'link/x.py' leads out of .* through a symbolic link \(refused\)"):
        s3.download("obs://b/code/", destination)
    assert list(outside.iterdir()) == []


def test_keys_that_cannot_both_be_files_are_one_line(tmp_path):
    s3 = MemoryS3({"obs://b/code/a": b"file", "obs://b/code/a/b": b"under the file"})
    # the objects download in parallel: whichever of the two comes second is the one that cannot be written
    with pytest.raises(S3Error, match=r"^s3://b/code/a(/b)?: cannot be written to .*code/a(/b)? \((File exists|Not a "
                                      r"directory|Is a directory)\)$"):
        s3.download("obs://b/code/", tmp_path / "code")


def test_local_path_is_the_one_rule(tmp_path):
    assert untrusted.local_path(tmp_path, "a/b.txt", "x", PhaseError) == tmp_path / "a/b.txt"
    for path, rule in [("", "is empty"), ("/etc/passwd", "empty segment"), ("a/../../b", "'..' segment"),
                       ("a\x00b", "NUL character"), ("a/", "empty segment"), (".", "'.' segment")]:
        with pytest.raises(PhaseError, match=rule):
            untrusted.local_path(tmp_path, path, "s3://b/k", PhaseError)
        assert untrusted.key_problem(path)
    assert untrusted.key_problem("a/b..c/.d") is None


def test_the_job_refuses_a_code_key_out_of_its_directory_as_the_steps_one_line_failure(tmp_path, monkeypatch, capsys):
    s3 = MemoryS3({"obs://b/code/train.py": b"print(1)", "obs://b/code/../../etc/cron.d/x": b"* * * * * evil"})
    monkeypatch.setattr(job.S3, "from_env", lambda: s3)
    monkeypatch.setattr(job, "WORK", tmp_path / "work")
    monkeypatch.setattr(runtime_main, "TERMINATION_LOG", tmp_path / "termination-log")
    monkeypatch.setattr(runtime_main, "RESULT_DIR", str(tmp_path / "result"))
    spec = json.dumps(contract.dump(job_spec(inputs=[])))
    assert runtime_main.main(["job", "--parameters", '{"lr": "0.01"}', "--spec", spec]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("wf2k8s-runtime: step 'train': S3 object s3://b/code/../../etc/cron.d/x "
                          "(key 'code/../../etc/cron.d/x'): its path '../../etc/cron.d/x' has a '..' segment")
    assert (tmp_path / "termination-log").read_text() in err
    assert not (tmp_path / "etc").exists() and files_under(tmp_path / "work") == []


def test_the_spark_boot_file_must_be_a_file_name(tmp_path, monkeypatch):
    s3 = MemoryS3({"obs://b/spark/..": b"print()"})
    monkeypatch.setattr(mrs.S3, "from_env", lambda: s3)
    monkeypatch.setattr(mrs, "WORK", tmp_path)
    with pytest.raises(ContractError, match=r"mrs_algorithm.boot_file s3://b/spark/..: its path '..' has a '..' "
                                            r"segment"):
        mrs.run(mrs_spec("obs://b/spark/.."), RunContext("r", "ns", {"spark_args": "", "lang": "en",
                                                                      "root": "obs://b/in/"}))
    assert not (tmp_path / "code").exists()


@pytest.fixture
def store():
    s3 = MemoryS3()
    found = dataset.Store(s3, "s3://data/datasets/")
    found.write_json("d", {"dataset_name": "d", "data_type": "FREE_FORMAT", "labels": []}, "dataset.json")
    return found


def test_a_manifest_to_import_with_a_source_that_is_no_path_is_refused(store):
    for source, rule in [("s3://src//tmp/x", "empty segment"), ("s3://src/a/../../x", "'..' segment"),
                         ("s3://src/./x", "'.' segment")]:
        store.s3.put("in", "m.manifest", json.dumps({"source": source}).encode() + b"\n")
        with pytest.raises(dataset.DatasetError) as refused:
            dataset.load_input(store.s3, "obs://in/m.manifest", "manifest", "FREE_FORMAT", None, None, None)
        key, message = source.split("/", 3)[3], str(refused.value)
        assert message.startswith(f"s3://in/m.manifest sample 1: source {source!r} (key {key!r}) ")
        assert rule in message and message.endswith(", so it cannot be a sample's path (refused)")


def test_a_directory_to_import_with_a_key_that_is_no_path_is_refused(store):
    store.s3.put("in", "raw/a.jpg", b"a")
    store.s3.put("in", "raw/x/../../b.jpg", b"b")
    with pytest.raises(dataset.DatasetError, match=r"^s3://in/raw/x/../../b.jpg \(key 'raw/x/../../b.jpg'\): its "
                                                   r"path 'x/../../b.jpg' under obs://in/raw/ has a '..' segment"):
        dataset.Source(store.s3, "obs://in/raw/")
    # one file: its name is its path, whatever the directory above it is called
    store.s3.put("in", "odd//one.jpg", b"1")
    assert dataset.Source(store.s3, "obs://in/odd//one.jpg").files == ["one.jpg"]


def released(store: dataset.Store, *sources: str) -> None:
    """A version V001 whose manifest names these sources (as someone with write access to the bucket can)."""
    lines = [{"id": f"s{i}", "source": src, "usage": "TRAIN"} for i, src in enumerate(sources)]
    store.write_manifest("d", lines, "versions", "V001", "manifest.json")
    store.write_json("d", {"created": "2026-01-01 00:00:00"}, "versions", "V001", "version.json")
    for src in sources:
        store.s3.put(*split_uri(src), b"sample")


@pytest.mark.parametrize("source", ["s3://data/datasets/d/samples//tmp/x", "s3://data/datasets/d/samples/../../x",
                                    "s3://data/datasets/d/samples/a/./x", "s3://other/.."])
def test_a_released_manifest_never_writes_outside_the_jobs_input_directory(store, tmp_path, source):
    released(store, "s3://data/datasets/d/samples/ok.png", source)
    destination = tmp_path / "inputs" / "data"
    with pytest.raises(dataset.DatasetError, match=rf"^version d/V001: sample '{source}': its path .* so it is no "
                                                   rf"file inside {destination} \(refused\)$"):
        dataset.download_version(store.s3, {"dataset_name": "d", "version_name": "V001"}, destination, store)
    assert files_under(tmp_path) == []


def test_a_manifest_imported_then_released_then_downloaded_stays_inside(store, tmp_path):
    """The whole path a bad source took before: import, release, a job's download."""
    store.s3.put("src", "/tmp/x", b"pwn")
    store.s3.put("in", "m.manifest", b'{"source": "s3://src//tmp/x"}\n{"source": "s3://src/ok/y.bin"}\n')
    store.s3.put("src", "ok/y.bin", b"y")
    with pytest.raises(dataset.DatasetError, match="sample 1: source 's3://src//tmp/x'"):
        dataset.load_input(store.s3, "obs://in/m.manifest", "manifest", "FREE_FORMAT", None, None, None)
    store.s3.put("in", "m.manifest", b'{"source": "s3://src/ok/y.bin"}\n')
    source, parsed, remote = dataset.load_input(store.s3, "obs://in/m.manifest", "manifest", "FREE_FORMAT", None,
                                                None, None)
    assert dataset.merge(store, "d", source, parsed, remote=remote)["added"] == 1
    samples = store.manifest("d")
    dataset.split(samples, 1.0, "d")
    store.write_manifest("d", samples, "versions", "V001", "manifest.json")
    store.write_json("d", {"created": "x"}, "versions", "V001", "version.json")
    dataset.download_version(store.s3, {"dataset_name": "d", "version_name": "V001"}, tmp_path / "in", store)
    assert files_under(tmp_path / "in") == ["manifest.json", "ok/y.bin", "version.json"]


def test_batch_results_stay_under_dest_path():
    with pytest.raises(PhaseError, match=r"batch input key 'in/x/../../y.csv': its path 'x/../../y.csv' under "
                                         r"src_path has a '..' segment"):
        batch.result_key("in/", "in/x/../../y.csv", "out/")
    s3 = MemoryS3({"obs://b/in/ok.csv": b"1\n", "obs://b/in/../../other/z.csv": b"1\n"})

    class NoKube:
        def get(self, path):
            raise AssertionError("nothing is deployed for refused input")

    with pytest.raises(PhaseError, match="'..' segment"):
        batch.run_batch(NoKube(), s3, {"metadata": {"name": "s", "namespace": "ns"}},
                        {"src": ("b", "in/"), "dest": ("b", "out/"), "mapping_type": None, "batch_size": 1}, 1, 1,
                        lambda *a: None)


# 2. bounded parsing: manifests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("line, problem", [
    (DEEP, "line 1: nested deeper than 100 levels"),
    (f'{{"source": "s3://a/b", "x": {NESTED}}}', "line 1: nested deeper than 100 levels"),
    ('{"source": "s3://a/b", "n": ' + DIGITS_5000 + "}",
     "line 1: a whole number of 5000 digits is beyond the range of a float (1.8e308)"),
    ('{"source": "s3://a/b", "n": ' + DIGITS_401 + "}", "line 1: a whole number of 401 digits is beyond"),
    ('{"source": "s3://a/b", "hard-coefficient": NaN}', "line 1: NaN is not a number the runtime reads"),
    ('{"source": "s3://a/b", "hard-coefficient": -Infinity}', "line 1: -Infinity is not a number"),
    ('{"source": "s3://a/b", "hard-coefficient": 1e999}', "line 1: the number '1e999' is beyond the range"),
    ('{"source": "s3://a/b", "annotation": [{"name": ["cat"]}]}', "line 1: annotation[0].name must be text"),
    ('{"source": "s3://a/b", "annotation": "cat"}', "line 1: 'annotation' must be a list of objects"),
    ('{"source": "s3://a/b", "annotation": [{"name": "c", "property": {"@modelarts:bndbox": {"xmin": "1"}}}]}',
     "line 1: annotation[0].property.@modelarts:bndbox.xmin must be a number, got '1'"),
    ('{"source": "s3://a/b", "annotation": [{"name": "c", "property": {"@modelarts:yolo_box": [1, 2, 3]}}]}',
     "line 1: annotation[0].property.@modelarts:yolo_box must be 4 numbers"),
    ('{"source": ["s3://a/b"]}', "line 1: 'source' must be text"),
    ('{"source": "s3://a/b", "usage": 1}', "line 1: 'usage' must be text, got 1"),
    ("[1, 2]", "line 1: a manifest line must be an object with a 'source'"),
])
def test_manifest_lines_are_read_with_bounds(line, problem):
    with pytest.raises(dataset.DatasetError) as refused:
        dataset.parse_manifest(line.encode() + b"\n", "s3://b/m.json")
    assert str(refused.value).startswith("s3://b/m.json ") and problem in str(refused.value)
    assert "\n" not in str(refused.value)


def test_manifests_are_utf8_and_bounded_in_size(store, monkeypatch):
    with pytest.raises(dataset.DatasetError,
                       match=r"^manifest s3://b/m.json: not UTF-8 text \(byte 0xff at offset 12\)$"):
        dataset.parse_manifest(b'{"source": "\xff"}\n', "s3://b/m.json")
    monkeypatch.setattr(dataset, "MANIFEST_LIMIT", 64)
    store.write_manifest("d", [{"id": f"{i}", "source": f"s3://a/{i}"} for i in range(5)])
    with pytest.raises(dataset.DatasetError, match=r"^manifest s3://data/datasets/d/manifest.json: larger than the "
                                                   r"64 bytes limit$"):
        store.manifest("d")
    with pytest.raises(dataset.DatasetError, match="over the 64 bytes limit"):
        dataset.parse_manifest(b" " * 65, "m")


def test_a_datasets_own_manifest_gives_every_sample_an_id(store):
    store.write_manifest("d", [{"id": "a", "source": "content://x"}, {"source": "content://y"}])
    with pytest.raises(dataset.DatasetError, match=r"manifest.json line 2: 'id' must be text, got None"):
        store.manifest("d")
    assert dataset.parse_manifest(b'{"source": "content://y"}\n', "input") == [{"source": "content://y"}]


@pytest.mark.parametrize("body, problem", [
    (b"{nope", "s3://data/datasets/d/dataset.json: not JSON"),
    (DEEP.encode(), "s3://data/datasets/d/dataset.json: nested deeper than 100 levels"),
    (b"[]", "s3://data/datasets/d/dataset.json: must be a JSON object, got list"),
    (b'{"data_type": 1}', "s3://data/datasets/d/dataset.json: data_type must be text, got 1"),
    (b'{"data_type": "IMAGE", "labels": [{"name": {}}]}', "labels[0] must be an object with a text name"),
    (b'{"data_type": "IMAGE", "x": NaN}', "NaN is not a number"),
    (b'{"data_type": "\xff"}', "not UTF-8 text (byte 0xff at offset 15)"),
])
def test_dataset_files_are_read_with_bounds(store, body, problem):
    store.s3.put("data", "datasets/d/dataset.json", body)
    with pytest.raises(dataset.DatasetError, match=re.escape(problem)):
        store.info("d")


def test_dataset_references_and_ratios(store):
    with pytest.raises(dataset.DatasetError, match="not a dataset .*nested deeper than 100 levels"):
        dataset.reference('{"a":' * 5000 + "1" + "}" * 5000)
    for version in ("..", ".", ["V1"]):
        with pytest.raises(dataset.DatasetError, match="version_name .* must be 1-64 letters"):
            dataset.reference({"dataset_name": "d", "version_name": version})
    with pytest.raises(dataset.DatasetError, match="task_name '../x' must be"):
        dataset.reference({"dataset_name": "d", "task_name": "../x"})
    for ratio in (int(DIGITS_401), float("nan"), float("inf"), "nan", "Infinity", "1e999", "²", True):
        with pytest.raises(dataset.DatasetError, match="train_evaluate_sample_ratio: must be a number from 0 to 1"):
            dataset.ratio_of(ratio)
    assert dataset.ratio_of("0.8") == 0.8 and dataset.ratio_of(1) == 1.0


# label files ------------------------------------------------------------------------------------------------


def voc(box: str) -> bytes:
    return f"<annotation><object><name>cat</name><bndbox>{box}</bndbox></object></annotation>".encode()


@pytest.mark.parametrize("xmin, problem", [
    ("nan", "xmin 'nan' is not a finite number"), ("inf", "xmin 'inf' is not a finite number"),
    ("1e999", "xmin '1e999' is beyond the range of a float"), ("²", "xmin '²' is not a decimal number"),
    (DIGITS_401, "is beyond the range of a float"),
])
def test_pascal_voc_boxes_are_finite_numbers(xmin, problem):
    s3 = MemoryS3({"obs://in/x/a.jpg": b"a", "obs://in/x/a.xml": voc(f"<xmin>{xmin}</xmin><ymin>1</ymin>"
                                                                      "<xmax>2</xmax><ymax>3</ymax>")})
    with pytest.raises(dataset.DatasetError) as refused:
        dataset.parse_voc(dataset.Source(s3, "obs://in/x/"), "a.jpg")
    assert str(refused.value).startswith("s3://in/x/a.xml: object 1 ('cat') has a bndbox that is not four numbers: ")
    assert problem in str(refused.value)


def test_pascal_voc_entities_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><annotation/>'
    s3 = MemoryS3({"obs://in/x/a.jpg": b"a", "obs://in/x/a.xml": bomb})
    with pytest.raises(dataset.DatasetError, match="a.xml: declares XML entities"):
        dataset.parse_voc(dataset.Source(s3, "obs://in/x/"), "a.jpg")


@pytest.mark.parametrize("line, problem", [
    ("² 0.5 0.5 0.1 0.1", "the class index: must be a whole number, got '²'"),
    (f"{DIGITS_5000} 0.5 0.5 0.1 0.1", "5000 digits, beyond the range of a float"),
    ("0 nan 0.5 0.1 0.1", "x_center: must be a decimal number, got 'nan' (not a finite number)"),
    ("0 0.5 Infinity 0.1 0.1", "y_center: must be a decimal number, got 'Infinity' (not a finite number)"),
    ("0 0.5 0.5 1e999 0.1", "width: must be a decimal number, got '1e999' (beyond the range of a float"),
    ("0 0.5 0.5 0.1", "expected 'class x_center y_center width height'"),
    ("7 0.5 0.5 0.1 0.1", "with a class index below 1"),
])
def test_yolo_lines_are_checked(line, problem):
    s3 = MemoryS3({"obs://in/y/classes.txt": b"cat\n", "obs://in/y/a.jpg": b"a", "obs://in/y/a.txt": line.encode()})
    with pytest.raises(dataset.DatasetError) as refused:
        dataset.parse_yolo(dataset.Source(s3, "obs://in/y/"), "a.jpg", ["cat"])
    assert str(refused.value).startswith("s3://in/y/a.txt line 1: ") and problem in str(refused.value)


def test_label_files_are_utf8_and_bounded():
    s3 = MemoryS3({"obs://in/c/a.jpg": b"a", "obs://in/c/a.txt": b"c\xe9t"})
    source = dataset.Source(s3, "obs://in/c/")
    with pytest.raises(dataset.DatasetError, match=r"^s3://in/c/a.txt: not UTF-8 text \(byte 0xe9 at offset 1\)$"):
        dataset.parse_input(source, "IMAGE", "MA_IMAGE_CLASSIFICATION_V1", None, None)
    s3.put("in", "c/a.txt", b"cat" * 100)
    with pytest.raises(dataset.DatasetError, match=r"^input file s3://in/c/a.txt: larger than the 16 bytes limit$"):
        dataset.Source(s3, "obs://in/c/").text("a.txt", limit=16)


# metric files --------------------------------------------------------------------------------------------------


def metric(value: str, kind: str = "float") -> bytes:
    return f'[{{"key": "ok", "type": "float", "data": {{"value": 1}}}}, {{"key": "acc", "type": "{kind}", ' \
           f'"data": {{"value": {value}}}}}]'.encode()


@pytest.mark.parametrize("raw, problem", [
    (metric("NaN"), "entry 1 ('acc'): data.value must be a finite number, got nan"),
    (metric("Infinity"), "entry 1 ('acc'): data.value must be a finite number, got inf"),
    (metric("-Infinity"), "entry 1 ('acc'): data.value must be a finite number, got -inf"),
    (metric("1e999"), "entry 1 ('acc'): data.value must be a finite number, got inf"),
    (metric(DIGITS_401), "entry 1 ('acc'): data.value must be a number within the range of a float (1.8e308), "
                         "got a whole number of 401 digits"),
    (metric(DIGITS_5000), "entry 1 ('acc'): data.value must be a number within the range of a float (1.8e308), "
                          "got a whole number of 5000 digits"),
    (metric(NESTED), ": nested deeper than 100 levels"),
    (DEEP.encode(), ": nested deeper than 100 levels"),
    (b'[{"key": "\xff"}]', ": not UTF-8 text (byte 0xff at offset 10)"),
    (b'[{"key": "c", "type": "line chart", "data": {"x_axis": [{"title": "e", "value": [1, 2]}], '
     b'"y_axis": [{"title": "l", "value": [0.5, NaN]}]}}]',
     "entry 0 ('c'): data.y_axis[0].value[1] must be a finite number, got nan"),
    (b'[{"key": "t", "type": "one-dimensional-table", "data": {"labels": ["a"], "cell_value": [[Infinity]]}}]',
     "entry 0 ('t'): data.cell_value[0][0] must be a finite number, got inf"),
])
def test_metric_files_are_read_with_bounds(raw, problem):
    with pytest.raises(metrics.MetricsError) as refused:
        metrics.parse("s3://b/m.json", raw)
    assert str(refused.value).startswith("metrics file s3://b/m.json") and problem in str(refused.value)


def test_a_metric_file_over_its_limit_is_not_read_to_its_end():
    s3 = MemoryS3({"obs://b/m.json": b" " * (metrics.MAX_BYTES + 1)})
    with pytest.raises(metrics.MetricsError, match=r"^metrics file s3://b/m.json: larger than the 1 MiB limit$"):
        untrusted.read_object(s3, "b", "m.json", metrics.MAX_BYTES, "metrics file", metrics.MetricsError)


def test_the_s3_client_stops_reading_at_the_limit():
    server = Server([(200, b"x" * 100), (200, b"x" * 100)])
    try:
        s3 = S3(server.url, "k", "s")
        with pytest.raises(S3TooLarge, match="S3 GET s3://b/k: larger than 10 bytes"):
            s3.get("b", "k", limit=10)
        assert s3.get("b", "k", limit=100) == b"x" * 100
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


# run values and service inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind, problem", [
    ("²", "int", "got '²' (not a whole number)"),
    ("١٢", "int", "not a whole number"),
    (DIGITS_401, "int", "(401 characters) (401 digits, beyond the range of a float (1.8e308))"),
    (DIGITS_5000, "int", "(5000 digits, beyond the range of a float"),
    ("nan", "float", "got 'nan' (not a finite number)"),
    ("-Infinity", "float", "(not a finite number)"),
    ("1e999", "float", "(beyond the range of a float (1.8e308))"),
    (DIGITS_401, "float", "(beyond the range of a float"),
    ("1_000", "float", "(not a decimal number)"),
    (DEEP, "json", "nested deeper than 100 levels"),
    (f'{{"a": {NESTED}}}', "json", "nested deeper than 100 levels"),
    ('{"a": NaN}', "json", "NaN is not a number the runtime reads"),
    (f'{{"a": {DIGITS_5000}}}', "json", "a whole number of 5000 digits"),
    ("[1e999]", "list", "the number '1e999' is beyond the range of a float"),
])
def test_run_values_are_parsed_with_bounds(text, kind, problem):
    with pytest.raises(ContractError) as refused:
        parse_typed(text, kind, "p")
    message = str(refused.value)
    assert message.startswith(f"placeholder 'p' must be {kind}, got ") and problem in message
    assert len(message) < 400  # the value is shown cut short


def test_run_values_that_still_parse():
    assert parse_typed(" 12 ", "int", "n") == 12 and parse_typed("-3", "int", "n") == -3
    assert parse_typed("1e-3", "float", "f") == 0.001 and parse_typed(".5", "float", "f") == 0.5
    assert parse_typed(float("nan"), "str", "s") != 0  # only numbers of int and float placeholders are checked
    with pytest.raises(ContractError, match="placeholder 'f' must be float: its value must be a finite number"):
        parse_typed(float("inf"), "float", "f")


def test_the_runs_parameters_and_other_steps_metrics():
    with pytest.raises(ContractError, match="^--parameters: nested deeper than 100 levels$"):
        RunContext.from_args("r", "ns", DEEP)
    assert RunContext.from_args("r", "ns", '[{"name": ["x"]}, {"name": "a", "value": "1"}]').parameters == {"a": "1"}
    run = RunContext()
    for value, problem in [(float("nan"), "must be a finite number"), (10 ** 400, "within the range of a float"),
                           ("nan", "has no float metric 'k'$")]:
        with pytest.raises(ContractError, match=problem):
            run.resolve({"$metric": "s/o/k", "result": {"metrics": {"o": {"k": value}}}})


@pytest.mark.parametrize("value", [int(DIGITS_401), float("nan"), float("inf"), "nan", "1e999", "²"])
def test_conditions_refuse_what_they_cannot_compare(value):
    with pytest.raises(ContractError, match=r"is not a number \(|^a side of the comparison must be a (finite )?number"):
        condition.number(value)


SEED = "Please enter the ServiceInputPlaceholder"


@pytest.mark.parametrize("text, problem", [
    ('[{"model_name": "m", "weight": "²"}]', "entry 0 has weight '²', not a whole number 0-100"),
    ('[{"model_name": "m", "weight": "١٠٠"}]', "entry 0 has weight '١٠٠', not a whole number 0-100"),
    ('[{"model_name": "m", "weight": "' + DIGITS_5000 + '"}]', "(5000 characters), more than 100"),
    ('[{"model_name": "m", "weight": ' + DIGITS_401 + "}]", "the input: a whole number of 401 digits"),
    ('[{"model_name": "m", "weight": ' + DIGITS_5000 + "}]", "the input: a whole number of 5000 digits"),
    ('[{"model_name": "m", "weight": NaN}]', "the input: NaN is not a number the runtime reads"),
    ('[{"model_name": "m", "weight": -5}]', "entry 0 has weight -5, not a whole number 0-100"),
    (DEEP, "the input: nested deeper than 100 levels"),
    (f'[{{"model_name": "m", "weight": 100, "envs": {{"A": {NESTED}}}}}]', "nested deeper than 100 levels"),
    ('[{"model_name": "m", "weight": 100, "specification": "{\\"cpu\\": [[[1]]]}"}]',
     "specification 'cpu': a resource limit is text or a number"),
    ("\xff", "the input is not JSON"),
])
def test_service_inputs_give_the_seeds_message(text, problem):
    with pytest.raises(service.DeploymentError) as refused:
        service.service_input_entries(text, "deploy_models")
    message = str(refused.value)
    assert message.startswith("ServiceInputPlaceholder 'deploy_models': ") and problem in message and SEED in message
    assert "\n" not in message and len(message) < 1200


def test_service_weights_that_still_parse():
    entries = service.parse_deployment('[{"model_name": "m", "model_version": "1", "weight": " 070 "}, '
                                       '{"model_name": "m", "model_version": "2", "weight": 30}]')
    assert [e["weight"] for e in entries] == [70, 30]


# the services' answers and the pod's own files --------------------------------------------------------------------


def test_deep_answers_and_files_are_one_line_errors(tmp_path, monkeypatch):
    with pytest.raises(http.ServiceError, match="the answer is not JSON"):
        http.Response(200, DEEP.encode(), where="X GET http://x").json()
    assert MLflowError("m", 400, DEEP.encode()).code == ""
    (tmp_path / "catalog.json").write_text(DEEP)
    monkeypatch.setenv("WF2K8S_CATALOG", str(tmp_path / "catalog.json"))
    with pytest.raises(ContractError, match=r"^catalog .*catalog.json: nested deeper than 100 levels$"):
        resolve.load_catalog()
    (tmp_path / "catalog.json").write_bytes(b"{\xff}")
    with pytest.raises(ContractError, match=r"catalog.json: not UTF-8 text"):
        resolve.load_catalog()
    with pytest.raises(ContractError, match="input 'm': .* is not an OBS path"):
        obs_uri('{"a":' * 5000 + "1" + "}" * 5000, "input 'm'")
    (tmp_path / "annotations").write_bytes(b'a="1"\nb=' + DEEP.encode() + b'\nc="\xff"\nd="2"\n')
    assert podinfo.annotations(tmp_path) == {"a": "1", "c": "\ufffd", "d": "2"}


def test_label_studio_values_are_checked():
    with pytest.raises(labeling.LabelingError, match=r"^properties.labels\[0\].property: nested deeper than 100"):
        labeling.wanted_labels(type("P", (), {"labels": [type("L", (), {"name": "cat", "type": None,
                                                                        "property": '{"a":' * 200 + "1"
                                                                        + "}" * 200})()]})(), {})
    box = {"id": 7, "result": [{"type": "rectanglelabels", "original_width": 100, "original_height": 50,
                                "value": {"x": float("nan"), "y": 1, "width": 2, "height": 3,
                                          "rectanglelabels": ["cat"]}}]}
    with pytest.raises(labeling.LabelingError, match="^Label Studio annotation 7: rectangle x must be a finite number"):
        labeling.from_result(box, "OBJECT_DETECTION")


# batch inputs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, problem", [
    ("a.json", DEEP.encode(), "batch input a.json: nested deeper than 100 levels"),
    ("a.json", b"[[1, NaN]]", "batch input a.json: NaN is not a number"),
    ("a.jsonl", b"[1, 2]\n[1, Infinity]\n", "batch input a.jsonl line 2: Infinity is not a number"),
    ("a.csv", b"x,y\n1,nan\n", "batch input a.csv line 2: 'nan' is not a finite number"),
    ("a.csv", b"x,y\n1,1e999\n", "batch input a.csv line 2: '1e999' is beyond the range of a float"),
])
def test_batch_inputs_are_read_with_bounds(name, data, problem):
    with pytest.raises(PhaseError, match=problem.replace("(", r"\(")):
        batch.read_rows(name, data)


def test_batch_cells_that_are_not_ascii_numbers_stay_text():
    assert batch.read_rows("a.csv", b"1_000,\xc2\xb2,7\n1_000,\xd9\xa1,8\n") == [["1_000", "²", 7], ["1_000", "١", 8]]


# names listed from a bucket, and the odd header -----------------------------------------------------------------


def test_listed_version_names_are_checked(store):
    for version in ("V001", "V" + DIGITS_5000[:50], "..", "V²"):
        store.write_json("d", {"created": "2026-01-01 00:00:00"}, "versions", version, "version.json")
    # '..' and 'V²' are no version names; 'V111...' is one, but no automatic one (those have at most 9 digits)
    assert store.versions("d") == ["V001", "V" + DIGITS_5000[:50]]
    assert dataset.AUTO_VERSION.fullmatch("V" + DIGITS_5000) is None and dataset.AUTO_VERSION.fullmatch("V١") is None


def test_a_retry_after_that_is_not_ascii_digits_is_ignored():
    assert http.RETRY.delay(0, "²") == http.RETRY.first_delay and http.RETRY.delay(0, "3") == 3.0
    assert http.RETRY.delay(1, DIGITS_5000) == 2 * http.RETRY.first_delay


def test_a_batch_size_beyond_a_float_is_refused():
    run = RunContext()
    with pytest.raises(ContractError, match="batch_size must be a whole number 1-10000, got inf"):
        batch.batch_config(run.resolve(contract.load(batch.ServiceConfig, {
            "infer_type": "batch", "additional_properties": {"src_path": "obs://b/in/", "dest_path": "obs://b/out/",
                                                             "batch_size": float("inf")}})))
