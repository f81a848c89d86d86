"""Train a one-weight PyTorch model on the rows ``x,y`` of the CSV files in ``data_url`` (the test generates
y = 2x + 1) and save it in the two forms ModelArts serves PyTorch models in:

* ``torchscript_url``: ``model.pt``, TorchScript (``torch.jit.save``), served as it is;
* ``state_dict_url``: ``model.pth``, the state dict, with its inference code ``customize_service.py`` (this
  directory's ``linear_service.py``), which defines the network and loads the weights into it.

    torch_regression.py --data_url=<input dir> --torchscript_url=<dir> --state_dict_url=<dir> [--epochs=200]
"""

import argparse
import json
import shutil
from pathlib import Path

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--data_url", required=True)
parser.add_argument("--torchscript_url", required=True)
parser.add_argument("--state_dict_url", required=True)
parser.add_argument("--epochs", type=int, default=200)
args, _ = parser.parse_known_args()

torch.manual_seed(0)
rows = [[float(v) for v in line.split(",")] for path in sorted(Path(args.data_url).glob("*.csv"))
        for line in path.read_text().splitlines()[1:] if line]
data = torch.tensor(rows)
x, y = data[:, :1], data[:, 1:2]
model = torch.nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
for _ in range(args.epochs):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
model.eval()

torch.jit.save(torch.jit.script(model), str(Path(args.torchscript_url) / "model.pt"))
torch.save(model.state_dict(), str(Path(args.state_dict_url) / "model.pth"))
shutil.copy(Path(__file__).with_name("linear_service.py"), Path(args.state_dict_url) / "customize_service.py")
print(json.dumps({"loss": float(loss), "weight": float(model.weight), "bias": float(model.bias)}))
