"""``wf2k8s graph``: the DOT drawn from a compiled pipeline or a run (Graphviz itself is not needed here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wf2k8s import cli
from wf2k8s.backends.argo.graph import dot
from wf2k8s.cli import load_workflows

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"


def drawn(example: str, statuses: dict | None = None) -> str:
    workflow = load_workflows(SEED / f"{example}.py")[0]
    return dot(workflow.to_workflow_template()["spec"], workflow.name, statuses)


def nodes(text: str) -> dict[str, str]:
    return dict(re.findall(r'^  "([^"]+)" \[label="([^"]*)"', text, re.M))


def edges(text: str) -> set[tuple[str, str, str]]:
    return {(a, b, label) for a, b, label in re.findall(r'^  "([^"]+)" -> "([^"]+)"(?: \[label="([^"]*)"\])?;', text,
                                                         re.M)}


def test_one_node_per_step_with_its_kind_and_the_branches_a_condition_takes():
    text = drawn("s4_1_3_data_objects")
    assert nodes(text)["choose-branch"] == "choose_branch\\nConditionStep"
    assert nodes(text)["step1"] == "step1\\nJobStep"
    assert nodes(text)["input-service-input-placeholder"] == "input\\nservice_input_placeholder"
    assert ("choose-branch", "step1", "true") in edges(text) and ("choose-branch", "step2", "false") in edges(text)
    assert ("step1", "model-from-gallery", "") in edges(text)
    assert 'shape="diamond"' in text.split('"choose-branch" [')[1].split("\n")[0]


def test_a_step_says_which_scenes_run_it():
    text = drawn("s4_10_1_partial_execution")
    assert nodes(text)["training-job"].endswith("\\nscenes: Model training")


def test_a_runs_phases_are_coloured_by_their_status():
    text = drawn("s4_1_3_data_objects", {"step1": "Succeeded", "step2": "Skipped", "choose-branch": "Failed"})
    line = next(x for x in text.splitlines() if x.startswith('  "step1" ['))
    assert 'fillcolor="#c8e6c9"' in line and 'tooltip="Succeeded"' in line
    assert 'fillcolor="#ffcdd2"' in next(x for x in text.splitlines() if x.startswith('  "choose-branch" ['))


def test_the_cli_writes_dot_and_refuses_an_unknown_format_in_one_line(tmp_path, capsys):
    assert cli.main(["graph", str(SEED / "s4_1_3_data_objects.py"), "-o", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text().startswith('digraph "data-objects-demo" {')
    assert cli.main(["graph", str(SEED / "s4_1_3_data_objects.py"), "-o", str(tmp_path / "g.jpeg")]) == 2
    assert capsys.readouterr().err.strip().endswith("the name must end in .svg, .png, .pdf or .dot")


@pytest.mark.parametrize("suffix", ["svg"])
def test_graphviz_draws_it_when_installed(tmp_path, suffix):
    """hack/ installs Graphviz (Debian's graphviz): fails, never skips, without it."""
    assert cli.main(["graph", str(SEED / "s4_1_3_data_objects.py"), "-o", str(tmp_path / f"g.{suffix}")]) == 0
    svg = (tmp_path / "g.svg").read_text()
    assert svg.count('class="node"') == 12 and svg.count('class="edge"') == 11


def test_the_readmes_picture_is_of_the_pipeline_as_it_compiles_now():
    import html

    svg = (SEED / "s4_1_3_data_objects.svg").read_text()
    titles = {html.unescape(t) for t in re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)}
    assert titles == set(nodes(drawn("s4_1_3_data_objects")))
