"""Reading the pod's annotations file the kubelet writes, and a deployer waiting for a corrected input."""

from __future__ import annotations

import pytest

from wf2k8s.runtime import podinfo, service
from wf2k8s.runtime.context import ContractError


def test_annotations_are_read_with_go_quoting(tmp_path):
    (tmp_path / "annotations").write_text(
        'kubernetes.io/config.seen="2026-11-24T09:00:00Z"\n'
        'wf2k8s.io/input.deploy_models="[{\\"model_name\\": \\"iris\\", \\"weight\\": 100}]"\n'
        'wf2k8s.io/labeling="done"\n'
        'odd="\\x01\\a"\n')
    assert podinfo.annotations(tmp_path) == {
        "kubernetes.io/config.seen": "2026-11-24T09:00:00Z",
        "wf2k8s.io/input.deploy_models": '[{"model_name": "iris", "weight": 100}]',
        "wf2k8s.io/labeling": "done", "odd": "\x01\x07"}
    assert podinfo.annotations(tmp_path / "missing") == {} and podinfo.annotations(None) == {}


def check(text: str) -> list[dict]:
    return service.service_input_entries(text, "deploy_models", {"model_name": "iris"})


def test_a_refused_input_waits_for_a_corrected_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WF2K8S_PODINFO", str(tmp_path))
    given = iter(['[{"model_name": "iris", "weight": 50}]',  # still wrong: refused again
                  '[{"model_name": "iris", "model_version": "1.0.0", "weight": 100}]'])

    def sleep(seconds):  # what the kubelet writes after each `wf2k8s input`
        value = next(given).replace('"', '\\"')
        (tmp_path / "annotations").write_text(f'wf2k8s.io/input.deploy_models="{value}"\n')

    try:
        check("[]")
    except ContractError as problem:
        entries = service.corrected_input("deploy_models", problem, check, sleep=sleep)
    assert [(e["model_version"], e["weight"]) for e in entries] == [("1.0.0", 100)]
    out = capsys.readouterr().out
    assert "waiting for a corrected value: wf2k8s input" in out and "sum to 50" in out and "accepted" in out


def test_outside_a_pod_the_refusal_stands(monkeypatch):
    monkeypatch.delenv("WF2K8S_PODINFO", raising=False)
    with pytest.raises(ContractError, match="sum to 50"):
        try:
            check('[{"model_name": "iris", "weight": 50}]')
        except ContractError as problem:
            service.corrected_input("deploy_models", problem, check, sleep=lambda s: None)
