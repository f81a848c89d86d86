"""The e2e tests' training code: ModelArts conventions (--name=value, --input=path, --output=dir)."""

import argparse
import json
import pathlib
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--tag", default="")
parser.add_argument("--accuracy", type=float, default=0.9)
parser.add_argument("--fail", default="false")
parser.add_argument("--data_url")
parser.add_argument("--train_url")
parser.add_argument("--metrics")
args, unknown = parser.parse_known_args()
print("train.py", vars(args), unknown)
if args.fail == "true":
    print("failing as asked", file=sys.stderr)
    sys.exit(3)
data_path = pathlib.Path(args.data_url) if args.data_url else None
if data_path is not None and data_path.is_dir() and (data_path / "model.txt").is_file():  # another step's output
    data_path = data_path / "model.txt"
data = data_path.read_text() if data_path is not None and data_path.is_file() else ""
if args.train_url:
    out = pathlib.Path(args.train_url)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.txt").write_text(json.dumps({"tag": args.tag, "data": data}))
if args.metrics:
    metrics = [{"key": "accuracy", "title": "accuracy", "type": "float", "data": {"value": args.accuracy}},
               {"key": "loss", "title": "loss", "type": "line chart",
                "data": {"x_axis": [{"title": "epoch", "value": [1, 2, 3]}],
                         "y_axis": [{"title": "loss", "value": [0.9, 0.5, 0.3]}]}}]
    pathlib.Path(args.metrics, "metrics.json").write_text(json.dumps(metrics))
