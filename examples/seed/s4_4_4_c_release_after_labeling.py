# Seed section 4.4.4.3 (004_e75797c5b6c4ed76.txt) Dataset Release Phase: "Creating a Dataset Release Phase Based on the Labeling Phase".
from modelarts import workflow as wf
# Use ReleaseDatasetStep to release a version of the input labeling job and output the dataset with version information.

# seed fix: (c) labeling_step is used but never defined; definition copied from 4.4.2.3 "Creating a Labeling Job for a Specified Dataset and Labeling the Dataset"
# Define the input dataset.
dataset = wf.data.DatasetPlaceholder(name="input_dataset")

# Define the name parameters of the labeling job.
task_name = wf.Placeholder(name="task_name", placeholder_type=wf.PlaceholderType.STR)  # seed fix: (a) name "placeholder_name" shared with the different train_ratio placeholder -> "task_name"

labeling_step = wf.steps.LabelingStep(
    name="labeling",  # Name of the labeling phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset labeling",  # Title, which defaults to the value of name
    properties=wf.steps.LabelTaskProperties(
        task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION,  # Labeling job type, for example, image_classification
        task_name=task_name  # If the labeling job name does not exist, a job is created with this name; if it exists, that job is used.
    ),
    inputs=wf.steps.LabelingInput(name="input_name", data=dataset),  # LabelingStep inputs. The dataset object is configured when the workflow is running.
    outputs=wf.steps.LabelingOutput(name="output_name"),  # LabelingStep outputs
)

# Define the split ratio between the training set and validation set
train_ratio = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR, default="0.8")

release_version = wf.steps.ReleaseDatasetStep(
    name="release_dataset",  # Name of the dataset release phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset version release",  # Title, which defaults to the value of name
    inputs=wf.steps.ReleaseDatasetInput(name="input_name", data=labeling_step.outputs["output_name"].as_input()),  # ReleaseDatasetStep inputs. The labeling job object is configured when the workflow is running; wf.data.LabelTask(dataset_name="dataset_name", task_name="label_task_name") also works.
    outputs=wf.steps.ReleaseDatasetOutput(name="output_name", dataset_version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio=train_ratio)),  # Split ratio between the training set and validation set
    depend_steps = [labeling_step]  # Preceding labeling phase
)
# labeling_step is an instance object of wf.steps.LabelingStep and output_name is the value of the name field of wf.steps.LabelingOutput.

workflow = wf.Workflow(
    name="dataset-release-demo",
    desc="this is a demo workflow",
    steps=[labeling_step, release_version]  # seed fix: (c) added labeling_step, which release_version depends on
)

if __name__ == "__main__":
    workflow.release()
