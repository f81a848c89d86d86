"""Every example pipeline compiles, unchanged, to the golden YAML, which Argo's CRD schema accepts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from argo_schema import check_document
from wf2k8s.backends.argo.yamlio import dump_all
from wf2k8s.cli import load_workflows

ROOT = Path(__file__).resolve().parents[2]
# pipelines, not the code their jobs run (examples/*/code/)
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.py") if "code" not in p.relative_to(ROOT).parts)
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("WF2K8S_UPDATE_GOLDEN") == "1"


def compiled(path: Path) -> str:
    return dump_all(w.to_workflow_template() for w in load_workflows(path))


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES])
def test_example_matches_golden_and_schema(path: Path) -> None:
    text = compiled(path)
    golden = GOLDEN / path.relative_to(ROOT / "examples").with_suffix(".yaml")
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.exists(), f"no golden file {golden}; run with WF2K8S_UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(), f"{path.name} compiles differently from {golden.name}"
    for document in yaml.safe_load_all(text):
        assert check_document(document) == []


def test_there_is_an_example_for_every_seed_section() -> None:
    sections = {p.name.split("_")[0] + "_" + p.name.split("_")[1] for p in EXAMPLES if p.name.startswith("s4_")}
    assert {"s4_2", "s4_3", "s4_4", "s4_5", "s4_6", "s4_8", "s4_9", "s4_10"} <= sections
    assert len([p for p in EXAMPLES if p.parent.name == "seed"]) >= 35
