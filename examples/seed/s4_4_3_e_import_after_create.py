# Seed section 4.4.3.3 (004_e75797c5b6c4ed76.txt) Dataset Import Phase: "Creating a Dataset Import Phase Based on the Dataset Creation Phase".
from modelarts import workflow as wf
# Use DatasetImportStep to import data in a specified path to a dataset and output the dataset.

# seed fix: (c) create_dataset is used but never defined; definition copied from 4.4.2.3 "Creating a Labeling Phase Based on the Dataset Creation Phase"
# Define parameters of the dataset output path.
dataset_output_path = wf.Placeholder(name="dataset_output_path", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs")

# Define the dataset name.
dataset_name = wf.Placeholder(name="dataset_name", placeholder_type=wf.PlaceholderType.STR)

create_dataset = wf.steps.CreateDatasetStep(
    name="create_dataset",  # Name of a dataset creation phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset creation",  # Title, which defaults to the value of name
    inputs=wf.steps.CreateDatasetInput(name="input_name", data=wf.data.OBSPlaceholder(name="obs_placeholder_name", object_type="directory")),  # CreateDatasetStep inputs, configured when the workflow is running; the data field can also be wf.data.OBSPath(obs_path="fake_obs_path").
    outputs=wf.steps.CreateDatasetOutput(name="create_dataset_output", config=wf.data.OBSOutputConfig(obs_path=dataset_output_path)),  # CreateDatasetStep outputs
    properties=wf.steps.DatasetProperties(
        dataset_name=dataset_name,  # If the dataset name does not exist, a dataset is created with this name; if it exists, that dataset is used.
        data_type=wf.data.DataTypeEnum.IMAGE,  # Data type of the dataset, for example, image
    )
)

# Define the OBS data.
obs = wf.data.OBSPlaceholder(name = "obs_placeholder_name", object_type = "directory" )  # object_type must be file or directory.

dataset_import = wf.steps.DatasetImportStep(
    name="data_import",  # Name of the dataset import phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset import",  # Title, which defaults to the value of name
    inputs=[
        wf.steps.DatasetImportInput(name="input_name_1", data=create_dataset.outputs["create_dataset_output"].as_input()),  # The outputs of the dataset creation phase are used as the inputs of the dataset import phase.
        wf.steps.DatasetImportInput(name="input_name_2", data=obs)  # Storage path to the imported dataset, configured when the workflow is running; wf.data.OBSPath(obs_path="obs_path") also works.
    ],  # DatasetImportStep inputs
    outputs=wf.steps.DatasetImportOutput(name="output_name"),  # DatasetImportStep outputs
    depend_steps=create_dataset  # Preceding dataset creation phase
)
# create_dataset is an instance of wf.steps.CreateDatasetStep. create_dataset_output is the name field value of wf.steps.CreateDatasetOutput.

workflow = wf.Workflow(
    name="dataset-import-demo",
    desc="this is a demo workflow",
    steps=[create_dataset, dataset_import]  # seed fix: (c) added create_dataset, which dataset_import depends on
)

if __name__ == "__main__":
    workflow.release()
