# Seed section 4.4.7.3 (004_e75797c5b6c4ed76.txt) Service Deployment Phase: "Getting the Inference Address From the Service Deployment Phase".
import modelarts.workflow as wf

# Define model name parameters.
sub_model_name = wf.Placeholder(name="sub_model_name", placeholder_type=wf.PlaceholderType.STR)  # seed fix: (a) name "si_placeholder1" shared with the ServiceInputPlaceholder below -> "sub_model_name"

sub_service_step = wf.steps.ServiceStep(
    name="sub_service_step",  # Name of the service deployment phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Subservice",  # Title
    inputs=wf.steps.ServiceInput(
        name="si_service_ph",
        data=wf.data.ServiceInputPlaceholder(name="si_placeholder1", model_name=sub_model_name)
    ),  # ServiceStep inputs
    outputs=wf.steps.ServiceOutput(name="service_output")  # ServiceStep outputs
)

main_model_name = wf.Placeholder(name="main_model_name", placeholder_type=wf.PlaceholderType.STR)  # seed fix: (a) name "si_placeholder2" shared with the ServiceInputPlaceholder below -> "main_model_name"

# Obtain the inference address output by the subservice and transfer the address to the main service through envs.
main_service_config = wf.steps.ServiceConfig(
    infer_type="real-time",
    envs={"infer_address": sub_service_step.outputs["service_output"].get_output_variable("access_address")}  # Obtain the inference address output by the subservice and transfer the address to the main service through envs.
)

main_service_step = wf.steps.ServiceStep(
    name="main_service_step",  # Name of the service deployment phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Main service",  # Title
    inputs=wf.steps.ServiceInput(
        name="si_service_ph",
        data=wf.data.ServiceInputPlaceholder(name="si_placeholder2", model_name=main_model_name)
    ),  # ServiceStep inputs
    outputs=wf.steps.ServiceOutput(name="service_output", service_config=main_service_config),  # ServiceStep outputs
    depend_steps=sub_service_step
)

workflow = wf.Workflow(
    name="service-step-demo",
    desc="this is a demo workflow",
    steps=[sub_service_step, main_service_step]
)

if __name__ == "__main__":
    workflow.release()
