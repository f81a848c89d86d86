"""``PTServingBaseService``: the base class of a ModelArts PyTorch model's inference code.

A model's ``customize_service.py`` subclasses it, loads its model in ``__init__(model_name, model_path)``
(``model_path``: the model file in the model directory) into ``self.model``, and may override
``_preprocess``, ``_inference`` and ``_postprocess``. A request's JSON body goes through the three in that
order and the result is the answer, as in ModelArts.
"""

from __future__ import annotations

from typing import Any


class PTServingBaseService:
    def __init__(self, model_name: str, model_path: str):
        self.model_name = model_name
        self.model_path = model_path
        self.model: Any = None

    def _preprocess(self, data: Any) -> Any:
        return data

    def _inference(self, data: Any) -> Any:
        if self.model is None:
            raise RuntimeError(f"{type(self).__name__} set no self.model and does not override _inference")
        import torch

        with torch.no_grad():
            return self.model(data)

    def _postprocess(self, data: Any) -> Any:
        return data

    def inference(self, data: Any) -> Any:
        return self._postprocess(self._inference(self._preprocess(data)))
