"""`wf2k8s compile PIPELINE.py`, run as users run it: a separate process, its exit code, stdout and stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "seed" / "s4_4_5_c_job_custom_boot_file.py"

VALID = textwrap.dedent('''\
    from modelarts import workflow as wf

    step = wf.steps.JobStep(
        name="train",
        algorithm=wf.BaseAlgorithm(code_dir="obs://bucket/code/", boot_file="train.py",
                                   engine=wf.steps.JobEngine(image_url="example/train:1.0")),
        inputs=[wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://bucket/data/"))],
        outputs=[wf.steps.JobOutput(name="train_url",
                                    obs_config=wf.data.OBSOutputConfig(obs_path="obs://bucket/out/"))],
        spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1", "memory": "1Gi"}),
                              schedule_policy=wf.steps.SchedulePolicy(priority=PRIORITY)),
    )
    workflow = wf.Workflow(name="cli-test", desc="a test workflow", steps=[step])
''')


def pipeline(tmp_path: Path, text: str, name: str = "pipeline.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def valid_pipeline(tmp_path: Path, priority: object = 1, tail: str = "", name: str = "pipeline.py") -> Path:
    return pipeline(tmp_path, VALID.replace("PRIORITY", repr(priority)) + tail, name)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def compile_(path: Path, *extra: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run("-m", "wf2k8s.cli", "compile", str(path), *extra, cwd=cwd or path.parent)


def one_workflow_template(text: str) -> dict:
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    assert len(documents) == 1, f"{len(documents)} documents"
    assert documents[0]["kind"] == "WorkflowTemplate"
    return documents[0]


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == "", result.stdout
    return lines[0]


# (a) a valid pipeline --------------------------------------------------------------------------------------


def test_compile_a_valid_example(tmp_path):
    result = compile_(EXAMPLE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("---")
    assert "kind: WorkflowTemplate" in result.stdout
    template = one_workflow_template(result.stdout)
    assert template["apiVersion"] == "argoproj.io/v1alpha1"
    assert template["metadata"]["name"] == "job-step-demo"


def test_compile_a_valid_script(tmp_path):
    result = compile_(valid_pipeline(tmp_path))
    assert result.returncode == 0, result.stderr
    assert one_workflow_template(result.stdout)["metadata"]["name"] == "cli-test"


# (b) an invalid pipeline -------------------------------------------------------------------------------------


@pytest.mark.parametrize("priority", [5, 0])
def test_invalid_pipeline_is_one_line_on_stderr_and_exit_2(tmp_path, priority):
    result = compile_(valid_pipeline(tmp_path, priority=priority))
    assert result.returncode == 2, result.stderr
    line = assert_one_line_error(result)
    assert line.startswith("wf2k8s: invalid pipeline:"), line
    assert "JobStep 'train' > spec.schedule_policy.priority" in line, line
    assert f"must be 1, 2 or 3, got {priority}" in line, line


def test_invalid_pipeline_found_at_compile_time(tmp_path):
    # the script itself runs fine; the error comes from compiling (two steps become one Argo task)
    text = VALID.replace("PRIORITY", "1") + textwrap.dedent('''\
        import copy
        other = copy.copy(step)
        other.name = "TRAIN"
        workflow.steps.append(other)
    ''')
    result = compile_(pipeline(tmp_path, text))
    assert result.returncode == 2, result.stderr
    line = assert_one_line_error(result)
    assert line.startswith("wf2k8s: invalid pipeline: Workflow 'cli-test' > steps:"), line


# (c) the script fails --------------------------------------------------------------------------------------


def test_a_script_raising_name_error_is_one_line_naming_file_and_line(tmp_path):
    path = pipeline(tmp_path, "from modelarts import workflow as wf\n\nx = 1\nstep = undefined_step\n")
    result = compile_(path)
    assert result.returncode != 0
    line = assert_one_line_error(result)
    assert f"{path}:4" in line, line
    assert "NameError" in line and "undefined_step" in line, line


def test_an_error_raised_in_a_module_the_script_imports_names_the_script_line(tmp_path):
    pipeline(tmp_path, "def boom():\n    raise RuntimeError('helper failed')\n", "helper.py")
    path = pipeline(tmp_path, "import helper\n\nhelper.boom()\n")
    result = compile_(path)
    assert result.returncode != 0
    line = assert_one_line_error(result)
    assert f"{path}:3" in line and "helper failed" in line, line


def test_a_syntax_error_is_one_line_naming_file_and_line(tmp_path):
    path = pipeline(tmp_path, "x = 1\ny = (\n")
    result = compile_(path)
    assert result.returncode != 0
    line = assert_one_line_error(result)
    assert str(path) in line and "SyntaxError" in line, line


# (d) (e) nothing to compile ---------------------------------------------------------------------------------


def test_a_missing_file_exits_2(tmp_path):
    missing = tmp_path / "nope.py"
    result = compile_(missing)
    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert str(missing) in line, line


def test_a_script_without_a_workflow_exits_2(tmp_path):
    result = compile_(pipeline(tmp_path, "from modelarts import workflow as wf\nx = 1\n"))
    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "Workflow" in line, line


# (f) -o ---------------------------------------------------------------------------------------------------


def test_output_option_writes_the_file(tmp_path):
    path = valid_pipeline(tmp_path)
    out = tmp_path / "out" / "template.yaml"
    out.parent.mkdir()
    result = compile_(path, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text()
    assert text.startswith("---") and "kind: WorkflowTemplate" in text
    assert text == compile_(path).stdout


# (g) release() in the script ------------------------------------------------------------------------------

RELEASE_UNDER_MAIN = '\nif __name__ == "__main__":\n    workflow.release()\n'


@pytest.mark.parametrize("tail", [RELEASE_UNDER_MAIN, "\nworkflow.release()\n"], ids=["under __main__", "top level"])
def test_a_script_that_releases_is_compiled_once(tmp_path, tail):
    path = valid_pipeline(tmp_path, tail=tail)
    result = compile_(path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("kind: WorkflowTemplate") == 1, result.stdout
    one_workflow_template(result.stdout)


def test_running_a_releasing_script_directly_prints_one_workflow_template(tmp_path):
    path = valid_pipeline(tmp_path, tail=RELEASE_UNDER_MAIN)
    direct = run(str(path), cwd=tmp_path)
    assert direct.returncode == 0, direct.stderr
    template = one_workflow_template(direct.stdout)
    assert template["metadata"]["name"] == "cli-test"
    # the same document `wf2k8s compile` prints
    assert direct.stdout == compile_(path).stdout


def test_what_the_script_prints_does_not_reach_stdout_of_compile(tmp_path):
    path = valid_pipeline(tmp_path, tail='\nprint("hello from the script")\n')
    result = compile_(path)
    assert result.returncode == 0, result.stderr
    assert "hello from the script" not in result.stdout
    one_workflow_template(result.stdout)


# (h) values that crashed the compiler or failed only on the cluster: one line, exit 2 ---------------------------

REPLACE = ("import dataclasses\n"
           "workflow = wf.Workflow(name='cli-test', desc='d', steps=[dataclasses.replace(step, {})])\n")
STORAGE = "storage = wf.data.InputStorage(name='root')\n"


@pytest.mark.parametrize("tail, where", [
    (STORAGE + "wf.data.OBSPlaceholder(name='d', object_type='file', "
               "default=wf.data.OBSPath(obs_path=storage.join('f')))",
     "OBSPlaceholder 'd' > default.obs_path"),
    ("wf.Placeholder(name='f', placeholder_type=wf.PlaceholderType.JSON, default={'cpu': {'1'}})",
     "Placeholder 'f' > default"),
    ("wf.Placeholder(name='f', placeholder_type=wf.PlaceholderType.JSON, default={1: '1'})",
     "Placeholder 'f' > default"),
    ("wf.Placeholder(name='f', placeholder_type=wf.PlaceholderType.JSON, default={'cpu': float('nan')})",
     "Placeholder 'f' > default"),
    (REPLACE.format("spec=wf.steps.JobSpec(resource=step.spec.resource, volumes=[wf.steps.Volume(nfs=wf.steps.NFS("
                    "nfs_server_path='s:/p', local_path=wf.SystemEnv.NAMESPACE))])"),
     "JobStep 'train' > spec.volumes[0].nfs.local_path"),
    (REPLACE.format("policy=wf.steps.StepPolicy(max_execution_minutes=None)"),
     "JobStep 'train' > policy.max_execution_minutes"),
    ("wf.data.OutputStorage(name='out').join(5)", "OutputStorage 'out' > join.directory"),
    (REPLACE.format("algorithm=wf.BaseAlgorithm(code_dir='obs://b/c/', boot_file='t.py', "
                    "engine=wf.steps.JobEngine(image_url=wf.SystemEnv.WORKFLOW_NAME))"),
     "JobStep 'train' > algorithm.engine.image_url"),
    ("workflow = wf.Workflow(name='w' * 64, desc='d', steps=[step])", f"Workflow {'w' * 64!r} > name"),
    ("wf.Placeholder(name='i', placeholder_type=wf.PlaceholderType.INT, default=5, enum_list=[1, 2])",
     "Placeholder 'i' > default"),
    ("workflow = wf.Workflow(name='cli-test', desc='x' * 300000, steps=[step])", "Workflow 'cli-test' > desc"),
], ids=["OBSPlaceholder storage default", "JSON set", "JSON int key", "JSON NaN", "NFS SystemEnv",
        "max_execution_minutes None", "join(5)", "image_url SystemEnv", "64-character name", "default not in enum_list",
        "300 KB desc"])
def test_a_value_the_cluster_cannot_take_is_one_line_and_exit_2(tmp_path, tail, where):
    result = compile_(valid_pipeline(tmp_path, tail="\n" + tail + "\n"))
    assert result.returncode == 2, result.stderr
    line = assert_one_line_error(result)
    assert line.startswith(f"wf2k8s: invalid pipeline: {where}: "), line


@pytest.mark.parametrize("command", ["compile", "run"])
@pytest.mark.parametrize("namespace", ["Team_A", "", "x" * 64, "team-"], ids=repr)
def test_a_namespace_that_is_not_a_dns_label_is_one_line_and_exit_2(tmp_path, command, namespace):
    # refused before the script runs or anything is applied (run never reaches the cluster)
    path = valid_pipeline(tmp_path, tail="\nprint('the script ran', file=__import__('sys').stderr)\n")
    result = run("-m", "wf2k8s.cli", command, str(path), f"--namespace={namespace}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = assert_one_line_error(result)
    assert line == ("wf2k8s: --namespace: must be a DNS-1123 label: 1-63 lower-case letters, digits or '-', starting "
                    f"and ending with a letter or digit, got {namespace!r}"), line


def test_a_dns_label_namespace_is_the_template_namespace(tmp_path):
    result = compile_(valid_pipeline(tmp_path), "--namespace", "team-a1")
    assert result.returncode == 0, result.stderr
    assert one_workflow_template(result.stdout)["metadata"]["namespace"] == "team-a1"
