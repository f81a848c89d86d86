"""Train a one-weight Keras model on the rows ``x,y`` of the CSV files in ``data_url`` (the test generates
y = 2x) and save it as a TensorFlow SavedModel in the job's output directory (saved_model.pb at its top, with
a serving_default signature), as a ModelArts TensorFlow training job does.

    tf_regression.py --data_url=<input dir> --train_url=<output dir> [--epochs=60]
"""

import argparse
import json
from pathlib import Path

import keras
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--data_url", required=True)
parser.add_argument("--train_url", required=True)
parser.add_argument("--epochs", type=int, default=60)
args, _ = parser.parse_known_args()

keras.utils.set_random_seed(0)
rows = np.concatenate([np.loadtxt(path, delimiter=",", skiprows=1, dtype="float32", ndmin=2)
                       for path in sorted(Path(args.data_url).glob("*.csv"))])
x, y = rows[:, :1], rows[:, 1:2]
model = keras.Sequential([keras.Input(shape=(1,), name="x"), keras.layers.Dense(1, name="y")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.3), loss="mse")
history = model.fit(x, y, epochs=args.epochs, batch_size=32, verbose=0)
weight, bias = (float(np.ravel(v)[0]) for v in model.get_layer("y").get_weights())
model.export(args.train_url)  # a SavedModel (format "tf_saved_model"), signature serving_default
print(json.dumps({"loss": history.history["loss"][-1], "weight": weight, "bias": bias}))
