"""Run as a JobStep by tests/e2e/test_seed_semantics.py: prints, as one JSON line after "SHOWN ", the
arguments it was given and the environment variables starting with E2E_; writes --train_url/model.txt."""

import json
import os
import pathlib
import sys

shown = {"argv": sys.argv[1:], "env": {k: v for k, v in os.environ.items() if k.startswith("E2E_")}}
print("SHOWN " + json.dumps(shown), flush=True)
for arg in sys.argv[1:]:
    if arg.startswith("--train_url="):
        out = pathlib.Path(arg.split("=", 1)[1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.txt").write_text(json.dumps(shown))
