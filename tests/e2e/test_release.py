"""`python pipeline.py | kubectl ...` with the cluster's own kubectl, at the size of the benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
sys.path.insert(0, {benchmarks!r})
from compile import pipeline
workflow = pipeline(1000)
workflow.name = "e2e-thousand-steps"
workflow.release()
"""


def test_a_thousand_step_pipeline_is_applied_as_release_advises(kube, tmp_path):
    script = tmp_path / "pipeline.py"
    script.write_text(SCRIPT.format(benchmarks=str(ROOT / "benchmarks")))
    released = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert released.returncode == 0, released.stderr
    assert "kubectl apply --server-side -f -" in released.stderr  # the plain form cannot keep 1,000 steps
    kubectl = os.environ.get("WF2K8S_KUBECTL") or "kubectl"
    applied = subprocess.run([kubectl, "apply", "--server-side", "-f", "-"], input=released.stdout,
                             capture_output=True, text=True, timeout=300)
    assert applied.returncode == 0, applied.stderr
    try:
        count = subprocess.run([kubectl, "get", "workflowtemplate", "e2e-thousand-steps", "-n", "wf2k8s", "-o",
                                "jsonpath={.spec.templates[0].dag.tasks[*].name}"], capture_output=True, text=True,
                               timeout=60)
        assert count.returncode == 0, count.stderr
        assert len(count.stdout.split()) >= 1000
    finally:
        subprocess.run([kubectl, "delete", "workflowtemplate", "e2e-thousand-steps", "-n", "wf2k8s"],
                       capture_output=True, timeout=60)
