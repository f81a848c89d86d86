"""What a phase container knows about its run, and how references in its spec become values.

Every phase container runs ``wf2k8s-runtime <command> --run RUN --namespace NS --parameters JSON
--spec JSON``: the run's name, its namespace, all its workflow parameters (name -> text), then the
phase's spec, a typed phase contract (``wf2k8s.contract.phases``; the wire form of references is in
``wf2k8s.contract.refs``). ``RunContext`` holds the first three and resolves references:

``ParamRef``
    a placeholder (int, str, bool, float, enum, json, list, flavor) or data placeholder (dataset,
    obs, label_task, service, swr, service_input, data_selector): its ``value`` when given (a value
    supplied while the run runs), else the run's parameter of that name, parsed as its type.
``SystemRef``
    EXECUTION_ID (the run's name), WORKFLOW_NAME (the pipeline's name) or NAMESPACE.
``StorageRef``
    ``<root of storage>[/<run>]/<path>``; the root is the run's parameter of the storage's name.
``OutputRef`` / ``SelectRef``
    another step's output location (``{"uri": ...}``), from its result; a selector takes the one that ran.
    When the producer did not run (partial execution leaves it out), its ``fallback``: the value given
    for the run in the run parameter it names (a path, or a location as a JSON object), else the
    location the producer writes it to in every run; else the phase fails naming the output.
``VariableRef`` / ``MetricRef``
    a value another step output while it ran, a float metric of a JobStep.

Each command writes ``/tmp/wf2k8s/result.json``: ``{"outputs": {NAME: {"uri": ...}}, "variables":
{...}, "metrics": {OUTPUT: {KEY: float}}}``; Argo returns it to later steps as the ``result``
output parameter.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from wf2k8s.contract import ContractError, dump, load
from wf2k8s.contract.values import unprotect
from wf2k8s.contract.phases import DATA_OBJECTS
from wf2k8s.contract.refs import (
    REFERENCE_TYPES, MetricRef, OutputRef, ParamRef, SelectRef, StorageRef, SystemRef, VariableRef, is_marker,
)

from .untrusted import Huge, decimal_problem, loads, number_problem, shown, whole_problem

RESULT_DIR = "/tmp/wf2k8s"

__all__ = ["RESULT_DIR", "ContractError", "RunContext", "parse_typed", "join_path"]


def parse_typed(text: Any, kind: str, name: str) -> Any:
    """A placeholder's text value as its type; the second check of a value's type, where it is used.
    Values are untrusted (``untrusted``): an int is ASCII digits, a float finite decimal text, both
    within the range of a float; JSON is bounded (no NaN, no deep nesting)."""
    if text is None:
        raise ContractError(f"placeholder {name!r} has no value: give it when the run starts")
    if not isinstance(text, str):
        if kind in ("int", "float") and isinstance(text, (int, float, Huge)) and not isinstance(text, bool):
            problem = number_problem(text)
            if problem:
                raise ContractError(f"placeholder {name!r} must be {kind}: its value {problem}")
        return text

    def bad(problem: str) -> ContractError:
        return ContractError(f"placeholder {name!r} must be {kind}, got {shown(text)} ({problem})")

    if kind == "int":
        problem = whole_problem(text)
        if problem:
            raise bad(problem)
        return int(text.strip())
    if kind == "float":
        problem = decimal_problem(text)
        if problem:
            raise bad(problem)
        return float(text.strip())
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise bad("not true or false")
        return text.lower() == "true"
    if kind in ("json", "list", "dataset", "label_task", "service_input", "flavor"):
        value = loads(text, f"placeholder {name!r} must be {kind}, got {shown(text)}", ContractError)
        if kind == "json" and not isinstance(value, dict):
            raise bad("not a JSON object")
        if kind == "list" and not isinstance(value, list):
            raise bad("not a JSON list")
        return value
    return text


def join_path(root: str, *parts: str) -> str:
    pieces = [root.rstrip("/")] + [p.strip("/") for p in parts if p and p.strip("/")]
    text = "/".join(pieces)
    trailing = parts and parts[-1].endswith("/")
    return text + "/" if trailing and not text.endswith("/") else text


@dataclass
class RunContext:
    """What the whole run shares (from the command line), passed to every phase."""

    name: str = "run"
    namespace: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_args(cls, name: str, namespace: str, parameters: str) -> RunContext:
        values = loads(parameters, "--parameters", ContractError) if parameters else {}
        if isinstance(values, list):  # Argo gives [{"name": ..., "value": ...}]
            values = {p["name"]: p.get("value") for p in values
                      if isinstance(p, dict) and isinstance(p.get("name"), str)}
        if not isinstance(values, dict):
            raise ContractError("--parameters must be a JSON object or Argo's list of parameters")
        return cls(name, namespace, {k: unprotect(v) if isinstance(v, str) else v for k, v in values.items()})

    # references -------------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Every reference in ``value`` replaced by what it stands for. Contract objects stay
        themselves (with resolved fields); data objects (Dataset, ...) and marker objects inside free
        JSON become plain JSON, as a data placeholder's value is."""
        if isinstance(value, REFERENCE_TYPES):
            return self.reference(value)
        if isinstance(value, DATA_OBJECTS):
            return self.resolve(dump(value))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(value, **{f.name: self.resolve(getattr(value, f.name))
                                                 for f in dataclasses.fields(value) if f.init})
        if isinstance(value, dict):
            if is_marker(value):  # a reference inside free JSON, nested references read as well
                return self.reference(load(Any, value))
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.resolve(v) for v in value]
        return value

    def reference(self, ref: Any) -> Any:
        if isinstance(ref, ParamRef):
            text = unprotect(ref.value) if isinstance(ref.value, str) else ref.value
            return parse_typed(text if text is not None else self.parameters.get(ref.name), ref.type, ref.name)
        if isinstance(ref, SystemRef):
            known = {"EXECUTION_ID": self.name, "NAMESPACE": self.namespace, "WORKFLOW_NAME": ref.value}
            if known.get(ref.name) is None:
                raise ContractError(f"the spec does not say the run's {ref.name}")
            return known[ref.name]
        if isinstance(ref, StorageRef):
            root = self.parameters.get(ref.storage)
            if not root:
                raise ContractError(f"storage {ref.storage!r} has no root path: give it when the run starts")
            if not isinstance(root, str):
                raise ContractError(f"storage {ref.storage!r} must have a path as its root, got {shown(root)}")
            return join_path(root, *([self.name] if ref.with_execution_id else []), ref.path)
        if isinstance(ref, OutputRef):
            return self.output_location(ref)
        if isinstance(ref, SelectRef):
            ran = [option for option in ref.options if isinstance(option.result, dict)]
            if not ran:  # none ran: the first that has a value standing for it (partial execution)
                for option in ref.options:
                    found = self.fallback_location(option)
                    if found is not None:
                        return found
                names = ", ".join(f"{o.step}/{o.output}" for o in ref.options)
                raise ContractError(f"none of {names} ran, so there is no output to use")
            return self.output_location(ran[0])
        if isinstance(ref, VariableRef):
            result = produced(ref.result, ref.step, f"{ref.step}/{ref.output}")
            try:
                return result["variables"][ref.output][ref.variable]
            except (KeyError, TypeError):
                raise ContractError(f"step {ref.step!r} output {ref.output!r} has no variable "
                                    f"{ref.variable!r}") from None
        if isinstance(ref, MetricRef):
            result = produced(ref.result, ref.step, f"{ref.step}/{ref.output}")
            try:
                value = result["metrics"][ref.output][ref.key]
            except (KeyError, TypeError):
                value = None
            if isinstance(value, str):  # a metric is a JSON number; text of one is read as well
                value = float(value) if decimal_problem(value) is None else None
            if value is None or number_problem(value):
                raise ContractError(f"step {ref.step!r} output {ref.output!r} has no float metric "
                                    f"{ref.key!r}" + (f" (its value {number_problem(value)})" if value is not None
                                                      else ""))
            return float(value)
        raise ContractError(f"not a reference: {ref!r}")

    def output_location(self, ref: OutputRef) -> Any:
        what = f"{ref.step}/{ref.output}"
        if not isinstance(ref.result, dict):  # the producer did not run
            found = self.fallback_location(ref)
            if found is not None:
                return found
            if ref.fallback is not None and ref.fallback.given:
                raise ContractError(f"step {ref.step!r} did not run, so {what} has no value: give one when the run "
                                    f"starts (wf2k8s run -p {ref.step}.{ref.output}=obs://...)")
        result = produced(ref.result, ref.step, what)
        outputs = result.get("outputs") or {}
        if not isinstance(outputs, dict):
            raise ContractError(f"step {ref.step!r} wrote outputs that are no JSON object: {shown(outputs)}")
        location = outputs.get(ref.output)
        if location is not None:
            return location
        if ref.declared is not None:
            return {"uri": self.resolve(ref.declared)}
        raise ContractError(f"{what} was not produced")

    def fallback_location(self, ref: OutputRef) -> Any:
        """What stands for an output whose producer did not run: the value given for the run (a path, or a
        location as a JSON object), else its fixed location; None when it has neither."""
        fallback = ref.fallback
        if fallback is None:
            return None
        text = self.parameters.get(fallback.given) if fallback.given else None
        if isinstance(text, str) and text.strip():
            return given_location(text.strip(), f"{ref.step}/{ref.output}")
        if fallback.fixed is not None:
            return {"uri": self.resolve(fallback.fixed)}
        return None


def given_location(text: str, what: str) -> Any:
    """A value given for an output: a location as a producer's result holds it (a JSON object), or a path."""
    if text.startswith("{"):  # JSON text starting with "{" is an object
        return loads(text, f"the value given for {what}", ContractError)
    return {"uri": text}


def produced(result: Any, step: str, what: str) -> dict:
    if not isinstance(result, dict):
        raise ContractError(f"step {step!r} did not run, so {what} has no value")
    return result
