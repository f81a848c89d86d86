# Seed section 4.4.8.3 (004_e75797c5b6c4ed76.txt) Condition Phase: "Advanced Example" (nested OR condition).
import modelarts.workflow as wf

left_value = wf.Placeholder(name="left_value", placeholder_type=wf.PlaceholderType.BOOL, default=True)
condition1 = wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.EQ, left=left_value, right=True)

internal_condition_1 = wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.GT, left=10, right=9)
internal_condition_2 = wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.LT, left=10, right=9)

# The result of condition2 is internal_condition_1 || internal_condition_2.
condition2 = wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.OR, left=internal_condition_1, right=internal_condition_2)

condition_step = wf.steps.ConditionStep(
    name="condition_step_test",  # Name of the condition phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    conditions=[condition1, condition2],  # Condition objects. The relationship between the conditions is &&.
    if_then_steps=["job_step_1"],  # If conditions evaluate to true, job_step_1 is ready for execution, and job_step_2 is skipped.
    else_then_steps=["job_step_2"]  # If conditions evaluate to false, job_step_2 is ready for execution, and job_step_1 is skipped.
)

# Shared by the supplemented phases below.
obs_data = wf.data.OBSPlaceholder(name="obs_placeholder_name", object_type="directory")  # seed fix: (d) added for the supplemented job inputs

# This phase is used only as an example. You need to supplement other fields as required.
job_step_1 = wf.steps.JobStep(
    name="job_step_1",
    algorithm=wf.BaseAlgorithm(  # seed fix: (d) supplemented mandatory fields algorithm, inputs, outputs, spec
        code_dir="obs://bucket-name/condition-demo/code/",
        boot_file="obs://bucket-name/condition-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=wf.steps.JobInput(name="data_url", data=obs_data),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=wf.Placeholder(name="job_step_1_output", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs"))),
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    ),
    depend_steps=condition_step
)

# This phase is used only as an example. You need to supplement other fields as required.
job_step_2 = wf.steps.JobStep(
    name="job_step_2",
    algorithm=wf.BaseAlgorithm(  # seed fix: (d) supplemented mandatory fields algorithm, inputs, outputs, spec
        code_dir="obs://bucket-name/condition-demo/code/",
        boot_file="obs://bucket-name/condition-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=wf.steps.JobInput(name="data_url", data=obs_data),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=wf.Placeholder(name="job_step_2_output", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs"))),
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    ),
    depend_steps=condition_step
)

workflow = wf.Workflow(
    name="condition-demo",
    desc="this is a demo workflow",
    steps=[condition_step, job_step_1, job_step_2],
)

if __name__ == "__main__":
    workflow.release()
