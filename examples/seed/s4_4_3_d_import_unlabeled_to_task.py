# Seed section 4.4.3.3 (004_e75797c5b6c4ed76.txt) Dataset Import Phase: "Importing Data in a Specified Path to a Target Labeling Job" (unlabeled data).
from modelarts import workflow as wf
# Use DatasetImportStep to import data in a specified path to a labeling job and output the labeling job.

# Define the labeling job.
label_task = wf.data.LabelTaskPlaceholder(name="label_task_placeholder_name")

# Define the OBS data.
obs = wf.data.OBSPlaceholder(name = "obs_placeholder_name", object_type = "directory" )  # object_type must be file or directory.

dataset_import = wf.steps.DatasetImportStep(
    name="data_import",  # Name of the dataset import phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset import",  # Title, which defaults to the value of name
    inputs=[
        wf.steps.DatasetImportInput(name="input_name_1", data=label_task),  # Labeling job object, configured when the workflow is running; wf.data.LabelTask(dataset_name="dataset_name", task_name="label_task_name") also works.
        wf.steps.DatasetImportInput(name="input_name_2", data=obs)  # Storage path to the imported dataset, configured when the workflow is running; wf.data.OBSPath(obs_path="obs_path") also works.
    ],  # DatasetImportStep inputs
    outputs=wf.steps.DatasetImportOutput(name="output_name"),  # DatasetImportStep outputs
)

workflow = wf.Workflow(
    name="dataset-import-demo",
    desc="this is a demo workflow",
    steps=[dataset_import]
)

if __name__ == "__main__":
    workflow.release()
