"""The MrsJobStep runtime's argument handling (the Spark run itself is tested on the cluster)."""

import pytest

from specs import phase
from wf2k8s.runtime import job, mrs
from wf2k8s.runtime.context import ContractError, RunContext
from memory_s3 import MemoryS3


def test_mrs_argument_lists_are_comma_separated():
    assert mrs.split_args("--master,yarn-cluster, --conf,spark.x=1") == ["--master", "yarn-cluster", "--conf",
                                                                         "spark.x=1"]
    assert mrs.split_args("") == [] and mrs.split_args(None) == []


def test_placement_options_give_way_to_local_mode():
    assert mrs.submit_options(["--master", "yarn-cluster", "--conf", "spark.x=1"], "*") == [
        "--master", "local[*]", "--conf", "spark.x=1"]
    assert mrs.submit_options(["--master=yarn", "--deploy-mode", "cluster", "--num-executors", "4"], "2") == [
        "--master", "local[2]", "--num-executors", "4"]
    assert mrs.submit_options([], "*") == ["--master", "local[*]"]


# the entry point on a typed spec, spark-submit stubbed --------------------------------------------------------


def mrs_spec(boot_file="obs://b/spark/wordcount.py"):
    return phase("mrs_job", step="count", cluster_id="mrs-1", algorithm={"boot_file": boot_file, "parameters": [
        {"name": "run_args", "value": {"$param": "spark_args", "type": "str"}},
        {"name": "app_args", "value": "--top,3"},
        {"name": "lang", "value": {"$param": "lang", "type": "str"}}]},
        inputs=[{"name": "text", "data": {"$storage": "root", "path": "text/"}}],
        outputs=[{"name": "counts", "obs_config": {"obs_path": "obs://b/counts/"}}])


def test_the_spark_program_gets_local_paths_and_its_outputs_are_uploaded(tmp_path, monkeypatch, capsys):
    run = RunContext("r-1", "ns", {"spark_args": "--master,yarn,--conf,spark.x=1", "lang": "en",
                                   "root": "obs://b/in/"})
    s3 = MemoryS3({"obs://b/spark/wordcount.py": b"print()", "obs://b/in/text/a.txt": b"a b"})
    monkeypatch.setattr(mrs.S3, "from_env", lambda: s3)
    monkeypatch.setattr(mrs, "WORK", tmp_path)
    monkeypatch.setattr(job, "WORK", tmp_path)  # inputs are fetched as a JobStep's are
    monkeypatch.setenv("WF2K8S_SPARK_CORES", "2")
    ran = []

    def spark_submit(argv, cwd, env, log):
        ran.append(argv)
        (tmp_path / "outputs" / "counts").mkdir()
        (tmp_path / "outputs" / "counts" / "part-0").write_text("a 1")
        return 0, []

    monkeypatch.setattr(mrs, "execute", spark_submit)
    assert mrs.run(mrs_spec(), run) == {"outputs": {"counts": {"uri": "s3://b/counts/"}}}
    assert ran == [["spark-submit", "--master", "local[2]", "--conf", "spark.x=1", str(tmp_path / "code/wordcount.py"),
                    "--top", "3", "--lang=en", f"--text={tmp_path / 'inputs/text'}",
                    f"--counts={tmp_path / 'outputs/counts'}"]]
    assert (tmp_path / "inputs/text/a.txt").read_text() == "a b"
    assert s3.get("b", "counts/part-0") == b"a 1"
    assert "cluster_id 'mrs-1': no MRS cluster on Kubernetes" in capsys.readouterr().out

    monkeypatch.setattr(mrs, "execute", lambda *args: (1, ["boom"]))
    with pytest.raises(mrs.JobFailed, match="spark-submit exited with 1; last lines of its log:\nboom"):
        mrs.run(mrs_spec(), run)
    with pytest.raises(ContractError, match="is a directory; name the script or jar"):
        mrs.run(mrs_spec("obs://b/spark/"), run)
    with pytest.raises(ContractError, match="s3://b/spark/missing.py does not exist"):
        mrs.run(mrs_spec("obs://b/spark/missing.py"), run)
