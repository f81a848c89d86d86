"""The labeling runtime's pure parts: Label Studio interfaces, label conversion, waiting and resuming.

The Label Studio API itself is exercised on the cluster (tests/e2e/test_datasets.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from specs import POLICY, phase
from wf2k8s.contract import ContractError
from wf2k8s.runtime import labeling
from wf2k8s.runtime.context import RunContext
from wf2k8s.runtime.labeling import LabelingError

RUN = RunContext("run-1", "wf2k8s", {})


def labeling_spec(poll_interval_seconds: float | None = None, properties: dict | None = None):
    """A LabelingStep's spec: a labeling job as its input, the default policy or one polling at the interval."""
    task = {"kind": "label_task", "dataset_name": "d", "task_name": "job1"}
    fields: dict = {"inputs": [{"name": "in", "data": task}], "outputs": [{"name": "out"}]}
    if poll_interval_seconds is not None:
        fields["policy"] = {**POLICY, "poll_interval_seconds": poll_interval_seconds}
    if properties is not None:
        fields["properties"] = properties
    return phase("labeling", "label", **fields)


def test_classification_interface_lists_the_labels_with_their_properties():
    xml = labeling.label_config("IMAGE_CLASSIFICATION", [
        {"name": "cat", "property": {"@modelarts:color": "#ff0000", "@modelarts:shortcut": "c"}},
        {"name": 'say "hi" <b>'}])
    view = ET.fromstring(xml)
    image, choices = list(view)
    assert image.tag == "Image" and image.get("value") == "$image"
    assert choices.tag == "Choices" and choices.get("toName") == "image" and choices.get("choice") == "multiple"
    options = [(c.get("value"), c.get("background"), c.get("hotkey")) for c in choices]
    assert options == [("cat", "#ff0000", "c"), ('say "hi" <b>', None, None)]


@pytest.mark.parametrize("task_type, viewer, control", [
    ("TEXT_CLASSIFICATION", "Text", "Choices"), ("AUDIO_CLASSIFICATION", "Audio", "Choices"),
    ("OBJECT_DETECTION", "Image", "RectangleLabels"), ("NAMED_ENTITY_RECOGNITION", "Text", "Labels")])
def test_each_task_type_has_its_interface(task_type, viewer, control):
    view = ET.fromstring(labeling.label_config(task_type, [{"name": "a"}]))
    assert [child.tag for child in view] == [viewer, control]
    assert [option.get("value") for option in view[1]] == ["a"]


def test_unsupported_task_types_and_missing_labels_are_clear_errors():
    with pytest.raises(LabelingError, match="properties.task_type: TEXT_TRIPLE labeling is not supported"):
        labeling.label_config("TEXT_TRIPLE", [{"name": "a"}])
    with pytest.raises(LabelingError, match="properties.labels: a labeling job needs labels"):
        labeling.label_config("TEXT_CLASSIFICATION", [])


def test_samples_become_tasks_with_their_labels():
    text = {"id": "t1", "source": "content://a good film", "annotation": [{"name": "pos"}]}
    image = {"id": "i1", "source": "s3://b/datasets/d/samples/1.png"}
    assert labeling.task_data(text, "text") == {"text": "a good film", "wf2k8s_id": "t1"}
    assert labeling.task_data(image, "image") == {"image": "s3://b/datasets/d/samples/1.png", "wf2k8s_id": "i1"}
    assert labeling.to_result(text, "TEXT_CLASSIFICATION", "text") == [
        {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}]
    assert labeling.to_result(image, "IMAGE_CLASSIFICATION", "image") == []
    # boxes need the image's size to become Label Studio's percentages: such samples start unlabeled
    assert labeling.to_result({**image, "annotation": [{"name": "cat"}]}, "OBJECT_DETECTION", "image") == []


def annotation(result, **extra):
    return {"id": 1, "result": result, "was_cancelled": False, "updated_at": "2026-11-24T10:00:00.123Z", **extra}


def test_label_studio_results_become_modelarts_annotations():
    choices = annotation([{"type": "choices", "value": {"choices": ["cat", "cute"]}}])
    assert labeling.from_result(choices, "IMAGE_CLASSIFICATION") == [
        {"type": "modelarts/image_classification", "annotated-by": "human", "creation-time": "2026-11-24 10:00:00",
         "name": name} for name in ("cat", "cute")]
    box = annotation([{"type": "rectanglelabels", "original_width": 200, "original_height": 100,
                       "value": {"x": 10, "y": 20, "width": 50, "height": 30, "rectanglelabels": ["dog"]}}])
    [entry] = labeling.from_result(box, "OBJECT_DETECTION")
    assert entry["type"] == "modelarts/object_detection" and entry["name"] == "dog"
    assert entry["property"]["@modelarts:bndbox"] == {"xmin": 20, "ymin": 20, "xmax": 120, "ymax": 50}
    span = annotation([{"type": "labels", "value": {"start": 2, "end": 7, "text": "Paris", "labels": ["LOC"]}}])
    [entry] = labeling.from_result(span, "NAMED_ENTITY_RECOGNITION")
    assert entry["type"] == "modelarts/text_entity"
    assert entry["property"] == {"@modelarts:start_index": 2, "@modelarts:end_index": 7, "@modelarts:content": "Paris"}


def test_the_latest_finished_annotation_counts():
    task = {"annotations": [
        annotation([{"type": "choices", "value": {"choices": ["old"]}}], id=1, updated_at="2026-01-01T00:00:00Z"),
        annotation([{"type": "choices", "value": {"choices": ["new"]}}], id=2, updated_at="2026-02-01T00:00:00Z"),
        annotation([{"type": "choices", "value": {"choices": ["skipped"]}}], id=3, was_cancelled=True,
                   updated_at="2026-03-01T00:00:00Z")]}
    assert labeling.latest_annotation(task)["id"] == 2
    assert labeling.latest_annotation({"annotations": [annotation([])]}) is None  # an empty submission


def test_apply_labels_replaces_the_labels_of_labeled_tasks_only():
    samples = [{"id": "a", "source": "content://x", "annotation": [{"name": "old"}]},
               {"id": "b", "source": "content://y", "annotation": [{"name": "keep"}]},
               {"id": "c", "source": "content://z"}]
    tasks = [{"data": {"wf2k8s_id": "a"}, "annotations": [annotation([{"type": "choices",
                                                                       "value": {"choices": ["new"]}}])]},
             {"data": {"wf2k8s_id": "b"}, "annotations": []},
             {"data": {"wf2k8s_id": "gone"}, "annotations": [annotation([{"type": "choices",
                                                                          "value": {"choices": ["x"]}}])]}]
    assert labeling.apply_labels(samples, tasks, "TEXT_CLASSIFICATION") == 1
    assert [[e["name"] for e in s.get("annotation", [])] for s in samples] == [["new"], ["keep"], []]


class Studio:
    """Label Studio's project counters as a sequence of snapshots, one a poll; its tasks at the end."""

    def __init__(self, snapshots):
        self.snapshots = list(snapshots)
        self.exports = 0

    def project(self, project_id):
        flags = self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0]
        self.last = flags
        return {"id": project_id, "task_number": len(flags), "finished_task_number": sum(flags)}

    def tasks(self, project_id):
        self.exports += 1
        return labeled(*self.last)


def labeled(*flags):
    return [{"data": {"wf2k8s_id": str(i)},
             "annotations": [annotation([{"type": "choices", "value": {"choices": ["x"]}}])] if flag else []}
            for i, flag in enumerate(flags)]


class Job:
    def __init__(self, studio, name="job1"):
        self.studio, self.name = studio, name
        self.record = {"project_id": 1, "project_url": "http://ls/projects/1/data"}


def test_wait_ends_when_every_task_is_labeled(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGO_PROGRESS_FILE", str(tmp_path / "progress"))
    sleeps = []
    studio = Studio([(False, False), (True, False), (True, True)])
    tasks = labeling.wait(Job(studio), labeling_spec(), RUN, tmp_path, sleep=sleeps.append)
    assert labeling.progress(tasks) == (2, 2) and studio.exports == 1  # every task read once, at the end
    assert sleeps == [3.0, 3.0]  # polls at least 3 s apart, whatever the step's poll interval
    assert (tmp_path / "progress").read_text() == "2/2\n"  # what the Argo UI shows as the node's progress


def test_wait_ends_when_the_pod_is_annotated(tmp_path):
    studio = Studio([(True, False)])
    polls = []

    def sleep(seconds):
        polls.append(seconds)
        if len(polls) == 2:  # what the kubelet writes after `wf2k8s resume`
            (tmp_path / "annotations").write_text('kubectl.kubernetes.io/x="1"\nwf2k8s.io/labeling="done"\n')

    tasks = labeling.wait(Job(studio), labeling_spec(10), RUN, tmp_path, sleep=sleep)
    assert labeling.progress(tasks) == (1, 2) and polls == [10.0, 10.0]
    assert not labeling.resumed(tmp_path / "missing")


def test_a_project_that_disappeared_is_a_clear_error(tmp_path):
    class Gone:
        def project(self, project_id):
            return None

    with pytest.raises(LabelingError, match="project 1 of labeling job 'job' is gone"):
        labeling.wait(Job(Gone(), name="job"), labeling_spec(), RUN, tmp_path, sleep=lambda s: None)


def test_wait_polls_at_the_spec_interval(tmp_path, capsys):
    sleeps = []
    labeling.wait(Job(Studio([(False,), (True,)])), labeling_spec(4.5), RUN, tmp_path, sleep=sleeps.append)
    assert sleeps == [4.5]  # the step's poll_interval_seconds, not a runtime default
    assert "wf2k8s resume run-1 label" in capsys.readouterr().out


PROPERTIES = {"task_type": "IMAGE_CLASSIFICATION", "auto_sync_dataset": True, "content_labeling": True}


def test_the_job_settings_come_from_the_spec():
    spec = labeling_spec(properties={
        **PROPERTIES, "auto_sync_dataset": False, "task_name": {"$param": "task", "type": "str"},
        "labels": [{"name": "cat", "property": {"@modelarts:color": {"$param": "color", "type": "str"}}},
                   {"name": "dog", "property": '{"@modelarts:shortcut": "d"}', "type": "0"}]})
    properties = RunContext("run-1", "wf2k8s", {"task": "t1", "color": "#00ff00"}).resolve(spec.properties)
    assert properties.task_name == "t1"
    assert labeling.wanted_labels(properties, {"labels": [{"name": "fox"}]}) == [
        {"name": "cat", "property": {"@modelarts:color": "#00ff00"}, "type": None},
        {"name": "dog", "property": {"@modelarts:shortcut": "d"}, "type": "0"}]
    # without labels, the dataset's; without properties at all, too
    assert labeling.wanted_labels(labeling_spec(properties=PROPERTIES).properties, {"labels": [{"name": "fox"}]}) \
        == [{"name": "fox"}]
    assert labeling.wanted_labels(None, {"labels": [{"name": "fox"}]}) == [{"name": "fox"}]
    with pytest.raises(LabelingError, match=r"properties.labels\[0\]: a label needs a name"):
        labeling.wanted_labels(labeling_spec(properties={**PROPERTIES, "labels": [{"type": "0"}]}).properties, {})
    # auto_sync_dataset is the spec's (the contract always carries it); a step without properties syncs
    assert labeling.auto_sync(spec.properties) is False
    assert labeling.auto_sync(labeling_spec(properties=PROPERTIES).properties) is True
    assert labeling.auto_sync(labeling_spec().properties) is True
    with pytest.raises(ContractError, match="properties.auto_sync_dataset: is missing"):  # auto_sync_dataset missing
        labeling_spec(properties={"task_type": "IMAGE_CLASSIFICATION", "content_labeling": True})


def test_status_shows_a_running_labeling_step_progress():
    from wf2k8s import cluster

    workflow = {"metadata": {"name": "r", "namespace": "wf2k8s"}, "status": {"phase": "Running", "nodes": {
        "r-1": {"displayName": "labeling", "type": "Pod", "phase": "Running", "progress": "4/10"},
        "r-2": {"displayName": "create-dataset", "type": "Pod", "phase": "Succeeded", "progress": "1/1"},
        "r-3": {"displayName": "other", "type": "Pod", "phase": "Running", "progress": "0/1"}}}}
    state = cluster.summary(workflow, {"labeling": "labeling", "create-dataset": "create_dataset", "other": "other"})
    assert state["progress"] == {"labeling": "4/10"}
