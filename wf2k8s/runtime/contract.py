"""The argv contract between the Argo backend and the runtime.

Every phase container runs ``wf2k8s-runtime <command> --run RUN --namespace NS --parameters JSON
--spec JSON``: the run's name, its namespace and all its workflow parameters (name -> text), then
the phase's own spec. Commands: ``job``,
``model``, ``service``, ``condition``, ``resolve``, ``create-dataset``, ``labeling``,
``dataset-import``, ``release-dataset``. The spec is ``{"step": NAME, ["title": ...], ["policy":
{"poll_interval_seconds": ..., "max_execution_minutes": ...}], <configuration>}``: the ModelArts step
name, then the phase's configuration with the SDK's field names (fields at their default are left
out). Values set per run are objects with a marker key:

``{"$param": NAME, "type": T, ["value": "<text>"], ["details": {...}]}``
    a placeholder (T: int, str, bool, float, enum, json, list) or data placeholder
    (T: dataset, obs, label_task, service, swr, service_input, data_selector); its text is
    ``value`` when given (a value supplied while the run runs), else ``--parameters[NAME]``.
``{"$system": NAME}``
    EXECUTION_ID (the run's name), WORKFLOW_NAME or NAMESPACE.
``{"$storage": NAME, "path": "dir/file", ["execution_id": true]}``
    ``<root of NAME>[/<run>]/<path>``; the root is the parameter NAME.
``{"$output": "STEP/OUTPUT", "result": {...}|null, ["declared": VALUE]}``
    another step's output: its result when it succeeded, null when it did not run;
    ``declared`` is where it goes when the producer writes no result (Spark steps).
``{"$variable": "STEP/OUTPUT/VAR", "result": ...}``, ``{"$metric": "STEP/OUTPUT/KEY", "result": ...}``
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


class Run:
    """What the whole run shares (from the command line)."""

    name = "run"
    namespace = ""
    parameters: dict = {}

    @classmethod
    def configure(cls, name: str, namespace: str, parameters: str) -> None:
        cls.name, cls.namespace = name, namespace
        try:
            cls.parameters = json.loads(parameters) if parameters else {}
        except json.JSONDecodeError as problem:
            raise ContractError(f"--parameters is not JSON: {problem}") from None
        if isinstance(cls.parameters, list):  # Argo gives [{"name": ..., "value": ...}]
            cls.parameters = {p["name"]: p.get("value") for p in cls.parameters}


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
        name = value["$param"]
        text = value["value"] if "value" in value else Run.parameters.get(name)
        return parse_typed(text, value.get("type", "str"), name)
    if "$system" in value:
        return {"EXECUTION_ID": Run.name, "NAMESPACE": Run.namespace}.get(value["$system"], value["$system"])
    if "$storage" in value:
        root = Run.parameters.get(value["$storage"])
        if not root:
            raise ContractError(f"storage {value['$storage']!r} has no root path: give it when the run starts")
        parts = [Run.name] if value.get("execution_id") else []
        return join_path(root, *parts, value.get("path", ""))
    if "$output" in value:
        return output_location(value)
    if "$select" in value:
        ran = [option for option in value["$select"] if isinstance(option.get("result"), dict)]
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
    if not isinstance(value.get("result"), dict):
        raise ContractError(f"step {what.split('/')[0]!r} did not run, so {what} has no value")
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
    if not isinstance(spec, dict) or not isinstance(spec.get("step"), str):
        raise ContractError("--spec must be an object whose 'step' is the step's name")
    return spec
