"""Image classification training: the example catalog's AI Gallery algorithm ``subscription_id/item_version_id``
(seed 4.4.5.4 and 4.10.1, "Image classification training"), run in the TensorFlow engine image.

    train.py --data_url=<a released dataset version> --train_url=<output dir> [--epochs=40] [--image_size=32]

``data_url`` is what a JobStep gets for a dataset version: its ``manifest.json`` (JSON lines: ``source`` the local
file, ``usage`` TRAIN or EVAL, ``annotation`` the labels) beside the image files. A small Keras network (pixel
scaling, a convolution, global average pooling, softmax) is trained on the TRAIN samples and evaluated on the
EVAL ones. ``train_url`` gets a SavedModel at its top (what a ModelStep registers as TensorFlow and KServe's
``tensorflow`` runtime serves): signature ``serving_default`` takes ``images``, float32 pixels 0-255 of shape
[batch, image_size, image_size, 3], and answers the class probabilities; ``labels.txt`` (one class per line, in
the probabilities' order) and ``metrics.json`` (accuracy, loss, class and sample counts) beside it. Other
hyperparameters (the seed's ``parameter_name``) are accepted and printed.
"""

import argparse
import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

parser = argparse.ArgumentParser()
parser.add_argument("--data_url", required=True)
parser.add_argument("--train_url", required=True)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--image_size", type=int, default=32)
args, others = parser.parse_known_args()
if others:
    print(f"other hyperparameters: {' '.join(others)}")


def samples(data_dir: Path) -> list[dict]:
    manifest = data_dir / "manifest.json"
    if not manifest.is_file():
        raise SystemExit(f"--data_url {data_dir} holds no manifest.json: give the job a dataset version")
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    labeled = [row for row in rows if row.get("annotation")]
    if len(labeled) < len(rows):
        print(f"{len(rows) - len(labeled)} of {len(rows)} samples have no label and are left out")
    return labeled


def pixels(path: str) -> np.ndarray:
    image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
    return tf.image.resize(image, (args.image_size, args.image_size)).numpy().astype("float32")


rows = samples(Path(args.data_url))
labels = sorted({row["annotation"][0]["name"] for row in rows})
if len(labels) < 2:
    raise SystemExit(f"image classification needs two classes at least; the dataset has {labels or 'none'}")
index = {label: i for i, label in enumerate(labels)}
split = {"TRAIN": [], "EVAL": []}
for row in rows:
    split["EVAL" if row.get("usage") == "EVAL" else "TRAIN"].append(row)
x_train = np.stack([pixels(row["source"]) for row in split["TRAIN"]])
y_train = np.array([index[row["annotation"][0]["name"]] for row in split["TRAIN"]])

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input(shape=(args.image_size, args.image_size, 3), name="images"),
    keras.layers.Rescaling(1 / 255),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(len(labels), activation="softmax", name="probabilities"),
])
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=args.epochs, batch_size=16, verbose=0)
evaluated = split["EVAL"] or split["TRAIN"]  # a version released without EVAL samples is evaluated on TRAIN
x_eval = np.stack([pixels(row["source"]) for row in evaluated])
y_eval = np.array([index[row["annotation"][0]["name"]] for row in evaluated])
loss, accuracy = model.evaluate(x_eval, y_eval, verbose=0)

out = Path(args.train_url)
model.export(str(out))  # a SavedModel, signature serving_default
(out / "labels.txt").write_text("".join(f"{label}\n" for label in labels))
metrics = {"accuracy": float(accuracy), "loss": float(loss), "classes": len(labels),
           "train_samples": len(split["TRAIN"]), "eval_samples": len(split["EVAL"])}
(out / "metrics.json").write_text(json.dumps(metrics))
print(json.dumps(metrics))
