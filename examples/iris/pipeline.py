"""Train on iris, register the model if it is accurate enough (seed 4.4.5, 4.4.6 and 4.5).

    wf2k8s run examples/iris/pipeline.py -p code_dir=obs://wf2k8s/examples/iris/code/ \
        -p storage_name=obs://wf2k8s/runs/ --wait
"""

from modelarts import workflow as wf

storage = wf.data.OutputStorage(name="storage_name", description="where runs write their outputs")
code_dir = wf.Placeholder(name="code_dir", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs",
                          default="obs://wf2k8s/examples/iris/code/", description="the training code")

train = wf.steps.JobStep(
    name="train",
    title="Train on iris",
    algorithm=wf.BaseAlgorithm(
        code_dir=code_dir, boot_file="train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.2"),
        parameters=[wf.AlgorithmParameters(name="max_iter", value=200),
                    wf.AlgorithmParameters(name="C", value=wf.Placeholder(
                        name="C", placeholder_type=wf.PlaceholderType.FLOAT, default=1.0,
                        description="inverse regularisation strength"))]),
    inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://wf2k8s/examples/iris/data/")),
    outputs=[
        wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("model/"))),
        wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
            metric_files=storage.join("model/metrics.json", create_dir=False))),
    ],
    spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=wf.resource.flavor_placeholder(
        default={"cpu": "500m", "memory": "512Mi"}))),
)

register = wf.steps.ModelStep(
    name="register",
    title="Register the model",
    inputs=wf.steps.ModelInput(name="model_input", data=train.outputs["train_url"].as_input()),
    outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(
        model_name=wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR, default="iris"),
        model_type="Scikit_Learn")),
    depend_steps=train,
    policy=wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
        condition_type=wf.steps.ConditionTypeEnum.LT,
        left=wf.steps.MetricInfo(train.outputs["metrics"].as_input(), "accuracy"),
        right=wf.Placeholder(name="min_accuracy", placeholder_type=wf.PlaceholderType.FLOAT, default=0.9))),
)

workflow = wf.Workflow(name="iris", desc="train on iris and register the model", steps=[train, register],
                       storages=storage)

if __name__ == "__main__":
    workflow.release()
