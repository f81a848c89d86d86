"""Between Kubeflow Pipelines and the wf2k8s runtime: runs in the phase's container as ``python3 -c``.

Standard library only (it runs in any engine image, as the runtime does). KFP gives a container its
inputs as separate arguments and takes its outputs from files it names; the runtime takes every run
parameter as one JSON object (``--parameters``) and writes its outputs under /tmp/wf2k8s. Modes:

``run --exec PROGRAM... [--output FILE PATH]... [--parameter NAME TYPE VALUE]... -- COMMAND ARGS...``
    runs ``PROGRAM COMMAND --parameters JSON ARGS...`` and, when it exits 0, copies each FILE the runtime
    wrote to the PATH KFP reads the output from;
``flavor STEP VALUE CPU_PATH MEMORY_PATH GPU_PATH``
    a flavor placeholder's run value (a resource map) as the three values KFP's resource settings take.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

RESULT_DIR = "/tmp/wf2k8s"


def parse_run(argv):
    program, outputs, parameters = [], [], {}
    i = 0
    while i < len(argv) and argv[i] != "--":
        flag = argv[i]
        if flag == "--exec":
            program.append(argv[i + 1])
            i += 2
        elif flag == "--output":
            outputs.append((argv[i + 1], argv[i + 2]))
            i += 3
        elif flag == "--parameter":
            parameters[argv[i + 1]] = normalize(argv[i + 2], argv[i + 3])
            i += 4
        else:
            raise SystemExit(f"wf2k8s-kfp-adapter: unknown argument {flag!r}")
    return program, outputs, parameters, argv[i + 1:]


def normalize(kind, text):
    # a KFP backend hands numbers over as JSON numbers: an int parameter may arrive as "3.0"
    if kind == "int" and re.fullmatch(r"-?\d+\.0*", text):
        return text.split(".")[0]
    return text


def run(argv):
    program, outputs, parameters, runtime_args = parse_run(argv)
    command = [*program, *runtime_args[:1], "--parameters", json.dumps(parameters), *runtime_args[1:]]
    code = subprocess.call(command)
    if code:
        return code
    for file, path in outputs:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(RESULT_DIR) / file, path)
    return 0


def flavor(step, value, cpu_path, memory_path, gpu_path):
    try:
        resources = json.loads(value)
    except ValueError:
        resources = None
    if not isinstance(resources, dict) or not all(isinstance(resources.get(k), (str, int)) for k in ("cpu", "memory")):
        print(f"wf2k8s: step {step!r}: the flavor must be a JSON object with cpu and memory "
              f"(and optionally nvidia.com/gpu), got {value[:200]!r}", file=sys.stderr)
        return 1
    values = (str(resources["cpu"]), str(resources["memory"]), str(resources.get("nvidia.com/gpu", 0)))
    for path, text in zip((cpu_path, memory_path, gpu_path), values, strict=True):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text)
    return 0


def main(argv):
    if argv[:1] == ["run"]:
        return run(argv[1:])
    if argv[:1] == ["flavor"] and len(argv) == 6:
        return flavor(*argv[1:])
    raise SystemExit("wf2k8s-kfp-adapter: usage: run ... | flavor STEP VALUE CPU MEMORY GPU")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
