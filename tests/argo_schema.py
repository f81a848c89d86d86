"""Checks emitted documents the way the API server and the Argo controller would.

* the openAPIV3Schema of Argo's *full* CRDs, taken from the pinned Go module at test
  set-up, made strict (unknown fields rejected, as ``kubectl --validate=strict`` and the
  controller's strict decode do);
* the CRD's CEL rules that matter to us, re-implemented (the Go module's CRDs of this
  version carry none, Argo v4's do);
* the controller's DAG validation that we rely on: references to templates, tasks,
  inputs and ancestors resolve.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

# Argo v4.x is not served by this machine's Go module proxy (403); v3.7.18 is, and its full CRDs
# describe every field wf2k8s emits (the fields v4 removed are ones we never use).
ARGO_MODULE = "github.com/argoproj/argo-workflows/v3"
ARGO_VERSION = os.environ.get("WF2K8S_ARGO_SCHEMA_VERSION", "v3.7.18")
CRD_DIR = "manifests/base/crds/full"
KINDS = {"Workflow": "argoproj.io_workflows.yaml", "WorkflowTemplate": "argoproj.io_workflowtemplates.yaml"}


@lru_cache(maxsize=1)
def module_dir() -> Path:
    result = subprocess.run(["go", "mod", "download", "-json", f"{ARGO_MODULE}@{ARGO_VERSION}"],
                            capture_output=True, text=True, cwd="/", check=False)
    info = json.loads(result.stdout or "{}")
    if result.returncode != 0 or "Dir" not in info:
        raise RuntimeError(f"go mod download {ARGO_MODULE}@{ARGO_VERSION} failed: {info.get('Error') or result.stderr}")
    return Path(info["Dir"])


def strict(schema: Any) -> Any:
    """Reject unknown fields: additionalProperties false wherever properties are listed."""
    if isinstance(schema, dict):
        schema = {k: strict(v) for k, v in schema.items()}
        if schema.get("type") == "object" and "properties" in schema \
                and not schema.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


@lru_cache(maxsize=None)
def validator(kind: str) -> jsonschema.Draft7Validator:
    crd = yaml.safe_load((module_dir() / CRD_DIR / KINDS[kind]).read_text())
    schema = strict(copy.deepcopy(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]))
    return jsonschema.Draft7Validator(schema)


def schema_errors(document: dict) -> list[str]:
    errors = sorted(validator(document["kind"]).iter_errors(document), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


TEMPLATE_TYPES = ("container", "script", "dag", "steps", "resource", "suspend", "data", "http", "plugin",
                  "containerSet")
NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
SIMPLE_TAG = re.compile(r"\{\{(?!=)\s*([^}]+?)\s*\}\}")
EXPR_TASK = re.compile(r"tasks\['([^']+)'\]")


def rule_errors(document: dict) -> list[str]:
    """CEL rules of Argo v4's CRD and the controller's DAG validation."""
    errors: list[str] = []
    spec = document["spec"]
    if document["kind"] == "Workflow" and "workflowTemplateRef" in spec:
        return errors
    templates = {t["name"]: t for t in spec.get("templates", [])}
    if len(templates) != len(spec.get("templates", [])):
        errors.append("spec.templates: duplicate template names")
    if spec.get("entrypoint") not in templates:
        errors.append(f"spec.entrypoint: no template {spec.get('entrypoint')!r}")
    global_params = {p["name"] for p in spec.get("arguments", {}).get("parameters", [])}
    for p in spec.get("arguments", {}).get("parameters", []):
        if not PARAM_NAME.match(p["name"]):
            errors.append(f"spec.arguments: bad parameter name {p['name']!r}")
        if "default" in p and "value" not in p:
            errors.append(f"spec.arguments.{p['name']}: 'default' is ignored here, use 'value'")
        if p.get("enum") and "value" in p and p["value"] not in p["enum"]:
            errors.append(f"spec.arguments.{p['name']}: value not in enum")
    for name, template in templates.items():
        where = f"template {name!r}"
        if not NAME.match(name):
            errors.append(f"{where}: bad name")
        types = [k for k in TEMPLATE_TYPES if k in template]
        if len(types) != 1:
            errors.append(f"{where}: template must have exactly one template type, has {types}")
        if ("dag" in template or "steps" in template) and ("timeout" in template or
                                                           "activeDeadlineSeconds" in template):
            errors.append(f"{where}: timeout/activeDeadlineSeconds are only valid for leaf templates")
        inputs = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
        body = {k: v for k, v in template.items() if k not in ("inputs", "outputs", "dag", "name")}
        for ref in SIMPLE_TAG.findall(json.dumps(body)):
            if ref.startswith("inputs.parameters.") and ref.split(".", 2)[2] not in inputs:
                errors.append(f"{where}: {{{{{ref}}}}} is not an input")
        if "dag" in template:
            errors.extend(dag_errors(where, template["dag"]["tasks"], templates, global_params))
    return errors


def dag_errors(where: str, tasks: list[dict], templates: dict, global_params: set[str]) -> list[str]:
    errors: list[str] = []
    by_name = {t["name"]: t for t in tasks}
    if len(by_name) != len(tasks):
        errors.append(f"{where}: duplicate task names")

    def ancestors(name: str, seen: set[str] | None = None) -> set[str]:
        seen = set() if seen is None else seen
        for dep in by_name[name].get("dependencies", []):
            if dep not in seen:
                seen.add(dep)
                ancestors(dep, seen)
        return seen

    for task in tasks:
        at = f"{where} task {task['name']!r}"
        if "depends" in task and "dependencies" in task:
            errors.append(f"{at}: cannot use both 'depends' and 'dependencies'")
        if "depends" in task and "continueOn" in task:
            errors.append(f"{at}: cannot use 'continueOn' when using 'depends'")
        if re.match(r"^[0-9]", task["name"]):
            errors.append(f"{at}: task name cannot begin with a digit")
        if not NAME.match(task["name"]):
            errors.append(f"{at}: bad name")
        template = templates.get(task.get("template"))
        if template is None:
            errors.append(f"{at}: no template {task.get('template')!r}")
            continue
        for dep in task.get("dependencies", []):
            if dep not in by_name:
                errors.append(f"{at}: depends on unknown task {dep!r}")
        try:
            above = ancestors(task["name"])
        except RecursionError:
            errors.append(f"{at}: cycle")
            continue
        declared = {p["name"]: p for p in template.get("inputs", {}).get("parameters", [])}
        given = {p["name"] for p in task.get("arguments", {}).get("parameters", [])}
        for name, param in declared.items():
            if name not in given and "default" not in param and "suspend" not in template:
                errors.append(f"{at}: input {name!r} of template {template['name']!r} not given")
        for name in given - set(declared):
            errors.append(f"{at}: argument {name!r} is not an input of template {template['name']!r}")
        text = json.dumps({k: task.get(k) for k in ("arguments", "when")})
        for ref in SIMPLE_TAG.findall(text):
            if ref.startswith("tasks."):
                target = ref.split(".")[1]
                if target not in above:
                    errors.append(f"{at}: {{{{{ref}}}}} refers to {target!r}, not an ancestor")
            elif ref.startswith("workflow.parameters."):
                if ref.split(".", 2)[2] not in global_params:
                    errors.append(f"{at}: {{{{{ref}}}}} is not a workflow parameter")
            elif ref not in ("workflow.name", "workflow.namespace", "workflow.uid"):
                errors.append(f"{at}: unknown variable {{{{{ref}}}}}")
        for target in EXPR_TASK.findall(text):
            if target not in above:
                errors.append(f"{at}: expression refers to task {target!r}, not an ancestor")
        for name in re.findall(r"workflow\.parameters\['([^']+)'\]", text.replace("\\u0027", "'")):
            if name not in global_params:
                errors.append(f"{at}: expression refers to workflow parameter {name!r}, which is not declared")
    return errors


def check_document(document: dict) -> list[str]:
    return schema_errors(document) + rule_errors(document)
