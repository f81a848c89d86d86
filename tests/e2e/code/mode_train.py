"""Run as a JobStep by the running-state e2e tests: fails with mode "bad", trains with any other."""

import argparse
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--mode")
parser.add_argument("--train_url")
args, _ = parser.parse_known_args()
if args.mode == "bad":
    print("mode bad: refusing to train")
    sys.exit(2)
(Path(args.train_url) / "model.txt").write_text(f"trained with mode {args.mode}\n")
print(f"trained with mode {args.mode}")
