"""Run as a JobStep by the data-at-scale e2e test: copies its input file to its output, streaming, and
prints the input's size and SHA-256 and the process's peak memory as one JSON line."""

import argparse
import hashlib
import json
import resource
import shutil
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--data_url")
parser.add_argument("--train_url")
args, _ = parser.parse_known_args()
source, target = Path(args.data_url) / "big.bin", Path(args.train_url) / "big.bin"
digest, size = hashlib.sha256(), 0
with open(source, "rb") as reader:
    while chunk := reader.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
with open(source, "rb") as reader, open(target, "wb") as writer:
    shutil.copyfileobj(reader, writer, 1 << 20)
print(json.dumps({"size": size, "sha256": digest.hexdigest(),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
