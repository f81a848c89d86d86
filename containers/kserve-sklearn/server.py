"""A KServe model server for scikit-learn and XGBoost models (what KServe's sklearnserver and
xgbserver images do, on the kserve PyPI package).

    server.py --model_name=NAME --model_dir=/mnt/models [--http_port=8080] [--framework=auto|sklearn|xgboost]

The model is the first ``*.joblib``, ``*.pkl`` or ``*.pickle`` file under ``model_dir`` (a
pickled estimator, XGBoost's sklearn wrappers included), else the first ``*.bst``, ``*.json`` or
``*.ubj`` XGBoost booster. Protocol v1: ``POST /v1/models/NAME:predict`` with
``{"instances": [[...], ...]}`` answers ``{"predictions": [...]}``; protocol v2 (``/v2/models/NAME/infer``)
takes the first input tensor.
"""

from __future__ import annotations

import argparse
import logging
import pickle
from pathlib import Path

import joblib
import kserve
import numpy as np

PICKLES = (".joblib", ".pkl", ".pickle")
BOOSTERS = (".bst", ".json", ".ubj")


def find_model(model_dir: Path, framework: str) -> Path:
    files = sorted(p for p in model_dir.rglob("*") if p.is_file())
    for suffixes in ((PICKLES,) if framework == "sklearn" else (PICKLES, BOOSTERS)):
        for path in files:
            if path.suffix in suffixes and not path.name.startswith("."):
                return path
    listing = ", ".join(str(p.relative_to(model_dir)) for p in files[:20]) or "nothing"
    raise RuntimeError(f"no model file (*.joblib, *.pkl, *.pickle{', *.bst, *.json, *.ubj' if framework != 'sklearn' else ''}) "
                       f"in {model_dir}: it holds {listing}")


class Model(kserve.Model):
    def __init__(self, name: str, model_dir: str, framework: str):
        super().__init__(name)
        self.model_dir, self.framework = Path(model_dir), framework
        self.model = None
        self.booster = False

    def load(self) -> bool:
        path = find_model(self.model_dir, self.framework)
        logging.info("loading %s", path)
        if path.suffix in PICKLES:
            try:
                self.model = joblib.load(path)
            except Exception:  # a plain pickle joblib cannot read
                with open(path, "rb") as f:
                    self.model = pickle.load(f)
        else:
            import xgboost

            self.model = xgboost.Booster(model_file=str(path))
            self.booster = True
        self.ready = True
        return self.ready

    def _rows(self, payload):
        if isinstance(payload, dict):
            rows = payload.get("instances", payload.get("inputs"))
            if rows is None:
                raise kserve.errors.InvalidInput('expected {"instances": [[...], ...]}')
            return np.asarray(rows)
        if isinstance(payload, kserve.InferRequest):
            return payload.inputs[0].as_numpy()
        raise kserve.errors.InvalidInput(f"unsupported payload {type(payload).__name__}")

    def predict(self, payload, headers=None, response_headers=None):
        rows = self._rows(payload)
        try:
            if self.booster:
                import xgboost

                result = self.model.predict(xgboost.DMatrix(rows))
            else:
                result = self.model.predict(rows)
        except Exception as problem:
            raise kserve.errors.InferenceError(str(problem)) from problem
        if isinstance(payload, kserve.InferRequest):
            return kserve.InferResponse(model_name=self.name, infer_outputs=[
                kserve.InferOutput(name="output-0", shape=list(result.shape), datatype="FP32" if result.dtype.kind == "f"
                                   else "INT64", data=result.tolist())], response_id=payload.id)
        return {"predictions": np.asarray(result).tolist()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    parser.add_argument("--model_dir", required=True)
    parser.add_argument("--framework", default="auto", choices=["auto", "sklearn", "xgboost"])
    args, _ = parser.parse_known_args()
    model = Model(args.model_name, args.model_dir, args.framework)
    model.load()
    kserve.ModelServer().start([model])
