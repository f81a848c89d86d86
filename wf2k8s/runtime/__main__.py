"""``wf2k8s-runtime <command> --spec <json>``: what runs inside every phase container."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import condition, dataset, job, labeling, model, mrs, resolve, service
from .contract import RESULT_DIR, ContractError, Run, load_spec
from .metrics import MetricsError
from .s3 import S3Error

COMMANDS = {
    "job": job.run,
    "condition": condition.run,
    "resolve": resolve.run,
    "model": model.run,
    "service": service.run,
    "create-dataset": dataset.create,
    "labeling": labeling.run,
    "dataset-import": labeling.import_data,
    "release-dataset": dataset.release,
    "mrs-job": mrs.run,
}
TERMINATION_LOG = Path("/dev/termination-log")


def write_result(result: dict) -> None:
    directory = Path(RESULT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    files = result.pop("files", {})
    for name, text in files.items():
        (directory / name).write_text(text)
    (directory / "result.json").write_text(json.dumps(result, separators=(",", ":")))


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
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--run", default="run")
    parser.add_argument("--namespace", default="")
    parser.add_argument("--parameters", default="{}")
    parser.add_argument("--spec", required=True)
    args = parser.parse_args(argv)
    step = "?"
    try:
        Run.configure(args.run, args.namespace, args.parameters)
        spec = load_spec(args.spec)
        step = spec["step"]
        write_result(COMMANDS[args.command](spec))
        return 0
    except (ContractError, S3Error, MetricsError, job.JobFailed) as problem:
        return fail(step, str(problem))


if __name__ == "__main__":
    sys.exit(main())
