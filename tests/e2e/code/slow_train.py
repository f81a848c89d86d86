"""Run as a JobStep by the fault e2e test: takes a while (long enough to have its pod deleted), then
writes its output."""

import argparse
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--train_url")
args, _ = parser.parse_known_args()
time.sleep(40)  # long enough to be deleted mid-run, even when the cluster is busy
(Path(args.train_url) / "done.txt").write_text("done\n")
print("slow training done")
