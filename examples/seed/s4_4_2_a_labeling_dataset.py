# Seed section 4.4.2.3 (004_e75797c5b6c4ed76.txt) Labeling Phase: "Creating a Labeling Job for a Specified Dataset and Labeling the Dataset".
from modelarts import workflow as wf
# Use LabelingStep to create a labeling job for the input dataset and label it.

# Define the input dataset.
dataset = wf.data.DatasetPlaceholder(name="input_dataset")

# Define the name parameters of the labeling job.
task_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

labeling = wf.steps.LabelingStep(
    name="labeling",  # Name of the labeling phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset labeling",  # Title, which defaults to the value of name
    properties=wf.steps.LabelTaskProperties(
        task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION,  # Labeling job type, for example, image_classification
        task_name=task_name  # If the labeling job name does not exist, a job is created with this name; if it exists, that job is used.
    ),
    inputs=wf.steps.LabelingInput(name="input_name", data=dataset),  # LabelingStep inputs. The dataset object is configured when the workflow is running; wf.data.Dataset(dataset_name="fake_dataset_name") also works.
    outputs=wf.steps.LabelingOutput(name="output_name"),  # LabelingStep outputs
)

workflow = wf.Workflow(
    name="labeling-step-demo",
    desc="this is a demo workflow",
    steps=[labeling]
)

if __name__ == "__main__":
    workflow.release()
