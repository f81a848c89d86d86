"""A KServe model server for TensorFlow SavedModels (what KServe's TF Serving runtime does, on the kserve
PyPI package and tensorflow-cpu).

    server.py --model_name=NAME --model_dir=/mnt/models [--http_port=8080] [--signature=serving_default]

The model is the SavedModel in ``model_dir`` (``saved_model.pb`` there), else, as TF Serving reads a
base path, the one in its highest numbered subdirectory (``1/``, ``2/``, ...), else the first one found
below it. It is loaded with ``tf.saved_model.load`` and its ``serving_default`` signature answers.

Protocol v1, as TF Serving's REST API: ``POST /v1/models/NAME:predict`` with ``{"instances": [...]}`` (the
row format: one value per row for a one-input signature, else one ``{input: value}`` object per row)
answers ``{"predictions": [...]}`` (one value per row for a one-output signature, else one
``{output: value}`` object per row); ``{"inputs": ...}`` (the columnar format) answers ``{"outputs": ...}``.
Protocol v2 (``/v2/models/NAME/infer``) takes the inputs by name (the first input when there is one).
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

import kserve
import numpy as np
import tensorflow as tf
from kserve.logging import logger


def find_saved_model(model_dir: Path) -> Path:
    if (model_dir / "saved_model.pb").is_file():
        return model_dir
    versions = sorted((int(p.name), p) for p in model_dir.iterdir()
                      if p.name.isdigit() and (p / "saved_model.pb").is_file()) if model_dir.is_dir() else []
    if versions:
        return versions[-1][1]
    found = sorted(p.parent for p in model_dir.rglob("saved_model.pb"))
    if found:
        return found[0]
    files = sorted(p for p in model_dir.rglob("*") if p.is_file()) if model_dir.is_dir() else []
    listing = ", ".join(str(p.relative_to(model_dir)) for p in files[:20]) or "nothing"
    raise RuntimeError(f"no SavedModel (saved_model.pb) in {model_dir}: it holds {listing}")


def _jsonable(value: np.ndarray):
    if value.dtype.kind in "SO":  # tf.string
        return np.vectorize(lambda b: b.decode("utf-8", "replace") if isinstance(b, bytes) else b,
                            otypes=[object])(value).tolist()
    return value.tolist()


class Model(kserve.Model):
    def __init__(self, name: str, model_dir: str, signature: str):
        super().__init__(name)
        self.model_dir, self.signature_name = Path(model_dir), signature
        self.loaded = self.signature = None
        self.inputs: dict[str, tf.TensorSpec] = {}

    def load(self) -> bool:
        path = find_saved_model(self.model_dir)
        logger.info("loading the SavedModel in %s", path)
        self.loaded = tf.saved_model.load(str(path))
        signatures = self.loaded.signatures
        if self.signature_name not in signatures:
            raise RuntimeError(f"the SavedModel in {path} has no signature {self.signature_name!r}; "
                               f"it has {', '.join(signatures) or 'none'}")
        self.signature = signatures[self.signature_name]
        self.inputs = dict(self.signature.structured_input_signature[1])
        logger.info("signature %s: inputs %s, outputs %s", self.signature_name,
                     {k: (v.dtype.name, v.shape.as_list()) for k, v in self.inputs.items()},
                     list(self.signature.structured_outputs))
        self.ready = True
        return self.ready

    def _tensor(self, name: str, value) -> tf.Tensor:
        spec = self.inputs[name]
        array = np.asarray(value, dtype=object if spec.dtype == tf.string else spec.dtype.as_numpy_dtype)
        rank = spec.shape.rank
        if rank is not None and array.ndim == rank - 1 and spec.shape[-1] == 1:
            array = array[..., np.newaxis]  # rows of one feature written as plain numbers
        if not spec.shape.is_compatible_with(array.shape):
            raise kserve.errors.InvalidInput(f"input {name!r} has shape {list(array.shape)}; signature "
                                             f"{self.signature_name!r} takes {spec.shape.as_list()}")
        return tf.constant(array, dtype=spec.dtype)

    def _run(self, columns: dict) -> dict[str, np.ndarray]:
        unknown = sorted(set(columns) - set(self.inputs))
        missing = sorted(set(self.inputs) - set(columns))
        if unknown or missing:
            raise kserve.errors.InvalidInput(f"signature {self.signature_name!r} takes inputs "
                                             f"{', '.join(sorted(self.inputs))}; got {', '.join(sorted(columns))}")
        try:
            outputs = self.signature(**{name: self._tensor(name, value) for name, value in columns.items()})
        except (ValueError, TypeError, tf.errors.OpError) as problem:
            raise kserve.errors.InvalidInput(str(problem).splitlines()[0]) from problem
        return {name: tensor.numpy() for name, tensor in outputs.items()}

    def _columns_from_rows(self, rows: list) -> dict:
        if len(self.inputs) == 1:
            [name] = self.inputs
            if any(isinstance(row, dict) for row in rows):  # the object form, {input: value} per row
                return {key: [row.get(key) if isinstance(row, dict) else row for row in rows]
                        for key in {k for row in rows if isinstance(row, dict) for k in row}}
            return {name: rows}
        if not all(isinstance(row, dict) for row in rows):
            raise kserve.errors.InvalidInput(f"signature {self.signature_name!r} has several inputs "
                                             f"({', '.join(sorted(self.inputs))}): each instance must be an object")
        return {name: [row.get(name) for row in rows] for name in {k for row in rows for k in row}}

    def predict(self, payload, headers=None, response_headers=None):
        if isinstance(payload, kserve.InferRequest):
            names = list(self.inputs)
            columns = {(inp.name if inp.name in self.inputs or len(names) != 1 else names[0]): inp.as_numpy()
                       for inp in payload.inputs}
            outputs = self._run(columns)
            answers = [kserve.InferOutput(name=name, shape=list(value.shape), datatype=_datatype(value),
                                          data=_jsonable(value)) for name, value in outputs.items()]
            return kserve.InferResponse(model_name=self.name, response_id=payload.id or str(uuid.uuid4()),
                                        infer_outputs=answers)
        if not isinstance(payload, dict):
            raise kserve.errors.InvalidInput(f"unsupported payload {type(payload).__name__}")
        if "instances" in payload:
            rows = payload["instances"]
            if not isinstance(rows, list):
                raise kserve.errors.InvalidInput('"instances" must be a list')
            outputs = self._run(self._columns_from_rows(rows))
            if len(outputs) == 1:
                return {"predictions": _jsonable(next(iter(outputs.values())))}
            listed = {name: _jsonable(value) for name, value in outputs.items()}
            return {"predictions": [{name: listed[name][i] for name in listed} for i in range(len(rows))]}
        if "inputs" in payload:
            given = payload["inputs"]
            if isinstance(given, dict) and (len(self.inputs) > 1 or set(given) == set(self.inputs)):
                columns = given
            elif len(self.inputs) == 1:
                columns = {next(iter(self.inputs)): given}
            else:
                raise kserve.errors.InvalidInput(f"signature {self.signature_name!r} has several inputs "
                                                 f"({', '.join(sorted(self.inputs))}): \"inputs\" must be an object")
            outputs = self._run(columns)
            if len(outputs) == 1:
                return {"outputs": _jsonable(next(iter(outputs.values())))}
            return {"outputs": {name: _jsonable(value) for name, value in outputs.items()}}
        raise kserve.errors.InvalidInput('expected {"instances": [...]} or {"inputs": ...}')


def _datatype(value: np.ndarray) -> str:
    kind, size = value.dtype.kind, value.dtype.itemsize
    if kind == "f":
        return {2: "FP16", 4: "FP32"}.get(size, "FP64")
    if kind in "iu":
        return f"{'INT' if kind == 'i' else 'UINT'}{size * 8}"
    if kind == "b":
        return "BOOL"
    return "BYTES"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    parser.add_argument("--model_dir", required=True)
    parser.add_argument("--signature", default="serving_default")
    args, _ = parser.parse_known_args()
    if args.configure_logging:
        kserve.logging.configure_logging(args.log_config_file)
    model = Model(args.model_name, args.model_dir, args.signature)
    model.load()
    kserve.ModelServer().start([model])
