# Seed section 4.4.2.3 (004_e75797c5b6c4ed76.txt) Labeling Phase: "Creating a Labeling Phase Based on the Dataset Creation Phase".
from modelarts import workflow as wf

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

# Define the name parameters of the labeling job.
task_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

labeling = wf.steps.LabelingStep(
    name="labeling",  # Name of the labeling phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset labeling",  # Title, which defaults to the value of name
    properties=wf.steps.LabelTaskProperties(
        task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION,  # Labeling job type, for example, image classification
        task_name=task_name  # If the labeling job name does not exist, a job is created with this name; if it exists, that job is used.
    ),
    inputs=wf.steps.LabelingInput(name="input_name", data=create_dataset.outputs["create_dataset_output"].as_input()),  # LabelingStep inputs. The data source is the outputs of the dataset creation phase.
    outputs=wf.steps.LabelingOutput(name="output_name"),  # LabelingStep outputs
    depend_steps=create_dataset  # Preceding dataset creation phase
)
# create_dataset is an instance of wf.steps.CreateDatasetStep. create_dataset_output is the name field value of wf.steps.CreateDatasetOutput.

workflow = wf.Workflow(
    name="labeling-step-demo",
    desc="this is a demo workflow",
    steps=[create_dataset, labeling]
)

if __name__ == "__main__":
    workflow.release()
