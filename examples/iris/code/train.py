"""Train a classifier on scikit-learn's bundled iris data, as a wf2k8s JobStep runs it.

The ModelArts conventions: hyperparameters arrive as --name=value, each input as
--<input name>=<local path>, each output as --<output name>=<local directory> (uploaded to its
OBS path when this script exits 0). Metrics go to a metrics.json in the seed's format.
"""

import argparse
import json
import pathlib
import pickle

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--max_iter", type=int, default=200)
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--train_url", required=True)
parser.add_argument("--metrics", required=True)
args, _ = parser.parse_known_args()

data = load_iris()
x_train, x_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.3, random_state=0)
model = LogisticRegression(max_iter=args.max_iter, C=args.C).fit(x_train, y_train)
predicted = model.predict(x_test)
accuracy = accuracy_score(y_test, predicted)
print(f"accuracy {accuracy:.3f}")

out = pathlib.Path(args.train_url)
out.mkdir(parents=True, exist_ok=True)
with open(out / "model.pkl", "wb") as f:  # what KServe's sklearn server loads
    pickle.dump(model, f)

labels = [str(n) for n in data.target_names]
metrics = [
    {"key": "accuracy", "title": "accuracy", "type": "float", "data": {"value": accuracy}},
    {"key": "confusion_matrix", "title": "confusion matrix", "type": "table",
     "data": {"cell_value": confusion_matrix(y_test, predicted).tolist(),
              "col_labels": {"title": "labels", "value": labels},
              "row_labels": {"title": "predictions", "value": labels}}},
]
pathlib.Path(args.metrics, "metrics.json").write_text(json.dumps(metrics))
