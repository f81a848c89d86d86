"""The dataset phases on S3: CreateDatasetStep, DatasetImportStep, ReleaseDatasetStep, and datasets as job inputs.

Layout
======

Every dataset lives under one root, ``s3://$WF2K8S_S3_BUCKET/datasets/`` (override the whole root
with ``WF2K8S_DATASET_ROOT=s3://bucket/prefix/``)::

    datasets/<name>/dataset.json            what the dataset is (below); written when it is created
    datasets/<name>/samples/<path>          the sample files, copied from the OBS input; never overwritten
    datasets/<name>/annotations/<path>.xml  PASCAL VOC files of object-detection samples (annotation-loc)
    datasets/<name>/manifest.json           the working manifest: every sample and its labels (JSON lines)
    datasets/<name>/versions/<V>/manifest.json   a released version's manifest (JSON lines), written once
    datasets/<name>/versions/<V>/version.json    the version's facts; written last, so a version without
                                                 it is incomplete and is not a version
    datasets/<name>/tasks/<task>.json            a labeling job (labeling.py): its Label Studio project
    datasets/<name>/tasks/<task>/manifest.json   the working manifest with that job's labels; a release
                                                 of the labeling job reads this one

``dataset.json``: ``{"dataset_name", "data_type" (DataTypeEnum: IMAGE, TEXT, AUDIO, TABULAR, VIDEO,
FREE_FORMAT), "dataset_format": 0 (file), "description", "work_path" (the CreateDatasetOutput's OBS
path), "labels": [{"name", "type"}], "created", "created_by": {"run", "step"}}``.

Manifests are the ModelArts manifest form, one JSON object a line::

    {"id": "...", "source": "s3://b/datasets/pets/samples/cat/1.jpg", "usage": "TRAIN",
     "sha256": "...", "origin": "s3://b/raw/cat/1.jpg",
     "annotation": [{"type": "modelarts/image_classification", "name": "cat",
                     "annotated-by": "human", "creation-time": "2024-01-01 10:00:00"}]}

``usage`` is TRAIN, EVAL or "" (the working manifest holds what the last release or import set);
``annotation`` is absent for an unlabeled sample; ``hard``/``hard-coefficient`` as ModelArts.
Text samples are single lines of the imported text files, inline: ``"source": "content://<text>"``.
Object detection annotations are one entry per object with ``name`` and either ``annotation-loc``
(the VOC XML under ``annotations/``, ``"annotation-format": "PASCAL VOC"``) plus
``property: {"@modelarts:bndbox": {xmin, ymin, xmax, ymax}, "@modelarts:difficult": bool}``, or for
YOLO ``"annotation-format": "YOLO"`` and ``property: {"@modelarts:yolo_box": [xc, yc, w, h]}``.

``version.json``: ``{"dataset_name", "version_name", "version_format": "Default", "description",
"label_task_type", "train_evaluate_sample_ratio", "clear_hard_property", "remove_sample_usage",
"created", "created_by", "samples", "train", "eval", "labeled", "labels": {name: count},
"manifest_sha256"}``. Versions are immutable: a version name is released once; the samples a
version refers to are never overwritten (a file imported later under a taken path with other
content is stored as ``<stem>.<sha8><ext>``).

Versions are ``V001``, ``V002``, ... (the next after the highest ``V<n>``) unless ``version_name``
is given. The split is deterministic: the samples that get a usage (all of them, or with
``remove_sample_usage=False`` those without one) are ordered by sha256 of their id, and the first
``round(ratio * n)`` are TRAIN, the rest EVAL.

Import formats (``annotation_format_config.format_name``; the directory is the OBS input)
=========================================================================================

* MA_IMAGE_CLASSIFICATION_V1: an image ``x.jpg`` with ``x.txt`` beside it holding its labels (one a
  line, or separated by ``label_separator``); an image without one in a sub-directory is labeled with
  its first directory's name (folder per class); images at the top without a label file are unlabeled.
* MA_IMAGENET_V1: folder per class only.
* MA_PASCAL_VOC_V1: ``x.jpg`` with ``x.xml`` (PASCAL VOC) beside it; ``difficult_only`` keeps samples
  with a difficult object.
* YOLO: ``x.jpg`` with ``x.txt`` (``class xc yc w h`` lines), class names in ``classes.txt`` or
  ``obj.names`` (one a line) at the top of the directory.
* MA_TEXT_CLASSIFICATION_V1: text files; with ``x_result.txt`` beside ``x.txt`` line *i* of the
  result file holds the labels of line *i*, otherwise each line is ``text<sample_label_separator>labels``.
* MA_TEXT_CLASSIFICATION_COMBINE_V1: each line is ``text<sample_label_separator>labels``.
* MA_AUDIO_CLASSIFICATION_DIR_V1: folder per class of audio files.
* MA_IMAGE_SEGMENTATION_V1 is refused ("not supported").
* ``import_type`` manifest: the OBS input is a manifest file (JSON lines); its ``source`` files are
  copied in and its annotations kept.

Without a format, samples are imported unlabeled. Which files are samples depends on the data type:
IMAGE (jpg, jpeg, png, bmp, gif, webp, tif, tiff), AUDIO (wav, mp3, flac, ogg, m4a, aac), VIDEO (mp4,
avi, mov, mkv, webm), TEXT (every line of .txt/.csv/.tsv files is a sample), TABULAR (csv files) and
FREE_FORMAT (every file). Table datasets (dataset_format 1) are refused.

As a job input
==============

``download_input`` (used by the JobStep runtime) takes a resolved dataset reference (a ``Dataset``'s
JSON, a DatasetPlaceholder's or DataSelector's JSON value, a release output, a labeling job) and writes the
version's files into the input's directory: ``manifest.json`` whose ``source`` fields are the local
paths of the files (``origin`` keeps the ``s3://`` URI; ``content://`` text samples stay inline),
``version.json``, and the sample files under their paths within ``samples/``. A reference without
a version name reads the latest released version.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable

from wf2k8s.contract.phases import (
    AnnotationFormatConfig, AnnotationFormatParameters, CreateDatasetPhase, DatasetImportPhase, ImportConfig, Label,
    LabelFormat, ReleaseDatasetPhase,
)
from wf2k8s.contract.support import ANNOTATION_FORMATS, TABLE_DATASET_FORMATS

from .clients import S3, split_uri
from .context import RunContext
from .errors import PhaseError
from .untrusted import (
    JSON_LIMIT, LABEL_LIMIT, MANIFEST_LIMIT, TEXT_LIMIT, decimal, decimal_problem, key_problem, loads, local_path,
    number_problem, read_object, shown, size_text, whole,
)

NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
VERSION_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
AUTO_VERSION = re.compile(r"V([0-9]{1,9})")  # ASCII digits: names listed from the bucket are untrusted
EXTENSIONS = {
    "IMAGE": {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"},
    "AUDIO": {".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac"},
    "VIDEO": {".mp4", ".avi", ".mov", ".mkv", ".webm"},
    "TEXT": {".txt", ".csv", ".tsv"},
    "TABULAR": {".csv"},
}
ANNOTATION_TYPES = {
    "IMAGE_CLASSIFICATION": "modelarts/image_classification", "OBJECT_DETECTION": "modelarts/object_detection",
    "TEXT_CLASSIFICATION": "modelarts/text_classification", "AUDIO_CLASSIFICATION": "modelarts/audio_classification",
}
SUPPORTED = ANNOTATION_FORMATS  # the SDK refuses the others when written literally
#: the separators of labels in text, when the spec has neither a label_format nor format parameters
NO_SEPARATORS = (",", "\t")
FORMAT_DATA_TYPES = {
    "MA_IMAGE_CLASSIFICATION_V1": "IMAGE", "MA_IMAGENET_V1": "IMAGE", "MA_PASCAL_VOC_V1": "IMAGE", "YOLO": "IMAGE",
    "MA_TEXT_CLASSIFICATION_V1": "TEXT", "MA_TEXT_CLASSIFICATION_COMBINE_V1": "TEXT",
    "MA_AUDIO_CLASSIFICATION_DIR_V1": "AUDIO",
}


class DatasetError(PhaseError):
    """A dataset, its input data or a version cannot be used (the message names the file or field)."""


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def truthy(value: Any, what: str) -> bool:
    """A resolved flag: a bool, or the text true/false a placeholder or the SDK's text field gives."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise DatasetError(f"{what}: must be true or false, got {value!r}")


def enum_name(value: Any) -> str | None:
    """A resolved enum value's name (``IMAGE``, ``DataTypeEnum.IMAGE`` or ``image`` -> ``IMAGE``)."""
    if value is None:
        return None
    return str(value).split(".")[-1].upper()


# where datasets live ----------------------------------------------------------------------------


class Store:
    """The dataset root on S3 and the few operations on one dataset."""

    def __init__(self, s3: S3, root: str | None = None):
        self.s3 = s3
        root = root or os.environ.get("WF2K8S_DATASET_ROOT")
        if not root:
            bucket = os.environ.get("WF2K8S_S3_BUCKET")
            if not bucket:
                raise DatasetError("no place for datasets: set WF2K8S_S3_BUCKET (the cluster's wf2k8s-config "
                                   "ConfigMap does) or WF2K8S_DATASET_ROOT")
            root = f"s3://{bucket}/datasets/"
        self.bucket, prefix = split_uri(root)
        self.prefix = prefix if prefix.endswith("/") or not prefix else prefix + "/"

    def key(self, name: str, *parts: str) -> str:
        """``<prefix><name>/`` or ``<prefix><name>/<part>/<part>``."""
        return self.prefix + name + "/" + "/".join(parts)

    def uri(self, name: str, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(name, *parts)}"

    def read_json(self, name: str, *parts: str) -> dict | None:
        """A JSON object of the dataset's layout (dataset.json, version.json, a task record); None when
        there is none. Anyone who can write the bucket writes these: read with bounds (``untrusted``)."""
        key = self.key(name, *parts)
        if not self.s3.exists(self.bucket, key):
            return None
        where = self.uri(name, *parts)
        value = loads(read_object(self.s3, self.bucket, key, JSON_LIMIT, "dataset file", DatasetError), where,
                      DatasetError)
        if not isinstance(value, dict):
            raise DatasetError(f"{where}: must be a JSON object, got {type(value).__name__}")
        return value

    def write_json(self, name: str, value: Any, *parts: str) -> None:
        self.s3.put(self.bucket, self.key(name, *parts), json.dumps(value, indent=1, sort_keys=True).encode())

    def info(self, name: str) -> dict:
        info = self.read_json(name, "dataset.json")
        if info is None:
            raise DatasetError(f"dataset {name!r} does not exist (no {self.uri(name, 'dataset.json')})")
        where = self.uri(name, "dataset.json")
        if not isinstance(info.get("data_type"), str):
            raise DatasetError(f"{where}: data_type must be text, got {shown(info.get('data_type'))}")
        labels = info.get("labels")
        if labels is not None and not isinstance(labels, list):
            raise DatasetError(f"{where}: labels must be a list of {{name, type}}, got {shown(labels)}")
        for index, label in enumerate(labels or []):
            if not isinstance(label, dict) or not isinstance(label.get("name"), str):
                raise DatasetError(f"{where}: labels[{index}] must be an object with a text name, got {shown(label)}")
        return info

    def manifest(self, name: str, *parts: str) -> list[dict]:
        parts = parts or ("manifest.json",)
        key = self.key(name, *parts)
        if not self.s3.exists(self.bucket, key):
            return []
        body = read_object(self.s3, self.bucket, key, MANIFEST_LIMIT, "manifest", DatasetError)
        return parse_manifest(body, self.uri(name, *parts), require_id=True)

    def write_manifest(self, name: str, samples: list[dict], *parts: str) -> bytes:
        body = "".join(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n" for s in samples).encode()
        self.s3.put(self.bucket, self.key(name, *(parts or ("manifest.json",))), body)
        return body

    def versions(self, name: str) -> list[str]:
        """Released (complete) versions, oldest first by name."""
        prefix = self.key(name, "versions/")
        found = {k[len(prefix):].split("/")[0] for k in self.s3.list(self.bucket, prefix)
                 if k.endswith("/version.json")}
        found = {v for v in found if version_name_ok(v)}  # a listed key is untrusted: no '..' as a version

        def order(version: str) -> tuple[int, int | str]:  # V1, V2, ... by number, then other names
            auto = AUTO_VERSION.fullmatch(version)
            return (0, int(auto.group(1))) if auto else (1, version)

        return sorted(found, key=order)

    def latest(self, name: str) -> str:
        infos = [(self.read_json(name, "versions", v, "version.json") or {}, v) for v in self.versions(name)]
        if not infos:
            raise DatasetError(f"dataset {name!r} has no released version: release one with a ReleaseDatasetStep")
        return max(infos, key=lambda pair: (str(pair[0].get("created", "")), pair[1]))[1]


def parse_manifest(body: bytes, where: str, require_id: bool = False) -> list[dict]:
    """The samples of a manifest (JSON lines, UTF-8, at most ``MANIFEST_LIMIT`` bytes), each checked
    (``sample_problem``); a dataset's own manifests (``require_id``) give every sample an id."""
    if len(body) > MANIFEST_LIMIT:
        raise DatasetError(f"manifest {where}: {len(body)} bytes, over the {size_text(MANIFEST_LIMIT)} limit")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as undecodable:
        raise DatasetError(f"manifest {where}: not UTF-8 text (byte 0x{body[undecodable.start]:02x} at offset "
                           f"{undecodable.start})") from None
    samples = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        sample = loads(line, f"{where} line {number}", DatasetError)
        if not isinstance(sample, dict) or not sample.get("source"):
            raise DatasetError(f"{where} line {number}: a manifest line must be an object with a 'source'")
        problem = sample_problem(sample, require_id)
        if problem:
            raise DatasetError(f"{where} line {number}: {problem}")
        samples.append(sample)
    return samples


def sample_problem(sample: dict, require_id: bool = False) -> str | None:
    """What is wrong with a manifest line the runtime reads (its fields of the ModelArts form), or None."""
    if not isinstance(sample["source"], str):
        return f"'source' must be text, got {shown(sample['source'])}"
    if require_id and not isinstance(sample.get("id"), str):
        return f"'id' must be text, got {shown(sample.get('id'))}"
    for field in ("id", "usage", "sha256", "origin"):
        if sample.get(field) is not None and not isinstance(sample[field], str):
            return f"{field!r} must be text, got {shown(sample[field])}"
    if sample.get("hard-coefficient") is not None and number_problem(sample["hard-coefficient"]):
        return f"'hard-coefficient' {number_problem(sample['hard-coefficient'])}"
    entries = sample.get("annotation")
    if entries is None:
        return None
    if not isinstance(entries, list):
        return f"'annotation' must be a list of objects, got {shown(entries)}"
    for index, entry in enumerate(entries):
        what = f"annotation[{index}]"
        if not isinstance(entry, dict):
            return f"{what} must be an object, got {shown(entry)}"
        for field in ("name", "type", "annotation-loc", "annotation-format"):
            if entry.get(field) is not None and not isinstance(entry[field], str):
                return f"{what}.{field} must be text, got {shown(entry[field])}"
        prop = entry.get("property")
        if prop is None:
            continue
        if not isinstance(prop, dict):
            return f"{what}.property must be an object, got {shown(prop)}"
        box = prop.get("@modelarts:bndbox")
        if box is not None:
            if not isinstance(box, dict):
                return f"{what}.property.@modelarts:bndbox must be an object of numbers, got {shown(box)}"
            for key, value in box.items():
                if number_problem(value):
                    return f"{what}.property.@modelarts:bndbox.{key} {number_problem(value)}"
        yolo = prop.get("@modelarts:yolo_box")
        if yolo is not None:
            if not isinstance(yolo, list) or len(yolo) != 4:
                return f"{what}.property.@modelarts:yolo_box must be 4 numbers, got {shown(yolo)}"
            for key, value in enumerate(yolo):
                if number_problem(value):
                    return f"{what}.property.@modelarts:yolo_box[{key}] {number_problem(value)}"
    return None


# references to datasets --------------------------------------------------------------------------


def version_name_ok(version: Any) -> bool:
    """A version name is one segment of the dataset's layout: never '.' or '..'."""
    return isinstance(version, str) and bool(VERSION_NAME.fullmatch(version)) and version not in (".", "..")


def reference(value: Any) -> dict | None:
    """A dataset reference ({"dataset_name", ["version_name"]}) from any form a spec holds; None for OBS paths."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        value = loads(value, f"not a dataset (JSON expected): {shown(value)}", DatasetError)
    if isinstance(value, dict) and value.get("dataset_name"):
        name = str(value["dataset_name"])
        if not NAME.fullmatch(name):
            raise DatasetError(f"dataset_name {shown(name)}: must be 1-100 letters, digits, '_' or '-'")
        version, task = value.get("version_name") or None, value.get("task_name") or None
        if version is not None and not version_name_ok(version):
            raise DatasetError(f"dataset {name!r}: version_name {shown(version)} must be 1-64 letters, digits, "
                               "'.', '_' or '-' (not '.' or '..')")
        if task is not None and not (isinstance(task, str) and NAME.fullmatch(task)):
            raise DatasetError(f"dataset {name!r}: task_name {shown(task)} must be 1-100 letters, digits, '_' or '-'")
        return {"dataset_name": name, "version_name": version, "task_name": task}
    return None


def dataset_input(spec: Any, run: RunContext) -> tuple[str, dict]:
    """The one input of a dataset phase (``spec.inputs``) that is a dataset (or labeling job): its name and
    reference."""
    for item in spec.inputs:
        ref = reference(run.resolve(item.data))
        if ref:
            return item.name, ref
    raise DatasetError("no input is a dataset or labeling job")


def obs_input(spec: Any, run: RunContext) -> tuple[str, str]:
    for item in spec.inputs:
        value = run.resolve(item.data)
        if isinstance(value, dict) and not value.get("dataset_name"):
            value = value.get("uri") or value.get("obs_path")
        if isinstance(value, str) and not value.lstrip().startswith("{"):
            bucket, key = split_uri(value)
            return item.name, f"s3://{bucket}/{key}"
    raise DatasetError("no input is an OBS path to import from")


def output_of(store: Store, name: str, version: str | None) -> dict:
    if version:
        return {"dataset_name": name, "version_name": version, "uri": store.uri(name, "versions", version) + "/",
                "manifest": store.uri(name, "versions", version, "manifest.json")}
    return {"dataset_name": name, "version_name": None, "uri": store.uri(name),
            "manifest": store.uri(name, "manifest.json")}


# reading OBS input data ------------------------------------------------------------------------------


class Source:
    """The files of an OBS directory (or one file), read lazily and once.

    Their paths under the directory become the samples' paths in the dataset (``samples/<path>``) and,
    in a job, local files: a key whose path has an empty, '.' or '..' segment is refused here, before
    anything is imported (``untrusted.key_problem``)."""

    def __init__(self, s3: S3, uri: str):
        self.s3, self.uri = s3, uri
        self.bucket, key = split_uri(uri)
        self.cache: dict[str, bytes] = {}
        keys = s3.objects(self.bucket, key)
        if keys == [key]:  # one file: its name is its path
            self.prefix = key[:key.rfind("/") + 1]
        else:
            self.prefix = key if key.endswith("/") or not key else key + "/"
        self.files = [k[len(self.prefix):] for k in keys]
        if not self.files:
            raise DatasetError(f"nothing to import at {uri}")
        for rel in self.files:
            problem = key_problem(rel)
            if problem:
                raise DatasetError(f"{self.where(rel)} (key {shown(self.prefix + rel)}): its path {shown(rel)} under "
                                   f"{uri} {problem}, so it cannot be a sample's path (refused)")
        self.names = set(self.files)

    def read(self, rel: str, keep: bool = True, limit: int = LABEL_LIMIT) -> bytes:
        """A file's bytes; label files are kept (read again by other samples) and read whole only up to
        ``limit``; sample files (``keep=False``) are copied as they are."""
        if rel in self.cache:
            return self.cache[rel]
        if not keep:
            return self.s3.get(self.bucket, self.prefix + rel)
        body = read_object(self.s3, self.bucket, self.prefix + rel, limit, "input file", DatasetError)
        self.cache[rel] = body
        return body

    def text(self, rel: str, limit: int = LABEL_LIMIT) -> str:
        body = self.read(rel, limit=limit)
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError as problem:
            raise DatasetError(f"{self.where(rel)}: not UTF-8 text (byte 0x{body[problem.start]:02x} at offset "
                               f"{problem.start})") from None

    def where(self, rel: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{rel}"


def stem(rel: str) -> str:
    return posixpath.splitext(rel)[0]


def ext(rel: str) -> str:
    return posixpath.splitext(rel)[1].lower()


def split_labels(text: str, separator: str) -> list[str]:
    labels: list[str] = []
    for line in text.splitlines():
        labels.extend(part.strip() for part in line.split(separator) if part.strip())
    return labels


def annotation(kind: str, name: str, **extra: Any) -> dict:
    return {"type": ANNOTATION_TYPES[kind], "name": name, "annotated-by": "human", "creation-time": now(), **extra}


class Parsed:
    """One sample found in the input: a file (``rel``) or an inline text, with its annotations."""

    def __init__(self, rel: str | None, annotations: list[dict] | None = None, text: str | None = None,
                 extra_files: dict[str, bytes] | None = None, hard: bool = False):
        self.rel, self.text, self.hard = rel, text, hard
        self.annotations = annotations or []
        self.extra_files = extra_files or {}  # annotation files to store: annotations/<path> -> bytes

    def labels(self) -> set[str]:
        return {a["name"] for a in self.annotations if a.get("name")}


def separators(params: AnnotationFormatParameters | None, label_format: LabelFormat | None) -> tuple[str, str]:
    """The label and sample-label separators: the import's label_format, else the format's parameters; when
    the spec has neither object there is no separator field to read, and labels are read as ModelArts
    writes them (``,`` between labels, a tab between a text and its labels)."""
    given = label_format or params
    if given is None:
        return NO_SEPARATORS
    for name in ("label_separator", "sample_label_separator"):
        if not getattr(given, name):
            raise DatasetError(f"{'label_format' if label_format else 'annotation_format_config.parameters'}."
                               f"{name}: must not be empty")
    return given.label_separator, given.sample_label_separator


def parse_input(source: Source, data_type: str, format_name: str | None, params: AnnotationFormatParameters | None,
                label_format: LabelFormat | None) -> list[Parsed]:
    label_sep, sample_sep = separators(params, label_format)
    if format_name and format_name not in SUPPORTED:
        raise DatasetError(f"annotation format {format_name} is not supported (supported: {', '.join(SUPPORTED)})")
    if format_name and data_type not in (FORMAT_DATA_TYPES[format_name], "FREE_FORMAT"):
        raise DatasetError(f"annotation format {format_name} is for {FORMAT_DATA_TYPES[format_name]} datasets, "
                           f"this dataset's data_type is {data_type}")
    if format_name:
        data_type = FORMAT_DATA_TYPES[format_name]
    if data_type == "TEXT":
        return parse_text(source, format_name, label_sep, sample_sep, label_format.label_type if label_format else None)
    wanted = EXTENSIONS.get(data_type)
    files = [rel for rel in source.files if wanted is None or ext(rel) in wanted]
    if data_type == "FREE_FORMAT" and format_name is None:
        return [Parsed(rel) for rel in files]
    found = []
    classes = yolo_classes(source) if format_name == "YOLO" else []
    for rel in files:
        folder = rel.split("/")[0] if "/" in rel else None
        if format_name == "MA_IMAGE_CLASSIFICATION_V1":
            label_file = stem(rel) + ".txt"
            if label_file in source.names:
                names = split_labels(source.text(label_file), label_sep)
                found.append(Parsed(rel, [annotation("IMAGE_CLASSIFICATION", n) for n in names]))
            else:
                found.append(Parsed(rel, [annotation("IMAGE_CLASSIFICATION", folder)] if folder else []))
        elif format_name == "MA_IMAGENET_V1":
            found.append(Parsed(rel, [annotation("IMAGE_CLASSIFICATION", folder)] if folder else []))
        elif format_name == "MA_AUDIO_CLASSIFICATION_DIR_V1":
            found.append(Parsed(rel, [annotation("AUDIO_CLASSIFICATION", folder)] if folder else []))
        elif format_name == "MA_PASCAL_VOC_V1":
            found.append(parse_voc(source, rel))
        elif format_name == "YOLO":
            found.append(parse_yolo(source, rel, classes))
        else:
            found.append(Parsed(rel))
    if params is not None and params.difficult_only:
        found = [p for p in found if p.hard]
    return found


def parse_voc(source: Source, rel: str) -> Parsed:
    xml_rel = stem(rel) + ".xml"
    if xml_rel not in source.names:
        return Parsed(rel)
    body = source.read(xml_rel)
    if b"<!ENTITY" in body:  # PASCAL VOC files declare none; entities can expand a small file enormously
        raise DatasetError(f"{source.where(xml_rel)}: declares XML entities, which a PASCAL VOC file has no use for "
                           "(refused)")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, LookupError) as unparsable:  # an encoding expat cannot read: ValueError
        raise DatasetError(f"{source.where(xml_rel)}: not a PASCAL VOC XML file ({unparsable})") from None
    annotations, difficult_any = [], False
    for number, obj in enumerate(root.iter("object"), 1):
        name = (obj.findtext("name") or "").strip()
        if not name:
            raise DatasetError(f"{source.where(xml_rel)}: object {number} has no <name>")
        box = obj.find("bndbox")
        bndbox = {}
        if box is not None:
            for k in ("xmin", "ymin", "xmax", "ymax"):
                text = box.findtext(k) or ""
                problem = decimal_problem(text)
                if problem:
                    raise DatasetError(f"{source.where(xml_rel)}: object {number} ({shown(name)}) has a bndbox that "
                                       f"is not four numbers: {k} {shown(text.strip())} is {problem}")
                bndbox[k] = float(text)
        difficult = (obj.findtext("difficult") or "0").strip() in ("1", "true")
        difficult_any |= difficult
        annotations.append(annotation("OBJECT_DETECTION", name, **{
            "annotation-format": "PASCAL VOC", "annotation-loc": "annotations/" + xml_rel,
            "property": {"@modelarts:bndbox": bndbox, "@modelarts:difficult": difficult}}))
    return Parsed(rel, annotations, extra_files={xml_rel: body}, hard=difficult_any)


def yolo_classes(source: Source) -> list[str]:
    for name in ("classes.txt", "obj.names", "classes.names"):
        if name in source.names:
            return [line.strip() for line in source.text(name).splitlines() if line.strip()]
    raise DatasetError(f"YOLO: no classes.txt or obj.names at the top of {source.uri}")


def parse_yolo(source: Source, rel: str, classes: list[str]) -> Parsed:
    label_rel = stem(rel) + ".txt"
    if label_rel not in source.names:
        return Parsed(rel)
    annotations = []
    for number, line in enumerate(source.text(label_rel).splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        where = f"{source.where(label_rel)} line {number}"
        if len(parts) < 5:
            raise DatasetError(f"{where}: expected 'class x_center y_center width height' with a class index "
                               f"below {len(classes)}, got {shown(line.strip())}")
        index = whole(parts[0], f"{where}: the class index", DatasetError)
        if not 0 <= index < len(classes):
            raise DatasetError(f"{where}: expected 'class x_center y_center width height' with a class index "
                               f"below {len(classes)}, got {shown(line.strip())}")
        box = [decimal(p, f"{where}: {field}", DatasetError)
               for p, field in zip(parts[1:5], ("x_center", "y_center", "width", "height"), strict=True)]
        annotations.append(annotation("OBJECT_DETECTION", classes[index], **{
            "annotation-format": "YOLO", "property": {"@modelarts:yolo_box": box}}))
    return Parsed(rel, annotations)


def parse_text(source: Source, format_name: str | None, label_sep: str, sample_sep: str,
               label_type: str | None) -> list[Parsed]:
    files = [rel for rel in source.files if ext(rel) in EXTENSIONS["TEXT"] and not stem(rel).endswith("_result")]
    found = []
    for rel in files:
        lines = [line for line in source.text(rel, TEXT_LIMIT).splitlines()]
        result_rel = stem(rel) + "_result" + ext(rel)
        separate = (format_name == "MA_TEXT_CLASSIFICATION_V1" and result_rel in source.names
                    and label_type != "same_file")
        results = source.text(result_rel, TEXT_LIMIT).splitlines() if separate else []
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            text, names = line, []
            if separate:
                names = split_labels(results[index], label_sep) if index < len(results) else []
            elif format_name:
                if sample_sep not in line:
                    raise DatasetError(f"{source.where(rel)} line {index + 1}: no separator {sample_sep!r} between "
                                       "the text and its labels")
                text, _, label_text = line.rpartition(sample_sep)
                names = split_labels(label_text, label_sep)
            found.append(Parsed(None, [annotation("TEXT_CLASSIFICATION", n) for n in names], text=text))
    return found


def parse_manifest_input(source: Source, s3: S3) -> tuple[list[Parsed], dict[str, tuple[S3, str]]]:
    """``import_type`` manifest: the input is a manifest file; its sources become samples."""
    if len(source.files) != 1:
        manifests = [f for f in source.files if f.endswith((".manifest", ".json", ".jsonl"))]
        if len(manifests) != 1:
            raise DatasetError(f"import_type manifest: {source.uri} must be one manifest file")
        rel = manifests[0]
    else:
        rel = source.files[0]
    found, remote = [], {}
    for number, sample in enumerate(parse_manifest(source.read(rel, limit=MANIFEST_LIMIT), source.where(rel)), 1):
        src = sample["source"]
        annotations = sample.get("annotation") or []
        if src.startswith("content://"):
            found.append(Parsed(None, annotations, text=src[len("content://"):], hard=bool(sample.get("hard"))))
            continue
        try:
            bucket, key = split_uri(src)  # stored as samples/<key>: sources in different folders stay apart
        except PhaseError as not_s3:
            raise DatasetError(f"{source.where(rel)} sample {number}: {not_s3}") from None
        problem = key_problem(key)
        if problem:
            raise DatasetError(f"{source.where(rel)} sample {number}: source {shown(src)} (key {shown(key)}) "
                               f"{problem}, so it cannot be a sample's path (refused)")
        remote[key] = (s3, f"s3://{bucket}/{key}")
        found.append(Parsed(key, annotations, hard=bool(sample.get("hard"))))
    return found, remote


# merging into a dataset ---------------------------------------------------------------------------


def label_names(labels: list[Label] | None) -> set[str]:
    return {str(label.name) for label in labels or [] if label.name}


def merge(store: Store, name: str, source: Source, parsed: list[Parsed], *, import_samples: bool = True,
          import_annotations: bool = True, remote: dict | None = None) -> dict:
    """Copy the samples in and merge them into the working manifest; returns counts."""
    info = store.info(name)
    samples = store.manifest(name)
    by_id = {s.get("id"): s for s in samples}
    taken = {s["source"]: s.get("sha256") for s in samples}
    added = updated = 0
    for item in parsed:
        annotations = item.annotations if import_annotations else []
        if item.text is not None:
            body, sample_source, origin = item.text.encode(), "content://" + item.text, None
            digest = sha256(body)
            sample_id = sha256(b"content\n" + body)[:24]
        else:
            rel = item.rel
            if rel is None:
                raise DatasetError("a parsed sample has neither a file nor a text (a bug in the input's parser)")
            if remote and rel in remote:
                client, uri = remote[rel]
                bucket, key = split_uri(uri)
                body, origin = client.get(bucket, key), uri
            else:
                body, origin = source.read(rel, keep=False), source.where(rel)
            digest = sha256(body)
            sample_id = sha256(f"{rel}\n{digest}".encode())[:24]
            target = store.uri(name, "samples", rel)
            if taken.get(target, digest) != digest:  # the path holds other content in an earlier sample
                base, suffix = posixpath.splitext(rel)
                target = store.uri(name, "samples", f"{base}.{digest[:8]}{suffix}")
            sample_source = target
        for rel, content in item.extra_files.items():
            location = store.key(name, "annotations", rel)
            store.s3.put(store.bucket, location, content)
            for entry in annotations:
                if entry.get("annotation-loc") == "annotations/" + rel:
                    entry["annotation-loc"] = f"s3://{store.bucket}/{location}"
        existing = by_id.get(sample_id)
        if existing is not None:
            if annotations:
                existing["annotation"] = annotations
                updated += 1
            continue
        if not import_samples:
            continue  # labels only for samples the dataset already has
        if not sample_source.startswith("content://"):
            bucket, key = split_uri(sample_source)
            if not store.s3.exists(bucket, key):
                store.s3.put(bucket, key, body)
        sample: dict[str, Any] = {"id": sample_id, "source": sample_source, "usage": "", "sha256": digest}
        if origin:
            sample["origin"] = origin
        if annotations:
            sample["annotation"] = annotations
        if item.hard:
            sample["hard"] = True
        samples.append(sample)
        by_id[sample_id] = sample
        taken[sample_source] = digest
        added += 1
    remember_labels(info, (entry for sample in samples for entry in sample.get("annotation") or []))
    store.write_manifest(name, samples)
    store.write_json(name, info, "dataset.json")
    return {"added": added, "updated": updated, "samples": len(samples)}


def remember_labels(info: dict, labels: Iterable[dict]) -> None:
    """Add the names the dataset's ``labels`` (dataset.json) do not list yet, with their type."""
    known = {label["name"] for label in info.get("labels") or []}
    for label in labels:
        if label.get("name") and label["name"] not in known:
            known.add(label["name"])
            info.setdefault("labels", []).append({"name": label["name"], "type": label.get("type")})


def filter_labels(parsed: list[Parsed], included: set[str], excluded: set[str]) -> list[Parsed]:
    if included:
        parsed = [p for p in parsed if p.labels() & included]
    if excluded:
        parsed = [p for p in parsed if not p.labels() & excluded]
    return parsed


def first_format(configs: list[AnnotationFormatConfig] | None) -> tuple[str | None, AnnotationFormatParameters | None]:
    configs = configs or []
    if len(configs) > 1:
        names = {enum_name(c.format_name) for c in configs}
        if len(names) > 1:
            raise DatasetError(f"annotation_format_config: one format per import, got {', '.join(map(str, names))}")
    if not configs:
        return None, None
    return enum_name(configs[0].format_name), configs[0].parameters


def import_kind(value: Any) -> str:
    if value in (0, "0") or enum_name(value) == "DIR":
        return "dir"
    if value in (1, "1") or enum_name(value) == "MANIFEST":
        return "manifest"
    raise DatasetError(f"import_type: must be dir or manifest, got {value!r}")


def load_input(s3: S3, uri: str, kind: str, data_type: str, format_name: str | None,
               params: AnnotationFormatParameters | None,
               label_format: LabelFormat | None) -> tuple[Source, list[Parsed], dict]:
    source = Source(s3, uri)
    if kind == "manifest":
        parsed, remote = parse_manifest_input(source, s3)
        return source, parsed, remote
    return source, parse_input(source, data_type, format_name, params, label_format), {}


# the phases ---------------------------------------------------------------------------------


def import_settings(config: ImportConfig | None,
                    run: RunContext) -> tuple[str | None, AnnotationFormatParameters | None, bool, str]:
    """A CreateDatasetStep's import: format, its parameters, whether labels are imported, dir or manifest.
    Without an import_config the input directory's files are imported as they are, unlabeled."""
    if config is None:
        return None, None, False, "dir"
    format_name, params = first_format(config.annotation_format_config)
    import_annotations = truthy(run.resolve(config.import_annotations), "import_config.import_annotations")
    return format_name, params, import_annotations, import_kind(config.import_type)


def create(spec: CreateDatasetPhase, run: RunContext) -> dict:
    s3 = S3.from_env()
    store = Store(s3)
    properties = spec.properties
    name = run.resolve(properties.dataset_name)
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise DatasetError(f"properties.dataset_name: must be 1-100 letters, digits, '_' or '-', got {name!r}")
    if properties.dataset_format in TABLE_DATASET_FORMATS:
        raise DatasetError("properties.dataset_format: table datasets are not supported on Kubernetes; use 0 (file)")
    data_type = enum_name(properties.data_type)
    if data_type is None:  # the contract requires it: None here is a bug
        raise DatasetError("properties.data_type: missing")
    outputs = spec.outputs
    work_path = run.resolve(outputs[0].config.obs_path) if outputs else None
    existing = store.read_json(name, "dataset.json")
    if existing is not None:
        print(f"dataset {name} exists ({store.uri(name)}): using it as it is")
        counts = {"created": False, "samples": len(store.manifest(name))}
    else:
        format_name, params, import_annotations, kind = import_settings(properties.import_config, run)
        _, uri = obs_input(spec, run)
        source, parsed, remote = load_input(s3, uri, kind, data_type,
                                            format_name if import_annotations else None, params, None)
        included = label_names(params.included_labels if params else None)
        parsed = filter_labels(parsed, included, set())
        info: dict[str, Any] = {"dataset_name": name, "data_type": data_type, "dataset_format": 0,
                "description": properties.description or "", "work_path": work_path, "labels": [],
                "created": now(), "created_by": {"run": run.name, "step": spec.step}}
        store.write_json(name, info, "dataset.json")
        counts = {"created": True, **merge(store, name, source, parsed, import_annotations=import_annotations,
                                           remote=remote)}
        print(f"dataset {name} created at {store.uri(name)} from {uri}: {counts}")
    if work_path:  # the output path holds the working manifest too, as ModelArts' dataset output path does
        bucket, key = split_uri(work_path)
        key = key if key.endswith("/") or not key else key + "/"
        s3.put(bucket, key + f"{name}.manifest", s3.get(store.bucket, store.key(name, "manifest.json")))
    result = output_of(store, name, None)
    return {"outputs": {o.name: dict(result) for o in outputs}, "variables": {}, "counts": counts}


def import_data(spec: DatasetImportPhase, run: RunContext) -> dict:
    s3 = S3.from_env()
    store = Store(s3)
    _, ref = dataset_input(spec, run)
    _, uri = obs_input(spec, run)
    name = ref["dataset_name"]
    info = store.info(name)
    properties = spec.properties
    format_name, params = first_format(properties.annotation_format_config)
    import_annotations = properties.import_annotations
    source, parsed, remote = load_input(s3, uri, import_kind(properties.import_type), info["data_type"],
                                        format_name if import_annotations else None, params, properties.label_format)
    included = label_names(properties.included_labels) | label_names(params.included_labels if params else None)
    parsed = filter_labels(parsed, included, label_names(properties.excluded_labels))
    counts = merge(store, name, source, parsed, import_samples=properties.import_samples,
                   import_annotations=import_annotations, remote=remote)
    print(f"imported {uri} into dataset {name}: {counts}")
    result = output_of(store, name, None)
    if ref.get("task_name"):
        result["task_name"] = ref["task_name"]
    return {"outputs": {o.name: dict(result) for o in spec.outputs}, "variables": {}, "counts": counts}


def ratio_of(value: Any) -> float:
    """A resolved train_evaluate_sample_ratio as a number from 0 to 1."""
    ratio = -1.0
    if isinstance(value, str) and decimal_problem(value) is None:
        ratio = float(value)
    elif not isinstance(value, str) and number_problem(value) is None:
        ratio = float(value)
    if not 0.0 <= ratio <= 1.0:
        raise DatasetError(f"dataset_version_config.train_evaluate_sample_ratio: must be a number from 0 to 1, "
                           f"got {shown(value)}")
    return ratio


def split(samples: list[dict], ratio: float, dataset: str) -> None:
    """Set usage TRAIN/EVAL on samples without one: deterministic, exactly round(ratio * n) TRAIN."""
    pending = sorted((s for s in samples if not s.get("usage")),
                     key=lambda s: sha256(f"{dataset}\n{s.get('id') or s['source']}".encode()))
    train = int(round(ratio * len(pending) + 1e-9))
    for index, sample in enumerate(pending):
        sample["usage"] = "TRAIN" if index < train else "EVAL"


def release(spec: ReleaseDatasetPhase, run: RunContext) -> dict:
    s3 = S3.from_env()
    store = Store(s3)
    _, ref = dataset_input(spec, run)
    name = ref["dataset_name"]
    store.info(name)
    outputs = {}
    for output in spec.outputs:
        config = run.resolve(output.dataset_version_config)
        if config.version_format != "Default":
            raise DatasetError(f"dataset_version_config.version_format: {config.version_format} is not supported; "
                               "use Default")
        ratio = ratio_of(config.train_evaluate_sample_ratio)
        clear_hard = truthy(config.clear_hard_property, "dataset_version_config.clear_hard_property")
        remove_usage = truthy(config.remove_sample_usage, "dataset_version_config.remove_sample_usage")
        existing = store.versions(name)
        version = config.version_name
        if version:
            version = str(version)
            if not version_name_ok(version):
                raise DatasetError(f"dataset_version_config.version_name: {version!r} must be 1-64 letters, digits, "
                                   "'.', '_' or '-'")
            if version in existing:
                raise DatasetError(f"dataset {name!r} already has version {version} (versions are immutable)")
        else:
            numbers = [int(m.group(1)) for m in map(AUTO_VERSION.fullmatch, existing) if m]
            version = f"V{max(numbers, default=0) + 1:03d}"
        # a labeling job releases the dataset with that job's labels
        working = ("tasks", ref["task_name"], "manifest.json") if ref.get("task_name") and \
            store.s3.exists(store.bucket, store.key(name, "tasks", ref["task_name"], "manifest.json")) \
            else ("manifest.json",)
        samples = store.manifest(name, *working)
        for sample in samples:
            if clear_hard:
                sample.pop("hard", None)
                sample.pop("hard-coefficient", None)
            if remove_usage:
                sample["usage"] = ""
        split(samples, ratio, name)
        body = store.write_manifest(name, samples, "versions", version, "manifest.json")
        labels: dict[str, int] = {}
        for sample in samples:
            for entry in sample.get("annotation") or []:
                if entry.get("name"):
                    labels[entry["name"]] = labels.get(entry["name"], 0) + 1
        task_type = enum_name(config.label_task_type)
        facts = {"dataset_name": name, "version_name": version, "version_format": config.version_format,
                 "description": config.description or "", "label_task_type": task_type,
                 "train_evaluate_sample_ratio": ratio, "clear_hard_property": clear_hard,
                 "remove_sample_usage": remove_usage, "created": now(),
                 "created_by": {"run": run.name, "step": spec.step}, "samples": len(samples),
                 "train": sum(s["usage"] == "TRAIN" for s in samples),
                 "eval": sum(s["usage"] == "EVAL" for s in samples),
                 "labeled": sum(bool(s.get("annotation")) for s in samples), "labels": labels,
                 "manifest_sha256": sha256(body)}
        store.write_json(name, facts, "versions", version, "version.json")
        store.write_manifest(name, samples, *working)  # the working manifest keeps the usage this release set
        print(f"released {name} {version}: {facts['samples']} samples, {facts['train']} TRAIN, "
              f"{facts['eval']} EVAL, labels {labels}")
        outputs[output.name] = output_of(store, name, version)
    return {"outputs": outputs, "variables": {}}


# datasets as job inputs -------------------------------------------------------------------------


def download_version(s3: S3, ref: dict, destination: Path, store: Store | None = None) -> Path:
    """The version's manifest (sources made local), version.json and sample files into ``destination``."""
    store = store or Store(s3)
    name = ref["dataset_name"]
    store.info(name)
    version = ref.get("version_name") or store.latest(name)
    facts = store.read_json(name, "versions", version, "version.json")
    if facts is None:
        raise DatasetError(f"dataset {name!r} has no version {version!r} (released: "
                           f"{', '.join(store.versions(name)) or 'none'})")
    samples = store.manifest(name, "versions", version, "manifest.json")
    destination.mkdir(parents=True, exist_ok=True)
    samples_prefix = f"s3://{store.bucket}/{store.key(name, 'samples')}/"
    targets = []  # every sample's local path is checked before any is written (untrusted.local_path)
    for sample in samples:
        src = sample["source"]
        if src.startswith("content://"):
            continue
        bucket, key = split_uri(src)
        rel = src[len(samples_prefix):] if src.startswith(samples_prefix) else posixpath.basename(key)
        targets.append((sample, src, bucket, key,
                        local_path(destination, rel, f"version {name}/{version}: sample {shown(src)}", DatasetError)))
    for sample, src, bucket, key, target in targets:
        body = s3.get(bucket, key)
        if sample.get("sha256") and sha256(body) != sample["sha256"]:
            raise DatasetError(f"version {name}/{version}: {src} changed since the release (sha256 differs)")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        except OSError as problem:  # sample paths "a" and "a/b" cannot both be files
            raise DatasetError(f"version {name}/{version}: sample {src} cannot be written to {target} "
                               f"({problem.strerror or problem})") from None
        sample["origin"], sample["source"] = src, str(target)
    (destination / "manifest.json").write_text(
        "".join(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n" for s in samples))
    (destination / "version.json").write_text(json.dumps(facts, indent=1, sort_keys=True))
    print(f"dataset {name} version {version}: {len(samples)} samples to {destination}")
    return destination


def download_input(s3: S3, value: Any, destination: Path) -> Path | None:
    """A JobStep input: the dataset version's files when ``value`` is a dataset reference, else None."""
    ref = reference(value)
    if ref is None:
        return None
    return download_version(s3, ref, destination)
