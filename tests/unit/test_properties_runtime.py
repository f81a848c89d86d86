"""Property-based tests of the runtime's parsers ("Safe on a shared cluster", item 6).

Whatever hostile input a parser of the runtime reads (a phase spec, the run's parameters and the references
they resolve, a placeholder's text, a metrics file, a dataset's manifest, label and annotation files, a
service's deployment input, the pod's annotations file, the helpers of ``runtime/untrusted.py``), it gives a
value or the runtime's own error (a ``ContractError`` or ``PhaseError`` subclass, one line), never another
exception: ``__main__`` turns only those into the step's one-line failure, anything else is a traceback.

Inputs are random JSON and text, and the phase specs compiled from every example with random fields
mutated. Bounded for CI: derandomized, no example database (Hypothesis's caches go to the temporary
directory, not the repository), a few hundred examples each; ``WF2K8S_HYPOTHESIS_SHRINK=1`` shrinks a failure.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from deep import Deep
from memory_s3 import MemoryS3
from test_contract import EXAMPLES, phase_specs
from wf2k8s import contract
from wf2k8s.cli import load_workflows
from wf2k8s.contract import ContractError
from wf2k8s.contract.phases import AnnotationFormatParameters, LabelFormat
from wf2k8s.contract.refs import DATA_TYPES, MARKERS, SCALAR_TYPES, SYSTEM_NAMES
from wf2k8s.contract.registry import BY_COMMAND, PHASE_KINDS
from wf2k8s.contract.values import protect
from wf2k8s.runtime import dataset, metrics, podinfo, service, untrusted
from wf2k8s.runtime.clients.s3 import S3TooLarge
from wf2k8s.runtime.context import RunContext, parse_typed
from wf2k8s.runtime.errors import PhaseError

# no .hypothesis/ in the repository (Hypothesis caches Unicode tables and constants there otherwise)
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "wf2k8s-hypothesis")
SHRINK = os.environ.get("WF2K8S_HYPOTHESIS_SHRINK") == "1"
SETTINGS: dict[str, Any] = dict(
    deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else []),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: the runtime's own errors: what ``__main__`` reports as the step's one-line failure
OWN_ERRORS = (ContractError, PhaseError)
REFUSED = object()


#: Python's own recursion limit, which the runtime runs with (Hypothesis raises it while a test runs)
RUNTIME_RECURSION_LIMIT = 1000


def shallow(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call`` run as the runtime's ``main`` runs a phase: from the bottom of a thread's stack, with Python's
    default recursion limit. How deep a value may nest before a RecursionError then does not depend on the
    test runner."""
    found: dict[str, Any] = {}

    def run() -> None:
        try:
            found["value"] = call(*args, **kwargs)
        except BaseException as problem:  # noqa: B036 - raised again in the caller's thread
            found["error"] = problem

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(RUNTIME_RECURSION_LIMIT)  # the caller's thread waits meanwhile
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    if "error" in found:
        raise found["error"]
    return found["value"]


def outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What ``call`` gives, or `REFUSED` when it refuses with the runtime's own error in one line (any other
    exception fails the test)."""
    try:
        return shallow(call, *args, **kwargs)
    except OWN_ERRORS as refused:
        message = str(refused)
        assert message and "\n" not in message and "\r" not in message, f"not one line: {message[:500]!r}"
        return REFUSED


# random JSON, text, and values too deep or too large ----------------------------------------------------------


def materialize(value: Any) -> Any:
    """The value with its `Deep` lists made."""
    if isinstance(value, Deep):
        return value.value()
    if isinstance(value, list):
        return [materialize(v) for v in value]
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    return value


def to_text(value: Any) -> str:
    """JSON text of a value (NaN and Infinity as Python writes them, a `Deep` as brackets)."""
    if isinstance(value, Deep):
        return value.text()
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{to_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_text(v) for v in value) + "]"
    try:
        return json.dumps(value)
    except ValueError:  # an int of more than 4300 digits, which Python does not write
        return "9" * 5000


def utf8(text: str) -> bytes:
    """Text as bytes, a lone surrogate included (as a file can hold one)."""
    return text.encode("utf-8", "surrogatepass")


def pick(*values: Any) -> st.SearchStrategy[Any]:
    """One of ``values``, shown by its index when Hypothesis shows the strategy (some are long)."""
    return st.integers(0, len(values) - 1).map(values.__getitem__)


HOSTILE_TEXT = ["", " ", "{{workflow.name}}", "{" + "\u2060" + "{", "NaN", "Infinity", "-Infinity", "1e999", "²",
                "١٠", "0x10", "1_000", " 12 ", "+5", "-0", "1.", ".5", "e5", "true", "TRUE", "null", "[]", "{}",
                "\x00", "\ufeff", "\ud800", "..", "/", "a/../b", "\n", "1" * 400, "1" * 5000, "é" * 70]
text = st.one_of(pick(*HOSTILE_TEXT), st.text(max_size=12), st.text(alphabet="0123456789.eE+- ", max_size=8))
numbers = st.one_of(st.integers(-10, 10), st.integers(), st.floats(),
                    pick(2 ** 63, 10 ** 308, 10 ** 309, 10 ** 400, -(10 ** 400)))
scalar = st.one_of(st.none(), st.booleans(), numbers, text)
deep = st.sampled_from([3, 99, 100, 101, 400, 900, 5000]).map(Deep)
#: what a spec the contract reads may hold (see `test_a_value_nested_deep_anywhere_in_a_spec_is_read_or_refused`)
read_deep = st.sampled_from([3, 99, 100, 101, 200]).map(Deep)
json_values = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(text, inner, max_size=4)), max_leaves=12)
any_json = st.one_of(json_values, deep)


json_texts = st.one_of(any_json.map(to_text), text, pick(
    "[" * 100_000, "{" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000, "[" + "1" * 5000 + "]", '{"a": NaN}',
    "[1e999]", "\ufeff[]", "[] []", "[1,]", '{"a" 1}', '"\\ud800"'))


def marker(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    """A reference as it is written in a spec (``{"$param": ...}``), with random fields."""
    names = st.one_of(st.sampled_from(["p", "q", "data", "out", "a/b", "a/b/c", "", "/", "s/o"]), text)
    return st.one_of(
        st.fixed_dictionaries({"$param": names}, optional={
            "type": st.one_of(st.sampled_from(SCALAR_TYPES + DATA_TYPES), text), "value": inner,
            "details": st.one_of(inner, st.dictionaries(text, inner, max_size=2))}),
        st.fixed_dictionaries({"$system": st.one_of(st.sampled_from(SYSTEM_NAMES), names)},
                              optional={"value": inner}),
        st.fixed_dictionaries({"$storage": names}, optional={"path": inner, "execution_id": inner}),
        st.fixed_dictionaries({"$output": names}, optional={
            "result": st.one_of(inner, st.fixed_dictionaries({"outputs": inner})), "declared": inner,
            "fallback": st.one_of(inner, st.fixed_dictionaries({}, optional={"given": st.one_of(names, inner),
                                                                              "fixed": inner}))}),
        st.fixed_dictionaries({"$variable": names}, optional={
            "result": st.one_of(inner, st.fixed_dictionaries({"variables": inner}))}),
        st.fixed_dictionaries({"$metric": names}, optional={
            "result": st.one_of(inner, st.fixed_dictionaries({"metrics": inner}))}),
        st.fixed_dictionaries({"$select": st.one_of(inner, st.lists(inner, max_size=2))}),
        st.dictionaries(st.sampled_from(MARKERS), inner, min_size=2, max_size=3),
    )


#: JSON with references anywhere in it, as a spec read by the contract holds it
json_with_refs = st.recursive(st.one_of(scalar, read_deep), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3), marker(inner)), max_leaves=10)


# phase specs ----------------------------------------------------------------------------------------------------

EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)


def example_specs() -> list[tuple[str, dict]]:
    """(kind, spec) of every phase task of every example, as the runtime reads them (tags as null)."""
    found: dict[str, tuple[str, dict]] = {}
    for path in EXAMPLES:
        for workflow in load_workflows(path):
            for spark_operator in (False, True):
                for command, spec_text in phase_specs(workflow.to_workflow_template(spark_operator=spark_operator)):
                    text = EXPRESSION.sub("null", spec_text)
                    found.setdefault(text, (BY_COMMAND[command].kind, json.loads(text)))
    return sorted(found.values(), key=lambda pair: json.dumps(pair, sort_keys=True))


SPECS = example_specs()
KINDS = [k.kind for k in PHASE_KINDS]


def places(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of a JSON tree, in a fixed order (iteratively)."""
    found, stack = [], [data]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        for key, child in pairs:
            found.append((item, key))
            stack.append(child)
    return found


#: a mutation: (which place, what to do, a value)
mutations = st.tuples(st.integers(0, 10_000),
                      st.sampled_from(["replace", "replace", "delete", "add", "wrap", "text", "marker"]),
                      st.one_of(any_json, json_with_refs), st.one_of(text, st.sampled_from(["contract", "step"])))


def mutate(data: Any, changes: list[tuple[int, str, Any, str]]) -> Any:
    data = copy.deepcopy(data)
    for index, action, value, key in changes:
        found = places(data)
        if not found:
            return value
        container, at = found[index % len(found)]
        if action == "replace" or action == "marker":
            container[at] = value
        elif action == "delete":
            del container[at]
        elif action == "add":
            if isinstance(container, dict):
                container[key] = value
            else:
                container.append(value)
        elif action == "wrap":
            container[at] = [container[at]]
        else:
            container[at] = to_text(container[at])
    return data


parameter_values = st.one_of(text, text.map(protect), json_values.map(to_text), json_values)
#: a run's parameters: names the examples' specs use, and others
parameters = st.dictionaries(st.one_of(st.sampled_from(["p", "q", "data", "train_flavor", "storage_name",
                                                        "input_data", "wf2k8s-scene", "s"]), text),
                             parameter_values, max_size=5)


#: a condition whose right side nests 600 levels: JSON reads it, the contract's recursive reader did not
DEEP_CONDITION = json.dumps({"contract": "1.0", "step": "s", "title": "s", "conditions": [
    {"op": "==", "left": 1, "right": "X"}], "policy": {"poll_interval_seconds": 1, "max_execution_minutes": 5}}
).replace('"X"', "[" * 600 + "]" * 600)


@example(kind="condition", spec=DEEP_CONDITION)
@settings(max_examples=200, **SETTINGS)
@given(kind=st.one_of(st.sampled_from(KINDS), text), spec=json_texts)
def test_a_random_spec_text_is_read_or_refused_with_a_contract_error(kind, spec):
    outcome(contract.load_phase, kind, spec)


@settings(max_examples=400, **SETTINGS)
@given(which=st.integers(0, len(SPECS) - 1), kind=st.one_of(st.none(), st.sampled_from(KINDS)),
       changes=st.lists(mutations, min_size=1, max_size=3), as_text=st.booleans(), given=parameters)
def test_a_mutated_example_spec_is_read_and_resolved_or_refused(which, kind, changes, as_text, given):
    """A spec the compiler wrote, some fields changed: read (as JSON text or as parsed), then every reference
    in it resolved against random run parameters, as a phase does before it works."""
    own_kind, original = SPECS[which]
    data = mutate(original, changes)
    spec = outcome(contract.load_phase, kind or own_kind, to_text(data) if as_text else materialize(data))
    if spec is REFUSED:
        return
    outcome(RunContext("run", "ns", materialize(given)).resolve, spec)


@settings(max_examples=30, **SETTINGS)
@given(which=st.integers(0, len(SPECS) - 1), depth=st.sampled_from([100, 101, 400, 900, 5000]),
       as_text=st.booleans())
def test_a_value_nested_deep_anywhere_in_a_spec_is_read_or_refused(which, depth, as_text):
    """Every field of an example's spec in turn holds a list nested ``depth`` levels (as JSON text, or parsed)."""
    kind, original = SPECS[which]
    for index in range(len(places(original))):
        data = mutate(original, [(index, "replace", Deep(depth), "")])
        spec = outcome(contract.load_phase, kind, to_text(data) if as_text else materialize(data))
        if spec is not REFUSED:
            outcome(RunContext("run", "ns", {}).resolve, spec)


# the run's parameters and references ---------------------------------------------------------------------------


argo_parameters = st.lists(st.one_of(json_values, st.fixed_dictionaries(
    {"name": st.one_of(text, json_values)}, optional={"value": parameter_values})), max_size=4).map(to_text)


@example(given='{"s": 5}', values=[{"$storage": "s", "path": "x"}])  # a storage root that is no text
@example(given="{}", values=[{"$output": "a/o", "result": {"outputs": [1]}}])  # outputs that are no object
@settings(max_examples=300, **SETTINGS)
@given(given=st.one_of(parameters.map(to_text), argo_parameters, json_texts),
       values=st.lists(json_with_refs, min_size=1, max_size=3))
def test_run_parameters_and_references_resolve_or_are_refused(given, values):
    run = outcome(RunContext.from_args, "run", "ns", given)
    if run is REFUSED:
        return
    assert isinstance(run.parameters, dict)
    for value in values:
        outcome(run.resolve, materialize(value))


@settings(max_examples=300, **SETTINGS)
@given(value=st.one_of(text, json_texts, json_values, st.just(untrusted.Huge(400))),
       kind=st.one_of(st.sampled_from(SCALAR_TYPES + DATA_TYPES), text))
def test_a_placeholder_value_is_its_type_or_refused(value, kind):
    parsed = outcome(parse_typed, materialize(value), kind, "p")
    if parsed is REFUSED or not isinstance(value, str):
        return
    if kind in ("int", "float"):
        assert isinstance(parsed, int if kind == "int" else float) and untrusted.number_problem(parsed) is None
    if kind in ("json", "list"):
        assert isinstance(parsed, dict if kind == "json" else list) and untrusted.bad_number(parsed) is None


# metrics files ---------------------------------------------------------------------------------------------------


finite = st.one_of(st.integers(-10 ** 6, 10 ** 6), st.floats(allow_nan=False, allow_infinity=False))
label = st.one_of(text, finite)


@st.composite
def metric_entries(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(metrics.TYPES))
    key, title = draw(st.text(min_size=1, max_size=6)), draw(st.one_of(st.none(), text))
    if kind == "float":
        data: dict = {"value": draw(finite)}
    elif kind in ("line chart", "histogram"):
        n = draw(st.integers(0, 4))
        data = {"x_axis": [{"title": "x", "value": draw(st.lists(label, min_size=n, max_size=n))}],
                "y_axis": draw(st.lists(st.fixed_dictionaries({"title": text, "value": st.lists(
                    finite, min_size=n, max_size=n)}), min_size=1, max_size=2))}
    else:
        rows, cols = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        cells = draw(st.lists(st.lists(label, min_size=cols, max_size=cols), min_size=rows, max_size=rows))
        labels = draw(st.lists(label, min_size=cols, max_size=cols))
        data = {"cell_value": cells, **({"labels": labels} if kind == "one-dimensional-table" else {
            "col_labels": {"value": labels}, "row_labels": {"value": draw(st.lists(label, min_size=rows,
                                                                                   max_size=rows))}})}
    return {"key": key, "type": kind, "data": data, **({"title": title} if title is not None else {})}


metrics_files = st.one_of(
    st.binary(max_size=64),
    json_texts.map(utf8),
    st.tuples(st.lists(metric_entries(), max_size=3), st.lists(mutations, max_size=2)).map(
        lambda pair: utf8(to_text(mutate(pair[0], pair[1])))),
    st.just(b"[" + b" " * metrics.MAX_BYTES + b"]"),
)


#: a chart whose values are all one large number (its range is 0 however one is added to it)
FLAT_CHART = json.dumps([{"key": "loss", "type": "line chart", "data": {"x_axis": [{"title": "x", "value": [1]}],
                                                                       "y_axis": [{"title": "y", "value": [-1e17]}]}}])


@example(raw=FLAT_CHART.encode())
@settings(max_examples=300, **SETTINGS)
@given(raw=metrics_files)
def test_a_metrics_file_is_read_and_rendered_or_refused(raw):
    entries = outcome(metrics.parse, "metrics.json", raw)
    if entries is REFUSED:
        return
    floats = metrics.floats(entries)
    assert all(untrusted.number_problem(v) is None for v in floats.values())
    # the job renders what it read as its metrics page: that never fails the job
    assert shallow(metrics.render, "train", {"metrics.json": entries}).startswith("<!doctype html>")


# datasets: manifests, references, label and annotation files -----------------------------------------------------


box_property = st.fixed_dictionaries({}, optional={
    "@modelarts:bndbox": st.one_of(json_values, st.dictionaries(st.sampled_from(["xmin", "ymin", "xmax", "ymax"]),
                                                                numbers)),
    "@modelarts:yolo_box": st.one_of(json_values, st.lists(numbers, min_size=4, max_size=4))})
annotation_entry = st.fixed_dictionaries({"name": st.one_of(text, json_values)},
                                         optional={"type": text, "property": st.one_of(json_values, box_property)})
sample = st.fixed_dictionaries(
    {"source": st.one_of(st.just("s3://b/in/a.jpg"), st.just("content://a text"), text, json_values)},
    optional={"id": st.one_of(text, json_values), "usage": st.one_of(st.sampled_from(["TRAIN", "EVAL", ""]),
                                                                      json_values),
              "hard-coefficient": numbers,
              "annotation": st.one_of(json_values, st.lists(annotation_entry, max_size=2))})
manifests = st.one_of(
    st.binary(max_size=64),
    st.lists(st.one_of(sample.map(to_text), json_texts, st.just("")), max_size=4).map(lambda found: utf8(
        "\n".join(found))),
    st.lists(st.tuples(sample, st.lists(mutations, max_size=1)), max_size=3).map(
        lambda items: utf8("\n".join(to_text(mutate(s, m)) for s, m in items))),
)


@settings(max_examples=300, **SETTINGS)
@given(body=manifests, require_id=st.booleans())
def test_a_manifest_is_read_or_refused(body, require_id):
    samples = outcome(dataset.parse_manifest, body, "s3://b/datasets/d/manifest.json", require_id)
    if samples is not REFUSED:
        assert all(isinstance(s, dict) and isinstance(s["source"], str) and s["source"] for s in samples)


@settings(max_examples=200, **SETTINGS)
@given(value=st.one_of(json_values, json_texts, st.fixed_dictionaries(
    {"dataset_name": st.one_of(text, json_values)},
    optional={"version_name": st.one_of(text, json_values), "task_name": st.one_of(text, json_values)}),
                       st.fixed_dictionaries({"dataset_name": st.one_of(text, json_values)}).map(to_text)))
def test_a_dataset_reference_is_read_or_refused(value):
    found = outcome(dataset.reference, value)
    if found not in (None, REFUSED):
        assert dataset.NAME.fullmatch(found["dataset_name"])
        assert found["version_name"] is None or dataset.version_name_ok(found["version_name"])


def voc(objects: list[tuple[Any, list[Any], Any]], declaration: str | None) -> bytes:
    parts = ["<annotation>"]
    for name, box, difficult in objects:
        parts.append(f"<object><name>{name}</name><difficult>{difficult}</difficult><bndbox>"
                     + "".join(f"<{k}>{v}</{k}>" for k, v in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=False))
                     + "</bndbox></object>")
    parts.append("</annotation>")
    head = f'<?xml version="1.0" encoding="{declaration}"?>' if declaration else ""
    return utf8(head + "".join(parts))


ENCODINGS = [None, None, None, "utf-8", "UTF-16", "latin-1", "cp932", "utf-7", "rot13", "nonexistent"]
voc_files = st.builds(voc, st.lists(st.tuples(st.one_of(st.just("cat"), text),
                                              st.lists(st.one_of(finite.map(str), text), max_size=4),
                                              st.sampled_from(["0", "1", "true", ""])), max_size=2),
                      st.sampled_from(ENCODINGS))
lines = st.lists(st.one_of(text, st.just("0 0.5 0.5 0.2 0.2"), st.just("1 1e999 0 0 0"), st.just("cat,dog"),
                           st.just("a text\tcat"), st.just("a text,cat;dog")), max_size=4)
label_files = st.one_of(st.binary(max_size=48), voc_files,
                        lines.map(lambda found: utf8("\n".join(found))))
# (a message names a key as it is: one with a line break would break the message's line)
odd_names = text.filter(lambda t: not re.search(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", t))
IMAGES = ["a.jpg", "cat/b.png", "dog/c.jpg"]
#: keys under the input directory that are no path of a sample
NO_PATHS = ["d/../e.jpg", "f//g.jpg", "./h.jpg", "i/."]
#: what the input directory of each import format holds: samples and the label files beside them
LAYOUT = {
    None: (IMAGES + ["t.txt", "s.wav"], []),
    "MA_IMAGE_CLASSIFICATION_V1": (IMAGES, ["a.txt", "cat/b.txt"]),
    "MA_IMAGENET_V1": (IMAGES, []),
    "MA_PASCAL_VOC_V1": (IMAGES, ["a.xml", "cat/b.xml", "dog/c.xml"]),
    "YOLO": (IMAGES, ["a.txt", "cat/b.txt", "classes.txt", "obj.names"]),
    "MA_TEXT_CLASSIFICATION_V1": (["t.txt", "u.csv"], ["t_result.txt", "u_result.csv"]),
    "MA_TEXT_CLASSIFICATION_COMBINE_V1": (["t.txt", "u.csv"], []),
    "MA_AUDIO_CLASSIFICATION_DIR_V1": (["cat/s.wav", "s.mp3"], []),
    "MA_IMAGE_SEGMENTATION_V1": (IMAGES, []),
}


@st.composite
def import_directories(draw: st.DrawFn) -> tuple[dict[str, bytes], str | None, str]:
    """An input directory for one import format (or none): its files, the format, the dataset's data type."""
    format_name = draw(st.sampled_from(list(LAYOUT)))
    samples, labels = LAYOUT[format_name]
    files = {name: b"sample" for name in draw(st.lists(st.sampled_from(samples), min_size=1, max_size=3))}
    for name in draw(st.lists(st.sampled_from(labels), max_size=len(labels))) if labels else []:
        files[name] = draw(voc_files if name.endswith(".xml") else label_files)
    for name in draw(st.lists(st.one_of(odd_names, st.sampled_from(samples + labels + NO_PATHS)), max_size=2)):
        files[name] = draw(label_files)
    data_type = dataset.FORMAT_DATA_TYPES.get(format_name or "", "IMAGE")
    return files, format_name, draw(st.sampled_from([data_type, data_type, "FREE_FORMAT", "TEXT", "VIDEO", "TABULAR",
                                                     "OTHER"]))


separators = st.one_of(st.sampled_from([",", "\t", " ", ";", "||", ""]), odd_names)
VOC_IN_CP932 = b'<?xml version="1.0" encoding="cp932"?><annotation/>'
NO_SEPARATOR = AnnotationFormatParameters(difficult_only=False, label_separator=",", sample_label_separator="")


@example(directory=({"a.jpg": b"x", "a.xml": VOC_IN_CP932}, "MA_PASCAL_VOC_V1", "IMAGE"), params=None,
         label_format=None, manifest=False)  # a PASCAL VOC file declaring an encoding expat does not know
@example(directory=({"t.txt": b"a text,cat"}, "MA_TEXT_CLASSIFICATION_COMBINE_V1", "TEXT"), params=NO_SEPARATOR,
         label_format=None, manifest=False)  # an empty separator in the spec
@settings(max_examples=300, **SETTINGS)
@given(directory=import_directories(),
       params=st.one_of(st.none(), st.builds(AnnotationFormatParameters, difficult_only=st.booleans(),
                                             label_separator=separators, sample_label_separator=separators)),
       label_format=st.one_of(st.none(), st.builds(LabelFormat, label_type=st.sampled_from(["same_file",
                                                                                            "separate_file", ""]),
                                                   label_separator=separators, sample_label_separator=separators)),
       manifest=st.booleans())
def test_an_import_directory_is_parsed_or_refused(directory, params, label_format, manifest):
    """The label and annotation files of every import format (and a manifest import), as anyone who can write
    the input directory writes them, with the separators of the spec."""
    files, format_name, data_type = directory
    s3 = MemoryS3({"s3://b/in/" + name: body for name, body in files.items()})
    source = outcome(dataset.Source, s3, "s3://b/in/")
    if source is REFUSED:
        return
    if manifest:
        found = outcome(dataset.parse_manifest_input, source, s3)
        parsed = found if found is REFUSED else found[0]
    else:
        parsed = outcome(dataset.parse_input, source, data_type, format_name, params, label_format)
    if parsed is not REFUSED:
        for item in parsed:
            assert item.rel is not None or item.text is not None
            assert all(isinstance(name, str) for name in item.labels())


@settings(max_examples=150, **SETTINGS)
@given(info=st.one_of(json_texts, st.fixed_dictionaries({"data_type": st.one_of(text, json_values)}, optional={
    "labels": st.one_of(json_values, st.lists(st.one_of(json_values, st.fixed_dictionaries(
        {"name": st.one_of(text, json_values)})), max_size=2))}).map(to_text)),
       versions=st.lists(st.tuples(st.one_of(st.sampled_from(["V001", "V010", "V9", "..", ".", "V" + "9" * 12]), text),
                                   json_texts), max_size=3))
def test_a_datasets_own_files_are_read_or_refused(info, versions):
    """dataset.json and versions/<V>/version.json: anyone who can write the bucket writes them."""
    objects = {"s3://b/datasets/d/dataset.json": utf8(info)}
    for name, body in versions:
        objects[f"s3://b/datasets/d/versions/{name}/version.json"] = utf8(body)
    store = dataset.Store(MemoryS3(objects), "s3://b/datasets/")
    outcome(store.info, "d")
    outcome(store.latest, "d")
    for name in outcome(store.versions, "d"):
        assert dataset.version_name_ok(name)


@settings(max_examples=150, **SETTINGS)
@given(value=st.one_of(json_values, text))
def test_resolved_dataset_settings_are_read_or_refused(value):
    value = materialize(value)
    ratio = outcome(dataset.ratio_of, value)
    assert ratio is REFUSED or 0.0 <= ratio <= 1.0
    assert outcome(dataset.truthy, value, "flag") in (True, False, REFUSED)
    assert outcome(dataset.import_kind, value) in ("dir", "manifest", REFUSED)


# a service's deployment input ----------------------------------------------------------------------------------


deployment_entry = st.fixed_dictionaries({}, optional={
    "model_name": st.one_of(st.just("iris"), text, json_values),
    "model_version": st.one_of(st.just("1.0.0"), text, json_values),
    "weight": st.one_of(st.sampled_from([100, 50, "50", "0100", "²", -1, 101]), numbers, text),
    "specification": st.one_of(st.sampled_from(["modelarts.vm.cpu.2u", "modelarts.vm.cpu.١u", '{"cpu": "1"}',
                                                "modelarts.vm.cpu." + "9" * 5000 + "u"]), text, json_values),
    "envs": json_values, "other": json_values})


@example(value=[{"model_name": "iris", "specification": "modelarts.vm.cpu." + "9" * 5000 + "u"}], details=None)
@example(value=[{"model_name": "iris", "line\rbreak": 1}], details=None)  # an unknown field named as it is
@settings(max_examples=300, **SETTINGS)
@given(value=st.one_of(json_texts, json_values, st.lists(deployment_entry, max_size=3),
                       st.lists(deployment_entry, max_size=3).map(to_text)),
       details=st.one_of(st.none(), st.fixed_dictionaries({}, optional={
           "model_name": st.one_of(text, json_values), "model_version": st.one_of(text, json_values)})))
def test_a_deployment_input_is_read_or_refused(value, details):
    entries = outcome(service.service_input_entries, materialize(value), "deploy", materialize(details))
    if entries is not REFUSED:
        assert sum(e["weight"] for e in entries) == 100
        assert len({e["model_name"] for e in entries}) == 1


@settings(max_examples=150, **SETTINGS)
@given(selector=st.one_of(st.none(), text, json_texts, st.just("a=b, c = d"), st.just("=x")),
       tolerations=st.one_of(st.none(), text, json_texts))
def test_the_edge_nodes_configuration_is_read_or_refused(selector, tolerations):
    env = {k: v for k, v in ((service.EDGE_NODE_SELECTOR, selector), (service.EDGE_TOLERATIONS, tolerations)) if v}
    placement = outcome(service.edge_placement, env)
    if placement is not REFUSED:
        assert placement["nodeSelector"] and all(isinstance(v, str) for v in placement["nodeSelector"].values())


# the pod's annotations ---------------------------------------------------------------------------------------------


annotation_lines = st.one_of(
    text, st.builds(lambda k, v: f"{k}={v}", text, text),
    st.builds(lambda k, v: f'{k}="{v}"', text, text),
    st.sampled_from(['a="\\x01\\a"', 'a="\\N{DIGIT ONE}"', 'a="' + "\\" * 3 + '"', 'a="" if 1 else ""', 'a=""""',
                     'a="\\u12"', 'a="' + "(" * 300 + '"', 'a="\\' + "U" + "0" * 8 + '"']))


@pytest.fixture(scope="module")
def podinfo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("podinfo")


@settings(max_examples=200, **SETTINGS)
@given(lines=st.lists(annotation_lines, max_size=5), raw=st.one_of(st.none(), st.binary(max_size=64)),
       values=st.dictionaries(st.from_regex(r"[a-z][a-z0-9./-]{0,20}", fullmatch=True), st.text(max_size=20),
                              max_size=3))
def test_the_pod_annotations_file_is_read_whatever_it_holds(podinfo_dir, lines, raw, values):
    """``podinfo.annotations`` never fails a phase (a line it cannot read is left out), and reads the kubelet's
    Go-quoted values back exactly."""
    body = raw if raw is not None else utf8("\n".join(lines))
    (podinfo_dir / "annotations").write_bytes(body)
    found = shallow(podinfo.annotations, podinfo_dir)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in found.items())
    (podinfo_dir / "annotations").write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in values.items()))
    assert podinfo.annotations(podinfo_dir) == values


# runtime/untrusted.py -----------------------------------------------------------------------------------------------


class Refusal(PhaseError):
    """The error a caller of ``untrusted`` passes."""


@settings(max_examples=300, **SETTINGS)
@given(raw=st.one_of(json_texts, json_texts.map(utf8), st.binary(max_size=32)),
       limit=st.one_of(st.none(), st.integers(0, 64)), lenient=st.booleans())
def test_loads_gives_bounded_json_or_refuses(raw, limit, lenient):
    value = outcome(untrusted.loads, raw, "file", Refusal, limit=limit, lenient=lenient)
    if value is REFUSED:
        return
    assert not untrusted.too_deep(value) if isinstance(value, (dict, list)) else True
    if not lenient:
        assert untrusted.bad_number(value) is None
    assert isinstance(untrusted.shown(value), str)


@settings(max_examples=300, **SETTINGS)
@given(value=st.one_of(json_values, numbers, st.just(untrusted.Huge(500)), deep), string=text)
def test_numbers_are_finite_floats_or_refused(value, string):
    value = materialize(value)
    number = outcome(untrusted.number, value, "x", Refusal)
    assert number is REFUSED or untrusted.number_problem(number) is None
    found = untrusted.bad_number(value)
    assert found is None or isinstance(found[1], str)
    shown = untrusted.shown(value)
    assert isinstance(shown, str) and "\n" not in shown and len(shown) < 200
    decimal = outcome(untrusted.decimal, string, "x", Refusal)
    assert decimal is REFUSED or untrusted.number_problem(decimal) is None
    whole = outcome(untrusted.whole, string, "x", Refusal)
    assert whole is REFUSED or isinstance(whole, int) and untrusted.number_problem(whole) is None


@pytest.fixture(scope="module")
def destination(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A download's directory, with a symbolic link out of it and one to itself."""
    found = tmp_path_factory.mktemp("destination")
    (found / "inside").mkdir()
    (found / "out").symlink_to("/")
    (found / "loop").symlink_to(found / "loop")
    return found


segments = st.one_of(st.sampled_from(["", ".", "..", "inside", "out", "loop", "a", "etc", "\x00", "~", "a" * 300]),
                     st.text(max_size=6))


@settings(max_examples=300, **SETTINGS)
@given(path=st.lists(segments, min_size=1, max_size=5).map("/".join))
def test_a_key_becomes_a_file_inside_its_destination_or_is_refused(destination, path):
    problem = untrusted.key_problem(path)
    target = outcome(untrusted.local_path, destination, path, f"object {path!r}", Refusal)
    if target is REFUSED:
        return
    assert problem is None
    target.resolve().relative_to(destination.resolve())


class SizedS3:
    def __init__(self, body: bytes, too_large: bool):
        self.body, self.too_large = body, too_large

    def get(self, bucket: str, key: str, limit: int | None = None) -> bytes:
        if self.too_large:
            raise S3TooLarge(f"s3://{bucket}/{key}: larger than {limit} bytes")
        return self.body


@settings(max_examples=100, **SETTINGS)
@given(body=st.binary(max_size=40), too_large=st.booleans(), limit=st.integers(0, 40),
       encoded=st.one_of(st.binary(max_size=16), text.map(utf8)))
def test_an_object_is_read_within_its_limit_or_refused(body, too_large, limit, encoded):
    read = outcome(untrusted.read_object, SizedS3(body, too_large), "b", "k", limit, "label file", Refusal)
    assert read is REFUSED or len(read) <= limit
    decoded = outcome(untrusted.decode, encoded, "label file", Refusal)
    assert decoded is REFUSED or isinstance(decoded, str)
