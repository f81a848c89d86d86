"""JobStep: fetch code and inputs, run the user's code, upload outputs, read metrics.

ModelArts conventions: hyperparameters are ``--name=value``; each input is
``--<input name>=<local file or directory>``; each output ``--<output name>=<local directory>``,
uploaded to its OBS path when the code exits 0.

A worker of a job on several nodes (``WF2K8S_RANK`` set by the launcher, ``distributed.py``) does the
same, except that only rank 0 uploads outputs and reads metrics (every rank gets the inputs and an
output directory), an exported log is ``<step>-<rank>.log`` for the other ranks, and the result goes to
the launcher as the container's termination message.
"""

from __future__ import annotations

import collections
import json
import os
import posixpath
import subprocess
import sys
from pathlib import Path
from typing import Any

from wf2k8s.contract.phases import JobOutput, JobPhase, MetricsConfig

from . import dataset as dataset_module
from . import distributed
from . import metrics as metrics_module
from .clients import S3, split_uri
from .context import RESULT_DIR, ContractError, RunContext
from .errors import PhaseError
from .resolve import catalog_entry
from .untrusted import local_path, read_object

WORK = Path(os.environ.get("WF2K8S_WORK_DIR", "/tmp/wf2k8s/work"))
LOG_TAIL_LINES = 30


class JobFailed(PhaseError):
    pass


def as_uri(location: Any, what: str) -> str:
    """An OBS location in the forms the spec can hold, as ``s3://bucket/key``."""
    if isinstance(location, dict):
        if "uri" in location:
            location = location["uri"]
        elif "obs_path" in location:
            location = location["obs_path"]
        elif "dataset_name" in location:
            raise ContractError(f"{what}: dataset {location['dataset_name']!r} is not an OBS path "
                                "(datasets are read as job inputs only)")
    if not isinstance(location, str) or not location:
        raise ContractError(f"{what}: no OBS path (got {location!r})")
    if location.lstrip().startswith("{"):
        raise ContractError(f"{what}: a dataset is not an OBS path (datasets are read as job inputs only)")
    bucket, key = split_uri(location)
    return f"s3://{bucket}/{key}"


def default_location(run: RunContext, step: str, output: str) -> str:
    bucket = os.environ.get("WF2K8S_S3_BUCKET")
    if not bucket:
        raise ContractError(f"output {output!r} has no obs_config and WF2K8S_S3_BUCKET is not set")
    return f"s3://{bucket}/wf2k8s-runs/{run.name}/{step}/{output}/"


def algorithm_of(spec: JobPhase, run: RunContext) -> dict:
    """The algorithm as run (plain JSON): the catalog's entry (if resolved) under the step's own settings."""
    own = run.resolve(spec.algorithm)
    base = catalog_entry(own)[0]
    parameters = {p["name"]: p.get("value") for p in base.get("parameters") or []}
    parameters.update({p.name: p.value for p in own.parameters or []})
    settings = {"code_dir": own.code_dir, "boot_file": own.boot_file, "command": own.command}
    merged = {**base, **{k: v for k, v in settings.items() if v}}
    merged["parameters"] = parameters
    merged["environments"] = {**(base.get("environments") or {}), **(own.environments or {})}
    return merged


def argument(value: Any) -> str:
    """A value as the text a program gets (``--name=value``, an environment variable): JSON for a JSON or
    LIST placeholder's value (``--cfg={"depth": 3}``, as ModelArts passes them), never Python's repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def download_obs_input(s3: S3, name: str, data: Any) -> Path:
    """An OBS input (a file or a directory) in the work directory; the local path the program gets."""
    uri = as_uri(data, f"input {name!r}")
    local = s3.download(uri, WORK / "inputs" / name)
    return local.parent if local.is_file() and uri.endswith("/") else local


def worker_rank() -> int | None:
    """This worker's rank in a job on several nodes; None for a one-node job."""
    text = os.environ.get("WF2K8S_RANK")
    return int(text) if text is not None and text.isdigit() else None


def run(spec: JobPhase, run: RunContext) -> dict:
    rank = worker_rank()
    result = run_code(spec, run, rank)
    if rank is not None:
        distributed.report(result)
    return result


def run_code(spec: JobPhase, run: RunContext, rank: int | None) -> dict:
    s3 = S3.from_env()
    step = spec.step
    algorithm = algorithm_of(spec, run)
    code = WORK / "code"
    argv: list[str] = []
    if algorithm.get("code_dir"):
        s3.download(as_uri(algorithm["code_dir"], "code_dir"), code)
    code.mkdir(parents=True, exist_ok=True)
    for name, value in algorithm["parameters"].items():
        argv.append(f"--{name}={argument(value)}")
    for item in spec.inputs:
        data = run.resolve(item.data)
        version = dataset_module.download_input(s3, data, WORK / "inputs" / item.name)  # None: not a dataset
        if version is not None:
            argv.append(f"--{item.name}={version}")
            continue
        argv.append(f"--{item.name}={download_obs_input(s3, item.name, data)}")
    outputs: list[tuple[JobOutput, Path]] = []
    for output in spec.outputs:
        local = WORK / "outputs" / output.name
        local.mkdir(parents=True, exist_ok=True)
        argv.append(f"--{output.name}={local}")
        outputs.append((output, local))

    log = WORK / "job.log"
    code_process = command_line(algorithm, code, argv)
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           **{k: argument(v) for k, v in (algorithm.get("environments") or {}).items()}}
    exit_code, tail = execute(code_process, code, env, log)
    log_path = spec.spec.log_export_path
    if log_path is not None:
        target = as_uri(run.resolve(log_path.obs_url), "log_export_path")
        name = f"{step}.log" if not rank else f"{step}-{rank}.log"
        s3.upload(log, target + ("" if target.endswith("/") else "/") + name)
    if exit_code != 0:
        raise JobFailed(f"the job's code exited with {exit_code}; last lines of its log:\n" + "\n".join(tail))

    result: dict[str, Any] = {"outputs": {}, "metrics": {}}
    if rank:  # rank 0 writes the outputs
        return result
    metric_outputs: list[tuple[JobOutput, MetricsConfig, Path]] = []
    for output, local in outputs:
        if output.metrics_config is not None:
            metric_outputs.append((output, output.metrics_config, local))
            continue
        obs = output.obs_config
        uri = as_uri(run.resolve(obs.obs_path), f"output {output.name!r}") if obs is not None else \
            default_location(run, step, output.name)
        count = s3.upload(local, uri)
        print(f"output {output.name}: {count} file(s) to {uri}")
        result["outputs"][output.name] = {"uri": uri}
    charts: dict[str, list[dict]] = {}
    for output, metrics_config, local in metric_outputs:
        files = run.resolve(metrics_config.metric_files)
        values: dict[str, float] = {}
        for location in files:
            uri = as_uri(location, f"output {output.name!r} metric file")
            bucket, key = split_uri(uri)
            written = local_path(local, posixpath.basename(key), f"metric file {uri} of output {output.name!r}",
                                 JobFailed)
            if written.is_file():  # the code wrote it where --<output>= pointed: upload it to its path
                s3.store(written, bucket, key)
            if not s3.exists(bucket, key):
                raise JobFailed(f"metric file {uri} of output {output.name!r} was not written by the job")
            body = read_object(s3, bucket, key, metrics_module.MAX_BYTES, "metrics file", metrics_module.MetricsError)
            entries = metrics_module.parse(uri, body)
            values.update(metrics_module.floats(entries))
            charts[uri] = entries
        result["metrics"][output.name] = values
        result["outputs"][output.name] = {"uri": as_uri(files[0], "metric file") if files else None}
        print(f"metrics {output.name}: {values}")
    Path(RESULT_DIR).mkdir(parents=True, exist_ok=True)
    if charts:
        (Path(RESULT_DIR) / "metrics.html").write_text(metrics_module.render(step, charts))
    return result


def command_line(algorithm: dict, code: Path, argv: list[str]) -> list[str]:
    if algorithm.get("boot_file"):
        boot = str(algorithm["boot_file"])
        if "://" in boot or boot.startswith("/"):
            code_dir = as_uri(algorithm.get("code_dir") or "", "code_dir") if algorithm.get("code_dir") else ""
            boot_uri = as_uri(boot, "boot_file")
            if not code_dir or not boot_uri.startswith(code_dir.rstrip("/") + "/"):
                raise ContractError(f"boot_file {boot} is not in code_dir {algorithm.get('code_dir')}")
            boot = boot_uri[len(code_dir.rstrip("/")) + 1:]
        if not (code / boot).is_file():
            raise ContractError(f"boot_file {boot!r} is not in the code directory")
        return [sys.executable if Path(sys.executable).exists() else "python3", str(code / boot), *argv]
    if algorithm.get("command"):
        # the command is the user's own shell text; the values we add are positional arguments, never spliced
        return ["sh", "-c", f'{algorithm["command"]} "$@"', "sh", *argv]
    raise ContractError("the algorithm has neither boot_file nor command")


def execute(argv: list[str], cwd: Path, env: dict, log: Path) -> tuple[int, list[str]]:
    tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
    print("running:", " ".join(argv), flush=True)
    with log.open("w") as sink:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace")
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sink.write(line)
            tail.append(line.rstrip("\n"))
        code = process.wait()
    return code, list(tail)
