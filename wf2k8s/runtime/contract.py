"""The argv contract between the Argo backend and the runtime.

Every phase container runs ``wf2k8s-runtime <command> --spec <json>``. Commands: ``job``,
``model``, ``service``, ``condition``, ``resolve``, ``create-dataset``, ``labeling``,
``dataset-import``, ``release-dataset``. The spec is ``{"step": {...}, "config": {...}}``:
``step`` has the ModelArts ``name`` and ``kind`` (and ``title``, ``poll_interval_seconds``,
``max_execution_minutes`` when they are not the defaults); ``config`` is the phase's
configuration with the SDK's field names. Values set per run are objects with a marker key:

``{"$param": NAME, "type": T, "value": "<text>", "details": {...}}``
    a placeholder (T: int, str, bool, float, enum, json, list) or data placeholder
    (T: dataset, obs, label_task, service, swr, service_input, data_selector), value as text.
``{"$system": NAME, "value": ...}``
    EXECUTION_ID (the run's name), WORKFLOW_NAME or NAMESPACE.
``{"$storage": NAME, "root": "<root path>", "execution_id": RUN|null, "path": "dir/file", "create_dir": B}``
    ``<root>[/<execution id>]/<path>``.
``{"$output": "STEP/OUTPUT", "status": PHASE, "result": {...}|null, "declared": VALUE|null}``
    another step's output: its result (written by that step) when it Succeeded, else null.
``{"$variable": "STEP/OUTPUT/VAR", ...}``, ``{"$metric": "STEP/OUTPUT/KEY", ...}``
    a value another step output while it ran, a float metric of a JobStep.
``{"$select": [<$output>, ...]}``
    the one that ran (DataConsumptionSelector).

Each command writes ``/tmp/wf2k8s/result.json``: ``{"outputs": {NAME: {"uri": ...}}, "variables":
{...}, "metrics": {OUTPUT: {KEY: float}}}``; Argo returns it to later steps as the ``result``
output parameter.
"""

from __future__ import annotations

import json
from typing import Any

RESULT_DIR = "/tmp/wf2k8s"


class ContractError(RuntimeError):
    """The spec cannot be used: a value of the wrong type, a missing output, ..."""


def parse_typed(text: Any, kind: str, name: str) -> Any:
    """A placeholder's text value as its type; the second check of a value's type, where it is used."""
    if text is None:
        raise ContractError(f"placeholder {name!r} has no value: give it when the run starts")
    if not isinstance(text, str):
        return text
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if kind in ("json", "list", "dataset", "label_task", "service_input"):
            value = json.loads(text)
            if kind == "json" and not isinstance(value, dict):
                raise ValueError("not a JSON object")
            if kind == "list" and not isinstance(value, list):
                raise ValueError("not a JSON list")
            return value
    except ValueError as problem:
        raise ContractError(f"placeholder {name!r} must be {kind}, got {text!r} ({problem})") from None
    return text


def join_path(root: str, *parts: str) -> str:
    pieces = [root.rstrip("/")] + [p.strip("/") for p in parts if p and p.strip("/")]
    text = "/".join(pieces)
    trailing = parts and parts[-1].endswith("/")
    return text + "/" if trailing and not text.endswith("/") else text


def resolve(value: Any) -> Any:
    """Replace every marker object by the value it stands for."""
    if isinstance(value, list):
        return [resolve(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$param" in value:
        return parse_typed(value.get("value"), value.get("type", "str"), value["$param"])
    if "$system" in value:
        return value.get("value")
    if "$storage" in value:
        root = value.get("root")
        if not root:
            raise ContractError(f"storage {value['$storage']!r} has no root path: give it when the run starts")
        parts = [value["execution_id"]] if value.get("execution_id") else []
        return join_path(root, *parts, value.get("path", ""))
    if "$output" in value:
        return output_location(value)
    if "$select" in value:
        ran = [option for option in value["$select"] if option.get("status") == "Succeeded"]
        if not ran:
            names = ", ".join(o["$output"] for o in value["$select"])
            raise ContractError(f"none of {names} ran, so there is no output to use")
        return output_location(ran[0])
    if "$variable" in value:
        step, output, variable = value["$variable"].split("/", 2)
        result = produced(value, f"{step}/{output}")
        try:
            return result["variables"][output][variable]
        except (KeyError, TypeError):
            raise ContractError(f"step {step!r} output {output!r} has no variable {variable!r}") from None
    if "$metric" in value:
        step, output, key = value["$metric"].split("/", 2)
        result = produced(value, f"{step}/{output}")
        try:
            return float(result["metrics"][output][key])
        except (KeyError, TypeError, ValueError):
            raise ContractError(f"step {step!r} output {output!r} has no float metric {key!r}") from None
    return {k: resolve(v) for k, v in value.items()}


def produced(value: dict, what: str) -> dict:
    step = what.split("/")[0]
    if value.get("status") != "Succeeded" or not isinstance(value.get("result"), dict):
        raise ContractError(f"step {step!r} did not succeed (status {value.get('status')!r}), "
                            f"so {what} has no value")
    return value["result"]


def output_location(value: dict) -> Any:
    what = value["$output"]
    result = produced(value, what)
    output = what.split("/", 1)[1]
    location = (result.get("outputs") or {}).get(output)
    if location is not None:
        return location
    if value.get("declared") is not None:
        return {"uri": resolve(value["declared"])}
    raise ContractError(f"{what} was not produced")


def load_spec(text: str) -> dict:
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as problem:
        raise ContractError(f"--spec is not JSON: {problem}") from None
    if not isinstance(spec, dict) or "step" not in spec:
        raise ContractError("--spec must be an object with 'step' and 'config'")
    return spec
