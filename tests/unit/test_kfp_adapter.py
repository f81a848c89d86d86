"""The adapter between KFP and the wf2k8s runtime (wf2k8s/backends/kfp/adapter.py), run as the compiled
components run it: ``python3 -c <its code> ...``, with a stand-in for the runtime."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wf2k8s.backends.kfp.compiler import ADAPTER

#: records the command line it got and writes a result where the runtime writes it (RESULT_DIR, patched below)
STAND_IN = """
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
(out / "result.json").write_text(json.dumps({"argv": sys.argv[2:]}))
(out / "condition").write_text("true")
sys.exit(int(sys.argv[2] == "fail"))
"""


def adapter(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    code = ADAPTER.replace("RESULT_DIR = '/tmp/wf2k8s'", f"RESULT_DIR = {str(tmp_path / 'out')!r}")
    assert code != ADAPTER, "the adapter names the runtime's result directory"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)


def test_run_gives_the_runtime_its_parameters_as_one_json_object_and_hands_its_outputs_to_kfp(tmp_path):
    stand_in = tmp_path / "runtime.py"
    stand_in.write_text(STAND_IN)
    result, condition = tmp_path / "kfp" / "result", tmp_path / "kfp" / "condition"
    done = adapter(tmp_path, "run", "--exec", sys.executable, "--exec", str(stand_in), "--exec", str(tmp_path / "out"),
                   "--output", "result.json", str(result), "--output", "condition", str(condition),
                   "--parameter", "epochs", "int", "3.0", "--parameter", "name", "str", "a b {{x}}",
                   "--", "condition", "--run", "r1", "--namespace", "ns", "--spec", '{"a": 1}')
    assert done.returncode == 0, done.stderr
    argv = json.loads(result.read_text())["argv"]
    # the runtime's own command line, --parameters after the command; an int KFP wrote as a number is an int
    assert argv == ["condition", "--parameters", json.dumps({"epochs": "3", "name": "a b {{x}}"}),
                    "--run", "r1", "--namespace", "ns", "--spec", '{"a": 1}']
    assert condition.read_text() == "true"


def test_run_fails_as_the_runtime_fails_and_writes_no_output(tmp_path):
    stand_in = tmp_path / "runtime.py"
    stand_in.write_text(STAND_IN)
    result = tmp_path / "kfp" / "result"
    done = adapter(tmp_path, "run", "--exec", sys.executable, "--exec", str(stand_in), "--exec", str(tmp_path / "out"),
                   "--output", "result.json", str(result), "--", "fail")
    assert done.returncode == 1
    assert not result.exists()


def test_flavor_reads_a_resource_map_into_kfps_resource_values(tmp_path):
    paths = [tmp_path / name for name in ("cpu", "memory", "gpu")]
    done = adapter(tmp_path, "flavor", "train", json.dumps({"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": 1}),
                   *map(str, paths))
    assert done.returncode == 0, done.stderr
    assert [p.read_text() for p in paths] == ["2", "8Gi", "1"]
    done = adapter(tmp_path, "flavor", "train", json.dumps({"cpu": "1", "memory": "1Gi"}), *map(str, paths))
    assert [p.read_text() for p in paths] == ["1", "1Gi", "0"]


def test_flavor_refuses_a_value_without_cpu_and_memory_in_one_line(tmp_path):
    done = adapter(tmp_path, "flavor", "train", '{"cpu": "1"}', *(str(tmp_path / n) for n in ("c", "m", "g")))
    assert done.returncode == 1
    assert done.stderr == ("wf2k8s: step 'train': the flavor must be a JSON object with cpu and memory (and optionally "
                           "nvidia.com/gpu), got '{\"cpu\": \"1\"}'\n")
