# Seed section 4.10.1 Partial Execution (004_e75797c5b6c4ed76.txt): a workflow with two predefined scenes.
from modelarts import workflow as wf  # seed fix: (e) the seed fragment has no import

# seed fix: (e) label_step, release_data_step, training_step, model_step and service_step are used but never
# defined; they are built below from the seed's labeling, release, job, model and service examples, chained by
# depend_steps and data bindings.

# label_step: from 4.4.2.3 "Creating a Labeling Job for a Specified Dataset and Labeling the Dataset"
dataset = wf.data.DatasetPlaceholder(name="input_dataset")
task_name = wf.Placeholder(name="task_name", placeholder_type=wf.PlaceholderType.STR)  # seed fix: (a) the source examples use "placeholder_name" for three different placeholders -> "task_name"
label_step = wf.steps.LabelingStep(
    name="labeling",
    title="Dataset labeling",
    properties=wf.steps.LabelTaskProperties(
        task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION,
        task_name=task_name
    ),
    inputs=wf.steps.LabelingInput(name="input_name", data=dataset),
    outputs=wf.steps.LabelingOutput(name="output_name"),
)

# release_data_step: from 4.4.4.3 "Creating a Dataset Release Phase Based on the Labeling Phase"
train_ratio = wf.Placeholder(name="train_ratio", placeholder_type=wf.PlaceholderType.STR, default="0.8")  # seed fix: (a) "placeholder_name" -> "train_ratio"
release_data_step = wf.steps.ReleaseDatasetStep(
    name="release_dataset",
    title="Dataset version release",
    inputs=wf.steps.ReleaseDatasetInput(name="input_name", data=label_step.outputs["output_name"].as_input()),
    outputs=wf.steps.ReleaseDatasetOutput(name="output_name", dataset_version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio=train_ratio)),
    depend_steps=[label_step]
)

# training_step: from 4.4.5.4 "Creating a Job Phase Based on the Dataset Release Phase"
storage = wf.data.OutputStorage(name="storage_name", title="title_info", description="description_info")
training_step = wf.steps.JobStep(
    name="training_job",
    title="Image classification training",
    algorithm=wf.AIGalleryAlgorithm(
        subscription_id="subscription_id",
        item_version_id="item_version_id",
        parameters=[
            wf.AlgorithmParameters(
                name="parameter_name",
                value=wf.Placeholder(name="parameter_name", placeholder_type=wf.PlaceholderType.STR, default="fake_value", description="description_info")
            )
        ]
    ),
    inputs=wf.steps.JobInput(name="data_url", data=release_data_step.outputs["output_name"].as_input()),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("directory_path"))),
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    ),
    depend_steps=release_data_step
)

# model_step: from 4.4.6.3 "Registering a Model From a Training Job (Model Source: JobStep Output)"
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)
model_step = wf.steps.ModelStep(
    name="model_registration",
    title="Model registration",
    inputs=wf.steps.ModelInput(name="model_input", data=training_step.outputs["train_url"].as_input()),
    outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(model_name=model_name, model_type="TensorFlow")),
    depend_steps=training_step
)

# service_step: from 4.4.7.3 "Deploying a Real-Time Service"
service_step = wf.steps.ServiceStep(
    name="service_step",
    title="Deploying a service",
    inputs=wf.steps.ServiceInput(name="si_service_ph", data=wf.data.ServiceInputPlaceholder(name="si_placeholder1", model_name=model_name)),
    outputs=wf.steps.ServiceOutput(name="service_output"),
    depend_steps=model_step
)

# ---- The seed's example ----
workflow = wf.Workflow(
    name="image_cls",
    desc="this is a demo workflow",
    steps=[label_step, release_data_step, training_step, model_step, service_step],
    storages=[storage],  # seed fix: (e) added the Storage used by training_step
    policy=wf.policy.Policy(
        scenes=[
            wf.policy.Scene(
                scene_name="Model training",
                scene_steps=[label_step, release_data_step, training_step]
            ),
            wf.policy.Scene(
                scene_name="Service deployment",
                scene_steps=[model_step, service_step]
            ),
        ]
    )
)

if __name__ == "__main__":
    workflow.release()
