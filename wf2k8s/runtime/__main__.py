"""``wf2k8s-runtime <command> --spec <json>``: what runs inside every phase container.

The command names a phase kind of the registry (``wf2k8s.contract.registry``); the spec is read into
that kind's contract class (strictly, refusing another major contract version) and handed with the
run's context to the kind's runtime entry point.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any, Callable

if sys.version_info < (3, 10):  # the zipapp runs in users' engine images: say so rather than crash
    sys.exit("wf2k8s-runtime: needs Python 3.10 or newer in the phase's image, found "
             + ".".join(map(str, sys.version_info[:3])))

from wf2k8s.contract import ContractError, load_phase  # noqa: E402
from wf2k8s.contract.registry import BY_COMMAND, PhaseKind  # noqa: E402

from .context import RESULT_DIR, RunContext  # noqa: E402
from .errors import PhaseError  # noqa: E402

TERMINATION_LOG = Path("/dev/termination-log")


def entry_point(kind: PhaseKind) -> Callable[[Any, RunContext], dict]:
    module, function = kind.runtime.split(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), function)


def write_result(result: dict) -> None:
    directory = Path(RESULT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    files = result.pop("files", {})
    for name, text in files.items():
        (directory / name).write_text(text)
    # later steps read it through Argo, which would expand a "{{" in it: written "{\u007b" (still JSON)
    text = json.dumps(result, separators=(",", ":"), ensure_ascii=False).replace("{{", "{\\u007b")
    (directory / "result.json").write_text(text)


def fail(step: str, message: str) -> int:
    text = f"wf2k8s-runtime: step {step!r}: {message}"
    print(text, file=sys.stderr)
    try:  # Kubernetes shows this as the container's termination message, Argo as the node's message
        TERMINATION_LOG.write_text(message[-4000:])
    except OSError:
        pass
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wf2k8s-runtime")
    parser.add_argument("command", choices=sorted(BY_COMMAND))
    parser.add_argument("--run", default="run")
    parser.add_argument("--namespace", default="")
    parser.add_argument("--parameters", default="{}")
    parser.add_argument("--spec", required=True)
    args = parser.parse_args(argv)
    kind = BY_COMMAND[args.command]
    step = "?"
    try:
        context = RunContext.from_args(args.run, args.namespace, args.parameters)
        spec = load_phase(kind.kind, args.spec)
        step = spec.step
        write_result(entry_point(kind)(spec, context))
        return 0
    except (ContractError, PhaseError) as problem:
        return fail(step, str(problem))


if __name__ == "__main__":
    sys.exit(main())
