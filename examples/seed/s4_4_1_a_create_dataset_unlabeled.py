# Seed section 4.4.1.3 (004_e75797c5b6c4ed76.txt) Dataset Creation Phase: "Creating a Dataset Using Unlabeled Data".
from modelarts import workflow as wf
# Use CreateDatasetStep to create a dataset of the new version using OBS data.

# Define parameters of the dataset output path.
dataset_output_path = wf.Placeholder(name="dataset_output_path", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs")

# Define the dataset name.
dataset_name = wf.Placeholder(name="dataset_name", placeholder_type=wf.PlaceholderType.STR)

create_dataset = wf.steps.CreateDatasetStep(
    name="create_dataset",  # Name of a dataset creation phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset creation",  # Title, which defaults to the value of name
    inputs=wf.steps.CreateDatasetInput(name="input_name", data=wf.data.OBSPlaceholder(name="obs_placeholder_name", object_type="directory")),  # CreateDatasetStep inputs, configured when the workflow is running; the data field can also be wf.data.OBSPath(obs_path="fake_obs_path").
    outputs=wf.steps.CreateDatasetOutput(name="output_name", config=wf.data.OBSOutputConfig(obs_path=dataset_output_path)),  # CreateDatasetStep outputs
    properties=wf.steps.DatasetProperties(
        dataset_name=dataset_name,  # If the dataset name does not exist, a dataset is created with this name; if it exists, that dataset is used.
        data_type=wf.data.DataTypeEnum.IMAGE,  # Data type of the dataset, for example, image
    )
)

# Ensure that the dataset name is not used by others under the account. Otherwise, the dataset created by others will be used in the subsequent phases.

workflow = wf.Workflow(
    name="create-dataset-demo",
    desc="this is a demo workflow",
    steps=[create_dataset]
)

if __name__ == "__main__":
    workflow.release()
