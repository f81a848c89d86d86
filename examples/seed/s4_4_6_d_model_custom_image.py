# Seed section 4.4.6.3 (004_e75797c5b6c4ed76.txt) Model Registration Phase: "Registering a Model From a Custom Image".
import modelarts.workflow as wf
# Define a model registration phase using ModelStep. The input is from the URL of a custom image.

# Define the image data.
swr = wf.data.SWRImagePlaceholder(name="swr_placeholder_name")  # seed fix: (a) name "placeholder_name" shared with the different model_name Placeholder -> "swr_placeholder_name"

# Define model name parameters.
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

model_registration = wf.steps.ModelStep(
    name="model_registration",  # Name of the model registration phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Model registration",  # Title
    inputs=wf.steps.ModelInput(name="input",data=swr),  # ModelStep inputs are configured when the workflow is running; wf.data.SWRImage(swr_path="fake_path") also works.

    outputs=wf.steps.ModelOutput(name='model_output',model_config=wf.steps.ModelConfig(model_name=model_name, model_type="TensorFlow"))  # ModelStep outputs
)

workflow = wf.Workflow(
    name="model-step-demo",
    desc="this is a demo workflow",
    steps=[model_registration]
)

if __name__ == "__main__":
    workflow.release()
