"""ServiceStep: deploy registered model versions as a KServe InferenceService (seed 4.4.7).

The deployment input is the seed's list ``[{"model_name", "model_version", "specification",
"weight"}, ...]`` (a ServiceInputPlaceholder's value, given while the run waits, or a fixed
ModelData). Its rules: the weights sum to 100 (a missing weight is 0, or 100 for a single
entry), one model name (the placeholder's ``model_name`` when it names one), distinct versions,
the "[" and "]" around it; a specification must be a flavor or an object of limits. ``wf2k8s
input`` checks a value with these same functions (``service_input_entries``) before it resumes the
run, so the run keeps waiting; a bad value set another way (the Argo UI) is refused by the step with
the seed's message, and the step waits for a corrected one (``wf2k8s input`` again, which annotates
the step's pod: ``corrected_input``).

Each version is looked up in the MLflow Model Registry (``MLFLOW_TRACKING_URI``, as ModelStep
registered it): by its ModelArts version tag ``modelarts.version`` (``x.y.z``), else by the MLflow
version number; a blank version is the newest. Its ``source`` (``s3://...``) is the
InferenceService's ``storageUri`` and its ``modelarts.model_type`` tag the ``modelFormat``
(Scikit_Learn -> sklearn, XGBoost -> xgboost, TensorFlow -> tensorflow, PyTorch -> pytorch:
``MODEL_FORMATS``). A version registered with an image (``modelarts.image``) is a custom predictor instead: the
image as ``kserve-container``, with its port and health check (ModelArts' 8080 and GET /health unless
``initial_config`` says otherwise) and its model files as ``STORAGE_URI``, which KServe's storage initializer
fetches into /mnt/models. Other types are refused with why and what to do (``MODEL_TYPES_NOT_SERVED``).

The InferenceService (Standard/RawDeployment mode) is named after ``service_name`` or the step
(DNS-safe), runs as ServiceAccount ``wf2k8s-kserve`` (whose Secret carries the S3 endpoint and
credentials for KServe's storage initializer), and gets ``envs`` as its container's environment.
It is created, or replaced when what this step wants differs from what runs (an unchanged
deployment is left alone: no restart). The step then polls it every ``poll_interval_seconds``
until it is Ready, and fails with KServe's reason when the model cannot load (or, as KServe's
Standard mode does not report that, when a predictor container keeps exiting: with the end of its
log) or ``max_execution_minutes`` pass.

Kubernetes is reached with the pod's service account (``clients.Kube``), MLflow with ``clients.MLflow``;
standard library only.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import time
import urllib.parse
from typing import Any, Callable, Mapping

from wf2k8s.contract import ContractError
from wf2k8s.contract.phases import (
    Input, ModelData, ServiceConfig, ServiceData, ServiceOutput, ServicePhase, TripartiteServiceConfig,
)
from wf2k8s.contract.refs import ParamRef
from wf2k8s.contract.support import MODEL_FORMATS, MODEL_TYPES_NOT_SERVED, SERVICE_UNSUPPORTED_FIELDS

from . import batch as batch_module
from . import podinfo
from .clients import S3, Kube, MLflow
from .context import RunContext
from .errors import PhaseError
from .kserve import GROUP, isvc_path
from .model import TAGS, VERSION_TAG, tags_of
from .untrusted import loads, number_problem, shown

FORMATS = MODEL_FORMATS  # model_type -> KServe modelFormat (the others need an image: MODEL_TYPES_NOT_SERVED)
#: a model server image's port and health check when its registration names none: ModelArts' custom image
#: conventions (the server listens on 8080 and answers GET /health when it is ready)
IMAGE_PORT = 8080
IMAGE_HEALTH_PATH = "/health"
#: where KServe's storage initializer puts the model files of a custom container (its STORAGE_URI variable)
MODEL_DIR = "/mnt/models"
STORAGE_URI_ENV = "STORAGE_URI"
#: the container KServe takes for the model server of a custom predictor
CONTAINER = "kserve-container"
#: initial_config.health fields -> readinessProbe fields (ModelArts' model configuration names)
PROBE_FIELDS = {"initial_delay_seconds": "initialDelaySeconds", "timeout_seconds": "timeoutSeconds",
                "period_seconds": "periodSeconds", "failure_threshold": "failureThreshold"}
SERVICE_ACCOUNT = os.environ.get("WF2K8S_KSERVE_SERVICE_ACCOUNT", "wf2k8s-kserve")
MAX_REPLICAS = int(os.environ.get("WF2K8S_SERVICE_MAX_REPLICAS", "4"))
FRONT_SUFFIX = "serving"
#: how long a stopping predictor pod still serves (its endpoints leave the Services meanwhile)
DRAIN_SECONDS = int(os.environ.get("WF2K8S_SERVICE_DRAIN_SECONDS", "10"))
NAME_LIMIT = 45  # KServe derives "<name>-predictor-<hash>" Deployments and pods from it
#: ServiceConfig fields with no meaning on Kubernetes: rejected when set
UNSUPPORTED = SERVICE_UNSUPPORTED_FIELDS  # the SDK refuses them when written literally
#: resources of a predictor when the input names no specification
DEFAULT_RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
#: ModelArts CPU specifications: modelarts.vm.cpu.<N>u (N cores, 4 GiB per core)
SPECIFICATION = re.compile(r"modelarts\.vm\.cpu\.([0-9]{1,4})u")
#: how often a step waiting for a corrected deployment input reads its pod's annotations again
INPUT_POLL_SECONDS = 5.0
#: a weight given as text: ASCII digits
WEIGHT = re.compile(r"[0-9]+")


class DeploymentError(ContractError):
    """The deployment input breaks the seed's rules (a placeholder's value of the wrong form, as
    ``parse_typed`` refuses one: ``wf2k8s input`` refuses it with this same error)."""


def input_format_message(placeholder: str, problem: str) -> str:
    return (f"ServiceInputPlaceholder {placeholder!r}: {problem}. "
            f"Please enter the ServiceInputPlaceholder \"{placeholder}\" in the following format: "
            '[{"model_name": "*****", "model_version": "v1", "specification": "*****", "weight": 50}, '
            '{"model_name": "*****", "model_version": "v2", "specification": "*****", "weight": 50}]. '
            'Note that: (1) The "[" at the beginning and "]" at the end are required. '
            "(2) The sum of the weights must be equal to 100. "
            "(3) All model must have the same model name. Two model versions cannot be the same.")


#: the fields of a deployment entry (the seed's four, and envs)
ENTRY_FIELDS = ("model_name", "model_version", "specification", "weight", "envs")


def parse_deployment(value: Any, placeholder: str = "service_input", model_name: str | None = None) -> list[dict]:
    """The seed's deployment list, checked: entries with model_name, model_version, specification, weight."""
    def bad(problem: str) -> DeploymentError:
        return DeploymentError(input_format_message(placeholder, problem))

    if isinstance(value, str):
        if not value.strip():
            raise bad("no deployment input was given")
        try:
            value = loads(value, "the input", DeploymentError)
        except DeploymentError as problem:  # not JSON, nested too deeply, NaN, a 5000-digit number
            text = str(problem)
            raise bad(f"the input is not JSON: {shown(value, 200)}" if ": not JSON (" in text else text) from None
    if isinstance(value, dict):
        raise bad("the input is one JSON object, not a list: the \"[\" at the beginning and \"]\" at the end "
                  "are required")
    if not isinstance(value, list) or not value:
        raise bad("the input must be a non-empty JSON list")
    entries: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise bad(f"entry {i} is not a JSON object")
        unknown = sorted(str(k) for k in item if k not in ENTRY_FIELDS)
        if unknown:
            named = ", ".join((k if k.isprintable() else repr(k))[:40] + ("..." if len(k) > 40 else "")
                              for k in unknown[:5]) + \
                (", ..." if len(unknown) > 5 else "")
            raise bad(f"entry {i} has unknown field(s) {named} (the fields are {', '.join(ENTRY_FIELDS)})")
        name = item.get("model_name")
        if not isinstance(name, str) or not name.strip():
            raise bad(f"entry {i} has no model_name")
        version = item.get("model_version")
        if isinstance(version, (dict, list, bool)):
            raise bad(f"entry {i} has model_version {shown(version)}, not a version text")
        version = "" if version is None else str(version).strip()
        weight = item.get("weight")
        if weight is None:
            weight = 100 if len(value) == 1 else 0
        # ASCII digits only: "²".isdigit() is True, but int("²") fails (and int("١٠") is 10)
        if isinstance(weight, bool) or not isinstance(weight, (int, str)) or \
                (isinstance(weight, str) and not WEIGHT.fullmatch(weight.strip())):
            raise bad(f"entry {i} has weight {shown(weight)}, not a whole number 0-100")
        if isinstance(weight, str):
            weight = int(weight.strip()) if len(weight.strip().lstrip("0")) <= 3 else 1000
        if weight < 0:
            raise bad(f"entry {i} has weight {weight}, not a whole number 0-100")
        if weight > 100:
            raise bad(f"entry {i} has weight {shown(item.get('weight'))}, more than 100")
        spec = item.get("specification")
        spec = spec if spec not in (None, "") else None
        try:
            resources_of(spec)
        except ContractError as problem:
            raise bad(f"entry {i}: {problem}") from None
        envs = item.get("envs") or {}
        if not isinstance(envs, dict):
            raise bad(f"entry {i} has envs {shown(envs)}, not a JSON object")
        entries.append({"model_name": name.strip(), "model_version": version, "weight": weight,
                        "specification": spec, "envs": envs})
    total = sum(e["weight"] for e in entries)
    if total != 100:
        raise bad(f"the weights sum to {total}, not 100")
    names = sorted({e["model_name"] for e in entries})
    if len(names) > 1:
        raise bad(f"the entries name several models ({', '.join(names)})")
    if model_name and names[0] != model_name:
        raise bad(f"this phase deploys model {model_name!r}, the input names {shown(names[0])}")
    versions = [e["model_version"] for e in entries]
    if len(set(versions)) != len(versions):
        raise bad(f"a model version appears twice ({', '.join(v or '<latest>' for v in versions)})")
    return entries


def service_input_entries(value: Any, placeholder: str, details: dict | None = None) -> list[dict]:
    """A ServiceInputPlaceholder's value as deployment entries, checked against the seed's rules and the
    placeholder's own fields (``details``, resolved: ``model_name``, ``model_version``). The runtime
    and ``wf2k8s input`` both use it."""
    details = details or {}
    model_name = details.get("model_name")
    model_name = str(model_name).strip() if model_name not in (None, "") else None
    entries = parse_deployment(value, placeholder, model_name)
    if details.get("model_version") and len(entries) == 1 and not entries[0]["model_version"]:
        entries[0]["model_version"] = str(details["model_version"])
    return entries


def dns_name(text: str) -> str:
    """A DNS-1035 label KServe accepts: lower case, digits and '-', starting with a letter."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name)
    if not name or not name[0].isalpha():
        name = "svc-" + name
    return name[:NAME_LIMIT].rstrip("-")


def resources_of(specification: Any) -> dict:
    """Container resources from a deployment entry's specification: a ModelArts CPU flavor
    (modelarts.vm.cpu.<N>u), a JSON object of limits ({"cpu": ..., "memory": ...}), or nothing."""
    if specification in (None, ""):
        return json.loads(json.dumps(DEFAULT_RESOURCES))
    if isinstance(specification, str):
        match = SPECIFICATION.fullmatch(specification.strip())
        if match:
            cores = int(match.group(1))
            return {"requests": DEFAULT_RESOURCES["requests"],
                    "limits": {"cpu": str(cores), "memory": f"{4 * cores}Gi"}}
        try:
            specification = loads(specification, "specification", ContractError)
        except ContractError:
            raise ContractError(f"specification {shown(specification)} is neither a ModelArts CPU flavor "
                                "(modelarts.vm.cpu.<N>u) nor a JSON object of resource limits") from None
    if not isinstance(specification, dict) or not specification:
        raise ContractError(f"specification must be a flavor name or a JSON object, got {shown(specification)}")
    for key, limit in specification.items():
        if not isinstance(limit, str) and number_problem(limit):
            raise ContractError(f"specification {shown(key)}: a resource limit is text or a number, got {shown(limit)}")
    limits = {str(k): str(v) for k, v in specification.items()}
    requests = {k: v for k, v in DEFAULT_RESOURCES["requests"].items() if k in limits}
    return {"requests": requests, "limits": limits}


#: keys of the ConfigMap wf2k8s-config (the phase's environment) that say where edge nodes are
EDGE_NODE_SELECTOR, EDGE_TOLERATIONS = "WF2K8S_EDGE_NODE_SELECTOR", "WF2K8S_EDGE_TOLERATIONS"


def edge_placement(env: dict | None = None, namespace: str = "wf2k8s") -> dict:
    """``nodeSelector`` and ``tolerations`` of predictors of infer_type "edge", from the cluster's
    configuration: WF2K8S_EDGE_NODE_SELECTOR (a JSON object of node labels, or ``key=value,...``;
    required) and WF2K8S_EDGE_TOLERATIONS (a JSON list of Kubernetes tolerations; optional)."""
    settings: Mapping[str, str] = os.environ if env is None else env
    where = f"ConfigMap wf2k8s-config (namespace {namespace})"
    text = (settings.get(EDGE_NODE_SELECTOR) or "").strip()
    if not text:
        raise PhaseError(f"ServiceConfig.infer_type 'edge': this cluster has no edge nodes configured; set "
                         f"{EDGE_NODE_SELECTOR} (the edge nodes' labels, e.g. "
                         '{"node-role.kubernetes.io/edge": "true"}) and, if they are tainted, '
                         f"{EDGE_TOLERATIONS} (a JSON list of tolerations) in {where}")
    if text.startswith("{"):
        try:
            selector = loads(text, EDGE_NODE_SELECTOR, PhaseError)
        except PhaseError as problem:
            raise PhaseError(f"{EDGE_NODE_SELECTOR} in {where} is not a JSON object: {problem}") from None
    else:
        pairs = [item.strip() for item in text.split(",") if item.strip()]
        if not all("=" in p and p.split("=", 1)[0].strip() for p in pairs):
            raise PhaseError(f"{EDGE_NODE_SELECTOR} in {where} must be a JSON object of node labels or "
                             f"key=value,... ; got {text!r}")
        selector = dict((k.strip(), v.strip()) for k, v in (p.split("=", 1) for p in pairs))
    if not isinstance(selector, dict) or not selector or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in selector.items()):
        raise PhaseError(f"{EDGE_NODE_SELECTOR} in {where} must map node label names to text values; got {text!r}")
    placement: dict = {"nodeSelector": selector}
    text = (settings.get(EDGE_TOLERATIONS) or "").strip()
    if text:
        try:
            tolerations = loads(text, EDGE_TOLERATIONS, PhaseError)
        except PhaseError as problem:
            raise PhaseError(f"{EDGE_TOLERATIONS} in {where} is not JSON: {problem}") from None
        if not isinstance(tolerations, list) or not all(isinstance(t, dict) for t in tolerations):
            raise PhaseError(f"{EDGE_TOLERATIONS} in {where} must be a JSON list of tolerations "
                             '([{"key": ..., "operator": "Exists", "effect": "NoSchedule"}]); got ' + repr(text))
        placement["tolerations"] = tolerations
    return placement


def env_list(*sources: dict | None) -> list[dict]:
    merged: dict[str, str] = {}
    for source in sources:
        for key, value in (source or {}).items():
            if value is None:
                continue
            merged[str(key)] = json.dumps(value) if isinstance(value, (dict, list)) else str(value).lower() \
                if isinstance(value, bool) else str(value)
    return [{"name": k, "value": v} for k, v in merged.items()]


def model_format(model_type: str, model: str, version: str) -> str:
    """The KServe modelFormat of a version registered without an image; a type served otherwise is refused
    with why and what to do instead (``MODEL_TYPES_NOT_SERVED``)."""
    if model_type in FORMATS:
        return FORMATS[model_type]
    why = MODEL_TYPES_NOT_SERVED.get(model_type) or \
        f"this cluster serves {', '.join(FORMATS)} models, and models registered with an image"
    raise PhaseError(f"model {model!r} version {version} has model type {model_type or 'unknown'!r}: {why}")


def tag_json(tags: dict[str, str], field_name: str, kind: type, where: str) -> Any:
    """A ModelConfig field kept as JSON text in a version tag (``initial_config``, ``apis``), or None."""
    text = tags.get(TAGS[field_name])
    if text in (None, ""):
        return None
    named = "object" if kind is dict else "list"
    try:
        value = loads(text, f"{where}: ModelConfig.{field_name}", PhaseError)
    except PhaseError as problem:
        raise PhaseError(f"{problem} (a JSON {named} is needed to serve it from its image)") from None
    if not isinstance(value, kind):
        raise PhaseError(f"{where}: ModelConfig.{field_name} is {shown(value)}, not a JSON {named}")
    return value


def whole(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PhaseError(f"{where} must be a whole number {low}-{high}, got {shown(value)}")
    return value


def image_server(tags: dict[str, str], model: str, version: str) -> dict:
    """How the model server image of a version listens (``port``, ``scheme``), is checked (``probe``) and
    started (``command``), from what its registration recorded: ModelConfig.initial_config's ``port``,
    ``health`` ({url, protocol, check_method, command, initial_delay_seconds, timeout_seconds, period_seconds,
    failure_threshold}, as a ModelArts model configuration has it) and ``command`` (the startup command: a
    text run by /bin/sh -c, or a list); else ModelConfig.apis' first API's ``port`` and ``protocol``; else
    ModelArts' custom image conventions: port 8080, GET /health."""
    where = f"model {model!r} version {version}"
    config = tag_json(tags, "initial_config", dict, where) or {}
    apis = tag_json(tags, "apis", list, where) or []
    api = apis[0] if apis and isinstance(apis[0], dict) else {}
    port = config.get("port", api.get("port", IMAGE_PORT))
    port = whole(int(port) if isinstance(port, str) and port.isdigit() else port,
                 f"{where}: initial_config.port", 1, 65535)
    health = config.get("health") or {}
    if not isinstance(health, dict):
        raise PhaseError(f"{where}: initial_config.health must be a JSON object (url, protocol, ...), got "
                         f"{shown(health)}")
    scheme = str(health.get("protocol") or api.get("protocol") or "http").lower()
    if scheme not in ("http", "https"):
        raise PhaseError(f"{where}: the health check protocol must be http or https, got {shown(scheme)}")
    method = str(health.get("check_method") or "HTTP").upper()
    if method == "EXEC":
        check = health.get("command")
        if not isinstance(check, str) or not check.strip():
            raise PhaseError(f"{where}: initial_config.health.command is needed for check_method EXEC")
        probe: dict = {"exec": {"command": ["/bin/sh", "-c", check]}}
    elif method == "HTTP":
        path = health.get("url") or IMAGE_HEALTH_PATH
        if not isinstance(path, str) or not path.startswith("/"):
            raise PhaseError(f"{where}: initial_config.health.url must be a path starting with /, got {shown(path)}")
        probe = {"httpGet": {"path": path, "port": port, "scheme": scheme.upper()}}
    else:
        raise PhaseError(f"{where}: initial_config.health.check_method must be HTTP or EXEC, got {shown(method)}")
    for key, field_name in PROBE_FIELDS.items():
        if health.get(key) is not None:
            probe[field_name] = whole(health[key], f"{where}: initial_config.health.{key}", 0, 3600)
    command = config.get("command")
    if isinstance(command, str) and command.strip():
        command = ["/bin/sh", "-c", command]
    elif command in (None, "", []):
        command = None
    elif not isinstance(command, list) or not all(isinstance(c, str) for c in command):
        raise PhaseError(f"{where}: initial_config.command must be a text or a list of texts, got {shown(command)}")
    return {"port": port, "scheme": scheme, "probe": probe, "command": command}


def served(model: dict) -> str:
    """What a predictor pod of ``model`` serves, as ``serving_uris`` finds it: its model files, and the image
    that serves them for a model served from its image."""
    return f"{model['image']} {model['uri']}".strip() if model.get("image") else model["uri"]


def pick_version(versions: list[dict], model: str, wanted: str) -> dict:
    """The registered version a deployment entry names: by modelarts.version tag, else by MLflow
    number; the newest when blank."""
    if not versions:
        raise PhaseError(f"model {model!r} has no registered version in the model registry")
    if not wanted:
        return max(versions, key=lambda v: int(v.get("version", 0)))
    for version in versions:
        if tags_of(version).get(VERSION_TAG) == wanted:
            return version
    for version in versions:
        if str(version.get("version")) == wanted:
            return version
    known = ", ".join(sorted(tags_of(v).get(VERSION_TAG) or str(v.get("version")) for v in versions))
    raise PhaseError(f"model {model!r} has no version {wanted!r} (registered: {known})")


def resolve_model(mlflow: MLflow, entry: dict) -> dict:
    """The registered version of a deployment entry, and how it is served: from its image (``image``,
    ``server``: a custom predictor container) when it was registered with one, else by its type's KServe
    modelFormat (``format``) from its model files on S3 (``uri``)."""
    model, wanted = entry["model_name"], entry["model_version"]
    version = pick_version(list(mlflow.versions(model)), model, wanted)
    tags = tags_of(version)
    source = tags.get(TAGS["model_uri"]) or version.get("source") or ""
    shown = tags.get(VERSION_TAG) or str(version.get("version"))
    model_type = tags.get(TAGS["model_type"], "")
    image = tags.get(TAGS["image"], "").strip()
    found = {**entry, "model_version": shown, "mlflow_version": str(version.get("version")), "model_type": model_type}
    if image:  # the files, if any, are KServe's storage initializer's (into /mnt/models)
        return {**found, "uri": source if source.startswith("s3://") else "", "image": image, "format": None,
                "server": image_server(tags, model, shown)}
    kserve_format = model_format(model_type, model, shown)
    if not source.startswith("s3://"):
        raise PhaseError(f"model {model!r} version {shown} has no model files on S3 (source {source!r}); "
                         "only models registered from OBS/S3 files can be deployed")
    return {**found, "uri": source, "format": kserve_format}


def served_alike(models: list[dict]) -> dict:
    """How every serving version of one service is reached (``port``, ``scheme``, ``image``: served from
    images or not): one Service spreads the requests over all their pods, so they must answer alike."""
    serving = [m for m in models if m["weight"] > 0]
    kinds = {bool(m.get("image")) for m in serving}
    if len(kinds) > 1:
        how = ", ".join(f"{m['model_version']} " + ("from its image" if m.get("image") else f"as {m['format']}")
                        for m in serving)
        raise PhaseError(f"model {serving[0]['model_name']!r}: the versions to deploy are served differently ({how}) "
                         "and one service sends every request to all of them; deploy them as separate services")
    servers = {(m["server"]["port"], m["server"]["scheme"]) for m in serving if m.get("image")}
    if len(servers) > 1:
        how = ", ".join(f"{m['model_version']} on {m['server']['scheme']} port {m['server']['port']}" for m in serving)
        raise PhaseError(f"model {serving[0]['model_name']!r}: the versions to deploy listen differently ({how}) "
                         "and one service sends every request to all of them; give them the same initial_config "
                         "port and health protocol, or deploy them as separate services")
    port, scheme = servers.pop() if servers else (8080, "http")
    return {"image": kinds == {True}, "port": port, "scheme": scheme}


def predictor(model: dict, envs: list[dict]) -> dict:
    """A predictor (or canary) of the InferenceService. Updates drop no request: the Deployment starts
    the new pod before it stops an old one (maxUnavailable 0, maxSurge 1; a readiness probe, KServe's
    on the model server's port or the image's health check, holds it back until the model is loaded), and an
    old pod keeps serving for DRAIN_SECONDS after it is told to stop (preStop), while kube-proxy takes it
    out of the Services.

    A model served from its image is a custom predictor: the image as the container ``kserve-container``,
    with its port, readiness probe and startup command (``image_server``), and the model files, if any, as
    its ``STORAGE_URI`` variable, from which KServe (v0.20) injects its storage initializer, which fetches
    them into /mnt/models (KServe's predictor has no storageUri of its own for a custom container)."""
    spec: dict = {"resources": resources_of(model.get("specification")),
                  "lifecycle": {"preStop": {"sleep": {"seconds": DRAIN_SECONDS}}}}
    if model.get("image"):
        server = model["server"]
        if model["uri"]:
            envs = [e for e in envs if e["name"] != STORAGE_URI_ENV] + \
                [{"name": STORAGE_URI_ENV, "value": model["uri"]}]
        started = {"command": server["command"]} if server["command"] else {}
        spec = {"name": CONTAINER, "image": model["image"], **started,
                "ports": [{"containerPort": server["port"], "protocol": "TCP"}], "readinessProbe": server["probe"],
                **spec}
    else:
        spec = {"modelFormat": {"name": model["format"]}, "storageUri": model["uri"], **spec}
    if envs:
        spec["env"] = envs
    body = {"containers": [spec]} if model.get("image") else {"model": spec}
    return {"serviceAccountName": SERVICE_ACCOUNT, "minReplicas": 1, **body,
            "deploymentStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}}


def desired_isvc(name: str, namespace: str, models: list[dict], envs: list[dict], step: str,
                 description: str | None, placement: dict | None = None) -> dict:
    """The InferenceService for the resolved models (weight > 0): the heaviest is the predictor, the
    others canaries with their traffic percent (KServe >= 0.20 Standard mode)."""
    serving = sorted([m for m in models if m["weight"] > 0], key=lambda m: -m["weight"])
    served_alike(serving)
    main = serving[0]
    if len(serving) > 1 and main.get("image") and not main["uri"]:
        # KServe's validator: "canary requires a stable predictor with a model"
        raise PhaseError(f"model {main['model_name']!r}: KServe splits traffic only when the main (heaviest) version "
                         f"has model files, and {main['model_version']} is an image without any; register it with "
                         "its model files (an OBS input beside the image), or deploy one version")
    spec: dict = {"predictor": predictor(main, env_list(main.get("envs")) + envs)}
    if len(serving) > 1:
        spec["predictor"]["name"] = dns_name("v" + main["model_version"].replace(".", "-"))
        spec["predictor"]["minReplicas"] = replicas([m["weight"] for m in serving])
        spec["canary"] = []
        for model in serving[1:]:
            canary = predictor(model, env_list(model.get("envs")) + envs)
            canary["name"] = dns_name("v" + model["model_version"].replace(".", "-"))
            spec["canary"].append({"predictor": canary, "trafficPercent": model["weight"]})
    if placement:  # edge: every predictor pod on the edge nodes
        for item in [spec["predictor"]] + [c["predictor"] for c in spec.get("canary", [])]:
            item.update(json.loads(json.dumps(placement)))
    annotations = {
        "serving.kserve.io/deploymentMode": "RawDeployment",
        "wf2k8s.io/model": main["model_name"],
        "wf2k8s.io/versions": json.dumps({m["model_version"]: m["weight"] for m in models}, sort_keys=True),
        "wf2k8s.io/step": step,
    }
    if description:
        annotations["wf2k8s.io/description"] = description
    if placement:
        annotations["wf2k8s.io/infer-type"] = "edge"
    return {"apiVersion": GROUP, "kind": "InferenceService",
            "metadata": {"name": name, "namespace": namespace, "annotations": annotations,
                         "labels": {"app.kubernetes.io/managed-by": "wf2k8s"}},
            "spec": spec}


def replicas(weights: list[int]) -> int:
    """Pods of a split deployment: KServe's Standard mode splits traffic by replica count (a canary gets
    ceil(replicas * percent / 100) of them), so the smallest count that renders the weights exactly,
    at most MAX_REPLICAS."""
    return max(len(weights), min(MAX_REPLICAS, 100 // math.gcd(*weights)))


def front_service(name: str, namespace: str, isvc: dict, port: int = 8080, scheme: str = "http") -> dict:
    """A Service over every predictor pod of the InferenceService, stable and canaries alike: KServe
    makes one Service per predictor, and without an ingress nothing else spreads requests by weight.
    Port 80 (443 for a model server image that speaks https) to the model servers' ``port``."""
    meta = isvc.get("metadata") or {}
    owner = [{"apiVersion": GROUP, "kind": "InferenceService", "name": name, "uid": meta["uid"],
              "blockOwnerDeletion": False}] if meta.get("uid") else []
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"{name}-{FRONT_SUFFIX}", "namespace": namespace, "ownerReferences": owner,
                         "labels": {"app.kubernetes.io/managed-by": "wf2k8s",
                                    "serving.kserve.io/inferenceservice": name}},
            "spec": {"type": "ClusterIP",
                     "selector": {"serving.kserve.io/inferenceservice": name, "component": "predictor"},
                     "ports": [{"name": scheme, "port": 443 if scheme == "https" else 80, "targetPort": port,
                                "protocol": "TCP"}]}}


def apply_front_service(kube: "Kube", wanted: dict) -> dict:
    meta = wanted["metadata"]
    path = f"/api/v1/namespaces/{meta['namespace']}/services"
    existing = kube.get(f"{path}/{meta['name']}")
    if existing is None:
        return kube.call("POST", path, wanted)
    if contains(existing.get("spec"), wanted["spec"]):
        return existing
    body = json.loads(json.dumps(existing))
    body["spec"].update(selector=wanted["spec"]["selector"], ports=wanted["spec"]["ports"])
    return kube.call("PUT", f"{path}/{meta['name']}", body)


def contains(have: Any, want: Any) -> bool:
    """True when every field of ``want`` is in ``have`` with the same value (defaults KServe adds
    to ``have`` do not count)."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(contains(have.get(k), v) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(have) == len(want) and \
            all(contains(h, w) for h, w in zip(have, want, strict=True))  # strict: the lengths are equal
    if isinstance(want, str) and isinstance(have, (int, float)):
        return want == str(have)
    return have == want


def unchanged(existing: dict, wanted: dict) -> bool:
    # KServe rewrites the deploymentMode annotation (RawDeployment -> Standard); an edge service that
    # becomes real-time again has fields (nodeSelector) the wanted spec does not name
    keys = ("wf2k8s.io/versions", "wf2k8s.io/infer-type")
    annotations = existing.get("metadata", {}).get("annotations") or {}
    return (contains(existing.get("spec"), wanted["spec"])
            and len((existing.get("spec") or {}).get("canary") or []) == len(wanted["spec"].get("canary") or [])
            and all(annotations.get(k) == wanted["metadata"]["annotations"].get(k) for k in keys))


def condition(isvc: dict, kind: str) -> dict:
    for item in (isvc.get("status") or {}).get("conditions") or []:
        if item.get("type") == kind:
            return item
    return {}


def pod_serves(pod: dict, wanted: set[str] | None = None) -> str | None:
    """What a predictor pod serves: the storage URI its storage initializer fetched, or, for a model server image,
    the image and that URI (``served``), whichever of them ``wanted`` names."""
    spec = pod.get("spec") or {}
    uris = [a for c in spec.get("initContainers") or [] for a in c.get("args") or []
            if isinstance(a, str) and "://" in a]
    images = [c.get("image") for c in spec.get("containers") or [] if c.get("name") == CONTAINER and c.get("image")]
    uri = uris[0] if uris else ""
    # a model server image's pod serves "<image> <uri>"; a KServe runtime's pod (an image no model names) its URI
    keys = [k for k in (served({"image": images[0], "uri": uri}) if images else "", uri) if k]
    return next((k for k in keys if k in (wanted or ())), uri or (keys[0] if keys else None))


def serving_uris(pods: list[dict], wanted: set[str] | None = None) -> dict[str, int]:
    """Ready predictor pods by what they serve (``pod_serves``; pods being deleted do not count)."""
    found: dict[str, int] = {}
    for pod in pods:
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in (pod.get("status") or {}).get("conditions") or [])
        key = pod_serves(pod, wanted)
        if ready and key:
            found[key] = found.get(key, 0) + 1
    return found


def wanted_pods(pods: list[dict] | None, wanted: set[str] | None) -> list[dict]:
    """The pods of the models being deployed: an update's failures are theirs, not those of the pods of the
    version it replaces (a service whose old model never loaded can be updated to one that does)."""
    if wanted is None:
        return pods or []
    return [pod for pod in pods or [] if pod_serves(pod, wanted) in wanted]


def crashed(pods: list[dict], restarts: int = 2) -> tuple[str, str, str] | None:
    """(pod, container, "reason, exit code N") of a predictor container that keeps failing: KServe's
    Standard mode reports such a model only as "MinimumReplicasUnavailable". ``restarts=0``: one that
    failed once (exited with an error now, or before its restart)."""
    for pod in pods:
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        status = pod.get("status") or {}
        for item in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
            last = (item.get("lastState") or {}).get("terminated") or {}
            now = (item.get("state") or {}).get("terminated") or {}
            if not restarts and not last and now.get("exitCode") not in (None, 0):
                last = now
            if item.get("restartCount", 0) >= restarts and last:
                text = f"{last.get('reason', 'Error')}, exit code {last.get('exitCode')}"
                return (pod.get("metadata") or {}).get("name", "?"), item.get("name", "?"), text
    return None


def readiness(isvc: dict, pods: list[dict] | None = None, uris: set[str] | None = None) -> tuple[str, str]:
    """("ready" | "failed" | "waiting", reason) of an InferenceService's status and, when given, its
    predictor pods: ready once exactly the wanted storage URIs are served. (KServe 0.20's Standard
    mode does not advance status.observedGeneration on updates, so the pods tell what runs.)"""
    status = isvc.get("status") or {}
    generation = (isvc.get("metadata") or {}).get("generation")
    if pods is None and generation is not None and status.get("observedGeneration") not in (None, generation):
        return "waiting", f"KServe has not seen generation {generation} yet"
    model = status.get("modelStatus") or {}
    failure = model.get("lastFailureInfo") or {}
    if model.get("transitionStatus") in ("BlockedByFailedLoad", "InvalidSpec") or \
            (model.get("states") or {}).get("activeModelState") == "FailedToLoad" and failure:
        text = ": ".join(t for t in (failure.get("reason"), failure.get("message")) if t)
        return "failed", text or model.get("transitionStatus", "the model failed to load")
    ready = condition(isvc, "Ready")
    if ready.get("status") == "True" and status.get("observedGeneration") is not None:
        if pods is None:
            return "ready", ""
        serving = serving_uris(pods, uris)
        if set(serving) == set(uris or ()):
            return "ready", ""
        return "waiting", ("pods serve " + ", ".join(sorted(serving)) if serving else "no predictor pod is ready") + \
            " (want " + ", ".join(sorted(uris or ())) + ")"
    reasons = []
    for item in (status.get("conditions") or []):
        if item.get("status") != "True" and (item.get("reason") or item.get("message")):
            reasons.append(f"{item['type']}: {item.get('reason', '')} {item.get('message', '')}".strip())
    return "waiting", "; ".join(reasons) or "not Ready yet"


# in the cluster ---------------------------------------------------------------------------------


def storage_uri(predictor: dict) -> str:
    """KServe's storage URI of a predictor: its model's ``storageUri``, or its custom container's STORAGE_URI."""
    if (predictor.get("model") or {}).get("storageUri"):
        return predictor["model"]["storageUri"]
    for container in predictor.get("containers") or []:
        if container.get("name") == CONTAINER:
            return next((e.get("value") or "" for e in container.get("env") or [] if e.get("name") == STORAGE_URI_ENV),
                        "")
    return ""


def keep_predictor_name(existing: dict, wanted: dict) -> dict:
    """``wanted`` with the stable predictor's name as it runs when its storage URI stays the same: KServe's
    validator refuses to rename it otherwise ("predictor.name change requires a model change"), as when one version
    at 100% becomes the main version of a split (named after its version). A canary whose name that is takes
    another."""
    old = (existing.get("spec") or {}).get("predictor") or {}
    name = old.get("name") or ""
    if name == (wanted["spec"]["predictor"].get("name") or "") or storage_uri(old) != storage_uri(
            wanted["spec"]["predictor"]):
        return wanted
    wanted = json.loads(json.dumps(wanted))
    wanted["spec"]["predictor"].pop("name", None)
    if name:
        wanted["spec"]["predictor"]["name"] = name
    for canary in wanted["spec"].get("canary") or []:
        if canary["predictor"]["name"] == name:
            canary["predictor"]["name"] = dns_name(f"{name[:NAME_LIMIT - 7]}-canary")
    return wanted


def apply(kube: Kube, wanted: dict) -> tuple[dict, str]:
    """Create or replace the InferenceService; ("unchanged" | "created" | "updated")."""
    meta = wanted["metadata"]
    existing = kube.get(isvc_path(meta["namespace"], meta["name"]))
    if existing is None:
        return kube.call("POST", isvc_path(meta["namespace"]), wanted), "created"
    wanted = keep_predictor_name(existing, wanted)
    if unchanged(existing, wanted):
        return existing, "unchanged"
    body = json.loads(json.dumps(wanted))
    body["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"]
    body["metadata"]["labels"] = {**(existing["metadata"].get("labels") or {}), **meta["labels"]}
    body["metadata"]["annotations"] = {**(existing["metadata"].get("annotations") or {}), **meta["annotations"]}
    return kube.call("PUT", isvc_path(meta["namespace"], meta["name"]), body), "updated"


def predictor_pods(kube: Kube, namespace: str, name: str) -> list[dict]:
    selector = urllib.parse.quote(f"serving.kserve.io/inferenceservice={name},component=predictor")
    return (kube.get(f"/api/v1/namespaces/{namespace}/pods?labelSelector={selector}") or {}).get("items") or []


LOG_ATTEMPTS = 5


def crash_log(kube: Kube, namespace: str, pod: str, container: str) -> str | None:
    """The last lines a crashed container wrote (its previous run's, else the current one's), or None."""
    for previous in ("&previous=true", ""):
        text = kube.text(f"/api/v1/namespaces/{namespace}/pods/{pod}/log?container={container}{previous}&tailLines=3")
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if lines and not lines[0].startswith("unable to retrieve container logs"):
            return " | ".join(lines)
    return None


def wait_ready(kube: Kube, namespace: str, name: str, poll: float, minutes: float, uris: set[str] | None = None,
               clock=time.monotonic, sleep=time.sleep) -> dict:
    deadline = clock() + minutes * 60
    attempts = failed_polls = 0
    while True:
        isvc = kube.get(isvc_path(namespace, name))
        if isvc is None:
            raise PhaseError(f"InferenceService {name!r} disappeared while it was deploying")
        pods = predictor_pods(kube, namespace, name) if uris is not None else None
        state, reason = readiness(isvc, pods, uris)
        own = wanted_pods(pods, uris)
        if state == "failed" and pods and len(own) < len(pods) and crashed(own, restarts=0) is None:
            # KServe's model status may still be the replaced version's failure: wait for the new pods' own
            state, reason = "waiting", f"{reason} (the version being replaced; waiting for the new pods)"
        failing = crashed(own) if state == "waiting" else None
        if failing:
            pod, container, what = failing
            tail = crash_log(kube, namespace, pod, container)
            attempts += 1
            # the kubelet may not have the exited container's log yet: look again before giving up
            if tail is not None or attempts >= LOG_ATTEMPTS:
                raise PhaseError(f"InferenceService {name!r} failed: {container} of pod {pod} keeps exiting "
                                 f"({what}): {tail or 'its log could not be read'}")
        if state == "ready":
            return isvc
        if state == "failed":
            # KServe may say only "ModelLoadFailed": the model server's own words are in its log
            exited = crashed(own, restarts=0)
            tail = crash_log(kube, namespace, exited[0], exited[1]) if exited else None
            if tail is None and pods is not None and failed_polls < LOG_ATTEMPTS:
                failed_polls += 1
                sleep(poll)
                continue
            detail = f"; {exited[1]} of pod {exited[0]} exited ({exited[2]}): {tail}" if exited and tail else ""
            raise PhaseError(f"InferenceService {name!r} failed: {reason}{detail}")
        if clock() >= deadline:
            raise PhaseError(f"InferenceService {name!r} was not Ready after {minutes:g} min "
                             f"(max_execution_minutes): {reason}")
        print(f"waiting for InferenceService {name}: {reason}", flush=True)
        sleep(poll)


# the step ---------------------------------------------------------------------------------------


def corrected_input(name: str, problem: ContractError, check: Callable[[str], list[dict]],
                    sleep: Callable[[float], None] = time.sleep, poll: float = INPUT_POLL_SECONDS,
                    run: RunContext | None = None) -> list[dict]:
    """A refused deployment input: as the seed's running state does, the step waits for a corrected value
    (``wf2k8s input RUN NAME=VALUE`` annotates this pod) instead of failing. Outside a pod that can hear
    it (no podinfo file), the refusal stands. ``run`` names the run in the hint (else "RUN")."""
    path = podinfo.directory()
    if path is None:
        raise problem
    key = podinfo.INPUT_PREFIX + name
    refused = podinfo.annotations(path).get(key)  # a value given earlier, if this is it, is refused already
    print(f"{problem}\nwaiting for a corrected value: wf2k8s input {run.name if run else 'RUN'} "
          f"{name}='<JSON list>'", flush=True)
    while True:
        sleep(poll)
        text = podinfo.annotations(path).get(key)
        if text is None or text == refused:
            continue
        try:
            entries = check(text)
        except ContractError as again:
            refused = text
            print(f"{again}\nstill waiting for a corrected value", flush=True)
            continue
        print(f"{name}: corrected value accepted", flush=True)
        return entries


def deployment_input(inputs: list[Input], run: RunContext) -> tuple[list[dict], str | None, dict]:
    """(entries, service to update, envs of the input) from the step's inputs."""
    entries: list[dict] | None = None
    update: str | None = None
    envs: dict = {}
    for item in inputs:
        data = item.data
        if isinstance(data, ParamRef) and data.type == "service_input":
            details = run.resolve(data.details or {})
            # the text as given (not parsed here): a value that is no JSON gets the seed's message too
            value = data.value if data.value is not None else run.parameters.get(data.name)
            if value is None:
                raise ContractError(f"placeholder {data.name!r} has no value: give it when the run starts")
            name = data.name
            try:
                entries = service_input_entries(value, name, details)
            except ContractError as problem:
                check = functools.partial(service_input_entries, placeholder=name, details=details)
                entries = corrected_input(name, problem, check, run=run)
            envs.update(details.get("envs") or {})
        elif isinstance(data, ParamRef) and data.type == "service":
            update = str(run.resolve(data)).strip() or None
        elif isinstance(data, ServiceData):
            update = str(data.service_id).strip() or None
        elif isinstance(data, ModelData):
            model = run.resolve(data)
            entries = parse_deployment([{"model_name": model["model_name"], "model_version": model.get("model_version"),
                                         "specification": model.get("specification"), "weight": model["weight"]}],
                                       item.name)
            envs.update(model.get("envs") or {})
        else:
            raise ContractError(f"input {item.name!r} is not a model list or a service")
    if entries is None:
        raise ContractError("the step has no models to deploy (a ServiceInputPlaceholder or ModelData input)")
    return entries, update, envs


def run_batch_service(step: str, output: ServiceOutput, config: ServiceConfig, entries: list[dict],
                      update: str | None, input_envs: dict, namespace: str, name: str, poll: float, minutes: float,
                      run: RunContext) -> dict:
    """infer_type batch (wf2k8s/runtime/batch.py): one version over the input files, then gone."""
    settings = batch_module.batch_config(config)
    if update:
        raise ContractError("a batch service runs once and is deleted: it cannot update a service "
                            f"({update!r}); leave out the ServiceData/ServiceUpdatePlaceholder input")
    serving = [e for e in entries if e["weight"] > 0]
    if len(serving) != 1:
        raise ContractError(f"a batch service runs one model version; the input gives weight to {len(serving)} "
                            "(give one entry, or weight 100 to one version)")
    mlflow = MLflow.from_env()
    model = resolve_model(mlflow, serving[0])
    if model.get("image"):
        raise PhaseError(f"model {model['model_name']!r} version {model['model_version']} is served from its image "
                         f"({model['image']}), whose requests a batch service cannot know (it sends KServe's "
                         "{\"instances\": [...]} to /v1/models/<name>:predict); deploy it as a real-time service")
    transient = batch_module.transient_name(name, f"{run.namespace}/{run.name}/{step}", NAME_LIMIT)
    isvc = desired_isvc(transient, namespace, [model], env_list(input_envs, config.envs), step, config.description)
    isvc["metadata"]["labels"]["wf2k8s.io/batch"] = "true"
    print(f"batch service {transient}: {model['model_name']} {model['model_version']} ({model['format']}, "
          f"{model['uri']})", flush=True)
    done = batch_module.run_batch(Kube.in_cluster(), S3.from_env(), isvc, settings, poll, minutes, wait_ready)
    dest = "s3://{}/{}".format(*settings["dest"])
    variables = {"service_name": transient, "service_id": transient, "access_address": "",
                 "cluster_inner_access_address": ""}
    out = output.name
    return {"outputs": {out: {"uri": dest, **variables, "action": "batch", "rows": done["rows"], "files": done["files"],
                              "models": [{k: model[k] for k in ("model_name", "model_version", "mlflow_version", "uri",
                                                                 "model_type")}]}},
            "variables": {out: variables}}


def run(spec: ServicePhase, run: RunContext) -> dict:
    step = spec.step
    if len(spec.outputs) != 1:
        raise ContractError("a service deployment phase has exactly one output")
    output = spec.outputs[0]
    config = run.resolve(output.service_config)
    if isinstance(config, TripartiteServiceConfig):  # a service run elsewhere, nothing to deploy
        variables = {"service_name": str(config.service_name), "service_id": str(config.service_name),
                     "access_address": str(config.access_address),
                     "cluster_inner_access_address": str(config.cluster_inner_access_address
                                                         or config.access_address)}
        return {"outputs": {output.name: {"uri": variables["access_address"], **variables}},
                "variables": {output.name: variables}}
    infer_type = config.infer_type
    if infer_type not in ("real-time", "batch", "edge"):
        raise ContractError(f"ServiceConfig.infer_type must be real-time, batch or edge, got {infer_type!r}")
    ignored = [k for k in UNSUPPORTED if getattr(config, k) not in (None, "", [])]
    if config.additional_properties and infer_type != "batch":
        ignored.append("additional_properties")
    if ignored:
        raise ContractError(f"ServiceConfig {', '.join(ignored)} cannot be applied on Kubernetes; leave "
                            f"{'it' if len(ignored) == 1 else 'them'} out")
    entries, update, input_envs = deployment_input(spec.inputs, run)
    namespace = run.namespace or os.environ.get("WF2K8S_NAMESPACE") or "wf2k8s"
    name = dns_name(update or config.service_name or step)
    poll = max(1.0, float(spec.policy.poll_interval_seconds))
    minutes = float(spec.policy.max_execution_minutes)
    if infer_type == "batch":
        return run_batch_service(step, output, config, entries, update, input_envs, namespace, name, poll, minutes,
                                 run)

    placement = edge_placement(namespace=namespace) if infer_type == "edge" else None
    kube = Kube.in_cluster()
    if update and kube.get(isvc_path(namespace, name)) is None:
        raise PhaseError(f"service {update!r} to update does not exist (no InferenceService {name!r} "
                         f"in namespace {namespace})")
    mlflow = MLflow.from_env()
    models = [resolve_model(mlflow, entry) for entry in entries]
    alike = served_alike(models)
    envs = env_list(input_envs, config.envs)
    wanted = desired_isvc(name, namespace, models, envs, step, config.description, placement)
    started = time.monotonic()
    isvc, action = apply(kube, wanted)
    print(f"InferenceService {name} {action}: " + ", ".join(
        f"{m['model_name']} {m['model_version']} ({m['format'] or 'image ' + m['image']}, {m['uri'] or 'no files'}) "
        f"{m['weight']}%" for m in models), flush=True)
    isvc = wait_ready(kube, namespace, name, poll, minutes, {served(m) for m in models if m["weight"] > 0})
    print(f"InferenceService {name} Ready after {time.monotonic() - started:.1f}s", flush=True)
    front = apply_front_service(kube, front_service(name, namespace, isvc, alike["port"], alike["scheme"]))
    cluster_ip = (front.get("spec") or {}).get("clusterIP")
    status = isvc.get("status") or {}
    host = cluster_ip if cluster_ip and cluster_ip != "None" else \
        urllib.parse.urlparse((status.get("address") or {}).get("url") or "").netloc
    # a model server image answers on its own paths (ModelConfig.apis: a request goes to the address + the
    # API's url, as in ModelArts); a KServe runtime on /v1/models/<name>:predict
    inner = f"{alike['scheme']}://{host}" if alike["image"] else f"http://{host}/v1/models/{name}"
    variables = {
        "service_name": name,
        "service_id": (isvc.get("metadata") or {}).get("uid", name),
        "cluster_inner_access_address": inner,
        # no ingress in this cluster: the in-cluster address is also the one clients use
        "access_address": inner,
    }
    out = output.name
    return {"outputs": {out: {"uri": inner, **variables, "action": action,
                              "models": [{**{k: m[k] for k in ("model_name", "model_version", "mlflow_version", "uri",
                                                                "model_type", "weight")},
                                          **({"image": m["image"]} if m.get("image") else {})} for m in models]}},
            "variables": {out: variables}}
