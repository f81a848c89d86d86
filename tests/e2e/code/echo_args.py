"""Run as a JobStep by the e2e tests: prints the hyperparameters it was given as one JSON line."""

import argparse
import json

parser = argparse.ArgumentParser()
parser.add_argument("--given")
parser.add_argument("--later")
args, _ = parser.parse_known_args()
print(json.dumps({"given": args.given, "later": args.later}))
