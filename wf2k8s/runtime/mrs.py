"""MrsJobStep: the Spark program run by spark-submit in local mode, in the phase's own pod.

An MRS cluster runs the boot script with ``spark-submit <run_args> <boot_file> <app_args>`` and the
program reads and writes OBS. Here the pod is the cluster: the boot script and every input are
fetched from S3 first, the program gets local paths (``--<input>=<dir>``, ``--<output>=<dir>``, as
a JobStep does), and the outputs are uploaded to their OBS paths when it exits 0.

``run_args`` are spark-submit options, comma separated as on MRS (``--master,yarn-cluster,--conf,
spark.x=y``); ``--master`` and ``--deploy-mode`` are replaced by ``--master local[*]`` (there is no
YARN), the rest are kept. ``app_args`` are the program's arguments, comma separated; other
parameters are passed as ``--name=value``. ``cluster_id`` names an MRS cluster, which does not
exist here: it is logged and otherwise ignored.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from wf2k8s.contract.phases import MrsJobOutput, MrsJobPhase

from .clients import S3, split_uri
from .context import ContractError, RunContext
from .job import WORK, JobFailed, argument, as_uri, download_obs_input, execute
from .untrusted import local_path

#: spark-submit options that choose where the program runs, with the number of values each takes
PLACEMENT_OPTIONS = {"--master": 1, "--deploy-mode": 1}


def split_args(value: Any) -> list[str]:
    """MRS's comma-separated argument lists (``--a,1,--b=2``), empty for none; ``value`` is resolved."""
    text = argument(value) if value is not None else ""
    return [part.strip() for part in text.split(",") if part.strip()]


def submit_options(run_args: list[str], cores: str) -> list[str]:
    """spark-submit's options: the given ones without their placement, then local mode."""
    kept, skip = [], 0
    for arg in run_args:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in PLACEMENT_OPTIONS:
            skip = 0 if "=" in arg else PLACEMENT_OPTIONS[name]
            continue
        kept.append(arg)
    return ["--master", f"local[{cores}]", *kept]


def run(spec: MrsJobPhase, run: RunContext) -> dict:
    s3 = S3.from_env()
    algorithm = run.resolve(spec.algorithm)
    if spec.cluster_id is not None:
        print(f"cluster_id {run.resolve(spec.cluster_id)!r}: no MRS cluster on Kubernetes; Spark runs in this pod")
    boot_uri = as_uri(algorithm.boot_file, "mrs_algorithm.boot_file")
    if boot_uri.endswith("/"):
        raise ContractError(f"mrs_algorithm.boot_file: {boot_uri} is a directory; name the script or jar")
    bucket, key = split_uri(boot_uri)
    if not s3.exists(bucket, key):
        raise ContractError(f"mrs_algorithm.boot_file: {boot_uri} does not exist")
    # its name tells spark-submit .py from .jar
    local = local_path(WORK / "code", posixpath.basename(key), f"mrs_algorithm.boot_file {boot_uri}", ContractError)
    boot = s3.download(boot_uri, local)
    run_args: list[str] = []
    program: list[str] = []
    for parameter in algorithm.parameters or []:
        name, value = parameter.name, parameter.value
        if name == "run_args":
            run_args = split_args(value)
        elif name == "app_args":
            program.extend(split_args(value))
        else:
            program.append(f"--{name}={argument(value)}")
    for item in spec.inputs:
        program.append(f"--{item.name}={download_obs_input(s3, item.name, run.resolve(item.data))}")
    outputs: list[tuple[MrsJobOutput, Path]] = []
    for output in spec.outputs:
        # not made in advance: Spark's writers refuse a directory that exists (saveAsTextFile, mode "error")
        local = WORK / "outputs" / output.name
        local.parent.mkdir(parents=True, exist_ok=True)
        program.append(f"--{output.name}={local}")
        outputs.append((output, local))
    cores = os.environ.get("WF2K8S_SPARK_CORES", "*")
    argv = ["spark-submit", *submit_options(run_args, cores), str(boot), *program]
    exit_code, tail = execute(argv, boot.parent, {**os.environ, "PYTHONUNBUFFERED": "1"}, WORK / "spark.log")
    if exit_code != 0:
        raise JobFailed(f"spark-submit exited with {exit_code}; last lines of its log:\n" + "\n".join(tail))
    result: dict[str, Any] = {"outputs": {}}
    for output, local in outputs:
        uri = as_uri(run.resolve(output.obs_config.obs_path), f"output {output.name!r}")  # obs_config is mandatory
        count = s3.upload(local, uri) if local.exists() else 0
        print(f"output {output.name}: {count} file(s) to {uri}")
        result["outputs"][output.name] = {"uri": uri}
    return result
