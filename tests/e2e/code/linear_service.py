"""ModelArts-style inference code (``customize_service.py``) of the state dict torch_regression.py saves: it
defines the network, loads the weights from ``model_path`` and answers ``{"x": [...]}`` with ``{"y": [...]}``."""

import torch
from model_service.pytorch_model_service import PTServingBaseService


class Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


class LinearService(PTServingBaseService):
    def __init__(self, model_name, model_path):
        super().__init__(model_name, model_path)
        self.model = Linear()
        self.model.linear.load_state_dict(torch.load(model_path, map_location="cpu"))
        self.model.eval()

    def _preprocess(self, data):
        return torch.tensor([[float(x)] for x in data["x"]])

    def _postprocess(self, data):
        return {"y": [row[0] for row in data.tolist()]}
