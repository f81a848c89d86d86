# Seed section 4.4.7.3 (004_e75797c5b6c4ed76.txt) Service Deployment Phase: "Deploying a Real-Time Service".
import modelarts.workflow as wf
# Use ServiceStep to define a service deployment phase and specify a model for service deployment.

# Define model name parameters.
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

service_step = wf.steps.ServiceStep(
    name="service_step",  # Name of the service deployment phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Deploying a service",  # Title
    inputs=wf.steps.ServiceInput(name="si_service_ph",
        data=wf.data.ServiceInputPlaceholder(name="si_placeholder1",
            # Restrictions on the model name: only the model name specified here can be used in the running state; use the same model_name as the model registration phase.
            model_name=model_name)),  # ServiceStep inputs
    outputs=wf.steps.ServiceOutput(name="service_output")  # ServiceStep outputs
)

workflow = wf.Workflow(
    name="service-step-demo",
    desc="this is a demo workflow",
    steps=[service_step]
)

if __name__ == "__main__":
    workflow.release()
