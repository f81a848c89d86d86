"""ModelStep's runtime against a real MLflow tracking server and a real (moto) S3 server.

Both servers run as subprocesses on loopback ports for the whole session. They come from a venv
made on first use and cached under ``~/.cache/wf2k8s/mlflow-venv-<mlflow version>`` (override:
``WF2K8S_MLFLOW_VENV``); the first install takes a few minutes. Only when that venv cannot be
made (no package index) are these tests skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from specs import phase
from wf2k8s.backends.argo.yamlio import dump_all
from wf2k8s.cli import load_workflows
from wf2k8s.runtime import __main__ as runtime_main
from wf2k8s.runtime import model
from wf2k8s.runtime.context import ContractError, RunContext
from wf2k8s.runtime.errors import PhaseError
from wf2k8s.runtime.clients import S3

MLFLOW_VERSION = "3.17.2"
MOTO_VERSION = "5.2.5"
ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("WF2K8S_MLFLOW_VENV")
            or Path.home() / ".cache" / "wf2k8s" / f"mlflow-venv-{MLFLOW_VERSION}")
BUCKET = "models"


# servers ------------------------------------------------------------------------------------------


def venv() -> Path:
    """The venv with mlflow and moto, made on first use; marker file ``.complete`` once it is whole."""
    done = VENV / ".complete"
    if done.is_file() and (VENV / "bin" / "mlflow").is_file() and (VENV / "bin" / "moto_server").is_file():
        return VENV
    shutil.rmtree(VENV, ignore_errors=True)
    VENV.parent.mkdir(parents=True, exist_ok=True)
    python = shutil.which("python3") or sys.executable
    steps = [[python, "-m", "venv", str(VENV)],
             [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
              f"mlflow=={MLFLOW_VERSION}", f"moto[server]=={MOTO_VERSION}", "boto3"]]
    for command in steps:
        made = subprocess.run(command, capture_output=True, text=True)
        if made.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            pytest.skip(f"cannot make the MLflow venv at {VENV} ({' '.join(command[:3])} ...): "
                        f"{(made.stderr or made.stdout).strip()[-500:]}")
    done.write_text(f"mlflow=={MLFLOW_VERSION} moto=={MOTO_VERSION}\n")
    return VENV


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    env_dir = venv()
    work = tmp_path_factory.mktemp("mlflow")
    s3_port, mlflow_port = free_port(), free_port()
    s3_url, mlflow_url = f"http://127.0.0.1:{s3_port}", f"http://127.0.0.1:{mlflow_port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "MLFLOW_S3_ENDPOINT_URL": s3_url,
           # no job runner (huey consumers): the registry needs none
           "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    processes = []
    try:
        s3_log = work / "moto.log"
        moto = subprocess.Popen([str(env_dir / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
                                stdout=s3_log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
        processes.append(moto)
        mlflow_log = work / "mlflow.log"
        mlflow = subprocess.Popen(
            [str(env_dir / "bin" / "mlflow"), "server", "--backend-store-uri", f"sqlite:///{work}/mlflow.db",
             "--default-artifact-root", f"s3://{BUCKET}/mlflow", "--no-serve-artifacts",
             "--host", "127.0.0.1", "--port", str(mlflow_port), "--workers", "1"],
            stdout=mlflow_log.open("w"), stderr=subprocess.STDOUT, env=env, cwd=work, start_new_session=True)
        processes.append(mlflow)
        wait_http(f"{s3_url}/", moto, s3_log)
        wait_http(f"{mlflow_url}/health", mlflow, mlflow_log)
        s3 = S3(s3_url, "test", "test")
        s3.create_bucket(BUCKET)
        yield {"s3": s3_url, "mlflow": mlflow_url}
    finally:  # each server is the leader of its own process group: end the group (mlflow forks uvicorn)
        for process in processes:
            signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait()


def signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture
def env(servers, monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", servers["mlflow"])
    monkeypatch.setenv("WF2K8S_S3_ENDPOINT", servers["s3"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("WF2K8S_CATALOG", str(tmp_path / "no-catalog.json"))
    return servers


@pytest.fixture
def run() -> RunContext:
    return RunContext("run-1", "wf2k8s", {})


@pytest.fixture
def s3(env) -> S3:
    return S3(env["s3"], "test", "test")


@pytest.fixture
def name() -> str:
    return f"m-{uuid.uuid4().hex[:10]}"


def model_files(s3: S3, prefix: str) -> str:
    """A small model directory in the bucket; its obs:// path."""
    s3.put(BUCKET, f"{prefix}/model.pkl", b"not really a pickle")
    s3.put(BUCKET, f"{prefix}/config.json", b"{}")
    return f"obs://{BUCKET}/{prefix}/"


#: the ModelConfig fields the SDK defaults, as the compiler writes them when the pipeline leaves them out
CONFIG_DEFAULTS = {"model_type": "TensorFlow", "prebuild": False}


def step(inputs: list, config: dict, step_name: str = "model_registration", output: str = "model_output"):
    return phase("model", step=step_name, inputs=[{"name": f"in{i}", "data": d} for i, d in enumerate(inputs)],
                 outputs=[{"name": output, "model_config": {**CONFIG_DEFAULTS, **config}}])


def versions(name: str) -> list[dict]:
    return sorted(model.MLflow.from_env().versions(name), key=lambda v: int(v["version"]))


# versions without a server ----------------------------------------------------------------------


@pytest.mark.parametrize("existing, expected", [
    ([], "1.1.1"), (["1.1.1"], "1.1.2"), (["1.1.2", "1.1.10", ""], "1.1.11"), (["1.1.99"], "1.2.1"),
    (["1.99.99"], "2.1.1"), (["3.2.1", "not-ours", "1.5.5"], "3.2.2"),
])
def test_next_version_bumps_the_last_part_and_carries_at_99(existing, expected):
    assert model.next_version(existing) == expected


def test_there_is_no_version_after_99_99_99():
    with pytest.raises(ContractError, match="99.99.99"):
        model.next_version(["99.99.99"])


# registration ----------------------------------------------------------------------------------


def test_register_from_obs_with_an_explicit_version_and_every_tag(env, s3, name, run):
    uri = model_files(s3, f"{name}/v1")
    config = {"model_type": "Scikit_Learn", "model_name": name, "model_version": "1.2.3", "runtime": "Custom",
              "description": "a first model", "execution_code": "obs://models/code/customize_service.py",
              "dependencies": "[{\"installer\": \"pip\"}]", "model_metrics": "{\"f1\": 0.9}", "apis": "[]",
              "initial_config": {"a": 1}, "dynamic_load_mode": "Single", "prebuild": True,
              "install_type": ["real_time", "batch"]}
    result = model.run(step([uri], config), run)
    expected = {"model_name": name, "model_version": "1.2.3", "mlflow_version": "1",
                "uri": f"s3://{BUCKET}/{name}/v1/", "model_type": "Scikit_Learn"}
    assert result == {"outputs": {"model_output": expected}, "variables": {"model_output": expected}}
    [version] = versions(name)
    assert version["source"] == f"s3://{BUCKET}/{name}/v1/"
    assert version["description"] == "a first model"
    assert version["status"] == "READY"
    assert model.tags_of(version) == {
        "modelarts.version": "1.2.3", "modelarts.model_type": "Scikit_Learn", "modelarts.runtime": "Custom",
        "modelarts.execution_code": "obs://models/code/customize_service.py",
        "modelarts.dependencies": "[{\"installer\": \"pip\"}]", "modelarts.model_metrics": "{\"f1\": 0.9}",
        "modelarts.apis": "[]", "modelarts.initial_config": "{\"a\":1}", "modelarts.dynamic_load_mode": "Single",
        "modelarts.prebuild": "true", "modelarts.install_type": "[\"real_time\",\"batch\"]",
        "modelarts.model_uri": f"s3://{BUCKET}/{name}/v1/", "wf2k8s.run": "run-1", "wf2k8s.namespace": "wf2k8s",
        "wf2k8s.step": "model_registration", "wf2k8s.output": "model_output"}


def test_the_same_registration_again_returns_the_same_version(env, s3, name, run):
    uri = model_files(s3, f"{name}/v1")
    first = model.run(step([uri], {"model_name": name, "model_version": "1.2.3"}), run)
    other_run = RunContext("run-2", "wf2k8s", {})  # another run, same explicit version and files
    again = model.run(step([uri.rstrip("/")], {"model_name": name, "model_version": "1.2.3"}), other_run)
    assert again == first
    assert len(versions(name)) == 1


def test_an_explicit_version_is_registered_once(env, s3, name, run):
    model.run(step([model_files(s3, f"{name}/v1")], {"model_name": name, "model_version": "1.2.3"}), run)
    other = model_files(s3, f"{name}/v2")
    with pytest.raises(ContractError, match=rf"model '{name}' already has version 1\.2\.3 \(MLflow version 1, "
                                            rf"source s3://{BUCKET}/{name}/v1/\)"):
        model.run(step([other], {"model_name": name, "model_version": "1.2.3"}), run)
    assert len(versions(name)) == 1


def test_a_blank_version_is_the_next_one(env, s3, name, run):
    spec = lambda n: step([model_files(s3, f"{name}/v{n}")], {"model_name": name})  # noqa: E731
    assert model.run(spec(1), run)["outputs"]["model_output"]["model_version"] == "1.1.1"
    assert model.run(spec(2), run)["outputs"]["model_output"]["model_version"] == "1.1.2"
    model.run(step([model_files(s3, f"{name}/v3")], {"model_name": name, "model_version": "1.1.99"}), run)
    out = model.run(spec(4), run)["outputs"]["model_output"]
    assert (out["model_version"], out["mlflow_version"]) == ("1.2.1", "4")
    assert [model.tags_of(v)["modelarts.version"] for v in versions(name)] == ["1.1.1", "1.1.2", "1.1.99", "1.2.1"]


def test_a_retried_run_does_not_register_twice(env, s3, name, run):
    spec = step([model_files(s3, f"{name}/v1")], {"model_name": name})
    first = model.run(spec, run)
    assert model.run(spec, run) == first  # an Argo retry of the same run and step
    other_run = RunContext("run-2", "wf2k8s", {})
    assert model.run(spec, other_run)["outputs"]["model_output"]["model_version"] == "1.1.2"  # a new run: a new version


def test_concurrent_registrations_of_one_version_settle(env, s3, name):
    """Two runs that picked the same x.y.z: the later MLflow version moves on (blank) or is undone (explicit)."""
    client = model.MLflow.from_env()
    client.create_registered_model(name, {})
    a = client.create_version(name, f"s3://{BUCKET}/a/", {"modelarts.version": "1.1.1"}, "")
    b = client.create_version(name, f"s3://{BUCKET}/b/", {"modelarts.version": "1.1.1"}, "")
    assert model.tags_of(model.settle(client, name, a, False, f"s3://{BUCKET}/a/"))["modelarts.version"] == "1.1.1"
    assert model.tags_of(model.settle(client, name, b, False, f"s3://{BUCKET}/b/"))["modelarts.version"] == "1.1.2"
    c = client.create_version(name, f"s3://{BUCKET}/c/", {"modelarts.version": "1.1.1"}, "")
    with pytest.raises(ContractError, match="already has version 1.1.1"):
        model.settle(client, name, c, True, f"s3://{BUCKET}/c/")
    d = client.create_version(name, f"s3://{BUCKET}/a", {"modelarts.version": "1.1.1"}, "")
    assert model.settle(client, name, d, True, f"s3://{BUCKET}/a")["version"] == a["version"]
    assert [v["version"] for v in versions(name)] == [a["version"], b["version"]]


def test_missing_model_files_are_an_error(env, s3, name, run):
    with pytest.raises(ContractError, match=rf"no model files at s3://{BUCKET}/{name}/nothing/"):
        model.run(step([f"obs://{BUCKET}/{name}/nothing/"], {"model_name": name}), run)
    s3.put(BUCKET, f"{name}/empty/", b"")  # what an empty JobStep output leaves: a directory marker
    with pytest.raises(ContractError, match="no model files"):
        model.run(step([f"obs://{BUCKET}/{name}/empty/"], {"model_name": name}), run)
    assert model.MLflow.from_env().registered_model(name) is None  # nothing was registered


def test_a_single_model_file(env, s3, name, run):
    s3.put(BUCKET, f"{name}/model.onnx", b"onnx")
    out = model.run(step([f"/{BUCKET}/{name}/model.onnx"], {"model_name": name}), run)["outputs"]["model_output"]
    assert out["uri"] == f"s3://{BUCKET}/{name}/model.onnx"


def test_mlflow_unreachable_or_unset(env, s3, name, monkeypatch, run):
    spec = step([model_files(s3, f"{name}/v1")], {"model_name": name})
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(PhaseError, match=r"MLflow GET http://127\.0\.0\.1:\d+/\S+: "
                                         r"cannot reach http://127\.0\.0\.1:\d+: .*\(check MLFLOW_TRACKING_URI\)$"):
        model.run(spec, run)
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    with pytest.raises(ContractError, match="set MLFLOW_TRACKING_URI"):
        model.run(spec, run)


def test_bad_values_from_placeholders(env, s3, name):
    run = RunContext("run-1", "wf2k8s", {"v": "01.2.3", "n": "bad name", "t": "Keras"})
    uri = model_files(s3, f"{name}/v1")
    with pytest.raises(ContractError, match="model_version must be Digit.Digit.Digit"):
        model.run(step([uri], {"model_name": name, "model_version": {"$param": "v", "type": "str"}}), run)
    with pytest.raises(ContractError, match="model_name must be 1-64"):
        model.run(step([uri], {"model_name": {"$param": "n", "type": "str"}}), run)
    with pytest.raises(ContractError, match="model_type must be one of .* got 'Keras'"):
        model.run(step([uri], {"model_name": name, "model_type": {"$param": "t", "type": "enum"}}), run)


def test_the_name_defaults_to_the_step_name(env, s3, name, run):
    out = model.run(step([model_files(s3, f"{name}/v1")], {}, step_name=name), run)["outputs"]["model_output"]
    assert out["model_name"] == name and out["model_type"] == "TensorFlow"


def test_a_job_output_and_a_selected_output_as_the_source(env, s3, name, run):
    uri = model_files(s3, f"{name}/train").replace("obs://", "s3://")
    produced = {"$output": "training_job/train_url", "result": {"outputs": {"train_url": {"uri": uri}}}}
    out = model.run(step([produced], {"model_name": name}), run)["outputs"]["model_output"]
    assert out["uri"] == uri
    skipped = {"$output": "other/train_url", "result": None}
    out = model.run(step([{"$select": [skipped, produced]}], {"model_name": name, "model_version": "2.1.1"}), run)
    assert out["outputs"]["model_output"]["uri"] == uri


def test_an_image_only_model(env, name):
    run = RunContext("run-1", "wf2k8s", {"swr": "swr.example.com/team/serve:1.0"})
    out = model.run(step([{"$param": "swr", "type": "swr"}], {"model_name": name, "model_type": "Custom"}), run)
    out = out["outputs"]["model_output"]
    assert out == {"model_name": name, "model_version": "1.1.1", "mlflow_version": "1", "uri": "",
                   "model_type": "Custom", "image": "swr.example.com/team/serve:1.0"}
    [version] = versions(name)
    assert version["source"] == "docker://swr.example.com/team/serve:1.0"
    assert model.tags_of(version)["modelarts.image"] == "swr.example.com/team/serve:1.0"


def test_an_image_and_model_files(env, s3, name, run):
    image = {"kind": "swr_image", "swr_path": "team/serve:2.0"}
    out = model.run(step([image, model_files(s3, f"{name}/v1")], {"model_name": name, "model_type": "Custom"}), run)
    assert out["outputs"]["model_output"]["image"] == "team/serve:2.0"
    assert versions(name)[0]["source"] == f"s3://{BUCKET}/{name}/v1/"


def test_a_subscribed_model_from_the_catalog(env, s3, name, tmp_path, monkeypatch, run):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"gallery_models": {
        "sub-1/2.0": {"image": "wf2k8s/serving-pytorch:0.1.0", "model_type": "PyTorch"}}}))
    monkeypatch.setenv("WF2K8S_CATALOG", str(catalog))
    gallery = {"kind": "gallery_model", "subscription_id": "sub-1", "version_num": "2.0"}
    out = model.run(step([gallery, model_files(s3, f"{name}/v1")], {"model_name": name}), run)["outputs"]
    assert out["model_output"]["image"] == "wf2k8s/serving-pytorch:0.1.0"
    assert out["model_output"]["model_type"] == "PyTorch"  # the subscribed model's type, none being given
    tags = model.tags_of(versions(name)[0])
    assert tags["modelarts.gallery_model"] == "sub-1/2.0" and tags["modelarts.image"] == "wf2k8s/serving-pytorch:0.1.0"
    unknown = {"kind": "gallery_model", "subscription_id": "sub-9", "version_num": "1"}
    with pytest.raises(ContractError, match=r"subscribed model 'sub-9/1' is not in the catalog .*known: sub-1/2.0"):
        model.run(step([unknown], {"model_name": name}), run)


def test_the_model_type_is_the_specs(env, s3, name, run):
    """The runtime has no model type of its own: a spec without one is refused, the spec's is used."""
    with pytest.raises(ContractError, match=r"model_config\.model_type: is missing"):
        phase("model", step="model_registration", inputs=[],
              outputs=[{"name": "model_output", "model_config": {"model_name": name, "prebuild": False}}])
    out = model.run(step([model_files(s3, f"{name}/v1")], {"model_name": name, "model_type": "MXNet"}), run)
    assert out["outputs"]["model_output"]["model_type"] == "MXNet"
    tags = model.tags_of(versions(name)[0])
    assert tags["modelarts.model_type"] == "MXNet"
    assert tags["modelarts.prebuild"] == "false"  # the spec's prebuild, tagged as every field given


def test_a_model_type_the_config_chose_wins_over_the_subscribed_models(env, s3, name, tmp_path, monkeypatch, run):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"gallery_models": {
        "sub-1/2.0": {"image": "wf2k8s/serving-pytorch:0.1.0", "model_type": "PyTorch"},
        "sub-2/1.0": {"image": "wf2k8s/serving:0.1.0"}}}))
    monkeypatch.setenv("WF2K8S_CATALOG", str(catalog))
    files = model_files(s3, f"{name}/v1")
    gallery = {"kind": "gallery_model", "subscription_id": "sub-1", "version_num": "2.0"}
    out = model.run(step([gallery, files], {"model_name": name, "model_type": "Custom"}), run)["outputs"]
    assert out["model_output"]["model_type"] == "Custom"
    assert model.tags_of(versions(name)[0])["modelarts.model_type"] == "Custom"
    untyped = {"kind": "gallery_model", "subscription_id": "sub-2", "version_num": "1.0"}
    out = model.run(step([untyped, files], {"model_name": f"{name}-b"}), run)["outputs"]
    assert out["model_output"]["model_type"] == "TensorFlow"  # the catalog names no type: the spec's


def test_a_template_model(env, s3, name, run):
    model_files(s3, f"{name}/weights")
    template = {"template_id": "tpl-image-classification", "infer_format": "image",
                "template_inputs": [{"input_id": "model", "input": f"obs://{BUCKET}/{name}/weights"}]}
    out = model.run(step([], {"model_name": name, "model_type": "Template", "template": template}), run)
    assert out["outputs"]["model_output"]["uri"] == f"s3://{BUCKET}/{name}/weights/"
    [version] = versions(name)
    tags = model.tags_of(version)
    assert version["source"] == f"s3://{BUCKET}/{name}/weights/"
    assert tags["modelarts.template_id"] == "tpl-image-classification"
    assert tags["modelarts.infer_format"] == "image"
    assert json.loads(tags["modelarts.template_inputs"]) == {"model": f"s3://{BUCKET}/{name}/weights/"}
    with pytest.raises(ContractError, match="model_type Template needs a template"):
        model.run(step([f"obs://{BUCKET}/{name}/weights/"], {"model_name": name, "model_type": "Template"}), run)
    template["template_inputs"][0]["input"] = f"obs://{BUCKET}/{name}/absent/"
    with pytest.raises(ContractError, match=r"template_inputs\[0\] \('model'\): no model files"):
        model.run(step([], {"model_name": name, "model_type": "Template", "template": template}), run)


def test_a_template_the_catalog_knows_is_served_by_its_image(env, s3, name, tmp_path, monkeypatch, run):
    server = {"port": 8080, "command": "serve --models /mnt/models", "health": {"url": "/v1/models/model"}}
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"templates": {"tpl-1": {"image": "team/tpl-server:1", "initial_config": server},
                                                 "tpl-bad": {"initial_config": server}}}))
    monkeypatch.setenv("WF2K8S_CATALOG", str(catalog))
    model_files(s3, f"{name}/weights")
    template = {"template_id": "tpl-1", "template_inputs": [{"input_id": "model",
                                                             "input": f"obs://{BUCKET}/{name}/weights"}]}
    out = model.run(step([], {"model_name": name, "model_type": "Template", "template": template}), run)["outputs"]
    assert (out["model_output"]["image"], out["model_output"]["uri"]) == ("team/tpl-server:1",
                                                                          f"s3://{BUCKET}/{name}/weights/")
    tags = model.tags_of(versions(name)[0])
    assert tags["modelarts.image"] == "team/tpl-server:1"
    assert json.loads(tags["modelarts.initial_config"]) == server  # how the deployer starts and checks it
    # the registration's own initial_config and an image input win over the catalog's
    own = {"port": 9000}
    out = model.run(step([{"kind": "swr_image", "swr_path": "team/mine:2"}], {
        "model_name": f"{name}-b", "model_type": "Template", "template": template, "initial_config": own}),
        run)["outputs"]
    assert out["model_output"]["image"] == "team/mine:2"
    assert json.loads(model.tags_of(versions(f"{name}-b")[0])["modelarts.initial_config"]) == own
    template["template_id"] = "tpl-bad"
    with pytest.raises(ContractError, match=r"^template 'tpl-bad': its catalog entry has no image$"):
        model.run(step([], {"model_name": name, "model_type": "Template", "template": template}), run)


def test_the_compiled_seed_example_through_the_command_line(env, s3, name, tmp_path, monkeypatch, capsys):
    """The spec exactly as the compiler writes it for seed 4.4.6 (b), run by ``wf2k8s-runtime model``."""
    [template] = [w.to_workflow_template() for w in load_workflows(ROOT / "examples/seed/s4_4_6_b_model_from_obs.py")]
    document = yaml.safe_load(dump_all([template]))
    [task] = [t for t in document["spec"]["templates"][0]["dag"]["tasks"] if t["template"] == "model"]
    spec = next(p["value"] for p in task["arguments"]["parameters"] if p["name"] == "spec")
    monkeypatch.setattr(runtime_main, "RESULT_DIR", str(tmp_path / "out"))
    monkeypatch.setattr(runtime_main, "TERMINATION_LOG", tmp_path / "termination-log")
    parameters = json.dumps([{"name": "obs_placeholder_name", "value": model_files(s3, f"{name}/seed")},
                             {"name": "placeholder_name", "value": name}])
    argv = ["model", "--run", "seed-run-1", "--namespace", "wf2k8s", "--parameters", parameters, "--spec", spec]
    assert runtime_main.main(argv) == 0
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result["outputs"]["model_output"] == {
        "model_name": name, "model_version": "1.1.1", "mlflow_version": "1",
        "uri": f"s3://{BUCKET}/{name}/seed/", "model_type": "TensorFlow"}
    assert result["variables"] == result["outputs"]
    # the same run with a name that is not there: one line, exit 1, the termination message set
    parameters = json.dumps({"obs_placeholder_name": f"obs://{BUCKET}/{name}/gone/", "placeholder_name": name})
    argv[argv.index("--parameters") + 1] = parameters
    assert runtime_main.main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"wf2k8s-runtime: step 'model_registration': model directory: no model files at "
                   f"s3://{BUCKET}/{name}/gone/ (the S3 prefix holds no objects)")
    assert (tmp_path / "termination-log").read_text().startswith("model directory: no model files")
