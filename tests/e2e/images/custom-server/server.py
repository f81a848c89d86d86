"""A tiny model server in the style of a ModelArts custom image (standard library only).

* listens on $PORT (default 8080, ModelArts' port for custom images);
* GET /health answers {"status": "OK"} once the model is loaded;
* POST / or POST /predict with {"instances": [[x1, x2, ...], ...]} answers
  {"predictions": [w . x + b, ...], "model": <name>, "server": "wf2k8s-e2e-custom-server"}.

The model is the first *.json file under $MODEL_DIR (default /mnt/models, where KServe's storage
initializer puts the model files): {"name": ..., "weights": [...], "bias": ...}. Without one, the server
sums the inputs (model "builtin").
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SERVER = "wf2k8s-e2e-custom-server"


def load_model(directory: str) -> dict:
    root = Path(directory)
    files = sorted(p for p in root.rglob("*.json") if p.is_file()) if root.is_dir() else []
    if not files:
        return {"name": "builtin", "weights": None, "bias": 0.0, "file": None}
    data = json.loads(files[0].read_text())
    return {"name": str(data.get("name", files[0].stem)), "weights": [float(w) for w in data["weights"]],
            "bias": float(data.get("bias", 0.0)), "file": str(files[0])}


MODEL = load_model(os.environ.get("MODEL_DIR", "/mnt/models"))


def predict(row: list) -> float:
    values = [float(v) for v in row]
    weights = MODEL["weights"] or [1.0] * len(values)
    if len(weights) != len(values):
        raise ValueError(f"a row has {len(values)} values, the model {len(weights)} weights")
    return sum(w * v for w, v in zip(weights, values, strict=True)) + MODEL["bias"]


class Handler(BaseHTTPRequestHandler):
    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/health":
            self.answer(200, {"status": "OK", "model": MODEL["name"]})
        else:
            self.answer(404, {"error": f"no route GET {self.path}"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path not in ("/", "/predict"):
            self.answer(404, {"error": f"no route POST {self.path}"})
            return
        try:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            rows = request["instances"]
            self.answer(200, {"predictions": [predict(r) for r in rows], "model": MODEL["name"],
                              "model_file": MODEL["file"], "server": SERVER})
        except (KeyError, TypeError, ValueError) as problem:
            self.answer(400, {"error": f"{type(problem).__name__}: {problem}"})

    def log_message(self, format: str, *args) -> None:  # one line per request on stderr
        sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"{SERVER}: model {MODEL['name']} from {MODEL['file']}, listening on {port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
