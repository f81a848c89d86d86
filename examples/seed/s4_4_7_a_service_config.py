# Seed section 4.4.7.2 (004_e75797c5b6c4ed76.txt) Service Deployment Phase, Table "ServiceConfig": the snippet
# "example = ServiceConfig()", wrapped into the "Deploying a Real-Time Service" example (s4_4_7_b_service_deploy.py)
# whose output uses it.
import modelarts.workflow as wf

ServiceConfig = wf.steps.ServiceConfig  # the seed's snippet uses the class unqualified; 4.11.3 lists it as wf.steps.ServiceConfig

example = ServiceConfig()
# This object is used in the output of the service deployment phase.

# ---- Wrapper: a service deployment phase whose output uses the default ServiceConfig ----
# Define model name parameters.
model_name = wf.Placeholder(name="placeholder_name", placeholder_type=wf.PlaceholderType.STR)

service_step = wf.steps.ServiceStep(
    name="service_step",  # Name of the service deployment phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Deploying a service",  # Title
    inputs=wf.steps.ServiceInput(name="si_service_ph", data=wf.data.ServiceInputPlaceholder(name="si_placeholder1", model_name=model_name)),  # ServiceStep inputs
    outputs=wf.steps.ServiceOutput(name="service_output", service_config=example)  # ServiceStep outputs
)

workflow = wf.Workflow(
    name="service-step-demo",
    desc="this is a demo workflow",
    steps=[service_step]
)

if __name__ == "__main__":
    workflow.release()
