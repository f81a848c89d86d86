"""ServiceStep with ``infer_type="batch"`` (seed 4.4.7: "A batch service can perform inference on
batch data and automatically stops after data processing is completed").

The seed names no field for the data, so the batch fields are ModelArts' batch-service fields, given
in ServiceConfig's ``additional_properties``:

``src_path``
    OBS path (``obs://bucket/prefix/``, ``/bucket/prefix/``; a placeholder or storage path) of the
    input files: every object under it, each a file of rows: ``.csv`` (one row per line, numbers; a
    first line that is not all numbers is a header and skipped), ``.json`` (a list of rows, or
    ``{"instances": [...]}``) or ``.jsonl`` (one row per line).
``dest_path``
    OBS path of the predictions: for each input file ``<src_path>/<rel>``, the object
    ``<dest_path>/<rel>_result.json`` = ``{"source": "s3://...", "rows": N, "predictions": [...]}``.
``mapping_type`` (optional)
    ``csv`` or ``json``: how every input file is read, whatever its name (default: by its suffix).
``batch_size`` (optional)
    rows per request to the model server (default 100, at most 10000).

The deployment input is the real-time one with exactly one version to run. The phase deploys that
version as a transient InferenceService ``<service name>-batch-<run hash>``, waits until it is Ready,
sends each file's rows to it (``POST /v1/models/<name>:predict``, ``{"instances": [...]}``), writes
the predictions, then deletes the InferenceService, also when something failed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from typing import Any, Callable

from wf2k8s.contract import ContractError
from wf2k8s.contract.phases import ServiceConfig

from .clients import S3, S3Error, request_json, split_uri
from .errors import PhaseError
from .kserve import isvc_path
from .untrusted import TEXT_LIMIT, Refused, decimal_problem, key_problem, parse, read_object, shown

FIELDS = ("src_path", "dest_path", "mapping_type", "batch_size")
MAPPING_TYPES = ("csv", "json")
SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "json"}
RESULT_SUFFIX = "_result.json"
DEFAULT_BATCH_SIZE = 100


def batch_config(config: ServiceConfig) -> dict:
    """The batch fields of a (resolved) ServiceConfig, checked."""
    where = "ServiceConfig.additional_properties"
    extra = config.additional_properties
    if not isinstance(extra, dict):
        raise ContractError(f"{where} must hold src_path and dest_path (OBS paths) for infer_type 'batch'")
    unknown = sorted(k for k in extra if k not in FIELDS)
    if unknown:
        raise ContractError(f"{where}: unknown field(s) {', '.join(unknown)} for infer_type 'batch' "
                            f"(the fields are {', '.join(FIELDS)})")
    paths = {}
    for name in ("src_path", "dest_path"):
        value = extra.get(name)
        if isinstance(value, dict) and "uri" in value:  # another step's output
            value = value["uri"]
        if not isinstance(value, str) or not value.strip():
            raise ContractError(f"{where}.{name} must be an OBS path (obs://bucket/prefix/) for infer_type 'batch', "
                                f"got {value!r}")
        try:
            bucket, key = split_uri(value.strip())
        except S3Error as problem:
            raise ContractError(f"{where}.{name}: {problem}") from None
        paths[name] = (bucket, key)
    mapping = extra.get("mapping_type")
    if mapping not in (None, "") and mapping not in MAPPING_TYPES:
        raise ContractError(f"{where}.mapping_type must be one of {', '.join(MAPPING_TYPES)}, got {mapping!r}")
    size = extra.get("batch_size", DEFAULT_BATCH_SIZE)
    try:
        size = int(size)
        if isinstance(extra.get("batch_size"), bool) or not 1 <= size <= 10000:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        given = shown(extra.get("batch_size"))
        raise ContractError(f"{where}.batch_size must be a whole number 1-10000, got {given}") from None
    src, dest = paths["src_path"], paths["dest_path"]
    inside = src[1] if not src[1] or src[1].endswith("/") else src[1] + "/"
    if src[0] == dest[0] and (dest[1].startswith(inside) or dest[1].rstrip("/") == src[1].rstrip("/")):
        raise ContractError(f"{where}.dest_path {dest[1]!r} is inside src_path {src[1]!r}: the predictions would "
                            "become input; give another dest_path")
    return {"src": src, "dest": dest, "mapping_type": mapping or None, "batch_size": size}


def number(text: str, where: str = "batch input") -> Any:
    """A CSV cell: a number when it is decimal text (ASCII digits), else the text; NaN, Infinity and
    numbers beyond a float are refused (JSON, which the model server is sent, has none)."""
    problem = decimal_problem(text)
    if problem == "not a decimal number":
        return text
    if problem:
        raise PhaseError(f"{where}: {shown(text)} is {problem}")
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def read_rows(name: str, data: bytes, kind: str | None = None) -> list:
    """The rows of an input file: CSV (header line skipped), a JSON list / {"instances": [...]}, or JSON lines."""
    kind = kind or next((k for suffix, k in SUFFIXES.items() if name.lower().endswith(suffix)), None)
    if kind is None:
        raise PhaseError(f"batch input {name}: not a .csv, .json or .jsonl file (set mapping_type to read "
                         "every file as csv or json)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PhaseError(f"batch input {name}: not UTF-8 text") from None
    if kind == "csv":
        reader = csv.reader(io.StringIO(text))
        rows = [[number(cell.strip(), f"batch input {name} line {reader.line_num}") for cell in row]
                for row in reader if any(c.strip() for c in row)]
        if rows and any(isinstance(cell, str) for cell in rows[0]) and \
                all(not isinstance(cell, str) for row in rows[1:] for cell in row):
            rows = rows[1:]  # a header
        return rows
    try:
        value = parse(text)
    except Refused as problem:  # nested too deeply, NaN, a number beyond a float
        raise PhaseError(f"batch input {name}: {problem}") from None
    except ValueError:
        rows = []
        for number_of_line, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(parse(line))
            except Refused as problem:
                raise PhaseError(f"batch input {name} line {number_of_line}: {problem}") from None
            except ValueError as problem:
                raise PhaseError(f"batch input {name}: neither JSON nor JSON lines ({problem})") from None
        return rows
    if isinstance(value, dict) and isinstance(value.get("instances"), list):
        return value["instances"]
    if isinstance(value, list):
        return value
    raise PhaseError(f"batch input {name}: expected a JSON list of rows or {{\"instances\": [...]}}")


def result_key(src_prefix: str, key: str, dest_prefix: str) -> str:
    """Where the predictions of input ``key`` go: its path under src_path, under dest_path. A path with
    a '.' or '..' segment is refused: it could name a key outside dest_path on a store that normalizes
    paths (``untrusted.key_problem``)."""
    relative = key[len(src_prefix):].lstrip("/") if key.startswith(src_prefix) and key != src_prefix else ""
    relative = relative or key.rsplit("/", 1)[-1]
    problem = key_problem(relative)
    if problem:
        raise PhaseError(f"batch input key {shown(key)}: its path {shown(relative)} under src_path {problem}, so it "
                         "names no result under dest_path (refused)")
    base = dest_prefix if not dest_prefix or dest_prefix.endswith("/") else dest_prefix + "/"
    return base + relative + RESULT_SUFFIX


def transient_name(base: str, run: str, limit: int) -> str:
    suffix = "-batch-" + hashlib.sha256(run.encode()).hexdigest()[:6]
    return base[:limit - len(suffix)].rstrip("-") + suffix


def post_json(url: str, body: dict, timeout: float = 120) -> dict:
    """A model server's answer to a predict request (a ``ServiceError`` when it fails; a server that says
    it is busy, 429 or 503, is asked again)."""
    return request_json("model server", "POST", url, body, timeout=timeout)


def predict_file(name: str, rows: list, url: str, batch_size: int, post: Callable = post_json) -> list:
    predictions: list = []
    for start in range(0, len(rows), batch_size):
        chunk = rows[start:start + batch_size]
        try:
            answer = post(url, {"instances": chunk})
        except PhaseError as problem:
            raise PhaseError(f"batch input {name}, rows {start + 1}-{start + len(chunk)}: {problem}") from None
        got = answer.get("predictions") if isinstance(answer, dict) else None
        if not isinstance(got, list) or len(got) != len(chunk):
            raise PhaseError(f"batch input {name}, rows {start + 1}-{start + len(chunk)}: the model server "
                             f"answered {str(answer)[:200]}, not {len(chunk)} predictions")
        predictions.extend(got)
    return predictions


def run_batch(kube, s3: S3, isvc: dict, batch: dict, poll: float, minutes: float, wait_ready: Callable,
              post: Callable = post_json) -> dict:
    """Deploy ``isvc`` (the transient InferenceService), predict every input file, write the results,
    delete it. Returns {"files": [...], "rows": N}. ``wait_ready(kube, namespace, name, poll, minutes,
    uris)`` waits until it serves the model (the deployer's wait loop)."""
    meta = isvc["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    src_bucket, src_prefix = batch["src"]
    dest_bucket, dest_prefix = batch["dest"]
    keys = s3.objects(src_bucket, src_prefix)
    if not keys:
        raise PhaseError(f"batch input: no files under obs://{src_bucket}/{src_prefix}")
    for key in keys:  # every key is a result's key: refused before anything is deployed
        result_key(src_prefix, key, dest_prefix)
    uri = isvc["spec"]["predictor"]["model"]["storageUri"]
    if kube.get(isvc_path(namespace, name)) is not None:  # left by an earlier attempt of this run
        kube.call("DELETE", isvc_path(namespace, name))
        for _ in range(60):
            if kube.get(isvc_path(namespace, name)) is None:
                break
            time.sleep(1)
    started = time.monotonic()
    kube.call("POST", isvc_path(namespace), isvc)
    files, total = [], 0
    try:
        wait_ready(kube, namespace, name, poll, minutes, {uri})
        service = kube.get(f"/api/v1/namespaces/{namespace}/services/{name}-predictor") or {}
        ip = (service.get("spec") or {}).get("clusterIP")
        if not ip or ip == "None":
            raise PhaseError(f"InferenceService {name!r} has no predictor Service {name}-predictor")
        url = f"http://{ip}/v1/models/{name}:predict"
        print(f"batch service {name} Ready after {time.monotonic() - started:.1f}s; {len(keys)} input file(s)",
              flush=True)
        for key in keys:
            source = f"s3://{src_bucket}/{key}"
            rows = read_rows(source, read_object(s3, src_bucket, key, TEXT_LIMIT, "batch input", PhaseError),
                             batch["mapping_type"])
            predictions = predict_file(source, rows, url, batch["batch_size"], post) if rows else []
            target = result_key(src_prefix, key, dest_prefix)
            s3.put(dest_bucket, target, json.dumps({"source": source, "rows": len(rows),
                                                    "predictions": predictions}).encode())
            files.append({"source": source, "result": f"s3://{dest_bucket}/{target}", "rows": len(rows)})
            total += len(rows)
            print(f"{source}: {len(rows)} row(s) -> s3://{dest_bucket}/{target}", flush=True)
    finally:
        try:
            kube.call("DELETE", isvc_path(namespace, name))
            print(f"batch service {name} deleted", flush=True)
        except PhaseError as problem:
            print(f"could not delete batch service {name}: {problem}", flush=True)
    return {"files": files, "rows": total}
