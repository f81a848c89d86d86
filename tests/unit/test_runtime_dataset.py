"""The dataset phases' runtime (create, import, release, job inputs) against a real (moto) S3 server.

moto_server runs as a subprocess on a loopback port for the session, from the venv
tests/unit/test_runtime_model.py makes and caches (skipped only when that venv cannot be made).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from specs import phase
from test_runtime_model import free_port, signal_group, venv, wait_http  # noqa: E402  (the same venv and helpers)
from wf2k8s import contract
from wf2k8s.contract import ContractError
from wf2k8s.contract.registry import BY_COMMAND
from wf2k8s.runtime import __main__ as runtime_main
from wf2k8s.runtime import dataset, job
from wf2k8s.runtime.context import RunContext
from wf2k8s.runtime.clients import S3

BUCKET = "data"
RUN = RunContext("run-1", "wf2k8s", {})


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    env_dir = venv()
    work = tmp_path_factory.mktemp("moto")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "moto.log"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
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
    return S3(moto, "test", "test")


@pytest.fixture
def name() -> str:
    return f"ds-{uuid.uuid4().hex[:10]}"


def upload(s3: S3, prefix: str, files: dict[str, bytes | str]) -> str:
    for rel, body in files.items():
        s3.put(BUCKET, f"{prefix}/{rel}", body.encode() if isinstance(body, str) else body)
    return f"obs://{BUCKET}/{prefix}/"


def image(i: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + f"image {i}".encode()


# the SDK's defaults, as the compiler writes them into every spec
PROPERTIES = {"dataset_format": 0, "data_type": "FREE_FORMAT", "import_data": False, "work_path_type": 0}
IMPORT_CONFIG = {"import_annotations": "true", "import_type": "DIR"}
IMPORT_DATA_INFO = {"import_annotated": False, "import_annotations": True, "import_samples": True,
                    "import_type": "DIR", "data_origin": "OBS"}
FORMAT_PARAMETERS = {"difficult_only": False, "label_separator": ",", "sample_label_separator": "\t"}
LABEL_FORMAT = {"label_type": "same_file", "label_separator": ",", "sample_label_separator": "\t"}
VERSION_CONFIG = {"version_format": "Default", "train_evaluate_sample_ratio": "1.00", "clear_hard_property": True,
                  "remove_sample_usage": True}


def create_fields(name: str, obs: str, data_type: str = "IMAGE", fmt: str | None = None, work: str | None = None,
                  **import_config) -> dict:
    properties: dict = {**PROPERTIES, "dataset_name": name, "data_type": data_type}
    if fmt:
        properties["import_config"] = {**IMPORT_CONFIG, "annotation_format_config": [{"format_name": fmt}],
                                       **import_config}
    return {"inputs": [{"name": "in", "data": obs}],
            "outputs": [{"name": "out", "config": {"obs_path": work or f"obs://{BUCKET}/work/{name}/"}}],
            "properties": properties}


def create_spec(name: str, obs: str, data_type: str = "IMAGE", fmt: str | None = None, work: str | None = None,
                **import_config):
    return phase("create_dataset", "create_dataset", **create_fields(name, obs, data_type, fmt, work, **import_config))


def import_spec(name: str, obs: str, **properties):
    if "label_format" in properties:
        properties["label_format"] = {**LABEL_FORMAT, **properties["label_format"]}
    for config in properties.get("annotation_format_config") or []:
        if "parameters" in config:
            config["parameters"] = {**FORMAT_PARAMETERS, **config["parameters"]}
    return phase("dataset_import", "data_import",
                 inputs=[{"name": "ds", "data": {"kind": "dataset", "dataset_name": name}},
                         {"name": "obs", "data": obs}],
                 outputs=[{"name": "out"}], properties={**IMPORT_DATA_INFO, **properties})


def from_step(data):
    """A step's output location as the spec of a later step holds it: its result (step create_dataset)."""
    if isinstance(data, dict) and "uri" in data:
        return {"$output": "create_dataset/out", "result": {"outputs": {"out": data}}}
    return data


def release_spec(data, **config):
    return phase("release_dataset", "release_dataset", inputs=[{"name": "in", "data": from_step(data)}],
                 outputs=[{"name": "out", "dataset_version_config": {**VERSION_CONFIG, **config}}])


def manifest(s3: S3, uri: str) -> list[dict]:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return [json.loads(line) for line in s3.get(bucket, key).decode().splitlines()]


def labels_of(samples: list[dict]) -> dict[str, list[str]]:
    return {s["source"].rsplit("/", 1)[-1] if not s["source"].startswith("content://") else s["source"]:
            sorted(a["name"] for a in s.get("annotation") or []) for s in samples}


# create -------------------------------------------------------------------------------------------


def test_create_unlabeled_images_copies_the_samples_and_reuses_an_existing_name(s3, name):
    obs = upload(s3, f"raw/{name}", {"a.png": image(1), "sub/b.jpg": image(2), "notes.md": "not an image"})
    result = dataset.create(create_spec(name, obs), RUN)
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
    again = dataset.create(create_spec(name, other), RUN)
    assert again["counts"]["created"] is False
    assert len(manifest(s3, out["manifest"])) == 2


def test_create_with_image_classification_labels_from_files_and_folders(s3, name):
    obs = upload(s3, f"raw/{name}", {"1.jpg": image(1), "1.txt": "cat\nsmall\n", "dog/2.jpg": image(2),
                                     "dog/3.jpg": image(3), "4.jpg": image(4)})
    out = dataset.create(create_spec(name, obs, fmt="MA_IMAGE_CLASSIFICATION_V1"), RUN)["outputs"]["out"]
    samples = manifest(s3, out["manifest"])
    assert labels_of(samples) == {"1.jpg": ["cat", "small"], "2.jpg": ["dog"], "3.jpg": ["dog"], "4.jpg": []}
    assert samples[0]["annotation"][0]["type"] == "modelarts/image_classification"
    info = json.loads(s3.get(BUCKET, f"datasets/{name}/dataset.json"))
    assert {label["name"] for label in info["labels"]} == {"cat", "small", "dog"}


def test_create_with_labels_not_imported_when_import_annotations_is_false(s3, name):
    obs = upload(s3, f"raw/{name}", {"dog/2.jpg": image(2)})
    spec = create_spec(name, obs, fmt="MA_IMAGE_CLASSIFICATION_V1", import_annotations="false")
    samples = manifest(s3, dataset.create(spec, RUN)["outputs"]["out"]["manifest"])
    assert labels_of(samples) == {"2.jpg": []}


def test_create_reads_the_data_type_from_the_spec(s3, name):
    obs = upload(s3, f"raw/{name}", {"a.png": image(1), "notes.md": "not an image"})
    fields = create_fields(name, obs)
    del fields["properties"]["data_type"]
    with pytest.raises(ContractError, match="properties.data_type: is missing"):  # no runtime default
        phase("create_dataset", "create_dataset", **fields)
    out = dataset.create(create_spec(name, obs, data_type="FREE_FORMAT"), RUN)["outputs"]["out"]
    assert sorted(s["source"].rsplit("/", 1)[1] for s in manifest(s3, out["manifest"])) == ["a.png", "notes.md"]
    info = json.loads(s3.get(BUCKET, f"datasets/{name}/dataset.json"))
    assert info["data_type"] == "FREE_FORMAT" and info["created_by"] == {"run": "run-1", "step": "create_dataset"}


# import -----------------------------------------------------------------------------------------


VOC = """<annotation><filename>{f}</filename><size><width>10</width><height>10</height></size>
<object><name>{label}</name><difficult>{d}</difficult><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>6</ymax>
</bndbox></object></annotation>"""


def test_import_pascal_voc_and_yolo_into_an_existing_dataset(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"0.jpg": image(0)})), RUN)
    voc = upload(s3, f"raw/{name}/voc", {"a.jpg": image(10), "a.xml": VOC.format(f="a.jpg", label="car", d=0),
                                         "b.jpg": image(11), "b.xml": VOC.format(f="b.jpg", label="bus", d=1)})
    result = dataset.import_data(import_spec(name, voc, annotation_format_config=[{"format_name": "MA_PASCAL_VOC_V1"}]),
                                 RUN)
    assert result["counts"]["added"] == 2
    assert result["outputs"]["out"]["dataset_name"] == name
    yolo = upload(s3, f"raw/{name}/yolo", {"classes.txt": "person\nbike\n", "c.jpg": image(12),
                                           "c.txt": "1 0.5 0.5 0.2 0.2\n0 0.1 0.1 0.1 0.1\n", "d.jpg": image(13)})
    dataset.import_data(import_spec(name, yolo, annotation_format_config=[{"format_name": "YOLO"}]), RUN)
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
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"0.jpg": image(0)})), RUN)
    voc = upload(s3, f"raw/{name}/voc", {"a.jpg": image(10), "a.xml": VOC.format(f="a.jpg", label="car", d=0),
                                         "b.jpg": image(11), "b.xml": VOC.format(f="b.jpg", label="bus", d=1)})
    dataset.import_data(import_spec(name, voc, annotation_format_config=[
        {"format_name": "MA_PASCAL_VOC_V1", "parameters": {"difficult_only": True}}]), RUN)
    assert set(labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json"))) == {"0.jpg", "b.jpg"}
    folders = upload(s3, f"raw/{name}/cls", {"cat/1.jpg": image(20), "dog/2.jpg": image(21), "fox/3.jpg": image(22)})
    fmt = [{"format_name": "MA_IMAGE_CLASSIFICATION_V1"}]
    dataset.import_data(import_spec(name, folders, annotation_format_config=fmt, included_labels=[{"name": "cat"},
                                                                                                  {"name": "dog"}],
                                    excluded_labels=[{"name": "dog"}]), RUN)
    found = labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json"))
    assert set(found) == {"0.jpg", "b.jpg", "1.jpg"}
    # labels only (import_samples false): an existing sample gets new labels, no sample is added
    relabel = upload(s3, f"raw/{name}/cls2", {"cat/1.jpg": image(20), "cat/1.txt": "kitten", "new/9.jpg": image(99)})
    out = dataset.import_data(import_spec(name, relabel, annotation_format_config=fmt, import_samples=False), RUN)
    assert out["counts"] == {"added": 0, "updated": 1, "samples": 3}
    found = labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json"))
    assert found["1.jpg"] == ["kitten"] and "9.jpg" not in found


def test_import_text_classification_same_file_and_separate_files(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"empty.txt": "first line\n"}), data_type="TEXT"),
                   RUN)
    same = upload(s3, f"raw/{name}/same", {"a.txt": "good film\tpositive\nbad film\tnegative,angry\n"})
    dataset.import_data(import_spec(name, same,
                                    annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_V1"}]), RUN)
    separate = upload(s3, f"raw/{name}/sep", {"c.txt": "so so\nnice\n", "c_result.txt": "neutral\npositive\n"})
    dataset.import_data(import_spec(name, separate,
                                    annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_V1"}]), RUN)
    pipes = upload(s3, f"raw/{name}/pipes", {"d.txt": "meh|neutral;bored\n"})
    dataset.import_data(import_spec(name, pipes, label_format={"label_separator": ";", "sample_label_separator": "|"},
                                    annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_COMBINE_V1"}]),
                        RUN)
    assert labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json")) == {
        "content://first line": [], "content://good film": ["positive"], "content://bad film": ["angry", "negative"],
        "content://so so": ["neutral"], "content://nice": ["positive"], "content://meh": ["bored", "neutral"]}


def test_import_reads_its_flags_and_separators_from_the_spec(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"empty.txt": "first line\n"}), data_type="TEXT"),
                   RUN)
    combine = "MA_TEXT_CLASSIFICATION_COMBINE_V1"
    params = upload(s3, f"raw/{name}/params", {"a.txt": "meh|neutral;bored\n"})
    dataset.import_data(import_spec(name, params, annotation_format_config=[
        {"format_name": combine, "parameters": {"label_separator": ";", "sample_label_separator": "|"}}]), RUN)
    separate = upload(s3, f"raw/{name}/sep", {"c.txt": "so so\n", "c_result.txt": "neutral\n"})
    dataset.import_data(import_spec(name, separate, label_format={"label_type": "separate_file"},
                                    annotation_format_config=[{"format_name": "MA_TEXT_CLASSIFICATION_V1"}]), RUN)
    off = upload(s3, f"raw/{name}/off", {"b.txt": "fine\tpositive\n"})
    dataset.import_data(import_spec(name, off, import_annotations=False,
                                    annotation_format_config=[{"format_name": combine}]), RUN)
    assert labels_of(manifest(s3, f"s3://{BUCKET}/datasets/{name}/manifest.json")) == {
        "content://first line": [], "content://meh": ["bored", "neutral"], "content://so so": ["neutral"],
        "content://fine\tpositive": []}
    properties = dict(IMPORT_DATA_INFO)
    del properties["import_samples"]
    with pytest.raises(ContractError, match="properties.import_samples: is missing"):  # no runtime default
        phase("dataset_import", "data_import", inputs=[{"name": "obs", "data": off}], outputs=[{"name": "out"}],
              properties=properties)


def test_import_audio_folders_and_a_manifest(s3, name):
    dataset.create(create_spec(name, upload(s3, f"raw/{name}/base", {"x.wav": b"RIFF0"}), data_type="AUDIO"), RUN)
    audio = upload(s3, f"raw/{name}/audio", {"bird/1.wav": b"RIFF1", "dog/2.wav": b"RIFF2"})
    dataset.import_data(import_spec(name, audio,
                                    annotation_format_config=[{"format_name": "MA_AUDIO_CLASSIFICATION_DIR_V1"}]), RUN)
    upload(s3, f"raw/{name}/files", {"3.wav": b"RIFF3"})
    line = {"source": f"s3://{BUCKET}/raw/{name}/files/3.wav", "annotation": [
        {"type": "modelarts/audio_classification", "name": "cat"}]}
    upload(s3, f"raw/{name}/m", {"in.manifest": json.dumps(line) + "\n"})
    dataset.import_data(import_spec(name, f"obs://{BUCKET}/raw/{name}/m/in.manifest", import_type="MANIFEST"), RUN)
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
        dataset.create(create_spec(name, obs, fmt=fmt), RUN)


def test_import_into_a_dataset_that_does_not_exist(s3, name):
    with pytest.raises(dataset.DatasetError, match=f"dataset '{name}' does not exist"):
        dataset.import_data(import_spec(name, upload(s3, f"raw/{name}", {"a.png": image(1)})), RUN)


# release -----------------------------------------------------------------------------------------


def labeled_dataset(s3: S3, name: str, count: int = 10) -> dict:
    files = {f"{'cat' if i % 2 else 'dog'}/{i}.jpg": image(i) for i in range(count)}
    return dataset.create(create_spec(name, upload(s3, f"raw/{name}", files),
                                      fmt="MA_IMAGE_CLASSIFICATION_V1"), RUN)["outputs"]["out"]


def test_release_twice_gives_v001_unchanged_and_v002(s3, name):
    created = labeled_dataset(s3, name)
    first = dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"), RUN)["outputs"]["out"]
    assert first == {"dataset_name": name, "version_name": "V001",
                     "uri": f"s3://{BUCKET}/datasets/{name}/versions/V001/",
                     "manifest": f"s3://{BUCKET}/datasets/{name}/versions/V001/manifest.json"}
    v1 = s3.get(BUCKET, f"datasets/{name}/versions/V001/manifest.json")
    v1_facts = s3.get(BUCKET, f"datasets/{name}/versions/V001/version.json")
    dataset.import_data(import_spec(name, upload(s3, f"raw/{name}/more", {"fox/99.jpg": image(99)}),
                                    annotation_format_config=[{"format_name": "MA_IMAGENET_V1"}]), RUN)
    second = dataset.release(release_spec({"$param": "ds", "type": "dataset", "value": json.dumps({
        "dataset_name": name})}, train_evaluate_sample_ratio=0.5), RUN)["outputs"]["out"]
    assert second["version_name"] == "V002"
    assert s3.get(BUCKET, f"datasets/{name}/versions/V001/manifest.json") == v1
    assert s3.get(BUCKET, f"datasets/{name}/versions/V001/version.json") == v1_facts
    assert len(manifest(s3, second["manifest"])) == 11 and len(manifest(s3, first["manifest"])) == 10
    facts = json.loads(s3.get(BUCKET, f"datasets/{name}/versions/V002/version.json"))
    assert facts["labels"] == {"cat": 5, "dog": 5, "fox": 1} and facts["train"] == 6 and facts["eval"] == 5
    named = dataset.release(release_spec(created, version_name="gold"), RUN)["outputs"]["out"]
    assert named["version_name"] == "gold"
    with pytest.raises(dataset.DatasetError, match="already has version gold"):
        dataset.release(release_spec(created, version_name="gold"), RUN)
    assert dataset.release(release_spec(created), RUN)["outputs"]["out"]["version_name"] == "V003"


def test_release_splits_80_20_deterministically(s3, name):
    created = labeled_dataset(s3, name, 20)
    first = manifest(s3, dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"), RUN)
                     ["outputs"]["out"]["manifest"])
    assert sum(s["usage"] == "TRAIN" for s in first) == 16 and sum(s["usage"] == "EVAL" for s in first) == 4
    second = manifest(s3, dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"), RUN)
                      ["outputs"]["out"]["manifest"])
    assert {s["id"]: s["usage"] for s in first} == {s["id"]: s["usage"] for s in second}
    everything = manifest(s3, dataset.release(release_spec(created), RUN)["outputs"]["out"]["manifest"])
    assert {s["usage"] for s in everything} == {"TRAIN"}


def test_release_hard_property_and_usage_options(s3, name):
    created = labeled_dataset(s3, name, 4)
    work = manifest(s3, created["manifest"])
    work[0]["hard"], work[0]["usage"] = True, "EVAL"
    s3.put(BUCKET, f"datasets/{name}/manifest.json", "".join(json.dumps(s) + "\n" for s in work).encode())
    kept = manifest(s3, dataset.release(release_spec(created, clear_hard_property=False, remove_sample_usage=False,
                                                      train_evaluate_sample_ratio=1), RUN)
                    ["outputs"]["out"]["manifest"])
    first = next(s for s in kept if s["id"] == work[0]["id"])
    assert first["hard"] is True and first["usage"] == "EVAL"
    assert sum(s["usage"] == "TRAIN" for s in kept) == 3
    cleared = manifest(s3, dataset.release(release_spec(created, train_evaluate_sample_ratio=1), RUN)
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
        dataset.release(release_spec(created, **config), RUN)


def test_release_reads_its_settings_from_the_spec(s3, name):
    created = labeled_dataset(s3, name, 4)
    with pytest.raises(ContractError, match="dataset_version_config.version_format: is missing"):
        phase("release_dataset", inputs=[{"name": "in", "data": from_step(created)}],
              outputs=[{"name": "out", "dataset_version_config": {"version_name": "x"}}])
    # the runtime has no ratio of its own to fall back on
    spec = release_spec(created, train_evaluate_sample_ratio={"$param": "ratio", "type": "float"},
                        clear_hard_property={"$param": "clear", "type": "bool"})
    config = spec.outputs[0].dataset_version_config
    no_ratio = dataclasses.replace(spec, outputs=[dataclasses.replace(
        spec.outputs[0], dataset_version_config=dataclasses.replace(config, train_evaluate_sample_ratio=None))])
    run = RunContext("run-2", "wf2k8s", {"ratio": "0.75", "clear": "false"})
    with pytest.raises(dataset.DatasetError, match="train_evaluate_sample_ratio: must be a number from 0 to 1, "
                                                   "got None"):
        dataset.release(no_ratio, run)
    out = dataset.release(spec, run)["outputs"]["out"]
    facts = json.loads(s3.get(BUCKET, f"datasets/{name}/versions/{out['version_name']}/version.json"))
    assert (facts["train_evaluate_sample_ratio"], facts["clear_hard_property"], facts["remove_sample_usage"],
            facts["version_format"]) == (0.75, False, True, "Default")
    assert facts["train"] == 3 and facts["eval"] == 1
    assert facts["created_by"] == {"run": "run-2", "step": "release_dataset"}


# the commands ------------------------------------------------------------------------------------


def test_commands_write_the_result_and_fail_with_a_message(s3, name, tmp_path, monkeypatch):
    monkeypatch.setattr(runtime_main, "RESULT_DIR", str(tmp_path / "out"))
    monkeypatch.setattr(runtime_main, "TERMINATION_LOG", tmp_path / "termination-log")
    obs = upload(s3, f"raw/{name}", {"cat/1.jpg": image(1)})
    spec = create_spec(name, obs, fmt="MA_IMAGE_CLASSIFICATION_V1")
    assert runtime_main.main(["create-dataset", "--spec", json.dumps(contract.dump(spec))]) == 0
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result["outputs"]["out"]["dataset_name"] == name
    release = release_spec({"$output": "create_dataset/out", "result": result}, train_evaluate_sample_ratio="0.8")
    assert runtime_main.main(["release-dataset", "--spec", json.dumps(contract.dump(release))]) == 0
    assert json.loads((tmp_path / "out" / "result.json").read_text())["outputs"]["out"]["version_name"] == "V001"
    bad = release_spec({"kind": "dataset", "dataset_name": name}, train_evaluate_sample_ratio="2")
    assert runtime_main.main(["release-dataset", "--spec", json.dumps(contract.dump(bad))]) == 1
    assert "train_evaluate_sample_ratio" in (tmp_path / "termination-log").read_text()
    assert {"labeling", "create-dataset"} <= set(BY_COMMAND)
    assert runtime_main.entry_point(BY_COMMAND["create-dataset"]) is dataset.create
    assert runtime_main.entry_point(BY_COMMAND["release-dataset"]) is dataset.release


# JobStep inputs --------------------------------------------------------------------------------


def released(s3: S3, name: str) -> dict:
    created = labeled_dataset(s3, name, 5)
    return dataset.release(release_spec(created, train_evaluate_sample_ratio="0.8"), RUN)["outputs"]["out"]


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
    spec = phase("job", "train", algorithm={"code_dir": f"obs://{BUCKET}/code/{name}/", "boot_file": "train.py"},
                 spec={"resource": {"flavor": {"cpu": "1"}, "node_count": 1}},
                 inputs=[{"name": "data_url", "data": {"$output": "release/out", "result": {"outputs": {"out": out}}}}],
                 outputs=[{"name": "train_url", "obs_config": {"obs_path": f"obs://{BUCKET}/runs/{name}/"}}])
    job.run(spec, RUN)
    seen = json.loads(s3.get(BUCKET, f"runs/{name}/seen.json"))
    expected = sorted(s["source"].rsplit("/", 1)[1] + ":" + s["usage"] for s in manifest(s3, out["manifest"]))
    assert seen == expected and len(seen) == 5


def test_a_missing_version_is_a_clear_error(s3, name, tmp_path):
    released(s3, name)
    with pytest.raises(dataset.DatasetError, match="has no version 'V009'"):
        dataset.download_input(s3, {"dataset_name": name, "version_name": "V009"}, tmp_path / "in")
