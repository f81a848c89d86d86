# Seed section 4.4.6.3 (004_e75797c5b6c4ed76.txt) Model Registration Phase, closing note: the model_type Placeholder snippet
# ("If the model type of your workflow needs to be changed in multiple executions, write the parameter using placeholders."),
# wrapped into the OBS model-registration example (s4_4_6_b_model_from_obs.py) that uses it.
import modelarts.workflow as wf

model_type = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.ENUM, default="TensorFlow", enum_list=["TensorFlow", "MXNet", "Caffe", "Spark_MLlib", "Scikit_Learn", "XGBoost", "Image", "PyTorch", "Template", "Custom"], description="Model type")

# ---- Wrapper: the "Model Source: A Trained Model Stored in OBS" example with model_type as a parameter ----
# Define the OBS data.
obs = wf.data.OBSPlaceholder(name = "obs_placeholder_name", object_type = "directory" )  # object_type must be file or directory.

# Define model name parameters.
model_name = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)  # seed fix: (a) name "placeholder_name" shared with the different model_type Placeholder -> "model_name"

model_registration = wf.steps.ModelStep(
    name="model_registration",  # Name of the model registration phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Model registration",  # Title
    inputs=wf.steps.ModelInput(name='model_input', data=obs),  # ModelStep inputs are configured when the workflow is running; wf.data.OBSPath(obs_path="fake_obs_path") also works.
    outputs=wf.steps.ModelOutput(name='model_output',model_config=wf.steps.ModelConfig(model_name=model_name, model_type=model_type))  # ModelStep outputs; model_type is chosen at run time
)

workflow = wf.Workflow(
    name="model-step-demo",
    desc="this is a demo workflow",
    steps=[model_registration]
)

if __name__ == "__main__":
    workflow.release()
