# Seed section 4.4.5.4 (004_e75797c5b6c4ed76.txt) Job Phase: "Creating a Job Phase Based on the Dataset Release Phase".
from modelarts import workflow as wf

# Define the dataset object.
dataset = wf.data.DatasetPlaceholder(name="input_dataset")

# Define the split ratio between the training set and validation set
train_ratio = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR, default="0.8")

release_version_step = wf.steps.ReleaseDatasetStep(
    name="release_dataset",  # Name of the dataset release phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset version release",  # Title, which defaults to the value of name
    inputs=wf.steps.ReleaseDatasetInput(name="input_name", data=dataset),  # ReleaseDatasetStep inputs. The dataset object is configured when the workflow is running; wf.data.Dataset(dataset_name="dataset_name") also works.
    outputs=wf.steps.ReleaseDatasetOutput(
        name="output_name",
        dataset_version_config=wf.data.DatasetVersionConfig(
            label_task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION,  # Labeling job type for dataset version release
            train_evaluate_sample_ratio=train_ratio  # Split ratio between the training set and validation set
        )
    )  # ReleaseDatasetStep outputs
)  # seed fix: added the missing ")" closing ReleaseDatasetStep

# Create an OutputStorage object to centrally manage training output directories.
storage = wf.data.OutputStorage(name="storage_name", title="title_info", description="description_info")  # Only name is mandatory.

# Use JobStep to define a training phase. Use a dataset as the input, and use OBS to store the output.
job_step = wf.steps.JobStep(
    name="training_job",  # Name of a training phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Image classification training",  # Title, which defaults to the value of name.
    algorithm=wf.AIGalleryAlgorithm(
        subscription_id="subscription_id",  # Subscription ID of the subscribed algorithm
        item_version_id="item_version_id",  # Version ID of the subscribed algorithm
        parameters=[
            wf.AlgorithmParameters(
                name="parameter_name",
                value=wf.Placeholder(name="parameter_name", placeholder_type=wf.PlaceholderType.STR, default="fake_value",description="description_info")
            )  # Algorithm hyperparameters are represented using placeholders, which can be integer, bool, float, or string.
        ]
    ),  # Algorithm subscribed to in AI Gallery. Hyperparameters whose values need not change can be omitted; they are filled automatically.

    inputs=wf.steps.JobInput(name="data_url", data=release_version_step.outputs["output_name"].as_input()),  # The output of the dataset release phase is used as the input of JobStep.
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("directory_path"))),  # JobStep outputs
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    ),  # Training flavors
    depend_steps=release_version_step  # Preceding dataset release phase
)
# release_version_step is an instance object of wf.steps.ReleaseDatasetStep and output_name is the value of the name field of wf.steps.ReleaseDatasetOutput.

workflow = wf.Workflow(
    name="job-step-demo",
    desc="this is a demo workflow",
    steps=[release_version_step, job_step],
    storages=[storage]
)

if __name__ == "__main__":
    workflow.release()
