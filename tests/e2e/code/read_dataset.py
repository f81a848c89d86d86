"""The e2e dataset tests' training code: lists the samples of the dataset version it was given.

--data_url is the local directory holding the version's manifest.json and files; --train_url gets
seen.json: one entry per manifest line with the file's name, usage, labels and the sha256 of the
bytes the job actually read (or the inline text).
"""

import argparse
import hashlib
import json
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--data_url", required=True)
parser.add_argument("--train_url", required=True)
args, _ = parser.parse_known_args()
seen = []
for line in (pathlib.Path(args.data_url) / "manifest.json").read_text().splitlines():
    sample = json.loads(line)
    source = sample["source"]
    if source.startswith("content://"):
        name, body = source, source[len("content://"):].encode()
    else:
        name, body = pathlib.Path(source).name, pathlib.Path(source).read_bytes()
    seen.append({"name": name, "usage": sample.get("usage", ""), "sha256": hashlib.sha256(body).hexdigest(),
                 "labels": sorted(a["name"] for a in sample.get("annotation") or [])})
out = pathlib.Path(args.train_url)
out.mkdir(parents=True, exist_ok=True)
(out / "seen.json").write_text(json.dumps(sorted(seen, key=lambda s: s["name"])))
print("read", len(seen), "samples")
