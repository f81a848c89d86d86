# Seed section 4.4.6.3 (004_e75797c5b6c4ed76.txt) Model Registration Phase: "Registering a Model From a Training Job (Model Source: A Trained Model Stored in OBS)".
import modelarts.workflow as wf
# Define a model registration phase using ModelStep. The input is from OBS.

# Define the OBS data.
obs = wf.data.OBSPlaceholder(name = "obs_placeholder_name", object_type = "directory" )  # object_type must be file or directory.

# Define model name parameters.
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

model_registration = wf.steps.ModelStep(
    name="model_registration",  # Name of the model registration phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Model registration",  # Title
    inputs=wf.steps.ModelInput(name='model_input', data=obs),  # ModelStep inputs are configured when the workflow is running; wf.data.OBSPath(obs_path="fake_obs_path") also works.

    outputs=wf.steps.ModelOutput(name='model_output',model_config=wf.steps.ModelConfig(model_name=model_name, model_type="TensorFlow"))  # ModelStep outputs
)

workflow = wf.Workflow(
    name="model-step-demo",
    desc="this is a demo workflow",
    steps=[model_registration]
)

if __name__ == "__main__":
    workflow.release()
