"""MrsJobStep for real: a PySpark program run by spark-submit (local mode) in the wf2k8s/spark image."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import wf2k8s as wf
from wf2k8s import cluster

HERE = Path(__file__).resolve().parent


def test_a_spark_program_reads_obs_and_writes_its_output(s3, step_result):
    """The seed's MrsJobStep with placeholders: boot file, run_args (--master,yarn-cluster becomes local
    mode), app_args, an OBS input directory and an output path; the counts land on S3."""
    run_id = uuid.uuid4().hex[:8]
    base = f"e2e/spark/{run_id}"
    s3.put(s3.bucket, f"{base}/code/wordcount.py", (HERE / "code" / "wordcount.py").read_bytes())
    s3.put(s3.bucket, f"{base}/in/a.txt", b"the cat sat on the mat\n")
    s3.put(s3.bucket, f"{base}/in/b.txt", b"The dog sat\n")
    algorithm = wf.steps.MrsJobAlgorithm(
        boot_file=wf.Placeholder(name="boot_file", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs"),
        parameters=[wf.AlgorithmParameters(name="run_args", value=wf.Placeholder(
                        name="run_args", placeholder_type=wf.PlaceholderType.STR, default="--master,yarn-cluster")),
                    wf.AlgorithmParameters(name="app_args", value=wf.Placeholder(
                        name="app_args", placeholder_type=wf.PlaceholderType.STR, default=""))])
    step = wf.steps.MrsJobStep(
        name="mrs_job_test", mrs_algorithm=algorithm,
        inputs=wf.steps.MrsJobInput(name="mrs_input", data=wf.data.OBSPlaceholder(name="data_url",
                                                                                  object_type="directory")),
        outputs=wf.steps.MrsJobOutput(name="mrs_output", obs_config=wf.data.OBSOutputConfig(obs_path=wf.Placeholder(
            name="train_url", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs"))),
        cluster_id="cluster_id_xxx")
    workflow = wf.Workflow(name="e2e-spark", desc="a Spark program", steps=[step])
    result = cluster.release_and_run(workflow, {
        "boot_file": f"obs://{s3.bucket}/{base}/code/wordcount.py",
        "run_args": "--master,yarn-cluster,--conf,spark.sql.shuffle.partitions=2",
        "app_args": "--min_count=2",
        "data_url": f"obs://{s3.bucket}/{base}/in/",
        "train_url": f"obs://{s3.bucket}/{base}/out/"}, wait=True, progress=None, timeout=600)
    assert result["phase"] == "Succeeded", result
    assert step_result(result["name"], "mrs_job_test")["outputs"]["mrs_output"]["uri"] == \
        f"s3://{s3.bucket}/{base}/out/"
    parts = [k for k in s3.list(s3.bucket, f"{base}/out/") if k.rsplit("/", 1)[1].startswith("part-")]
    rows = [json.loads(line) for key in parts for line in s3.get(s3.bucket, key).decode().splitlines()]
    assert sorted((r["word"], r["count"]) for r in rows) == [("sat", 2), ("the", 3)]
    assert any(k.endswith("/_SUCCESS") for k in s3.list(s3.bucket, f"{base}/out/"))
