"""The seed's 4.10.1 example as written (examples/seed/s4_10_1_partial_execution.py, only its undefined steps filled
in from the seed's own examples): workflow ``image_cls``, labeling > release > AI Gallery training > model
registration > service deployment, with the scenes "Model training" and "Service deployment".

The run values are what a ModelArts user gives: the dataset (images, two of them labeled by class folder, the rest
not), the labeling job's name, the training flavor, the storage root, the model name, and the service's model
list when the service step asks for it. A person labels the images in Label Studio (the test, through its REST
API); the catalog's AI Gallery algorithm ``subscription_id/item_version_id`` (examples/image-classification, Keras
in wf2k8s/kserve-tensorflow) trains on the released version. The second scene registers and deploys the model the
first one trained, and the service classifies new images.
"""

from __future__ import annotations

import json
import random
import runpy
import secrets
import struct
import zlib
from pathlib import Path


from conftest import kubectl, post_json, wait_for_input
from test_datasets import LabelStudio, lines, studio  # noqa: F401  (studio: a fixture)
from modelarts import workflow as wf
from wf2k8s import cluster

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "wf2k8s"
COLOURS = {"red": (200, 40, 40), "blue": (40, 40, 200)}


def png(colour: str, seed: int, size: int = 32) -> bytes:
    """A noisy image of one colour (an RGB PNG, written with the standard library)."""
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(max(0, min(255, c + rnd.randint(-40, 40))) for _ in range(size)
                                   for c in COLOURS[colour]) for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pixels(colour: str, seed: int, size: int = 32) -> list:
    rnd = random.Random(seed)
    return [[[max(0, min(255, c + rnd.randint(-40, 40))) for c in COLOURS[colour]] for _ in range(size)]
            for _ in range(size)]


def create_dataset(s3, name: str) -> dict[bytes, str]:
    """Dataset ``name`` of 20 images: one of each colour labeled (in a class folder), 18 unlabeled; the
    unlabeled images' bytes and their true colours are returned (what the person sees and decides)."""
    unlabeled = {}
    for i in range(20):
        colour = "red" if i % 2 else "blue"
        body = png(colour, i)
        if i < 2:
            s3.put(s3.bucket, f"e2e/ic-in/{name}/{colour}/{i}.png", body)
        else:
            s3.put(s3.bucket, f"e2e/ic-in/{name}/{i}.png", body)
            unlabeled[body] = colour
    create = wf.steps.CreateDatasetStep(
        name="create_dataset",
        inputs=wf.steps.CreateDatasetInput(name="input_name", data=wf.data.OBSPath(
            obs_path=f"obs://{s3.bucket}/e2e/ic-in/{name}/")),
        outputs=wf.steps.CreateDatasetOutput(name="output_name", config=wf.data.OBSOutputConfig(
            obs_path=f"obs://{s3.bucket}/e2e/ic-work/{name}/")),
        properties=wf.steps.DatasetProperties(
            dataset_name=name, data_type=wf.data.DataTypeEnum.IMAGE,
            import_config=wf.steps.ImportConfig(annotation_format_config=[wf.steps.AnnotationFormatConfig(
                format_name=wf.steps.AnnotationFormatEnum.MA_IMAGE_CLASSIFICATION_V1)])))
    result = cluster.release_and_run(wf.Workflow(name="e2e-ic-dataset", desc="the images", steps=[create]),
                                     parameters={}, wait=True, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    return unlabeled


def test_the_seeds_partial_execution_example_as_written(s3, step_result, studio):  # noqa: F811
    workflow = runpy.run_path(str(ROOT / "examples/seed/s4_10_1_partial_execution.py"))["workflow"]
    assert workflow.name == "image_cls"
    nonce = secrets.token_hex(4)
    dataset, model_name = f"ic-{nonce}", f"image-cls-{nonce}"
    unlabeled = create_dataset(s3, dataset)
    values = {"input_dataset": json.dumps({"dataset_name": dataset}), "task_name": "colours",
              "train_flavor": json.dumps({"cpu": "1", "memory": "2Gi"}),
              "storage_name": f"obs://{s3.bucket}/e2e/ic-runs/{nonce}/", "placeholder_name": model_name}

    # scene "Model training": labeling (a person labels what is unlabeled), release, training
    started = cluster.release_and_run(workflow, values, scene="Model training", progress=None)
    project = studio.project(f"{dataset}/colours", tasks=20)
    labeled = 0
    for task in studio.tasks(project):
        body = studio.get_bytes(studio.call("GET", f"/api/tasks/{task['id']}")["data"]["image"])
        if body in unlabeled:  # the two of the class folders came labeled
            studio.label(task, "image", unlabeled[body])
            labeled += 1
    assert labeled == 18
    trained = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=900)
    assert trained["phase"] == "Succeeded", trained
    assert trained["steps"] == {"labeling": "Succeeded", "release_dataset": "Succeeded", "training_job": "Succeeded",
                                "model_registration": "Skipped", "service_step": "Skipped"}
    version = step_result(trained["name"], "release_dataset")["outputs"]["output_name"]
    samples = lines(s3, version["manifest"])
    assert sorted(s["usage"] for s in samples) == ["EVAL"] * 4 + ["TRAIN"] * 16  # train_ratio's default, 0.8
    assert {a["name"] for s in samples for a in s["annotation"]} == {"red", "blue"}
    output = step_result(trained["name"], "training_job")["outputs"]["train_url"]["uri"]
    bucket, key = output.split("://", 1)[1].split("/", 1)
    assert bucket == s3.bucket and key.startswith(f"e2e/ic-runs/{nonce}/"), output  # storage.join(...)
    metrics = json.loads(s3.get(bucket, key.rstrip("/") + "/metrics.json"))
    assert metrics["accuracy"] == 1.0 and metrics["train_samples"] == 16, metrics

    # scene "Service deployment": register the model the first run trained, deploy it when asked for the models
    try:
        started = cluster.release_and_run(workflow, values, scene="Service deployment", progress=None)
        wait_for_input(started["name"], "si_placeholder1", workflow.to_workflow_template()["metadata"]["name"])
        registered = step_result(started["name"], "model_registration")["outputs"]["model_output"]
        assert (registered["model_type"], registered["uri"].rstrip("/")) == ("TensorFlow", f"s3://{bucket}/{key}".rstrip("/"))
        cluster.give_input(started["name"], NAMESPACE, {"si_placeholder1": json.dumps(
            [{"model_name": model_name, "model_version": registered["model_version"], "weight": 100}])})
        deployed = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=900)
        assert deployed["phase"] == "Succeeded", deployed
        assert deployed["steps"] == {"labeling": "Skipped", "release_dataset": "Skipped", "training_job": "Skipped",
                                     "model_registration": "Succeeded", "service_step": "Succeeded"}
        address = step_result(deployed["name"], "service_step")["variables"]["service_output"][
            "cluster_inner_access_address"]
        labels = s3.get(bucket, key.rstrip("/") + "/labels.txt").decode().split()
        images = [("red", 101), ("blue", 102), ("red", 103)]
        answer = post_json(f"{address}:predict", {"instances": [pixels(c, seed) for c, seed in images]})
        predicted = [labels[max(range(len(p)), key=p.__getitem__)] for p in answer["predictions"]]
        assert predicted == [c for c, _ in images], answer
    finally:
        kubectl("delete", "inferenceservice", "service-step", "-n", NAMESPACE, "--ignore-not-found",
                        "--wait=false")
