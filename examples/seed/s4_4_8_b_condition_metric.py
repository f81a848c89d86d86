# Seed section 4.4.8.3 (004_e75797c5b6c4ed76.txt) Condition Phase, Simple Examples: "Implemented by obtaining the metric information output by JobStep".
from modelarts import workflow as wf  # seed fix: this import was merged into the preceding bullet text by the PDF extraction

# Create an OutputStorage object to centrally manage training output directories.
storage = wf.data.Storage(name="storage_name", title="title_info", with_execution_id=True, create_dir=True, description="description_info")  # The name field is mandatory, and the title and description fields are optional.

# Define the input OBS object.
obs_data = wf.data.OBSPlaceholder(name="obs_placeholder_name", object_type="directory")

# Use JobStep to define a training phase, and use OBS to store the output.
job_step = wf.steps.JobStep(
    name="training_job",  # Name of a training phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Image classification training",  # Title, which defaults to the value of name.
    algorithm=wf.AIGalleryAlgorithm(
        subscription_id="subscription_id",  # Subscription ID of the subscribed algorithm
        item_version_id="item_version_id",  # Algorithm version ID. You can also enter the version number instead.
        parameters=[]
    ),  # Algorithm subscribed to in AI Gallery. Hyperparameters whose values need not change can be omitted; they are filled automatically.
    inputs=wf.steps.JobInput(name="data_url", data=obs_data),
    outputs=[
        wf.steps.JobOutput(name="train_url",obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("directory_path"))),
        wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(metric_files=storage.join("directory_path/metrics.json", create_dir=False)))  # Metric output path; the job script writes the metrics (here: metrics.json in the training output directory) in the specified data format.
    ],
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    )  # Training flavors
)

# Define a condition object.
condition_lt = wf.steps.Condition(
    condition_type=wf.steps.ConditionTypeEnum.LT,
    left=wf.steps.MetricInfo(job_step.outputs["metrics"].as_input(), "accuracy"),
    right=0.5
)

condition_step = wf.steps.ConditionStep(
    name="condition_step_test",  # Name of the condition phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    conditions=condition_lt,  # Condition objects. The relationship between the conditions is &&.
    if_then_steps="training_job_retrain",  # If conditions evaluate to true, training_job_retrain is ready for execution, and model_registration is skipped.
    else_then_steps="model_registration",  # If conditions evaluate to false, model_registration is ready for execution, and training_job_retrain is skipped.
    depend_steps=job_step
)

# Use JobStep to define a training phase, and use OBS to store the output.
job_step_retrain = wf.steps.JobStep(
    name="training_job_retrain",  # Name of a training phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Image classification retraining",  # Title, which defaults to the value of name.
    algorithm=wf.AIGalleryAlgorithm(
        subscription_id="subscription_id",  # Subscription ID of the subscribed algorithm
        item_version_id="item_version_id",  # Algorithm version ID. You can also enter the version number instead.
        parameters=[]

    ),  # Algorithm subscribed to in AI Gallery. Hyperparameters whose values need not change can be omitted; they are filled automatically.
    inputs=wf.steps.JobInput(name="data_url", data=obs_data),
    outputs=[
        wf.steps.JobOutput(name="train_url",obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("directory_path_retrain"))),
        wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(metric_files=storage.join("directory_path_retrain/metrics.json", create_dir=False)))  # Metric output path; the job script writes the metrics (here: metrics.json in the training output directory) in the specified data format.
    ],
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor_retrain", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    ),  # Training flavors
    depend_steps=condition_step
)

# Define model name parameters.
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

model_step = wf.steps.ModelStep(
    name="model_registration",  # Name of the model registration phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Model registration",  # Title
    inputs=wf.steps.ModelInput(name='model_input', data=job_step.outputs["train_url"].as_input()),  # job_step output is used as the input.
    outputs=wf.steps.ModelOutput(name='model_output', model_config=wf.steps.ModelConfig(model_name=model_name, model_type="TensorFlow")),  # ModelStep outputs
    depend_steps=condition_step,
)

workflow = wf.Workflow(
    name="condition-demo",
    desc="this is a demo workflow",
    steps=[job_step, condition_step, job_step_retrain, model_step],
    storages=storage
)

if __name__ == "__main__":
    workflow.release()
