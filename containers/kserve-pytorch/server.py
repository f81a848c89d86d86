"""A KServe model server for PyTorch models, in the two forms ModelArts packages them:

* **inference code**: ``customize_service.py`` in the model directory (ModelArts' fixed name) with a subclass of
  ``model_service.pytorch_model_service.PTServingBaseService``; it is made with ``(model_name, model_path)``,
  ``model_path`` being the model file (``*.pt``, ``*.pth``), and loads the model itself (a state dict into its own
  network class, typically). A request's JSON body goes through its ``_preprocess``, ``_inference`` and
  ``_postprocess``; a dict it returns is the answer, anything else is ``{"predictions": ...}``.
* **TorchScript** (``torch.jit.save``), without inference code: loaded with ``torch.jit.load``; protocol v1
  ``{"instances": [...]}`` is one float32 tensor of the rows, answered ``{"predictions": [...]}``, and the columnar
  ``{"inputs": ...}`` is answered ``{"outputs": ...}``; protocol v2 takes the first input.

    server.py --model_name=NAME --model_dir=/mnt/models [--http_port=8080]
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
import uuid
from pathlib import Path

import kserve
import numpy as np
import torch
from kserve.logging import logger

MODEL_SUFFIXES = (".pt", ".pth")
INFERENCE_CODE = "customize_service.py"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # model_service, for the inference code
from model_service.pytorch_model_service import PTServingBaseService  # noqa: E402


def _files(model_dir: Path) -> list[Path]:
    return sorted(p for p in model_dir.rglob("*") if p.is_file()) if model_dir.is_dir() else []


def find_model_file(model_dir: Path) -> Path | None:
    found = [p for p in _files(model_dir) if p.suffix in MODEL_SUFFIXES]
    return min(found, key=lambda p: (len(p.relative_to(model_dir).parts), str(p))) if found else None


def find_inference_code(model_dir: Path) -> Path | None:
    found = [p for p in _files(model_dir) if p.name == INFERENCE_CODE]
    return min(found, key=lambda p: (len(p.relative_to(model_dir).parts), str(p))) if found else None


def load_service(code: Path, model_name: str, model_file: Path | None) -> PTServingBaseService:
    """Import the inference code and make its service class (the PTServingBaseService subclass it defines)."""
    sys.path.insert(0, str(code.parent))  # its own helper modules beside it
    spec = importlib.util.spec_from_file_location("customize_service", code)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["customize_service"] = module
    spec.loader.exec_module(module)
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, PTServingBaseService) and c is not PTServingBaseService
               and c.__module__ == module.__name__]
    if len(classes) != 1:
        raise RuntimeError(f"{code} must define one subclass of PTServingBaseService "
                           f"(from model_service.pytorch_model_service); it defines "
                           f"{', '.join(c.__name__ for c in classes) or 'none'}")
    return classes[0](model_name, str(model_file) if model_file else str(code.parent))


def _plain(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


class Model(kserve.Model):
    def __init__(self, name: str, model_dir: str):
        super().__init__(name)
        self.model_dir = Path(model_dir)
        self.service: PTServingBaseService | None = None
        self.module: torch.jit.ScriptModule | None = None

    def load(self) -> bool:
        model_file, code = find_model_file(self.model_dir), find_inference_code(self.model_dir)
        if code is not None:
            logger.info("inference code %s, model file %s", code, model_file)
            self.service = load_service(code, self.name, model_file)
        elif model_file is None:
            listing = ", ".join(str(p.relative_to(self.model_dir)) for p in _files(self.model_dir)[:20])
            raise RuntimeError(f"no PyTorch model (*.pt, *.pth) in {self.model_dir}: it holds {listing or 'nothing'}")
        else:
            logger.info("loading the TorchScript model %s", model_file)
            try:
                self.module = torch.jit.load(str(model_file), map_location="cpu")
            except RuntimeError as problem:
                raise RuntimeError(
                    f"{model_file.name} is not a TorchScript model ({str(problem).splitlines()[0]}): save it with "
                    f"torch.jit.save, or put its inference code, {INFERENCE_CODE} with a PTServingBaseService "
                    "subclass that loads it, in the model directory") from problem
            self.module.eval()
        self.ready = True
        return self.ready

    def _forward(self, value) -> torch.Tensor:
        assert self.module is not None
        try:
            tensor = torch.as_tensor(np.asarray(value, dtype=np.float32))
            with torch.no_grad():
                return self.module(tensor)
        except (ValueError, TypeError, RuntimeError) as problem:
            raise kserve.errors.InvalidInput(str(problem).splitlines()[0]) from problem

    def predict(self, payload, headers=None, response_headers=None):
        if isinstance(payload, kserve.InferRequest):
            if self.service is not None:
                raise kserve.errors.InvalidInput("a model served by its inference code takes protocol v1 JSON")
            output = self._forward(payload.inputs[0].as_numpy()).detach().cpu().numpy()
            answer = kserve.InferOutput(name="output__0", shape=list(output.shape), datatype="FP32",
                                        data=output.astype(np.float32).tolist())
            return kserve.InferResponse(model_name=self.name, response_id=payload.id or str(uuid.uuid4()),
                                        infer_outputs=[answer])
        if not isinstance(payload, dict):
            raise kserve.errors.InvalidInput(f"unsupported payload {type(payload).__name__}")
        if self.service is not None:
            try:
                result = _plain(self.service.inference(payload))
            except (KeyError, ValueError, TypeError) as problem:
                raise kserve.errors.InvalidInput(f"{type(problem).__name__}: {problem}") from problem
            return result if isinstance(result, dict) else {"predictions": result}
        if "instances" in payload:
            if not isinstance(payload["instances"], list):
                raise kserve.errors.InvalidInput('"instances" must be a list')
            return {"predictions": _plain(self._forward(payload["instances"]))}
        if "inputs" in payload:
            return {"outputs": _plain(self._forward(payload["inputs"]))}
        raise kserve.errors.InvalidInput('expected {"instances": [...]} or {"inputs": ...}')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    parser.add_argument("--model_dir", required=True)
    args, _ = parser.parse_known_args()
    if args.configure_logging:
        kserve.logging.configure_logging(args.log_config_file)
    model = Model(args.model_name, args.model_dir)
    model.load()
    kserve.ModelServer().start([model])
