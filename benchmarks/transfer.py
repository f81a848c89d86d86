"""Throughput and peak memory of moving data to and from the cluster's S3 server: the wf2k8s runtime's
client (standard library, what every phase uses) side by side with boto3's transfer manager.

Cases: one 2 GiB file, and 2,000 files of 64 KiB, each uploaded then downloaded. Every transfer runs in
a process of its own, so that its peak memory (ru_maxrss, from wait4) is its own. Targets: at least 80%
of boto3's throughput; peak memory under 128 MiB whatever the size.

    set -a; . /var/lib/wf2k8s/cluster/cluster.env; set +a      # S3 endpoint and key of the cluster
    python benchmarks/transfer.py [--big-mib 2048] [--small-files 2000] [--work /var/tmp/wf2k8s-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MiB = 1 << 20
BUCKET = os.environ.get("WF2K8S_S3_BUCKET", "wf2k8s")
PREFIX = "benchmarks/transfer"


def endpoint() -> str:
    found = os.environ.get("WF2K8S_S3_ENDPOINT")
    if not found:
        sys.exit("WF2K8S_S3_ENDPOINT is not set: source the cluster's cluster.env (see the docstring)")
    return found


def make_data(work: Path, big_mib: int, small_files: int) -> None:
    """One file of ``big_mib`` MiB and ``small_files`` files of 64 KiB, no two MiB alike."""
    seed = os.urandom(MiB)
    with open(work / "big.bin", "wb") as out:
        for n in range(big_mib):
            out.write(n.to_bytes(8, "big") + seed[8:])
    small = work / "small"
    small.mkdir()
    for n in range(small_files):
        (small / f"part-{n:05d}.bin").write_bytes(n.to_bytes(8, "big") + seed[8:64 * 1024])


# --- one transfer, in a child process -------------------------------------------------------------------

def runtime_only(work: Path) -> None:
    """Import the runtime as phases do (the zipapp: an empty ``wf2k8s`` package with ``runtime`` and
    ``contract`` only), not with the SDK and its dependencies."""
    root = Path(__file__).resolve().parents[1] / "wf2k8s"
    package = work / "zipapp" / "wf2k8s"
    if not package.exists():
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        for name in ("runtime", "contract"):
            (package / name).symlink_to(root / name)
    sys.path.insert(0, str(package.parent))


def transfer_wf2k8s(direction: str, what: str, work: Path) -> None:
    runtime_only(work)
    from wf2k8s.runtime.clients.s3 import S3

    s3 = S3(endpoint(), os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    local, uri = (work / "big.bin", f"s3://{BUCKET}/{PREFIX}/wf2k8s/big.bin") if what == "big" else \
        (work / "small", f"s3://{BUCKET}/{PREFIX}/wf2k8s/small/")
    if direction == "upload":
        s3.upload(local, uri)
    else:
        s3.download(uri, work / "down" / "wf2k8s" / local.name)


def transfer_boto3(direction: str, what: str, work: Path) -> None:
    import boto3
    from boto3.s3.transfer import TransferConfig

    client = boto3.client("s3", endpoint_url=endpoint(), region_name="us-east-1")
    config = TransferConfig()  # boto3's defaults: 8 MiB parts, 10 threads
    if what == "big":
        key = f"{PREFIX}/boto3/big.bin"
        if direction == "upload":
            client.upload_file(str(work / "big.bin"), BUCKET, key, Config=config)
        else:
            (work / "down" / "boto3").mkdir(parents=True, exist_ok=True)
            client.download_file(BUCKET, key, str(work / "down" / "boto3" / "big.bin"), Config=config)
        return
    # many small files: boto3 has no directory transfer; what its users write, with the manager's threads
    from concurrent.futures import ThreadPoolExecutor
    files = sorted((work / "small").iterdir())
    target = work / "down" / "boto3" / "small"
    target.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(config.max_request_concurrency) as pool:
        if direction == "upload":
            list(pool.map(lambda f: client.upload_file(str(f), BUCKET, f"{PREFIX}/boto3/small/{f.name}"), files))
        else:
            list(pool.map(lambda f: client.download_file(BUCKET, f"{PREFIX}/boto3/small/{f.name}",
                                                         str(target / f.name)), files))


def child(tool: str, direction: str, what: str, work: Path) -> None:
    """One transfer; prints its seconds (the interpreter's start and the imports left out)."""
    transfer = transfer_wf2k8s if tool == "wf2k8s" else transfer_boto3
    started = time.monotonic()
    transfer(direction, what, work)
    print(time.monotonic() - started)


# --- the parent: run, measure, print --------------------------------------------------------------------

def measure(tool: str, direction: str, what: str, work: Path) -> tuple[float, float]:
    """Seconds and peak MiB of one transfer in a process of its own."""
    process = subprocess.Popen([sys.executable, __file__, "--child", tool, direction, what, "--work", str(work)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    said = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{tool} {direction} of {what} failed")
    return float(said.split()[-1]), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mib", type=int, default=2048)
    parser.add_argument("--small-files", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/wf2k8s-bench"))
    parser.add_argument("--child", nargs=3, metavar=("TOOL", "DIRECTION", "WHAT"))
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.work)
        return
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    make_data(args.work, args.big_mib, args.small_files)
    sizes = {"big": args.big_mib * MiB, "small": args.small_files * 64 * 1024}
    labels = {"big": f"1 file of {args.big_mib} MiB", "small": f"{args.small_files} files of 64 KiB"}
    rows = []
    try:
        for what in ("big", "small"):
            for direction in ("upload", "download"):
                figures = {tool: measure(tool, direction, what, args.work) for tool in ("boto3", "wf2k8s")}
                rows.append((labels[what], direction, figures, sizes[what]))
    finally:  # gigabytes on the cluster's disk: never left behind, whatever happened
        remove_uploads()
        shutil.rmtree(args.work, ignore_errors=True)
    print(f"{'data':<22} {'direction':<9} {'boto3 MiB/s':>11} {'wf2k8s MiB/s':>12} {'ratio':>6} "
          f"{'boto3 peak MiB':>14} {'wf2k8s peak MiB':>15}")
    for label, direction, figures, size in rows:
        (b_time, b_peak), (w_time, w_peak) = figures["boto3"], figures["wf2k8s"]
        print(f"{label:<22} {direction:<9} {size / MiB / b_time:>11.0f} {size / MiB / w_time:>12.0f} "
              f"{b_time / w_time:>6.2f} {b_peak:>14.0f} {w_peak:>15.0f}")
    print(json.dumps([{"data": label, "direction": direction, "size": size,
                       **{f"{tool}_seconds": round(t, 2) for tool, (t, _) in figures.items()},
                       **{f"{tool}_peak_mib": round(p) for tool, (_, p) in figures.items()}}
                      for label, direction, figures, size in rows]))


def remove_uploads() -> None:
    import boto3

    bucket = boto3.resource("s3", endpoint_url=endpoint(), region_name="us-east-1").Bucket(BUCKET)
    bucket.objects.filter(Prefix=PREFIX + "/").delete()


if __name__ == "__main__":
    main()
