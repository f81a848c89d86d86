"""Real data sizes on the real cluster: a JobStep with a 512Mi memory flavor reads a 1.5 GiB input and
writes a 1.5 GiB output, while the S3 server is restarted in the middle of the transfer."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import wf2k8s as wf
from wf2k8s import cluster

HERE = Path(__file__).resolve().parent
NAMESPACE = "wf2k8s"
MiB = 1 << 20
SIZE = 1536 * MiB
STATE = Path(os.environ.get("WF2K8S_STATE", "/var/lib/wf2k8s/cluster"))


def write_big_file(path: Path, size: int) -> str:
    """``size`` bytes that no two MiB repeat (so nothing along the way can shortcut them); their SHA-256."""
    digest, seed = hashlib.sha256(), os.urandom(MiB)
    with open(path, "wb") as out:
        for n in range(size // MiB):
            block = n.to_bytes(8, "big") + seed[8:]
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as reader:
        while chunk := reader.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def restart_s3_server_when(reading: str, timeout: float = 300) -> float:
    """Once the S3 server's log shows a GET of ``reading`` (a transfer has begun), stop the server and start
    it again with the same command line and environment, as hack/lib/procs.sh does; the seconds it was down."""
    log, pid_file = STATE / "logs" / "s3.log", STATE / "pids" / "s3.pid"
    start = log.stat().st_size
    deadline = time.monotonic() + timeout
    while reading not in log.read_bytes()[start:].decode(errors="replace"):
        assert time.monotonic() < deadline, f"no GET of {reading} in {log} within {timeout}s"
        time.sleep(0.2)
    pid = int(pid_file.read_text())
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    environ = dict(item.split(b"=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if item)
    down = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    while Path(f"/proc/{pid}").exists() and time.monotonic() - down < 20:
        time.sleep(0.1)
    with open(log, "ab") as out:
        started = subprocess.Popen(argv, env=environ, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    pid_file.write_text(f"{started.pid}\n")
    while subprocess.run(["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:7070/"]).returncode != 0:
        time.sleep(0.1)
    return time.monotonic() - down


def test_a_small_job_moves_gigabytes_through_a_restart_of_the_s3_server(kube, s3, step_log, tmp_path):
    big = tmp_path / "big.bin"
    expected = write_big_file(big, SIZE)
    run_prefix = f"e2e/scale/{time.strftime('%Y%m%d%H%M%S')}"
    s3.put(s3.bucket, "e2e/scale/code/train.py", (HERE / "code" / "copy_big.py").read_bytes())
    s3.store(big, s3.bucket, f"{run_prefix}/in/big.bin")
    big.unlink()
    step = wf.steps.JobStep(
        name="copy",
        algorithm=wf.BaseAlgorithm(code_dir=f"obs://{s3.bucket}/e2e/scale/code/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="wf2k8s/runtime:" + wf.__version__)),
        inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path=f"obs://{s3.bucket}/{run_prefix}/in/")),
        outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
            obs_path=f"obs://{s3.bucket}/{run_prefix}/out/")),
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1", "memory": "512Mi"})))
    try:
        started = cluster.release_and_run(wf.Workflow(name="e2e-data-at-scale", desc="1.5 GiB", steps=[step]),
                                          parameters={}, progress=None)
        down = restart_s3_server_when(f"{run_prefix}/in/big.bin")
        result = cluster.follow(started["name"], NAMESPACE, progress=None, timeout=1200)
        log = step_log(result["name"], "copy")
        assert result["phase"] == "Succeeded", (result.get("messages"), log[-2000:])
        seen = json.loads(next(line for line in log.splitlines() if line.startswith('{"size"')))
        assert (seen["size"], seen["sha256"]) == (SIZE, expected), seen
        stored = s3.stat(s3.bucket, f"{run_prefix}/out/big.bin")
        assert stored is not None and stored.size == SIZE
        s3.fetch(s3.bucket, stored, big)
        assert file_sha256(big) == expected
        print(f"S3 server down {down:.1f}s mid-transfer; the job's own code peaked at {seen['peak_rss_mib']} MiB")
    finally:  # 3 GiB on the cluster's S3 disk: removed whatever the outcome
        big.unlink(missing_ok=True)
        for key in (f"{run_prefix}/in/big.bin", f"{run_prefix}/out/big.bin"):
            s3.request("DELETE", s3.bucket, key, allow=(404,))
