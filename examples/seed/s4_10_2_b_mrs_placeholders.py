# Seed section 4.10.2 Using Big Data Capabilities (DLI/MRS) in a Workflow (004_e75797c5b6c4ed76.txt): "Configuring a cluster and boot script".
from modelarts import workflow as wf
# Define a phase using MrsJobStep.
run_arg_description = "Program execution parameter, which is used as the program running environment parameter. The default value is (--master,yarn-cluster)."  # seed fix: the "." after the closing quote moved inside the string
app_arg_description = "Program execution parameter, which is used as the input parameter of the boot script, for example, (--param_a=3,--param_b=4). This parameter is optional and left blank by default."
mrs_outputs_description = "Data output path, which can be obtained from train_url in the parameter list."
cluster_id_description = "cluster id of MapReduce Service"

algorithm = wf.steps.MrsJobAlgorithm(
    boot_file=wf.Placeholder(name="boot_file",
                             description="Program boot script",
                             placeholder_type=wf.PlaceholderType.STR,
                             placeholder_format="obs"),
    parameters=[wf.AlgorithmParameters(name="run_args",
                                       value=wf.Placeholder(name="run_args",
                                                            description=run_arg_description,
                                                            default="--master,yarn-cluster",
                                                            placeholder_type=wf.PlaceholderType.STR),
                                       ),
                wf.AlgorithmParameters(name="app_args",
                                       value=wf.Placeholder(name="app_args",
                                                            description=app_arg_description,
                                                            default="",
                                                            placeholder_type=wf.PlaceholderType.STR)
                                       )
                ]
)

inputs = wf.steps.MrsJobInput(name="data_url",
                              data=wf.data.OBSPlaceholder(name="data_url",object_type="directory"))

outputs = wf.steps.MrsJobOutput(name="train_url",
                                obs_config=wf.data.OBSOutputConfig(obs_path=wf.Placeholder(name="train_url",
                                                                                           placeholder_type=wf.PlaceholderType.STR,
                                                                                           placeholder_format="obs",description=mrs_outputs_description)))

mrs_job_step = wf.steps.MrsJobStep(
    name="mrs_job_test",
    mrs_algorithm=algorithm,
    inputs=inputs,
    outputs=outputs,
    cluster_id=wf.Placeholder(name="cluster_id", placeholder_type=wf.PlaceholderType.STR,
                              description=cluster_id_description, placeholder_format="cluster")
)

workflow = wf.Workflow(name="mrs-demo", desc="this is a demo workflow", steps=[mrs_job_step])  # seed fix: (f) the seed defines no workflow; wrapped the step

if __name__ == "__main__":
    workflow.release()
