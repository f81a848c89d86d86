"""LabelingStep: a ModelArts labeling job as a Label Studio project, and its labels back in the dataset.

A labeling job is ``datasets/<dataset>/tasks/<task_name>.json`` in the dataset layout (see
``dataset.py``) plus one Label Studio project; the record holds the project's id, the task type
and the labels::

    {"task_name", "dataset_name", "task_type", "project_id", "project_url", "labels": [{"name", ...}],
     "properties": {...}, "description", "created", "created_by", "synced"}

The phase
=========

1. Finds the job (the record, else a project titled ``<dataset>/<task>``) or creates it: a project
   whose labeling interface follows the task type (``label_config``), with the given labels (or
   the dataset's, when none are given).
2. Imports the dataset's samples the project does not have yet as Label Studio tasks: text inline,
   files by their ``s3://`` URI, which Label Studio serves through the project's S3 source storage
   (created with the job, with the cluster's S3 credentials); samples that already carry labels come
   with them as annotations, so only the rest waits for a person.
3. Waits, like ModelArts' running state, until the job is finished: every task labeled, or the run
   told to go on (``wf2k8s resume RUN STEP``, which sets the annotation ``wf2k8s.io/labeling: done``
   on the phase's pod; the runtime reads it from the downward-API file ``$WF2K8S_PODINFO/annotations``).
4. Writes the labels to ``datasets/<dataset>/tasks/<task>/manifest.json`` (the working manifest with
   the job's labels) and, with ``auto_sync_dataset`` (the spec always says; a step without properties
   syncs), into the dataset's working manifest, ready for a ReleaseDatasetStep.

A DatasetImportStep into a labeling job (``import_data``) imports into the dataset, then adds the new
samples to the job's project, with the labels they came with.

Label Studio is found at ``LABEL_STUDIO_URL`` with the API token ``LABEL_STUDIO_TOKEN`` (the
cluster's wf2k8s-config ConfigMap and wf2k8s-label-studio Secret), through ``clients.LabelStudio``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from wf2k8s.contract.phases import DatasetImportPhase, LabelingPhase, LabelTaskProperties
from wf2k8s.contract.support import LABELING_TASK_TYPES

from . import dataset as datasets
from . import podinfo
from .clients import S3, LabelStudio
from .context import RunContext
from .dataset import ANNOTATION_TYPES, NAME, Store, dataset_input, enum_name, now, output_of
from .errors import PhaseError
from .untrusted import loads, number_problem

#: task types Label Studio labels here -> (the sample's data key, the tag showing it, the labeling control)
INTERFACES = {
    "IMAGE_CLASSIFICATION": ("image", "Image", "Choices"),
    "TEXT_CLASSIFICATION": ("text", "Text", "Choices"),
    "AUDIO_CLASSIFICATION": ("audio", "Audio", "Choices"),
    "OBJECT_DETECTION": ("image", "Image", "RectangleLabels"),
    "NAMED_ENTITY_RECOGNITION": ("text", "Text", "Labels"),
}
DATA_TYPES = {"image": "IMAGE", "text": "TEXT", "audio": "AUDIO"}
ANNOTATION_KINDS = {**ANNOTATION_TYPES, "NAMED_ENTITY_RECOGNITION": "modelarts/text_entity"}
#: ModelArts label properties Label Studio has an attribute for
LABEL_ATTRIBUTES = {"@modelarts:color": "background", "@modelarts:shortcut": "hotkey"}
TITLE_LENGTH = 50  # Label Studio's limit on a project title


class LabelingError(PhaseError):
    """The labeling job cannot be created, read or synchronised (the message says which and why); what Label
    Studio itself answers is a ``clients.LabelStudioError``."""


# the labeling interface and the conversion of labels ------------------------------------------------------


def interface(task_type: str) -> tuple[str, str, str]:
    if task_type not in INTERFACES or task_type not in LABELING_TASK_TYPES:
        raise LabelingError(f"properties.task_type: {task_type} labeling is not supported on Kubernetes yet; "
                            f"supported: {', '.join(LABELING_TASK_TYPES)}")
    return INTERFACES[task_type]


def label_config(task_type: str, labels: list[dict]) -> str:
    """The Label Studio labeling interface (XML) for a ModelArts task type and its labels."""
    key, viewer, control = interface(task_type)
    if not labels:
        raise LabelingError("properties.labels: a labeling job needs labels, and the dataset has none yet; "
                            "give them as wf.data.Label(name=...)")
    options = []
    for label in labels:
        attributes = {"value": label["name"]}
        prop = label.get("property")
        if isinstance(prop, dict):
            attributes.update({LABEL_ATTRIBUTES[k]: str(v) for k, v in prop.items() if k in LABEL_ATTRIBUTES})
        tag = "Choice" if control == "Choices" else "Label"
        options.append(f"    <{tag} " + " ".join(f"{k}={quoteattr(v)}" for k, v in attributes.items()) + "/>")
    extra = ' choice="multiple" showInline="true"' if control == "Choices" else ""
    return "\n".join([
        "<View>",
        f"  <{viewer} name={quoteattr(key)} value={quoteattr('$' + key)}/>",
        f"  <{control} name=\"label\" toName={quoteattr(key)}{extra}>",
        *options,
        f"  </{control}>",
        "</View>",
    ])


def task_data(sample: dict, key: str) -> dict:
    source = sample["source"]
    value = source[len("content://"):] if source.startswith("content://") else source
    return {key: value, "wf2k8s_id": sample["id"]}


def to_result(sample: dict, task_type: str, key: str) -> list[dict]:
    """A sample's manifest labels as a Label Studio result (classification only; others start unlabeled)."""
    if INTERFACES[task_type][2] != "Choices":
        return []
    names = [a["name"] for a in sample.get("annotation") or [] if a.get("name")]
    if not names:
        return []
    return [{"from_name": "label", "to_name": key, "type": "choices", "value": {"choices": names}}]


def latest_annotation(task: dict) -> dict | None:
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled") and a.get("result")]
    return max(done, key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0)) \
        if done else None


def creation_time(annotation: dict) -> str:
    text = annotation.get("updated_at") or annotation.get("created_at") or ""
    return text[:19].replace("T", " ") if text else now()


def from_result(annotation: dict, task_type: str) -> list[dict]:
    """A Label Studio annotation as ModelArts manifest annotations."""
    kind = ANNOTATION_KINDS.get(task_type, "modelarts/" + task_type.lower())
    common = {"type": kind, "annotated-by": "human", "creation-time": creation_time(annotation)}
    entries: list[dict] = []
    for item in annotation.get("result") or []:
        value = item.get("value") or {}
        kind_of = item.get("type")
        if kind_of == "choices":
            entries.extend({**common, "name": name} for name in value.get("choices") or [])
        elif kind_of == "rectanglelabels":
            width, height = item.get("original_width"), item.get("original_height")
            if not width or not height:
                continue
            for field, number in (("original_width", width), ("original_height", height),
                                  *((k, value.get(k)) for k in ("x", "y", "width", "height"))):
                if number_problem(number):  # round() of NaN or Infinity would fail far from here
                    raise LabelingError(f"Label Studio annotation {annotation.get('id')}: rectangle {field} "
                                        f"{number_problem(number)}")
            box = {"xmin": round(value["x"] * width / 100), "ymin": round(value["y"] * height / 100),
                   "xmax": round((value["x"] + value["width"]) * width / 100),
                   "ymax": round((value["y"] + value["height"]) * height / 100)}
            for name in value.get("rectanglelabels") or []:
                entries.append({**common, "name": name, "property": {"@modelarts:bndbox": box,
                                                                     "@modelarts:difficult": False}})
        elif kind_of == "labels":
            for name in value.get("labels") or []:
                entries.append({**common, "name": name, "property": {
                    "@modelarts:start_index": value.get("start"), "@modelarts:end_index": value.get("end"),
                    "@modelarts:content": value.get("text")}})
    return entries


# the phase -------------------------------------------------------------------------------------------


class Job:
    """One labeling job: its record in the dataset layout and its Label Studio project."""

    def __init__(self, store: Store, studio: LabelStudio, dataset: str, name: str):
        self.store, self.studio, self.dataset, self.name = store, studio, dataset, name
        self.record = store.read_json(dataset, "tasks", f"{name}.json")

    @property
    def title(self) -> str:
        return f"{self.dataset}/{self.name}"[:TITLE_LENGTH]

    def find_project(self) -> dict | None:
        if self.record and self.record.get("project_id"):
            project = self.studio.project(self.record["project_id"])
            # a Label Studio started afresh reuses ids: the title tells whether it is still this job's project
            if project is not None and project.get("title") == self.title:
                return project
        return next((p for p in self.studio.projects() if p.get("title") == self.title), None)

    def save(self) -> None:
        self.store.write_json(self.dataset, self.record, "tasks", f"{self.name}.json")


def record_of(job: Job) -> dict:
    """The job's record, which every step after open_job (or import_data's check) reads: it exists by then."""
    if job.record is None:
        raise LabelingError(f"labeling job {job.name!r} of dataset {job.dataset!r} has no record: it was read "
                            "before the job was found or created (a bug)")
    return job.record


def wanted_labels(properties: LabelTaskProperties | None, info: dict) -> list[dict]:
    """The job's labels: the (resolved) properties' labels, else the dataset's."""
    labels = []
    for index, label in enumerate((properties.labels if properties else None) or []):
        if not label.name:
            raise LabelingError(f"properties.labels[{index}]: a label needs a name")
        prop = label.property
        if isinstance(prop, str) and prop.strip().startswith("{"):
            prop = loads(prop, f"properties.labels[{index}].property", LabelingError)
        labels.append({"name": str(label.name), "property": prop, "type": label.type})
    if not labels:  # the dataset's labels, as ModelArts offers them in a new job
        labels = [{"name": label["name"]} for label in info.get("labels") or [] if label.get("name")]
    return labels


def open_job(store: Store, studio: LabelStudio, spec: LabelingPhase, run: RunContext) -> tuple[Job, dict]:
    """The labeling job of the input (found or created) and its project."""
    _, ref = dataset_input(spec, run)
    dataset = ref["dataset_name"]
    info = store.info(dataset)
    properties = spec.properties
    name = (run.resolve(properties.task_name) if properties else None) or ref.get("task_name")
    if not name:
        raise LabelingError("properties.task_name: name the labeling job (it is mandatory when the input is a dataset)")
    if not NAME.fullmatch(str(name)):
        raise LabelingError(f"properties.task_name: must be 1-100 letters, digits, '_' or '-', got {name!r}")
    job = Job(store, studio, dataset, str(name))
    project = job.find_project()
    task_type = enum_name(properties.task_type if properties else None) or (job.record or {}).get("task_type")
    if project is not None and job.record:
        if task_type and task_type != job.record.get("task_type"):
            raise LabelingError(f"properties.task_type: labeling job {name!r} of dataset {dataset!r} is "
                                f"{job.record.get('task_type')}, not {task_type}")
        print(f"labeling job {name} of dataset {dataset} exists (project {project['id']}): using it")
        return job, project
    if task_type is None:
        raise LabelingError(f"labeling job {name!r} of dataset {dataset!r} does not exist, and without "
                            "properties.task_type it cannot be created")
    key, _, _ = interface(task_type)
    if DATA_TYPES[key] != info.get("data_type") and info.get("data_type") != "FREE_FORMAT":
        raise LabelingError(f"properties.task_type: {task_type} labels {DATA_TYPES[key].lower()} samples, but "
                            f"dataset {dataset!r} holds {str(info.get('data_type')).lower()} samples")
    properties = run.resolve(properties)  # the labels' properties and the job's properties may hold placeholders
    labels = wanted_labels(properties, info)
    description = (properties.description if properties else None) or ""
    if project is None:
        project = studio.create_project(job.title, label_config(task_type, labels), description)
        print(f"labeling job {name} of dataset {dataset} created: Label Studio project {project['id']}")
    if key != "text":
        # Label Studio gets a key of its own that reads datasets' samples and nothing else
        reader = store.s3.with_key("LABEL_STUDIO_S3_", "the key Label Studio reads samples with "
                                   "(the cluster's wf2k8s-s3-label-studio Secret)")
        studio.add_s3_storage(project["id"], reader, store.bucket, store.key(dataset, "samples"))
    job.record = {"task_name": job.name, "dataset_name": dataset, "task_type": task_type,
                  "project_id": project["id"], "project_url": studio.web_url(project["id"]), "labels": labels,
                  "properties": (properties.properties if properties else None) or {}, "description": description,
                  "created": now(), "created_by": {"run": run.name, "step": spec.step}, "synced": None}
    job.save()
    return job, project


def import_samples(job: Job, samples: list[dict]) -> int:
    """Add the samples the project lacks as tasks; returns how many were added."""
    record = record_of(job)
    task_type = record["task_type"]
    key = interface(task_type)[0]
    known = {t.get("data", {}).get("wf2k8s_id") for t in job.studio.tasks(record["project_id"])}
    new = []
    for sample in samples:
        if sample["id"] in known:
            continue
        task: dict[str, Any] = {"data": task_data(sample, key)}
        result = to_result(sample, task_type, key)
        if result:
            task["annotations"] = [{"result": result}]
        new.append(task)
    job.studio.import_tasks(record["project_id"], new)
    return len(new)


def resumed(path: Path | None) -> bool:
    """Whether someone told the run to go on (the pod annotation, as the kubelet writes it to a file)."""
    key, value = podinfo.LABELING_DONE
    return podinfo.annotations(path).get(key) == value


def progress(tasks: list[dict]) -> tuple[int, int]:
    return sum(latest_annotation(t) is not None for t in tasks), len(tasks)


def report_progress(done: int, total: int) -> None:
    """Argo's self-reported progress (``N/M`` in $ARGO_PROGRESS_FILE): the Argo UI shows the node at 4/10."""
    path = os.environ.get("ARGO_PROGRESS_FILE")
    if path and total:
        try:
            Path(path).write_text(f"{done}/{total}\n")
        except OSError:
            pass  # progress is a courtesy; labeling goes on without it


def counters(job: Job) -> tuple[int, int]:
    """Labeled and all tasks, from the project's own counters (cheap, unlike reading every task)."""
    record = record_of(job)
    project = job.studio.project(record["project_id"])
    if project is None:
        raise LabelingError(f"the Label Studio project {record['project_id']} of labeling job {job.name!r} "
                            "is gone (was Label Studio restarted without its data?)")
    return int(project.get("finished_task_number") or 0), int(project.get("task_number") or 0)


def wait(job: Job, spec: LabelingPhase, run: RunContext, pod_files: Path | None, sleep=time.sleep) -> list[dict]:
    """Poll until every task is labeled or the run is resumed; returns the project's tasks. Polls every
    ``policy.poll_interval_seconds``, at least 3 s apart (each poll asks Label Studio)."""
    interval = max(float(spec.policy.poll_interval_seconds), 3.0)
    record = record_of(job)
    shown = None
    print(f"waiting for labeling: open {record['project_url']} (or `wf2k8s resume {run.name} "
          f"{spec.step}` to go on with the labels given so far)", flush=True)
    while True:
        done, total = counters(job)
        if (done, total) != shown:
            print(f"labeled {done}/{total}", flush=True)
            report_progress(done, total)
            shown = (done, total)
        if done >= total:
            break
        if resumed(pod_files):
            print(f"resumed with {done}/{total} labeled", flush=True)
            break
        sleep(interval)
    return job.studio.tasks(record["project_id"])


def apply_labels(samples: list[dict], tasks: list[dict], task_type: str) -> int:
    """Set each sample's labels to its task's latest annotation; returns how many samples changed."""
    by_id = {s["id"]: s for s in samples}
    changed = 0
    for task in tasks:
        sample = by_id.get((task.get("data") or {}).get("wf2k8s_id"))
        annotation = latest_annotation(task)
        if sample is None or annotation is None:
            continue
        entries = from_result(annotation, task_type)
        if [(e["name"], e.get("property")) for e in entries] != \
                [(e.get("name"), e.get("property")) for e in sample.get("annotation") or []]:
            changed += 1
        if entries:
            sample["annotation"] = entries
        else:
            sample.pop("annotation", None)
    return changed


def auto_sync(properties: LabelTaskProperties | None) -> bool:
    """Whether the job's labels go into the dataset: the spec's ``auto_sync_dataset``. A LabelingStep without
    properties (a labeling job that exists, as it is) has no such field; its labels go into the dataset, as
    ModelArts' labeling jobs do."""
    return properties.auto_sync_dataset if properties is not None else True


def run(spec: LabelingPhase, run: RunContext) -> dict:
    store = Store(S3.from_env())
    studio = LabelStudio.from_env()
    job, project = open_job(store, studio, spec, run)
    record = record_of(job)
    dataset, task_type = job.dataset, record["task_type"]
    samples = store.manifest(dataset)
    added = import_samples(job, samples)
    print(f"{added} new samples imported into labeling job {job.name} ({len(samples)} in the dataset)")
    tasks = wait(job, spec, run, podinfo.directory())
    samples = store.manifest(dataset)  # re-read: an import may have added samples while the job waited
    changed = apply_labels(samples, tasks, task_type)
    store.write_manifest(dataset, samples, "tasks", job.name, "manifest.json")
    synced = auto_sync(spec.properties)
    if synced:
        info = store.info(dataset)
        datasets.remember_labels(info, record["labels"])
        store.write_manifest(dataset, samples)
        store.write_json(dataset, info, "dataset.json")
    record["synced"] = now() if synced else record.get("synced")
    job.save()
    done, total = progress(tasks)
    print(f"labeling job {job.name}: {done}/{total} labeled, {changed} samples' labels changed, "
          f"{'written to' if synced else 'not synchronised with'} dataset {dataset}")
    result = {**output_of(store, dataset, None), "task_name": job.name, "project_id": project["id"],
              "project_url": record["project_url"]}
    return {"outputs": {o.name: dict(result) for o in spec.outputs},
            "variables": {}, "counts": {"labeled": done, "tasks": total, "changed": changed}}


def import_data(spec: DatasetImportPhase, run: RunContext) -> dict:
    """DatasetImportStep: the import into the dataset; into a labeling job, the job's project gets the new
    samples (with the labels they came with) and the job's manifest is brought up to date."""
    _, ref = dataset_input(spec, run)
    if not ref.get("task_name"):
        return datasets.import_data(spec, run)
    store = Store(S3.from_env())
    job = Job(store, LabelStudio.from_env(), ref["dataset_name"], ref["task_name"])
    if job.record is None:
        raise LabelingError(f"labeling job {job.name!r} of dataset {job.dataset!r} does not exist: create it with "
                            "a LabelingStep first")
    result = datasets.import_data(spec, run)
    samples = store.manifest(job.dataset)
    added = import_samples(job, samples)
    apply_labels(samples, job.studio.tasks(job.record["project_id"]), job.record["task_type"])
    store.write_manifest(job.dataset, samples, "tasks", job.name, "manifest.json")
    print(f"{added} new samples added to labeling job {job.name} (project {job.record['project_id']})")
    return result
