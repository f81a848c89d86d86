# Seed section 4.4.7.3 (004_e75797c5b6c4ed76.txt) Service Deployment Phase: "Modifying a Real-Time Service".
import modelarts.workflow as wf
# Use ServiceStep to define a service deployment phase and specify a model for service update.

# Define model name parameters.
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

# Define a service object.
service = wf.data.ServiceUpdatePlaceholder(name="service_placeholder_name")  # seed fix: (a) name "placeholder_name" shared with the different model_name Placeholder -> "service_placeholder_name"

service_step = wf.steps.ServiceStep(
    name="service_step",  # Name of the service deployment phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Service update",  # Title
    inputs=[wf.steps.ServiceInput(name="si2",
                data=wf.data.ServiceInputPlaceholder(name="si_placeholder2",
                    # Restrictions on the model name: only the model name specified here can be used in the running state.
                    model_name=model_name)),
            wf.steps.ServiceInput(name="si_service_data", data=service)  # ServiceStep inputs are configured when the workflow is running; wf.data.ServiceData(service_id="fake_service") also works.
    ],  # ServiceStep inputs
    outputs=wf.steps.ServiceOutput(name="service_output")  # ServiceStep outputs
)

workflow = wf.Workflow(
    name="service-step-demo",
    desc="this is a demo workflow",
    steps=[service_step]
)

if __name__ == "__main__":
    workflow.release()
