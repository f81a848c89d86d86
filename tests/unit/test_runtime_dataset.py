"""The dataset phases' runtime (create, import, release, job inputs) against a real (moto) S3 server.

moto_server runs as a subprocess on a loopback port for the session, from the venv
tests/unit/test_runtime_model.py makes and caches (skipped only when that venv cannot be made).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from test_runtime_model import free_port, signal_group, venv, wait_http  # noqa: E402  (the same venv and helpers)
from wf2k8s.runtime import __main__ as runtime_main
from wf2k8s.runtime import dataset, job
from wf2k8s.runtime.contract import ContractError, Run
from wf2k8s.runtime.s3 import S3

BUCKET = "data"


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    env_dir = venv()
    work = tmp_path_factory.mktemp("moto")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "moto.log"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    process = subprocess.Popen([str(env_dir / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_http(f"{url}/", process, log)
        S3(url, "test", "test").create_bucket(BUCKET)
        yield url
    finally:
        signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            signal_group(process, signal.SIGKILL)
            process.wait()


@pytest.fixture
def s3(moto, monkeypatch, tmp_path) -> S3:
    monkeypatch.setenv("WF2K8S_S3_ENDPOINT", moto)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("WF2K8S_S3_BUCKET", BUCKET)
    monkeypatch.delenv("WF2K8S_DATASET_ROOT", raising=False)
    monkeypatch.setattr(job, "WORK", tmp_path / "work")
    Run.configure("run-1", "wf2k8s", "{}")
    yield S3(moto, "test", "test")
    Run.configure("run", "", "{}")


@pytest.fixture
def name() -> str:
    return f"ds-{uuid.uuid4().hex[:10]}"


def upload(s3: S3, prefix: str, files: dict[str, bytes | str]) -> str:
    for rel, body in files.items():
        s3.put(BUCKET, f"{prefix}/{rel}", body.encode() if isinstance(body, str) else body)
    return f"obs://{BUCKET}/{prefix}/"


def image(i: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + f"image {i}".encode()


def create_spec(name: str, obs: str, data_type: str = "IMAGE", fmt: str | None = None, work: str | None = None) -> dict:
    properties: dict = {"dataset_name": name, "data_type": data_type}
    if fmt:
        properties["import_config"] = {"annotation_format_config": [{"format_name": fmt}]}
    return {"step": "create_dataset", "inputs": [{"name": "in", "data": obs}],
            "outputs": [{"name": "out", "config": {"obs_path": work or f"obs://{BUCKET}/work/{name}/"}}],
            "properties": properties}


def import_spec(name: str, obs: str, **properties) -> dict:
    return {"step": "data_import", "inputs": [{"name": "ds", "data": {"kind": "dataset", "dataset_name": name}},
                                              {"name": "obs", "data": obs}],
            "outputs": [{"name": "out"}], "properties": properties}


def release_spec(data, **config) -> dict:
    return {"step": "release_dataset", "inputs": [{"name": "in", "data": data}],
            "outputs": [{"name": "out", "dataset_version_config": config}]}


def manifest(s3: S3, uri: str) -> list[dict]:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return [json.loads(line) for line in s3.get(bucket, key).decode().splitlines()]


def labels_of(samples: list[dict]) -> dict[str, list[str]]:
    return {s["source"].rsplit("/", 1)[-1] if not s["source"].startswith("content://") else s["source"]:
            sorted(a["name"] for a in s.get("annotation") or []) for s in samples}


# create -------------------------------------------------------------------------------------------


def test_create_unlabeled_images_copies_the_samples_and_reuses_an_existing_name(s3, name):
    obs = upload(s3, f"raw/{name}", {"a.png": image(1), "sub/b.jpg": image(2), "notes.md": "not an image"})
    result = dataset.create(create_spec(name, obs))
    out = result["outputs"]["out"]
    assert out == {"dataset_name": name, "version_name": None, "uri": f"s3://{BUCKET}/datasets/{name}/",
                   "manifest": f"s3://{BUCKET}/datasets/{name}/manifest.json"}
    samples = manifest(s3, out["manifest"])
    assert sorted(s["source"] for s in samples) == [f"s3://{BUCKET}/datasets/{name}/samples/a.png",
                                                    f"s3://{BUCKET}/datasets/{name}/samples/sub/b.jpg"]
    assert all("annotation" not in s and s["usage"] == "" for s in samples)
    assert s3.get(BUCKET, f"datasets/{name}/samples/sub/b.jpg") == image(2)
    info = json.loads(s3.get(BUCKET, f"datasets/{name}/dataset.json"))
    assert info["data_type"] == "IMAGE" and info["work_path"] == f"obs://{BUCKET}/work/{name}/"
    assert s3.exists(BUCKET, f"work/{name}/{name}.manifest")
    # the name exists: the dataset is used as it is, the new input is not imported
    other = upload(s3, f"raw/{name}-2", {"c.png": image(3)})
    again = dataset.create(create_spec(name, other))
    assert again["counts"]["created"] is False
    assert len(manifest(s3, out["manifest"])) == 2


def test_create_with_image_classification_labels_from_files_and_folders(s3, name):
    obs = upload(s3, f"raw/{name}", {"1.jpg": image(1), "1.txt": "cat\nsmall\n", "dog/2.jpg": image(2),
                                     "dog/3.jpg": image(3), "4.jpg": image(4)})
    out = dataset.create(create_spec(name, obs, fmt="MA_IMAGE_CLASSIFICATION_V1"))["outputs"]["out"]
    samples = manifest(s3, out["manifest"])
    assert labels_of(samples) == {"1.jpg": ["cat", "small"], "2.jpg": ["dog"], "3.jpg": ["dog"], "4.jpg": []}
    assert samples[0]["annotation"][0]["type"] == "modelarts/image_classification"
    info = json.loads(s3.get(BUCKET, f"datasets/{name}/dataset.json"))
    assert {label["name"] for label in info["labels"]} == {"cat", "small", "dog"}


def test_create_with_labels_not_imported_when_import_annotations_is_false(s3, name):
    obs = upload(s3, f"raw/{name}", {"dog/2.jpg": image(2)})
    spec = create_spec(name, obs, fmt="MA_IMAGE_CLASSIFICATION_V1")
    spec["properties"]["import_config"]["import_annotations"] = "false"
    samples = manifest(s3, dataset.create(spec)["outputs"]["out"]["manifest"])
    assert labels_of(samples) == {"2.jpg": []}


# import -----------------------------------------------------------------------------------------


VOC = """<annotation><filename>{f}</filename><size><width>10</width><height>10</height></size>
<object><name>{label}</name><difficult>{d}</difficult><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>6</ymax>
</bndbox></object></annotation>"""


def test_import_pascal_voc_and_yolo_into_an_existing_dataset(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"0.jpg": image(0)})))
    voc = upload(s3, f"raw/{name}/voc", {"a.jpg": image(10), "a.xml": VOC.format(f="a.jpg", label="car", d=0),
                                         "b.jpg": image(11), "b.xml": VOC.format(f="b.jpg", label="bus", d=1)})
    result = dataset.import_data(import_spec(name, voc, annotation_format_config=[{"format_name": "MA_PASCAL_VOC_V1"}]))
    assert result["counts"]["added"] == 2
    assert result["outputs"]["out"]["dataset_name"] == name
    yolo = upload(s3, f"raw/{name}/yolo", {"classes.txt": "person\nbike\n", "c.jpg": image(12),
                                           "c.txt": "1 0.5 0.5 0.2 0.2\n0 0.1 0.1 0.1 0.1\n", "d.jpg": image(13)})
    dataset.import_data(import_spec(name, yolo, annotation_format_config=[{"format_name": "YOLO"}]))
    samples = manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json")
    assert labels_of(samples) == {"0.jpg": [], "a.jpg": ["car"], "b.jpg": ["bus"], "c.jpg": ["bike", "person"],
                                  "d.jpg": []}
    a = next(s for s in samples if s["source"].endswith("a.jpg"))["annotation"][0]
    assert a["type"] == "modelarts/object_detection" and a["annotation-format"] == "PASCAL VOC"
    assert a["property"]["@modelarts:bndbox"] == {"xmin": 1.0, "ymin": 2.0, "xmax": 5.0, "ymax": 6.0}
    assert a["annotation-loc"] == f"s3://{BUCKET}/datasets/{name}/annotations/a.xml"
    assert s3.exists(BUCKET, f"datasets/{name}/annotations/a.xml")
    c = next(s for s in samples if s["source"].endswith("c.jpg"))["annotation"]
    assert c[0]["property"]["@modelarts:yolo_box"] == [0.5, 0.5, 0.2, 0.2]


def test_import_options_difficult_only_included_excluded_and_labels_only(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"0.jpg": image(0)})))
    voc = upload(s3, f"raw/{name}/voc", {"a.jpg": image(10), "a.xml": VOC.format(f="a.jpg", label="car", d=0),
                                         "b.jpg": image(11), "b.xml": VOC.format(f="b.jpg", label="bus", d=1)})
    dataset.import_data(import_spec(name, voc, annotation_format_config=[
        {"format_name": "MA_PASCAL_VOC_V1", "parameters": {"difficult_only": True}}]))
    assert set(labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json"))) == {"0.jpg", "b.jpg"}
    folders = upload(s3, f"raw/{name}/cls", {"cat/1.jpg": image(20), "dog/2.jpg": image(21), "fox/3.jpg": image(22)})
    fmt = [{"format_name": "MA_IMAGE_CLASSIFICATION_V1"}]
    dataset.import_data(import_spec(name, folders, annotation_format_config=fmt, included_labels=[{"name": "cat"},
                                                                                                  {"name": "dog"}],
                                    excluded_labels=[{"name": "dog"}]))
    found = labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json"))
    assert set(found) == {"0.jpg", "b.jpg", "1.jpg"}
    # labels only (import_samples false): an existing sample gets new labels, no sample is added
    relabel = upload(s3, f"raw/{name}/cls2", {"cat/1.jpg": image(20), "cat/1.txt": "kitten", "new/9.jpg": image(99)})
    out = dataset.import_data(import_spec(name, relabel, annotation_format_config=fmt, import_samples=False))
    assert out["counts"] == {"added": 0, "updated": 1, "samples": 3}
    found = labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json"))
    assert found["1.jpg"] == ["kitten"] and "9.jpg" not in found


def test_import_text_classification_same_file_and_separate_files(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"empty.txt": "first line\n"}), data_type="TEXT"))
    same = upload(s3, f"raw/{name}/same", {"a.txt": "good film\tpositive\nbad film\tnegative,angry\n"})
    dataset.import_data(import_spec(name, same, annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_V1"}]))
    separate = upload(s3, f"raw/{name}/sep", {"c.txt": "so so\nnice\n", "c_result.txt": "neutral\npositive\n"})
    dataset.import_data(import_spec(name, separate,
                                    annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_V1"}]))
    pipes = upload(s3, f"raw/{name}/pipes", {"d.txt": "meh|neutral;bored\n"})
    dataset.import_data(import_spec(name, pipes, label_format={"label_separator": ";", "sample_label_separator": "|"},
                                    annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_COMBINE_V1"}]))
    assert labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json")) == {
        "content://first line": [], "content://good film": ["positive"], "content://bad film": ["angry", "negative"],
        "content://so so": ["neutral"], "content://nice": ["positive"], "content://meh": ["bored", "neutral"]}


def test_import_audio_folders_and_a_manifest(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"x.wav": b"RIFF0"}), data_type="AUDIO"))
    audio = upload(s3, f"raw/{name}/audio", {"bird/1.wav": b"RIFF1", "dog/2.wav": b"RIFF2"})
    dataset.import_data(import_spec(name, audio,
                                    annotation_format_config=[{"format_name": "MA_AUDIO_CLASSIFICATION_DIR_V1"}]))
    upload(s3, f"raw/{name}/files", {"3.wav": b"RIFF3"})
    line = {"source": f"s3://{BUCKET}/raw/{name}/files/3.wav", "annotation": [
        {"type": "modelarts/audio_classification", "name": "cat"}]}
    upload(s3, f"raw/{name}/m", {"in.manifest": json.dumps(line) + "\n"})
    dataset.import_data(import_spec(name, f"obs://{BUCKET}/raw/{name}/m/in.manifest", import_type="MANIFEST"))
    assert labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json")) == {
        "x.wav": [], "1.wav": ["bird"], "2.wav": ["dog"], "3.wav": ["cat"]}


@pytest.mark.parametrize("files, fmt, message", [
    ({"a.png": image(1)}, "MA_IMAGE_SEGMENTATION_V1", "MA_IMAGE_SEGMENTATION_V1 is not supported"),
    ({"a.jpg": image(1), "a.xml": "<annotation><object>"}, "MA_PASCAL_VOC_V1", "a.xml: not a PASCAL VOC XML"),
    ({"classes.txt": "a\n", "a.jpg": image(1), "a.txt": "7 0.1 0.1 0.1 0.1"}, "YOLO", "a.txt line 1"),
    ({"a.jpg": image(1)}, "MA_TEXT_CLASSIFICATION_V1", "is for TEXT datasets"),
])
def test_bad_input_data_names_the_file_or_field(s3, name, files, fmt, message):
    obs = upload(s3, f"raw/{name}", files)
    with pytest.raises(dataset.DatasetError, match=message):
        dataset.create(create_spec(name, obs, fmt=fmt))


def test_import_into_a_dataset_that_does_not_exist(s3, name):
    with pytest.raises(dataset.DatasetError, match=f"dataset '{name}' does not exist"):
        dataset.import_data(import_spec(name, upload(s3, f"raw/{name}", {"a.png": image(1)})))


# release -----------------------------------------------------------------------------------------


def labeled_dataset(s3: S3, name: str, count: int = 10) -> dict:
    files = {f"{'cat' if i % 2 else 'dog'}/{i}.jpg": image(i) for i in range(count)}
    return dataset.create(create_spec(name, upload(s3, f"raw/{name}", files),
                                      fmt="MA_IMAGE_CLASSIFICATION_V1"))["outputs"]["out"]


def test_release_twice_gives_v001_unchanged_and_v002(s3, name):
    created = labeled_dataset(s3, name)
    first = dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"))["outputs"]["out"]
    assert first == {"dataset_name": name, "version_name": "V001",
                     "uri": f"s3://{BUCKET}/datasets/{name}/versions/V001/",
                     "manifest": f"s3://{BUCKET}/datasets/{name}/versions/V001/manifest.json"}
    v1 = s3.get(BUCKET, f"datasets/{name}/versions/V001/manifest.json")
    v1_facts = s3.get(BUCKET, f"datasets/{name}/versions/V001/version.json")
    dataset.import_data(import_spec(name, upload(s3, f"raw/{name}/more", {"fox/99.jpg": image(99)}),
                                    annotation_format_config=[{"format_name": "MA_IMAGENET_V1"}]))
    second = dataset.release(release_spec({"$param": "ds", "type": "dataset", "value": json.dumps({
        "dataset_name": name})}, train_evaluate_sample_ratio=0.5))["outputs"]["out"]
    assert second["version_name"] == "V002"
    assert s3.get(BUCKET, f"datasets/{name}/versions/V001/manifest.json") == v1
    assert s3.get(BUCKET, f"datasets/{name}/versions/V001/version.json") == v1_facts
    assert len(manifest(s3, second["manifest"])) == 11 and len(manifest(s3, first["manifest"])) == 10
    facts = json.loads(s3.get(BUCKET, f"datasets/{name}/versions/V002/version.json"))
    assert facts["labels"] == {"cat": 5, "dog": 5, "fox": 1} and facts["train"] == 6 and facts["eval"] == 5
    named = dataset.release(release_spec(created, version_name="gold"))["outputs"]["out"]
    assert named["version_name"] == "gold"
    with pytest.raises(dataset.DatasetError, match="already has version gold"):
        dataset.release(release_spec(created, version_name="gold"))
    assert dataset.release(release_spec(created))["outputs"]["out"]["version_name"] == "V003"


def test_release_splits_80_20_deterministically(s3, name):
    created = labeled_dataset(s3, name, 20)
    first = manifest(s3, dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"))
                     ["outputs"]["out"]["manifest"])
    assert sum(s["usage"] == "TRAIN" for s in first) == 16 and sum(s["usage"] == "EVAL" for s in first) == 4
    second = manifest(s3, dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"))
                      ["outputs"]["out"]["manifest"])
    assert {s["id"]: s["usage"] for s in first} == {s["id"]: s["usage"] for s in second}
    everything = manifest(s3, dataset.release(release_spec(created))["outputs"]["out"]["manifest"])
    assert {s["usage"] for s in everything} == {"TRAIN"}


def test_release_hard_property_and_usage_options(s3, name):
    created = labeled_dataset(s3, name, 4)
    work = manifest(s3, created["manifest"])
    work[0]["hard"], work[0]["usage"] = True, "EVAL"
    s3.put(BUCKET, f"datasets/{name}/manifest.json", "".join(json.dumps(s) + "\n" for s in work).encode())
    kept = manifest(s3, dataset.release(release_spec(created, clear_hard_property=False, remove_sample_usage=False,
                                                      train_evaluate_sample_ratio=1))["outputs"]["out"]["manifest"])
    first = next(s for s in kept if s["id"] == work[0]["id"])
    assert first["hard"] is True and first["usage"] == "EVAL"
    assert sum(s["usage"] == "TRAIN" for s in kept) == 3
    cleared = manifest(s3, dataset.release(release_spec(created, train_evaluate_sample_ratio=1))
                       ["outputs"]["out"]["manifest"])
    assert all("hard" not in s and s["usage"] == "TRAIN" for s in cleared)


@pytest.mark.parametrize("config, message", [
    ({"train_evaluate_sample_ratio": "1.5"}, "train_evaluate_sample_ratio: must be a number from 0 to 1, got '1.5'"),
    ({"train_evaluate_sample_ratio": "abc"}, "train_evaluate_sample_ratio"),
    ({"version_format": "CarbonData"}, "CarbonData is not supported"),
    ({"version_name": "a b"}, "version_name"),
])
def test_bad_release_configurations(s3, name, config, message):
    created = labeled_dataset(s3, name, 2)
    with pytest.raises(dataset.DatasetError, match=message):
        dataset.release(release_spec(created, **config))


# the commands ------------------------------------------------------------------------------------


def test_commands_write_the_result_and_fail_with_a_message(s3, name, tmp_path, monkeypatch):
    monkeypatch.setattr(runtime_main, "RESULT_DIR", str(tmp_path / "out"))
    monkeypatch.setattr(runtime_main, "TERMINATION_LOG", tmp_path / "termination-log")
    obs = upload(s3, f"raw/{name}", {"cat/1.jpg": image(1)})
    spec = create_spec(name, obs, fmt="MA_IMAGE_CLASSIFICATION_V1")
    assert runtime_main.main(["create-dataset", "--spec", json.dumps(spec)]) == 0
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result["outputs"]["out"]["dataset_name"] == name
    release = release_spec({"$output": "create_dataset/out", "result": result}, train_evaluate_sample_ratio="0.8")
    assert runtime_main.main(["release-dataset", "--spec", json.dumps(release)]) == 0
    assert json.loads((tmp_path / "out" / "result.json").read_text())["outputs"]["out"]["version_name"] == "V001"
    bad = release_spec({"kind": "dataset", "dataset_name": name}, train_evaluate_sample_ratio="2")
    assert runtime_main.main(["release-dataset", "--spec", json.dumps(bad)]) == 1
    assert "train_evaluate_sample_ratio" in (tmp_path / "termination-log").read_text()
    assert {"labeling", "create-dataset"} <= set(runtime_main.COMMANDS)


# JobStep inputs --------------------------------------------------------------------------------


def released(s3: S3, name: str) -> dict:
    created = labeled_dataset(s3, name, 5)
    return dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"))["outputs"]["out"]


@pytest.mark.parametrize("form", ["dataset", "placeholder", "selector", "output", "latest"])
def test_job_input_forms_download_the_version(s3, name, tmp_path, form):
    out = released(s3, name)
    value = {"dataset": {"kind": "dataset", "dataset_name": name, "version_name": "V001"},
             "placeholder": {"dataset_name": name, "version_name": "V001"},  # parsed JSON of type dataset
             "selector": json.dumps({"dataset_name": name, "version_name": "V001"}),
             "output": out, "latest": {"dataset_name": name}}[form]
    local = dataset.download_input(s3, value, tmp_path / "in")
    lines = [json.loads(line) for line in (local / "manifest.json").read_text().splitlines()]
    assert len(lines) == 5 and sum(s["usage"] == "TRAIN" for s in lines) == 4
    for sample in lines:
        assert Path(sample["source"]).read_bytes() == s3.get(BUCKET, sample["origin"].split("/", 3)[3])
    assert json.loads((local / "version.json").read_text())["version_name"] == "V001"
    assert dataset.download_input(s3, f"obs://{BUCKET}/raw/", tmp_path / "x") is None


def test_job_reads_a_released_version(s3, name, tmp_path):
    out = released(s3, name)
    code = ("import json, pathlib, sys\n"
            "args = dict(a[2:].split('=', 1) for a in sys.argv[1:])\n"
            "lines = pathlib.Path(args['data_url'], 'manifest.json').read_text().splitlines()\n"
            "seen = sorted(json.loads(l)['source'].rsplit('/', 1)[1] + ':' + json.loads(l)['usage'] for l in lines)\n"
            "pathlib.Path(args['train_url'], 'seen.json').write_text(json.dumps(seen))\n")
    s3.put(BUCKET, f"code/{name}/train.py", code.encode())
    spec = {"step": "train", "algorithm": {"code_dir": f"obs://{BUCKET}/code/{name}/", "boot_file": "train.py"},
            "inputs": [{"name": "data_url", "data": {"$output": "release/out", "result": {"outputs": {"out": out}}}}],
            "outputs": [{"name": "train_url", "obs_config": {"obs_path": f"obs://{BUCKET}/runs/{name}/"}}]}
    job.run(spec)
    seen = json.loads(s3.get(BUCKET, f"runs/{name}/seen.json"))
    expected = sorted(s["source"].rsplit("/", 1)[1] + ":" + s["usage"] for s in manifest(s3, out["manifest"]))
    assert seen == expected and len(seen) == 5


def test_a_missing_version_is_a_clear_error(s3, name, tmp_path):
    released(s3, name)
    with pytest.raises(ContractError, match="has no version 'V009'"):
        dataset.download_input(s3, {"dataset_name": name, "version_name": "V009"}, tmp_path / "in")
