"""ModelStep: register a model version in the MLflow Model Registry.

The model files stay where the training wrote them (an OBS/S3 directory); the registry holds a
version whose ``source`` is their ``s3://`` URI, so a later ServiceStep (KServe) can fetch them
directly. MLflow is reached through its REST API (``/api/2.0/mlflow/...``) at
``MLFLOW_TRACKING_URI`` (``clients.MLflow``); the runtime stays standard-library only.

Sources (the step's inputs): one OBS model directory or file (an OBS path, an OBS placeholder,
another step's output), at most one image (SWRImage, SWRImagePlaceholder, or a GalleryModel,
resolved through the catalog's ``gallery_models``), and/or a ``Template`` in the output's
ModelConfig. The version's ``source`` is the model directory if there is one, else the first
template input, else ``docker://<image>`` for an image-only model.

Versions: MLflow numbers versions 1, 2, 3 ...; the ModelArts version ``x.y.z`` (each part 1-99)
is the version tag ``modelarts.version``. A given ``model_version`` may be registered once per
model; registering it again with the same source returns the existing version (idempotent
re-runs), with another source it is an error. A blank ``model_version`` takes the next one after
the highest registered: 1.1.1, 1.1.2, ... 1.1.99, 1.2.1, ... 1.99.99, 2.1.1, ... 99.99.99. A
re-run of the same run, step and output with the same source returns what it registered before.

Every ModelConfig field MLflow cannot hold natively is a version tag (see ``TAGS``); the
description is the version's description.

Model type: the ModelConfig's ``model_type`` (always in the spec). With a GalleryModel input whose
catalog entry names a type, that type is used instead unless the ModelConfig chose another type
than ``TensorFlow`` (the type a ModelConfig has when the pipeline names none): the precedence the
step had when the compiler left a ``TensorFlow`` model_type out of the spec.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from wf2k8s.contract import ContractError
from wf2k8s.contract.phases import GalleryModel, ModelConfig, ModelPhase, SWRImage, Template
from wf2k8s.contract.refs import ParamRef
from wf2k8s.contract.support import MODEL_TYPES

from .clients import S3, MLflow, S3Error, split_uri
from .context import RunContext
from .resolve import load_catalog
from .untrusted import loads, shown

#: the model_type a ModelConfig has when the pipeline names none: a subscribed model's catalog type overrides it
UNCHOSEN_MODEL_TYPE = "TensorFlow"
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
VERSION = re.compile(r"([1-9][0-9]?)\.([1-9][0-9]?)\.([1-9][0-9]?)")
FIRST_VERSION = (1, 1, 1)

#: version tags: ModelConfig field (or what) -> tag name
VERSION_TAG = "modelarts.version"
TAGS = {
    "model_type": "modelarts.model_type",
    "runtime": "modelarts.runtime",
    "execution_code": "modelarts.execution_code",
    "dependencies": "modelarts.dependencies",
    "model_metrics": "modelarts.model_metrics",
    "apis": "modelarts.apis",
    "initial_config": "modelarts.initial_config",        # JSON
    "install_type": "modelarts.install_type",            # JSON list
    "dynamic_load_mode": "modelarts.dynamic_load_mode",
    "prebuild": "modelarts.prebuild",                    # true / false
    "image": "modelarts.image",                          # SWR image or the subscribed model's image
    "gallery_model": "modelarts.gallery_model",          # <subscription_id>/<version_num>
    "template_id": "modelarts.template_id",
    "infer_format": "modelarts.infer_format",
    "template_inputs": "modelarts.template_inputs",      # JSON {input_id: s3 URI}
    "model_uri": "modelarts.model_uri",                  # the model files ("" for an image-only model)
    "run": "wf2k8s.run",
    "namespace": "wf2k8s.namespace",
    "step": "wf2k8s.step",
    "output": "wf2k8s.output",
}


def tags_of(version: dict) -> dict[str, str]:
    return {t["key"]: t.get("value", "") for t in version.get("tags") or []}


# versions ----------------------------------------------------------------------------------------


def parse_version(text: Any) -> tuple[int, int, int] | None:
    match = VERSION.fullmatch(str(text or ""))
    return tuple(int(p) for p in match.groups()) if match else None  # type: ignore[return-value]


def format_version(parts: tuple[int, int, int]) -> str:
    return ".".join(str(p) for p in parts)


def next_version(existing: list[str]) -> str:
    """The version after the highest of ``existing`` (1.1.1 when none); the last part first, carrying at 99."""
    parsed = [v for v in (parse_version(e) for e in existing) if v]
    if not parsed:
        return format_version(FIRST_VERSION)
    x, y, z = max(parsed)
    z += 1
    if z > 99:
        z, y = 1, y + 1
    if y > 99:
        y, x = 1, x + 1
    if x > 99:
        raise ContractError("the model has version 99.99.99, the last one ModelArts allows: give another model_name")
    return format_version((x, y, z))


def same_source(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


# sources -----------------------------------------------------------------------------------------


def obs_uri(value: Any, what: str) -> str:
    """An OBS location (path text, ``{"uri"|"obs_path": ...}``, JSON text of those) as ``s3://bucket/key``."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = loads(value, what, ContractError)
        except ContractError:
            raise ContractError(f"{what}: {shown(value)} is not an OBS path") from None
    if isinstance(value, dict):
        value = value.get("uri") or value.get("obs_path") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        raise ContractError(f"{what}: no OBS path (got {value!r})")
    try:
        bucket, key = split_uri(value.strip())
    except S3Error as problem:
        raise ContractError(f"{what}: {problem}") from None
    return f"s3://{bucket}/{key}"


def check_files(s3: S3, uri: str, what: str) -> str:
    """``uri`` when it names an object, ``uri/`` when it names a prefix with objects; else an error."""
    bucket, key = split_uri(uri)
    if key and not key.endswith("/") and s3.exists(bucket, key):
        return uri
    prefix = key if key.endswith("/") or not key else key + "/"
    for found in s3.list(bucket, prefix):
        if not found.endswith("/"):  # directory markers (an empty output directory) are not model files
            return f"s3://{bucket}/{prefix}"
    raise ContractError(f"{what}: no model files at {uri} (the S3 prefix holds no objects)")


def gallery_model(data: dict) -> tuple[str, dict]:
    key = f"{data.get('subscription_id')}/{data.get('version_num')}"
    table = load_catalog().get("gallery_models") or {}
    if key not in table:
        known = ", ".join(sorted(table)) or "none"
        raise ContractError(f"subscribed model {key!r} is not in the catalog (ConfigMap wf2k8s-catalog, "
                            f"key gallery_models; known: {known})")
    entry = table[key]
    if not isinstance(entry, dict) or not entry.get("image"):
        raise ContractError(f"subscribed model {key!r}: its catalog entry has no image")
    return key, entry


def catalog_template(template_id: Any) -> dict | None:
    """The catalog's entry for a model template (``templates``: ``{"image", "initial_config"}``), or None: a
    template's model is served by the template's image, which the catalog names, as ModelArts' templates do."""
    entry = (load_catalog().get("templates") or {}).get(str(template_id))
    if entry is None:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("image"), str) or not entry["image"].strip():
        raise ContractError(f"template {str(template_id)!r}: its catalog entry has no image")
    if entry.get("initial_config") is not None and not isinstance(entry["initial_config"], dict):
        raise ContractError(f"template {str(template_id)!r}: its catalog entry's initial_config must be an object")
    return entry


def sources(spec: ModelPhase, run: RunContext) -> dict:
    """The step's inputs sorted out: ``{"model": s3 URI | None, "image": str | None, "gallery": (key, entry)}``."""
    found: dict[str, Any] = {"model": None, "image": None, "gallery": None}
    for item in spec.inputs:
        raw = item.data
        what = f"input {item.name!r}"
        if isinstance(raw, GalleryModel):
            kind = "gallery"
        elif isinstance(raw, SWRImage) or (isinstance(raw, ParamRef) and raw.type == "swr"):
            kind = "image"
        else:
            kind = "model"
        value = run.resolve(raw)
        if kind != "model" and (found["image"] or found["gallery"]):
            raise ContractError(f"{what}: only one image source (SWRImage, SWRImagePlaceholder or GalleryModel) "
                                "is allowed")
        if kind == "gallery":
            found["gallery"] = gallery_model(value)
            found["image"] = str(found["gallery"][1]["image"])
        elif kind == "image":
            image = value.get("swr_path") if isinstance(value, dict) else value
            if not isinstance(image, str) or not image.strip():
                raise ContractError(f"{what}: no image reference (got {image!r})")
            found["image"] = image.strip()
        else:
            if found["model"]:
                raise ContractError(f"{what}: only one model directory is allowed, {found['model']} is one already")
            found["model"] = obs_uri(value, what)
    return found


# the step ----------------------------------------------------------------------------------------


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def choice(value: Any, field_name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ContractError(f"{field_name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def run(spec: ModelPhase, run: RunContext) -> dict:
    step = spec.step
    mlflow = MLflow.from_env()
    found = sources(spec, run)
    s3 = None
    if found["model"]:
        s3 = S3.from_env()
        found["model"] = check_files(s3, found["model"], "model directory")
    outputs = spec.outputs
    if not outputs:
        raise ContractError("the step has no outputs: nothing to register")
    result: dict[str, Any] = {"outputs": {}, "variables": {}}
    for output in outputs:
        name = output.name
        config: ModelConfig = run.resolve(output.model_config)
        template_tags: dict[str, str] = {}
        template_source = None
        if config.template:
            s3 = s3 or S3.from_env()
            template_tags, template_source = template_of(config.template, s3)
        if config.model_type == "Template" and not config.template:
            raise ContractError(f"output {name!r}: model_type Template needs a template in model_config")
        own = found
        template = catalog_template(config.template.template_id) if config.template else None
        if template and not found["image"]:  # the template's image serves it, unless an image input is given
            own = {**found, "image": template["image"].strip()}
            if config.initial_config is None and template.get("initial_config") is not None:
                config = dataclasses.replace(config, initial_config=template["initial_config"])
        if not (found["model"] or found["image"] or template_source):
            raise ContractError(f"output {name!r}: no model source: give an OBS model directory, an image, "
                                "a subscribed model, or a Template in model_config")
        registered = register(mlflow, run, step, name, config, own, template_tags, template_source,
                              single=len(outputs) == 1)
        result["outputs"][name] = registered
        result["variables"][name] = dict(registered)
    return result


def template_of(template: Template, s3: S3) -> tuple[dict[str, str], str | None]:
    """A resolved Template's tags and its first input (the version's source when there are no model files)."""
    if not template.template_id:
        raise ContractError("template.template_id is missing")
    inputs: dict[str, str] = {}
    for i, item in enumerate(template.template_inputs):
        what = f"template.template_inputs[{i}] ({item.input_id!r})"
        inputs[str(item.input_id)] = check_files(s3, obs_uri(item.input, what), what)
    tags = {TAGS["template_id"]: text(template.template_id), TAGS["template_inputs"]: text(inputs)}
    if template.infer_format:
        tags[TAGS["infer_format"]] = text(template.infer_format)
    return tags, next(iter(inputs.values()), None)


def model_type_of(config: ModelConfig, gallery: tuple[str, dict] | None) -> Any:
    """The config's model type; a subscribed model's catalog type when the config did not choose one."""
    if gallery and gallery[1].get("model_type") and config.model_type == UNCHOSEN_MODEL_TYPE:
        return gallery[1]["model_type"]
    return config.model_type


def register(mlflow: MLflow, run: RunContext, step: str, output: str, config: ModelConfig, found: dict,
             template_tags: dict[str, str], template_source: str | None, single: bool) -> dict:
    model_name = config.model_name or (step if single else f"{step}-{output}"[:64])
    if not isinstance(model_name, str) or not NAME.fullmatch(model_name):
        raise ContractError(f"model_name must be 1-64 letters, digits, '-' or '_', got {model_name!r}")
    gallery = found["gallery"]
    model_type = model_type_of(config, gallery)
    choice(model_type, "model_type", MODEL_TYPES)
    wanted = config.model_version  # resolved: None, "" or the value given (text, unless a parameter was typed)
    if wanted is not None and (not isinstance(wanted, str) or (wanted and not parse_version(wanted))):
        raise ContractError(f"model_version must be Digit.Digit.Digit, each part 1-99 without a leading zero, "
                            f"got {wanted!r}")
    if config.runtime:
        choice(config.runtime, "runtime", MODEL_TYPES)
    if config.dynamic_load_mode:
        choice(config.dynamic_load_mode, "dynamic_load_mode", ("Single",))
    model_uri = found["model"] or ""
    source = model_uri or template_source or f"docker://{found['image']}"

    tags = {TAGS["model_type"]: model_type}
    for field_name in ("runtime", "execution_code", "dependencies", "model_metrics", "apis", "initial_config",
                       "install_type", "dynamic_load_mode", "prebuild"):
        if getattr(config, field_name) is not None:
            tags[TAGS[field_name]] = text(getattr(config, field_name))
    if found["image"]:
        tags[TAGS["image"]] = found["image"]
    if gallery:
        tags[TAGS["gallery_model"]] = gallery[0]
    tags.update(template_tags)
    tags[TAGS["model_uri"]] = model_uri
    tags.update({TAGS["run"]: run.name, TAGS["namespace"]: run.namespace, TAGS["step"]: step,
                 TAGS["output"]: output})

    if mlflow.registered_model(model_name) is None:
        mlflow.create_registered_model(model_name, {"wf2k8s.created_by": f"{run.name}/{step}"})
        print(f"registered model {model_name!r} created in {mlflow.uri}")
    versions = list(mlflow.versions(model_name))
    existing = reuse(versions, model_name, wanted, source, tags)
    if existing is not None:
        version = existing
        print(f"model {model_name!r} version {tags_of(version)[VERSION_TAG]} (MLflow {version['version']}) "
              f"is already registered from {source}: reused")
    else:
        target = wanted or next_version([tags_of(v).get(VERSION_TAG, "") for v in versions])
        version = mlflow.create_version(model_name, source, {**tags, VERSION_TAG: target},
                                        str(config.description or ""))
        version = settle(mlflow, model_name, version, bool(wanted), source)
        print(f"model {model_name!r} version {tags_of(version)[VERSION_TAG]} registered as MLflow version "
              f"{version['version']} from {source}")
    registered = {"model_name": model_name, "model_version": tags_of(version)[VERSION_TAG],
                  "mlflow_version": str(version["version"]), "uri": model_uri or template_source or "",
                  "model_type": model_type}
    if found["image"]:
        registered["image"] = found["image"]
    return registered


def reuse(versions: list[dict], model_name: str, wanted: str | None, source: str, tags: dict) -> dict | None:
    """The version this registration already made (a re-run), or None; a taken explicit version is an error."""
    if wanted:
        for version in versions:
            if tags_of(version).get(VERSION_TAG) == wanted:
                if same_source(version.get("source", ""), source):
                    return version
                raise ContractError(f"model {model_name!r} already has version {wanted} (MLflow version "
                                    f"{version['version']}, source {version.get('source')}); give another "
                                    "model_version, or leave it blank for the next one")
        return None
    mine = (TAGS["run"], TAGS["namespace"], TAGS["step"], TAGS["output"])
    for version in versions:
        theirs = tags_of(version)
        if VERSION_TAG in theirs and all(theirs.get(k) == tags[k] for k in mine) \
                and same_source(version.get("source", ""), source):
            return version
    return None


def settle(mlflow: MLflow, model_name: str, version: dict, explicit: bool, source: str) -> dict:
    """Two runs registering at once can pick the same x.y.z: the lower MLflow version keeps it.

    The later one takes the next free version (auto) or is undone (explicit: a conflict, or the same
    registration, which is then the earlier one's).
    """
    for _ in range(20):
        mine = int(version["version"])
        label = tags_of(version)[VERSION_TAG]
        others = [v for v in mlflow.versions(model_name) if int(v["version"]) != mine]
        earlier = [v for v in others if tags_of(v).get(VERSION_TAG) == label and int(v["version"]) < mine]
        if not earlier:
            return version
        if explicit:
            mlflow.delete_version(model_name, str(mine))
            first = min(earlier, key=lambda v: int(v["version"]))
            if same_source(first.get("source", ""), source):
                return first
            raise ContractError(f"model {model_name!r} already has version {label} (MLflow version "
                                f"{first['version']}, source {first.get('source')}); give another model_version, "
                                "or leave it blank for the next one")
        label = next_version([tags_of(v).get(VERSION_TAG, "") for v in others] + [label])
        mlflow.set_version_tag(model_name, str(mine), VERSION_TAG, label)
        version = {**version, "tags": [t for t in version.get("tags") or [] if t["key"] != VERSION_TAG]
                   + [{"key": VERSION_TAG, "value": label}]}
    raise ContractError(f"model {model_name!r}: could not settle a free version number (too many concurrent "
                        "registrations)")
