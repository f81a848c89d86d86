"""Compile time and YAML size of synthetic pipelines of 10, 100 and 1,000 steps.

Every 10 steps: 4 JobSteps written as the seed's examples write them (a subscribed algorithm
with a hyperparameter, or code in a custom image; an OBS input, an output in an OutputStorage,
a flavor placeholder; half with a metrics output, one with a skip condition), 3 ModelSteps that
register a job's output unless its accuracy is under a threshold, and 3 ConditionSteps on a
job's accuracy. Each step depends on the one before it. Targets: 1,000 steps in at most 1 s; at most
600 bytes of YAML per step.

    python benchmarks/compile.py [--repeat 5] [--sizes 10 100 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import wf2k8s as wf
from wf2k8s.backends.argo.yamlio import dump_all


def pipeline(size: int) -> wf.Workflow:
    flavor = wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON,
                            default={"cpu": "1", "memory": "1Gi"})
    threshold = wf.Placeholder(name="threshold", placeholder_type=wf.PlaceholderType.FLOAT, default=0.5)
    storage = wf.data.OutputStorage(name="out")
    data = wf.data.OBSPath(obs_path="obs://data/train/")
    steps: list = []
    last_job = None
    for i in range(size):
        kind = i % 10
        deps = [steps[-1]] if steps else []
        if kind in (0, 1, 2, 3) or last_job is None:
            # as the seed's examples write them: a subscribed algorithm or code in an engine image
            algorithm = wf.AIGalleryAlgorithm(subscription_id="sub-1", item_version_id="v1",
                                              parameters=[wf.AlgorithmParameters(name="epochs", value=3)]) \
                if kind % 2 else wf.BaseAlgorithm(code_dir="obs://code/train/", boot_file="train.py",
                                                  engine=wf.steps.JobEngine(image_url="team/train:1"))
            skip = wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
                wf.steps.ConditionTypeEnum.EQ,
                wf.Placeholder(name="skip_jobs", placeholder_type=wf.PlaceholderType.BOOL,
                                                             default=False), True)) if kind == 3 else None
            outputs = [wf.steps.JobOutput(name="train_url",
                                          obs_config=wf.data.OBSOutputConfig(obs_path=storage.join(f"job_{i}/")))]
            if kind in (0, 2):
                outputs.append(wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
                    metric_files=storage.join(f"job_{i}/metrics.json", create_dir=False))))
            step = wf.steps.JobStep(
                name=f"job_{i}", algorithm=algorithm,
                inputs=wf.steps.JobInput(name="data_url", data=data),
                outputs=outputs,
                spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=flavor)),
                depend_steps=deps, policy=skip)
            if kind in (0, 2):
                last_job = step
        elif kind in (4, 5, 6):
            step = wf.steps.ModelStep(
                name=f"model_{i}",
                inputs=wf.steps.ModelInput(name="model_input", data=last_job.outputs["train_url"].as_input()),
                outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
                    model_name=f"model-{i}", model_type="Scikit_Learn")),
                depend_steps=deps,
                policy=wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
                    wf.steps.ConditionTypeEnum.LT,
                    wf.steps.MetricInfo(last_job.outputs["metrics"].as_input(), "accuracy"), threshold)))
        else:
            step = wf.steps.ConditionStep(
                name=f"check_{i}",
                conditions=wf.steps.Condition(wf.steps.ConditionTypeEnum.GTE,
                                              wf.steps.MetricInfo(last_job.outputs["metrics"].as_input(), "accuracy"),
                                              threshold),
                depend_steps=deps)
        steps.append(step)
    return wf.Workflow(name=f"bench-{size}", desc="synthetic benchmark pipeline", steps=steps, storages=storage)


def measure(size: int, repeat: int) -> tuple[float, float, int]:
    workflow = pipeline(size)
    times = []
    text = ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = dump_all([workflow.to_workflow_template()])
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), len(text.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    print(f"{'steps':>6} {'median s':>9} {'best s':>8} {'YAML bytes':>11} {'bytes/step':>10}")
    for size in args.sizes:
        median, best, size_bytes = measure(size, args.repeat)
        print(f"{size:>6} {median:>9.3f} {best:>8.3f} {size_bytes:>11,} {size_bytes / size:>10.0f}")


if __name__ == "__main__":
    main()
