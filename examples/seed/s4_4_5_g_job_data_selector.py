# Seed section 4.4.5.4 (004_e75797c5b6c4ed76.txt) Job Phase: "Using the DataSelector Object as the Input, Which Supports OBS or Datasets".
from modelarts import workflow as wf

# Create an OutputStorage object to centrally manage training output directories.
storage = wf.data.OutputStorage(name="storage_name", title="title_info", description="description_info")  # Only name is mandatory.

# Define the DataSelector object.
data_selector = wf.data.DataSelector(name="input_data", data_type_list=["dataset", "obs"])

# Use JobStep to define a training phase. Use a dataset as the input, and use OBS to store the output.
job_step = wf.steps.JobStep(
    name="training_job",  # Name of a training phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Image classification training",  # Title, which defaults to the value of name.
    algorithm=wf.AIGalleryAlgorithm(
        subscription_id="subscription_id",  # algorithm subscription ID. You can also enter the version number.
        item_version_id="item_version_id",  # Algorithm version ID. You can also enter the version number instead.
        parameters=[
            wf.AlgorithmParameters(
                name="parameter_name",
                value=wf.Placeholder(name="parameter_name", placeholder_type=wf.PlaceholderType.STR, default="fake_value",description="description_info")
            )  # Algorithm hyperparameters are represented using placeholders, which can be integer, bool, float, or string.
        ]
    ),  # Algorithm subscribed to in AI Gallery. Hyperparameters whose values need not change can be omitted; they are filled automatically.

    inputs=wf.steps.JobInput(name="data_url", data=data_selector),  # JobStep inputs are configured when the workflow is running. You can choose OBS or datasets as the input.
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("directory_path"))),  # JobStep outputs
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    )  # Training flavors
)

workflow = wf.Workflow(
    name="job-step-demo",
    desc="this is a demo workflow",
    steps=[job_step],
    storages=[storage]
)

if __name__ == "__main__":
    workflow.release()
