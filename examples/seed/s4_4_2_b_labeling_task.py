# Seed section 4.4.2.3 (004_e75797c5b6c4ed76.txt) Labeling Phase: "Labeling a Specified Job".
from modelarts import workflow as wf
# Input a labeling job and label it.

# Define the labeling job of the dataset.
label_task = wf.data.LabelTaskPlaceholder(name="label_task_placeholder_name")

labeling = wf.steps.LabelingStep(
    name="labeling",  # Name of the labeling phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Dataset labeling",  # Title, which defaults to the value of name
    inputs=wf.steps.LabelingInput(name="input_name", data=label_task),  # LabelingStep inputs. The labeling job object is configured when the workflow is running; wf.data.LabelTask(dataset_name="dataset_name", task_name="label_task_name") also works.
    outputs=wf.steps.LabelingOutput(name="output_name"),  # LabelingStep outputs
)

workflow = wf.Workflow(
    name="labeling-step-demo",
    desc="this is a demo workflow",
    steps=[labeling]
)

if __name__ == "__main__":
    workflow.release()
