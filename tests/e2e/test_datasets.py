"""Datasets for real on the cluster: create > release > a job reading the version, import, versions, errors.

The dataset phases run the real runtime image (not the stand-in the `run` fixture gives other
tests' dataset phases); samples are files the tests make and upload to the cluster's S3 bucket.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest

import wf2k8s as wf
from wf2k8s import cluster

HERE = Path(__file__).resolve().parent
ENGINE = wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)  # python3 is all the script needs


@pytest.fixture
def run_real(kube):
    """Run a pipeline to its end with every phase in its real image."""

    def start(workflow, parameters: dict, timeout: float = 600) -> dict:
        return cluster.release_and_run(workflow, parameters={k: str(v) for k, v in parameters.items()},
                                       wait=True, progress=None, timeout=timeout)

    return start


@pytest.fixture(scope="module")
def reader(s3) -> str:
    s3.put(s3.bucket, "e2e/code-datasets/read_dataset.py", (HERE / "code" / "read_dataset.py").read_bytes())
    return f"obs://{s3.bucket}/e2e/code-datasets/"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def lines(s3, uri: str) -> list[dict]:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return [json.loads(line) for line in s3.get(bucket, key).decode().splitlines()]


def png(i: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + f"e2e sample {i}".encode() * 8


def create_step(obs: str, fmt=None, data_type=wf.data.DataTypeEnum.IMAGE) -> wf.steps.CreateDatasetStep:
    config = None
    if fmt:
        config = wf.steps.ImportConfig(annotation_format_config=[wf.steps.AnnotationFormatConfig(format_name=fmt)])
    return wf.steps.CreateDatasetStep(
        name="create_dataset",
        inputs=wf.steps.CreateDatasetInput(name="input_name", data=wf.data.OBSPath(obs_path=obs)),
        outputs=wf.steps.CreateDatasetOutput(name="output_name", config=wf.data.OBSOutputConfig(
            obs_path=wf.Placeholder(name="dataset_output_path", placeholder_type=wf.PlaceholderType.STR))),
        properties=wf.steps.DatasetProperties(
            dataset_name=wf.Placeholder(name="dataset_name", placeholder_type=wf.PlaceholderType.STR),
            data_type=data_type, import_config=config))


def release_step(data, depends=None) -> wf.steps.ReleaseDatasetStep:
    ratio = wf.Placeholder(name="train_ratio", placeholder_type=wf.PlaceholderType.STR, default="0.8")
    return wf.steps.ReleaseDatasetStep(
        name="release_dataset", inputs=wf.steps.ReleaseDatasetInput(name="input_name", data=data),
        outputs=wf.steps.ReleaseDatasetOutput(name="output_name", dataset_version_config=wf.data.DatasetVersionConfig(
            train_evaluate_sample_ratio=ratio, label_task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION)),
        depend_steps=depends)


def test_create_release_and_train_on_the_version(run_real, step_result, s3, reader):
    """The seed's chain: create a dataset from labeled images > release (0.8) > a job on the released version."""
    name = unique("pets")
    files = {f"{'cat' if i % 2 else 'dog'}/{i}.png": png(i) for i in range(10)}
    for rel, body in files.items():
        s3.put(s3.bucket, f"e2e/datasets-in/{name}/{rel}", body)
    create = create_step(f"obs://{s3.bucket}/e2e/datasets-in/{name}/",
                         wf.steps.AnnotationFormatEnum.MA_IMAGE_CLASSIFICATION_V1)
    release = release_step(create.outputs["output_name"].as_input(), create)
    train = wf.steps.JobStep(
        name="training_job",
        algorithm=wf.BaseAlgorithm(code_dir=reader, boot_file="read_dataset.py", engine=ENGINE),
        inputs=wf.steps.JobInput(name="data_url", data=release.outputs["output_name"].as_input()),
        outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
            obs_path=f"obs://{s3.bucket}/e2e/datasets-out/{name}/")),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "500m", "memory": "512Mi"})),
        depend_steps=release)
    workflow = wf.Workflow(name="e2e-dataset-chain", desc="create > release > train", steps=[create, release, train])
    result = run_real(workflow, {"dataset_name": name,
                                 "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"})
    assert result["phase"] == "Succeeded", result
    assert result["steps"] == {"create_dataset": "Succeeded", "release_dataset": "Succeeded",
                               "training_job": "Succeeded"}
    version = step_result(result["name"], "release_dataset")["outputs"]["output_name"]
    assert version["dataset_name"] == name and version["version_name"] == "V001"
    samples = lines(s3, version["manifest"])
    assert len(samples) == 10
    assert sum(s["usage"] == "TRAIN" for s in samples) == 8 and sum(s["usage"] == "EVAL" for s in samples) == 2
    expected = sorted(({"name": s["source"].rsplit("/", 1)[1], "usage": s["usage"], "sha256": s["sha256"],
                        "labels": [a["name"] for a in s["annotation"]]} for s in samples), key=lambda s: s["name"])
    for entry in expected:
        i = int(entry["name"].split(".")[0])
        assert entry["labels"] == ["cat" if i % 2 else "dog"]
        assert entry["sha256"] == hashlib.sha256(png(i)).hexdigest()
    seen = json.loads(s3.get(s3.bucket, f"e2e/datasets-out/{name}/seen.json"))
    assert seen == expected  # the job read exactly the version's samples, bytes and labels
    assert s3.exists(s3.bucket, f"e2e/datasets-work/{name}/{name}.manifest")


def import_release_workflow(name: str, obs: str) -> wf.Workflow:
    target = wf.data.Dataset(dataset_name=name)
    imported = wf.steps.DatasetImportStep(
        name="data_import",
        inputs=[wf.steps.DatasetImportInput(name="input_name_1", data=target),
                wf.steps.DatasetImportInput(name="input_name_2", data=wf.data.OBSPath(obs_path=obs))],
        outputs=wf.steps.DatasetImportOutput(name="output_name"),
        properties=wf.steps.ImportDataInfo(annotation_format_config=[wf.steps.AnnotationFormatConfig(
            format_name=wf.steps.AnnotationFormatEnum.MA_TEXT_CLASSIFICATION_V1)]))
    release = release_step(imported.outputs["output_name"].as_input(), imported)
    return wf.Workflow(name="e2e-dataset-import", desc="import > release", steps=[imported, release])


def test_import_labeled_text_and_release_twice(run_real, step_result, s3):
    """Unlabeled text, released as V001; labeled text imported, released as V002; V001 is unchanged."""
    name = unique("reviews")
    s3.put(s3.bucket, f"e2e/datasets-in/{name}/raw/a.txt", b"first review\nsecond review\n")
    create = create_step(f"obs://{s3.bucket}/e2e/datasets-in/{name}/raw/", data_type=wf.data.DataTypeEnum.TEXT)
    release = release_step(create.outputs["output_name"].as_input(), create)
    first = run_real(wf.Workflow(name="e2e-dataset-text", desc="create > release", steps=[create, release]),
                     {"dataset_name": name, "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"})
    assert first["phase"] == "Succeeded", first
    v1 = step_result(first["name"], "release_dataset")["outputs"]["output_name"]
    assert v1["version_name"] == "V001"
    v1_bytes = s3.get(s3.bucket, v1["manifest"].split("/", 3)[3])
    s3.put(s3.bucket, f"e2e/datasets-in/{name}/labeled/b.txt", b"great film\npoor film\n")
    s3.put(s3.bucket, f"e2e/datasets-in/{name}/labeled/b_result.txt", b"positive\nnegative\n")
    second = run_real(import_release_workflow(name, f"obs://{s3.bucket}/e2e/datasets-in/{name}/labeled/"),
                      {"train_ratio": "0.5"})
    assert second["phase"] == "Succeeded", second
    v2 = step_result(second["name"], "release_dataset")["outputs"]["output_name"]
    assert v2["version_name"] == "V002"
    assert s3.get(s3.bucket, v1["manifest"].split("/", 3)[3]) == v1_bytes
    labels = {s["source"]: [a["name"] for a in s.get("annotation") or []] for s in lines(s3, v2["manifest"])}
    assert labels == {"content://first review": [], "content://second review": [],
                      "content://great film": ["positive"], "content://poor film": ["negative"]}
    assert sorted(s["usage"] for s in lines(s3, v2["manifest"])) == ["EVAL", "EVAL", "TRAIN", "TRAIN"]


@pytest.mark.parametrize("case", ["ratio", "format", "label_file"])
def test_bad_inputs_fail_with_the_field_or_file(run_real, s3, case):
    name = unique("bad")
    base = f"e2e/datasets-in/{name}/"
    s3.put(s3.bucket, base + "1.png", png(1))
    fmt = {"ratio": None, "format": wf.steps.AnnotationFormatEnum.MA_IMAGE_SEGMENTATION_V1,
           "label_file": wf.steps.AnnotationFormatEnum.MA_PASCAL_VOC_V1}[case]
    if case == "label_file":
        s3.put(s3.bucket, base + "1.xml", b"<annotation><object>")
    create = create_step(f"obs://{s3.bucket}/{base}", fmt)
    release = release_step(create.outputs["output_name"].as_input(), create)
    result = run_real(wf.Workflow(name="e2e-dataset-bad", desc="errors", steps=[create, release]),
                      {"dataset_name": name, "train_ratio": "1.5" if case == "ratio" else "0.8",
                       "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"})
    assert result["phase"] == "Failed"
    message = " ".join((result.get("messages") or {}).values())
    expected = {"ratio": "train_evaluate_sample_ratio: must be a number from 0 to 1, got '1.5'",
                "format": "MA_IMAGE_SEGMENTATION_V1 is not supported",
                "label_file": f"{name}/1.xml: not a PASCAL VOC XML file"}[case]
    assert expected in message, result
