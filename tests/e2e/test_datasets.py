"""Datasets for real on the cluster: create > label > release > a job reading the version, import, versions, errors.

The dataset phases run the real runtime image (not the stand-in the `run` fixture gives other
tests' dataset phases); samples are files the tests make and upload to the cluster's S3 bucket.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

import wf2k8s as wf
from conftest import submit_past_the_cli
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


def release_step(data, depends=None, task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION
                 ) -> wf.steps.ReleaseDatasetStep:
    ratio = wf.Placeholder(name="train_ratio", placeholder_type=wf.PlaceholderType.STR, default="0.8")
    return wf.steps.ReleaseDatasetStep(
        name="release_dataset", inputs=wf.steps.ReleaseDatasetInput(name="input_name", data=data),
        outputs=wf.steps.ReleaseDatasetOutput(name="output_name", dataset_version_config=wf.data.DatasetVersionConfig(
            train_evaluate_sample_ratio=ratio, label_task_type=task_type)),
        depend_steps=depends)


def train_step(reader: str, data, out: str, depends) -> wf.steps.JobStep:
    return wf.steps.JobStep(
        name="training_job",
        algorithm=wf.BaseAlgorithm(code_dir=reader, boot_file="read_dataset.py", engine=ENGINE),
        inputs=wf.steps.JobInput(name="data_url", data=data),
        outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=out)),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "500m", "memory": "512Mi"})),
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
    train = train_step(reader, release.outputs["output_name"].as_input(), f"obs://{s3.bucket}/e2e/datasets-out/{name}/",
                       release)
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


# (a label format the runtime cannot read, MA_IMAGE_SEGMENTATION_V1, is refused when the pipeline is compiled:
# tests/unit/test_validation_limits.py)
@pytest.mark.parametrize("case", ["ratio", "label_file"])
def test_bad_inputs_fail_with_the_field_or_file(run_real, s3, case):
    name = unique("bad")
    base = f"e2e/datasets-in/{name}/"
    s3.put(s3.bucket, base + "1.png", png(1))
    fmt = {"ratio": None, "label_file": wf.steps.AnnotationFormatEnum.MA_PASCAL_VOC_V1}[case]
    if case == "label_file":
        s3.put(s3.bucket, base + "1.xml", b"<annotation><object>")
    create = create_step(f"obs://{s3.bucket}/{base}", fmt)
    release = release_step(create.outputs["output_name"].as_input(), create)
    workflow = wf.Workflow(name="e2e-dataset-bad", desc="errors", steps=[create, release])
    values = {"dataset_name": name, "train_ratio": "1.5" if case == "ratio" else "0.8",
              "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"}
    if case == "ratio":  # refused when the run starts; given past the CLI, the phase refuses it
        with pytest.raises(wf.ValidationError, match="run value of Placeholder 'train_ratio' must be from 0 to 1"):
            run_real(workflow, values)
        result = submit_past_the_cli(workflow, values)
    else:
        result = run_real(workflow, values)
    assert result["phase"] == "Failed"
    message = " ".join((result.get("messages") or {}).values())
    expected = {"ratio": "train_evaluate_sample_ratio: must be a number from 0 to 1, got '1.5'",
                "label_file": f"{name}/1.xml: not a PASCAL VOC XML file"}[case]
    assert expected in message, result


# labeling in Label Studio ------------------------------------------------------------------------------


class LabelStudio:
    """The test's hands in Label Studio: what a person's browser does, through the same REST API."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url.rstrip("/"), token

    def get_bytes(self, path: str, method: str = "GET", body=None) -> bytes:
        request = urllib.request.Request(self.url + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    def call(self, method: str, path: str, body=None):
        return json.loads(self.get_bytes(path, method, body) or b"null")

    def project(self, title: str, tasks: int, timeout: float = 300) -> dict:
        """The project the run created, once it holds ``tasks`` tasks."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [p for p in self.call("GET", "/api/projects?page_size=1000")["results"] if p["title"] == title]
            if found and found[0]["task_number"] >= tasks:
                return found[0]
            time.sleep(3)
        raise AssertionError(f"no Label Studio project {title!r} with {tasks} tasks in {timeout:.0f} s")

    def tasks(self, project: dict) -> list[dict]:
        return self.call("GET", f"/api/tasks?project={project['id']}&page_size=1000")["tasks"]

    def label(self, task: dict, key: str, choice: str) -> None:
        self.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": [
            {"from_name": "label", "to_name": key, "type": "choices", "value": {"choices": [choice]}}]})


@pytest.fixture(scope="module")
def studio(kube) -> LabelStudio:
    from conftest import kubectl_json
    config = kubectl_json("get", "configmap", "wf2k8s-config", "-n", "wf2k8s")["data"]
    secret = kubectl_json("get", "secret", "wf2k8s-label-studio", "-n", "wf2k8s")["data"]
    return LabelStudio(config["LABEL_STUDIO_URL"], base64.b64decode(secret["LABEL_STUDIO_TOKEN"]).decode())


def labeling_step(data, labels: list[str], auto_sync: bool = True, depends=None,
                  task_type=wf.data.LabelTaskTypeEnum.TEXT_CLASSIFICATION) -> wf.steps.LabelingStep:
    return wf.steps.LabelingStep(
        name="labeling", title="Dataset labeling",
        inputs=wf.steps.LabelingInput(name="input_name", data=data),
        outputs=wf.steps.LabelingOutput(name="output_name"),
        properties=wf.steps.LabelTaskProperties(
            task_type=task_type,
            task_name=wf.Placeholder(name="task_name", placeholder_type=wf.PlaceholderType.STR),
            labels=[wf.data.Label(name=label) for label in labels], auto_sync_dataset=auto_sync),
        depend_steps=depends)


def test_create_label_release_and_train(step_result, s3, reader, studio):
    """The seed's chain: unlabeled text > a labeling job a person labels in Label Studio > release 0.8 > training."""
    name = unique("reviews")
    texts = [f"review {i}: the film was {'great' if i % 2 else 'dull'}" for i in range(10)]
    s3.put(s3.bucket, f"e2e/datasets-in/{name}/reviews.txt", "\n".join(texts).encode())
    create = create_step(f"obs://{s3.bucket}/e2e/datasets-in/{name}/", data_type=wf.data.DataTypeEnum.TEXT)
    labeling = labeling_step(create.outputs["output_name"].as_input(), ["positive", "negative"], depends=create)
    release = release_step(labeling.outputs["output_name"].as_input(), labeling,
                           wf.data.LabelTaskTypeEnum.TEXT_CLASSIFICATION)
    train = train_step(reader, release.outputs["output_name"].as_input(), f"obs://{s3.bucket}/e2e/datasets-out/{name}/",
                       release)
    workflow = wf.Workflow(name="e2e-dataset-labeling", desc="create > label > release > train",
                           steps=[create, labeling, release, train])
    started = cluster.release_and_run(workflow, {"dataset_name": name, "task_name": "sentiment",
                                                 "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"},
                                      progress=None)
    project = studio.project(f"{name}/sentiment", tasks=10)
    for task in studio.tasks(project):  # the person reads each review and picks its label
        studio.label(task, "text", "positive" if "great" in task["data"]["text"] else "negative")
    result = cluster.follow(started["name"], started["namespace"], progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    assert result["steps"] == {"create_dataset": "Succeeded", "labeling": "Succeeded",
                               "release_dataset": "Succeeded", "training_job": "Succeeded"}
    job = step_result(result["name"], "labeling")["outputs"]["output_name"]
    assert job["task_name"] == "sentiment" and job["project_id"] == project["id"]
    version = step_result(result["name"], "release_dataset")["outputs"]["output_name"]
    assert version["version_name"] == "V001"
    samples = lines(s3, version["manifest"])
    expected = sorted(({"name": s["source"], "usage": s["usage"],
                        "sha256": hashlib.sha256(s["source"][len("content://"):].encode()).hexdigest(),
                        "labels": [a["name"] for a in s["annotation"]]} for s in samples), key=lambda s: s["name"])
    assert {e["name"][len("content://"):]: e["labels"] for e in expected} == {
        text: ["positive" if "great" in text else "negative"] for text in texts}
    assert sorted(s["usage"] for s in samples) == ["EVAL"] * 2 + ["TRAIN"] * 8
    assert all(a["annotated-by"] == "human" for s in samples for a in s["annotation"])
    seen = json.loads(s3.get(s3.bucket, f"e2e/datasets-out/{name}/seen.json"))
    assert seen == expected  # the job read exactly the version's samples and labels
    working = lines(s3, f"s3://{s3.bucket}/datasets/{name}/manifest.json")
    assert all(s.get("annotation") for s in working)  # auto_sync_dataset: the dataset has the labels


def test_resume_goes_on_with_the_labels_given_so_far(step_result, s3, studio):
    """Images: a person sees them through Label Studio, labels one of three and resumes the run;
    without auto_sync_dataset the dataset keeps its (no) labels and the job has the one label."""
    name = unique("photos")
    for i in range(3):
        s3.put(s3.bucket, f"e2e/datasets-in/{name}/{i}.png", png(i))
    create = create_step(f"obs://{s3.bucket}/e2e/datasets-in/{name}/")
    labeling = labeling_step(create.outputs["output_name"].as_input(), ["keep", "drop"], auto_sync=False,
                             depends=create, task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION)
    workflow = wf.Workflow(name="e2e-dataset-resume", desc="create > label, resumed", steps=[create, labeling])
    started = cluster.release_and_run(workflow, {"dataset_name": name, "task_name": "triage",
                                                 "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"},
                                      progress=None)
    project = studio.project(f"{name}/triage", tasks=3)
    tasks = studio.tasks(project)
    shown = studio.call("GET", f"/api/tasks/{tasks[0]['id']}")["data"]["image"]
    assert shown.startswith("/tasks/")  # the s3:// source, served by Label Studio from the project's storage
    assert studio.get_bytes(shown) in {png(i) for i in range(3)}
    studio.label(tasks[0], "image", "keep")
    time.sleep(10)
    run = cluster.get_object("workflow", started["name"], started["namespace"])
    steps = cluster.step_phases(run, cluster.template_step_names("e2e-dataset-resume", started["namespace"]))
    assert steps["labeling"] == "Running"  # one of three labeled: the job is not finished
    command = [sys.executable, "-m", "wf2k8s.cli", "resume", started["name"], "labeling"]
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    result = cluster.follow(started["name"], started["namespace"], progress=None, timeout=300)
    assert result["phase"] == "Succeeded", result
    job = lines(s3, f"s3://{s3.bucket}/datasets/{name}/tasks/triage/manifest.json")
    labels = sorted([a["name"] for a in s.get("annotation") or []] for s in job)
    assert labels == [[], [], ["keep"]]
    assert not any(s.get("annotation") for s in lines(s3, f"s3://{s3.bucket}/datasets/{name}/manifest.json"))


def test_import_labeled_text_into_a_labeling_job_then_release_it(step_result, s3, studio, run_real):
    """A labeling job made and labeled by one run; a second run imports labeled text into the job and
    releases the job: the project got the new samples with their labels, the version has all four."""
    name = unique("quotes")
    s3.put(s3.bucket, f"e2e/datasets-in/{name}/raw/a.txt", b"to be or not to be\nall the world's a stage\n")
    create = create_step(f"obs://{s3.bucket}/e2e/datasets-in/{name}/raw/", data_type=wf.data.DataTypeEnum.TEXT)
    labeling = labeling_step(create.outputs["output_name"].as_input(), ["drama", "comedy"], depends=create)
    started = cluster.release_and_run(
        wf.Workflow(name="e2e-dataset-job", desc="create > label", steps=[create, labeling]),
        {"dataset_name": name, "task_name": "genre", "dataset_output_path": f"obs://{s3.bucket}/e2e/datasets-work/{name}/"},
        progress=None)
    project = studio.project(f"{name}/genre", tasks=2)
    for task in studio.tasks(project):
        studio.label(task, "text", "drama")
    assert cluster.follow(started["name"], started["namespace"], progress=None, timeout=300)["phase"] == "Succeeded"

    s3.put(s3.bucket, f"e2e/datasets-in/{name}/labeled/b.txt", b"much ado about nothing\nas you like it\n")
    s3.put(s3.bucket, f"e2e/datasets-in/{name}/labeled/b_result.txt", b"comedy\ncomedy\n")
    job = wf.data.LabelTask(dataset_name=name, task_name="genre")
    imported = wf.steps.DatasetImportStep(
        name="data_import",
        inputs=[wf.steps.DatasetImportInput(name="input_name_1", data=job),
                wf.steps.DatasetImportInput(name="input_name_2", data=wf.data.OBSPath(
                    obs_path=f"obs://{s3.bucket}/e2e/datasets-in/{name}/labeled/"))],
        outputs=wf.steps.DatasetImportOutput(name="output_name"),
        properties=wf.steps.ImportDataInfo(annotation_format_config=[wf.steps.AnnotationFormatConfig(
            format_name=wf.steps.AnnotationFormatEnum.MA_TEXT_CLASSIFICATION_V1)]))
    release = release_step(imported.outputs["output_name"].as_input(), imported,
                           wf.data.LabelTaskTypeEnum.TEXT_CLASSIFICATION)
    result = run_real(wf.Workflow(name="e2e-dataset-job-import", desc="import into a job > release",
                                  steps=[imported, release]), {"train_ratio": "0.5"})
    assert result["phase"] == "Succeeded", result
    tasks = studio.tasks(project)
    assert sorted(t["data"]["text"] for t in tasks if t["is_labeled"]) == sorted(
        ["to be or not to be", "all the world's a stage", "much ado about nothing", "as you like it"])
    version = step_result(result["name"], "release_dataset")["outputs"]["output_name"]
    labels = {s["source"]: [a["name"] for a in s.get("annotation") or []] for s in lines(s3, version["manifest"])}
    assert labels == {"content://to be or not to be": ["drama"], "content://all the world's a stage": ["drama"],
                      "content://much ado about nothing": ["comedy"], "content://as you like it": ["comedy"]}
