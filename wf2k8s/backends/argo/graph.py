"""A pipeline, or a run of it, drawn (``wf2k8s graph``): Graphviz DOT from the compiled WorkflowTemplate or the
run's stored spec, so both draw the same picture of what Argo runs.

One node per step (its name and kind; a condition is a diamond), one per value the run waits for and per
debug pause; edges are the DAG's dependencies, an edge from a condition labelled with the branch (``true``
or ``false``) it takes; a step that belongs to scenes says which. For a run, each node is filled with the
colour of its phase's status.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from wf2k8s.backends.argo.compiler import SCENE_PARAM, pipeline_info

KIND_NAMES = {"job": "JobStep", "distributed_job": "JobStep", "model": "ModelStep", "service": "ServiceStep",
              "condition": "ConditionStep", "create_dataset": "CreateDatasetStep", "labeling": "LabelingStep",
              "dataset_import": "DatasetImportStep", "release_dataset": "ReleaseDatasetStep",
              "mrs_job": "MrsJobStep"}
#: Argo's node phases as fill colours (the Argo UI's hues, lighter)
COLOURS = {"Succeeded": "#c8e6c9", "Failed": "#ffcdd2", "Error": "#ffcdd2", "Running": "#bbdefb",
           "Pending": "#fff9c4", "Skipped": "#eeeeee", "Omitted": "#eeeeee"}
BRANCH = re.compile(r"tasks\['([^']+)'\]\.outputs\.parameters\.condition == '(true|false)'")
SCENES = re.compile(re.escape(f"workflow.parameters['{SCENE_PARAM}'] in [") + r"([^\]]*)\]")


class GraphvizMissing(RuntimeError):
    pass


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot(spec: dict, title: str, statuses: dict[str, str] | None = None) -> str:
    """DOT of the main DAG of ``spec`` (a WorkflowTemplate's or a Workflow's spec); ``statuses``: task -> phase."""
    info = pipeline_info(spec)
    steps = info.get("steps") or {}
    templates = {t["name"]: t for t in spec.get("templates", [])}
    main = templates.get(spec.get("entrypoint", "main")) or {}
    lines = [f"digraph {quoted(title)} {{", "  rankdir=TB;", f"  label={quoted(title)}; labelloc=t;",
             '  node [fontname="Helvetica", fontsize=11, style="rounded,filled", fillcolor=white];',
             '  edge [fontname="Helvetica", fontsize=10];']
    branches: dict[tuple[str, str], str] = {}
    for task in (main.get("dag") or {}).get("tasks", []):
        name, when = task["name"], task.get("when") or ""
        for condition, outcome in BRANCH.findall(when):
            branches[(condition, name)] = outcome
        scenes = sorted({s.strip().strip("'") for group in SCENES.findall(when) for s in group.split(",")} - {"all"})
        attributes = node_attributes(name, task, steps, templates, scenes)
        if statuses and name in statuses:
            attributes["fillcolor"] = COLOURS.get(statuses[name], "white")
            attributes["tooltip"] = statuses[name]
        lines.append(f"  {quoted(name)} [" + ", ".join(f"{k}={quoted(v)}" for k, v in attributes.items()) + "];")
    for task in (main.get("dag") or {}).get("tasks", []):
        for before in task.get("dependencies") or []:
            label = branches.get((before, task["name"]))
            edge = f"  {quoted(before)} -> {quoted(task['name'])}"
            lines.append(edge + (f" [label={quoted(label)}];" if label else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def node_attributes(name: str, task: dict, steps: dict, templates: dict, scenes: list[str]) -> dict[str, str]:
    if name in steps:
        kind = steps[name].get("kind", "")
        label = f"{steps[name]['step']}\n{KIND_NAMES.get(kind, kind)}"
        if scenes:
            label += "\nscenes: " + ", ".join(scenes)
        return {"label": label, "shape": "diamond" if kind == "condition" else "box"}
    template = templates.get(task.get("template", ""), {})
    if name.startswith("debug-"):
        return {"label": f"pause before\n{steps.get(name[len('debug-'):], {}).get('step', name[len('debug-'):])}",
                "shape": "octagon"}
    if "suspend" in template:
        parameter = ((template.get("inputs") or {}).get("parameters") or [{}])[0].get("name", name)
        return {"label": f"input\n{parameter}", "shape": "parallelogram"}
    if name.startswith("resolve-image-"):  # the backend's own: the catalog's image for the JobSteps after it
        return {"label": "resolve image", "shape": "ellipse"}
    return {"label": name, "shape": "ellipse"}


def render(text: str, path: str) -> None:
    """Write ``text`` to ``path``: DOT as is for ``.dot``/``.gv``, else drawn by Graphviz in the suffix's format."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix in ("dot", "gv"):
        with open(path, "w") as out:
            out.write(text)
        return
    if suffix not in ("svg", "png", "pdf"):
        raise ValueError(f"-o {path}: the name must end in .svg, .png, .pdf or .dot")
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizMissing("Graphviz's dot is not installed (Debian: apt-get install graphviz); "
                              f"-o {path.rsplit('.', 1)[0]}.dot writes the graph without it")
    subprocess.run([binary, f"-T{suffix}", "-o", path], input=text.encode(), check=True)
