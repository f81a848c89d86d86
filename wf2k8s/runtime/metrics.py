"""Metric files in the seed's formats: read, checked, float metrics extracted, rendered as HTML."""

from __future__ import annotations

import html
from typing import Any

from .errors import PhaseError
from .untrusted import METRICS_LIMIT, bad_number, loads, number_problem

MAX_BYTES = METRICS_LIMIT
TYPES = ("float", "line chart", "histogram", "table", "one-dimensional-table")


class MetricsError(PhaseError):
    pass


def is_number(value: Any) -> bool:
    """A number a metric can hold: finite and within the range of a float (not NaN, not Infinity)."""
    return number_problem(value) is None


def parse(name: str, raw: bytes) -> list[dict]:
    """Check a metrics file (UTF-8 JSON of at most ``MAX_BYTES``, nested at most ``untrusted.MAX_DEPTH``
    levels, every number finite); errors name the file and the entry."""
    entries = loads(raw, f"metrics file {name}", MetricsError, limit=MAX_BYTES, lenient=True)
    if not isinstance(entries, list):
        raise MetricsError(f"metrics file {name}: must be a JSON list of metric entries")
    for i, entry in enumerate(entries):
        label = f"metrics file {name} > entry {i}"
        if not isinstance(entry, dict):
            raise MetricsError(f"{label}: must be an object")
        if isinstance(entry.get("key"), str):
            label += f" ({entry['key']!r})"
        problem = entry_problem(entry)
        if problem:
            raise MetricsError(f"{label}: {problem}")
        bad = bad_number(entry)  # NaN or Infinity anywhere else (an x axis, a table cell)
        if bad:
            raise MetricsError(f"{label}: {bad[0]} {bad[1]}")
    return entries


def axis_problem(data: dict, name: str) -> str | None:
    axis = data.get(name)
    if not isinstance(axis, list) or not axis:
        return f"data.{name} must be a non-empty list of {{title, value}}"
    for j, series in enumerate(axis):
        if not isinstance(series, dict) or not isinstance(series.get("value"), list):
            return f"data.{name}[{j}].value must be a list"
        if name == "y_axis":
            for k, v in enumerate(series["value"]):
                if not is_number(v):
                    return f"data.{name}[{j}].value[{k}] {number_problem(v)}"
    return None


def entry_problem(entry: dict) -> str | None:
    if not isinstance(entry.get("key"), str) or not entry["key"]:
        return "key must be a non-empty string"
    kind = entry.get("type")
    if kind not in TYPES:
        return f"type must be one of {', '.join(TYPES)}, got {kind!r}"
    data = entry.get("data")
    if not isinstance(data, dict):
        return "data must be an object"
    if kind == "float":
        return None if is_number(data.get("value")) else f"data.value {number_problem(data.get('value'))}"
    if kind in ("line chart", "histogram"):
        for name in ("x_axis", "y_axis"):
            problem = axis_problem(data, name)
            if problem:
                return problem
        length = len(data["x_axis"][0]["value"])
        for j, series in enumerate(data["y_axis"]):
            if len(series["value"]) != length:
                return f"data.y_axis[{j}] has {len(series['value'])} values, x_axis has {length}"
        return None
    cells = data.get("cell_value")
    if not isinstance(cells, list) or not all(isinstance(row, list) for row in cells):
        return "data.cell_value must be a list of rows"
    if kind == "table":
        for name in ("col_labels", "row_labels"):
            labels = data.get(name)
            if not isinstance(labels, dict) or not isinstance(labels.get("value"), list):
                return f"data.{name}.value must be a list"
        if len(cells) != len(data["row_labels"]["value"]):
            return f"data.cell_value has {len(cells)} rows, row_labels has {len(data['row_labels']['value'])}"
        for r, row in enumerate(cells):
            if len(row) != len(data["col_labels"]["value"]):
                return f"data.cell_value[{r}] has {len(row)} cells, col_labels has {len(data['col_labels']['value'])}"
        return None
    labels = data.get("labels")
    if not isinstance(labels, list):
        return "data.labels must be a list"
    for r, row in enumerate(cells):
        if len(row) != len(labels):
            return f"data.cell_value[{r}] has {len(row)} cells, labels has {len(labels)}"
    return None


def floats(entries: list[dict]) -> dict[str, float]:
    return {e["key"]: float(e["data"]["value"]) for e in entries if e["type"] == "float"}


# rendering --------------------------------------------------------------------------------------------


def svg_chart(entry: dict) -> str:
    xs = entry["data"]["x_axis"][0]["value"]
    width, height, pad = 480, 240, 36
    ys = [v for s in entry["data"]["y_axis"] for v in s["value"]] or [0]
    low, high = min(ys + [0]), max(ys) if max(ys) != min(ys + [0]) else min(ys + [0]) + 1
    def py(v: float) -> float:
        return height - pad - (v - low) / ((high - low) or 1.0) * (height - 2 * pad)  # low + 1 may be low
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#888"/>']
    n = max(len(xs), 1)
    step = (width - 2 * pad) / n
    for series in entry["data"]["y_axis"]:
        if entry["type"] == "histogram":
            for i, v in enumerate(series["value"]):
                parts.append(f'<rect x="{pad + i * step + 2:.1f}" y="{py(v):.1f}" width="{step - 4:.1f}" '
                             f'height="{height - pad - py(v):.1f}" fill="#4a7bd0"/>')
        else:
            points = " ".join(f"{pad + (i + 0.5) * step:.1f},{py(v):.1f}" for i, v in enumerate(series["value"]))
            parts.append(f'<polyline points="{points}" fill="none" stroke="#4a7bd0" stroke-width="2"/>')
    for i, x in enumerate(xs):
        parts.append(f'<text x="{pad + (i + 0.5) * step:.1f}" y="{height - pad + 14}" font-size="10" '
                     f'text-anchor="middle">{html.escape(str(x))}</text>')
    parts.append(f'<text x="4" y="{pad - 8}" font-size="10">{high:g}</text>'
                 f'<text x="4" y="{height - pad}" font-size="10">{low:g}</text></svg>')
    return "".join(parts)


def table(header: list, rows: list[list], row_labels: list | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in ([""] if row_labels else []) + header)
    body = "".join("<tr>" + (f"<th>{html.escape(str(row_labels[i]))}</th>" if row_labels else "")
                   + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for i, row in enumerate(rows))
    return f"<table><tr>{head}</tr>{body}</table>"


def render(step: str, files: dict[str, list[dict]]) -> str:
    sections = []
    for name, entries in files.items():
        sections.append(f"<h2>{html.escape(name)}</h2>")
        scalars = [e for e in entries if e["type"] == "float"]
        if scalars:
            sections.append(table(["metric", "value"], [[e.get("title") or e["key"], e["data"]["value"]]
                                                        for e in scalars]))
        for entry in entries:
            title = html.escape(str(entry.get("title") or entry["key"]))
            data = entry["data"]
            if entry["type"] in ("line chart", "histogram"):
                sections.append(f"<h3>{title}</h3>{svg_chart(entry)}")
            elif entry["type"] == "table":
                sections.append(f"<h3>{title}</h3>" + table(data["col_labels"]["value"], data["cell_value"],
                                                            data["row_labels"]["value"]))
            elif entry["type"] == "one-dimensional-table":
                sections.append(f"<h3>{title}</h3>" + table(data["labels"], data["cell_value"]))
    style = "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px}"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Metrics of {html.escape(step)}</title>"
            f"<style>{style}</style></head><body><h1>Metrics of {html.escape(step)}</h1>{''.join(sections)}"
            "</body></html>")
