"""Image sizes and the runtime entrypoint's start-up time (targets: runtime image under 250 MB,
entrypoint ready in under 0.5 s). Needs dockerd with the images built (hack/cluster-up.sh).

    python benchmarks/runtime_images.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess

import wf2k8s

IMAGES = ["runtime", "trainer", "mlflow", "kserve-sklearn", "kserve-tensorflow", "label-studio", "spark", "base"]


def size_mb(image: str) -> float:
    out = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", image], capture_output=True, text=True,
                         check=True).stdout
    return int(out) / 1e6


def startup_seconds(repeat: int) -> list[float]:
    # time inside the container, so the figure is the entrypoint's, not docker's container start
    script = ("import subprocess,time,json\n"
              "t=[]\n"
              f"for _ in range({repeat}):\n"
              "    s=time.perf_counter(); subprocess.run(['wf2k8s-runtime','--help'],capture_output=True,check=True)\n"
              "    t.append(time.perf_counter()-s)\n"
              "print(json.dumps(t))\n")
    out = subprocess.run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "python3",
                          f"wf2k8s/runtime:{wf2k8s.__version__}", "-c", script],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"{'image':<28} {'size MB':>8}")
    for name in IMAGES:
        tag = "bookworm" if name == "base" else wf2k8s.__version__
        print(f"{'wf2k8s/' + name + ':' + tag:<28} {size_mb(f'wf2k8s/{name}:{tag}'):>8.0f}")
    times = startup_seconds(args.repeat)
    print(f"runtime entrypoint (wf2k8s-runtime --help): median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
