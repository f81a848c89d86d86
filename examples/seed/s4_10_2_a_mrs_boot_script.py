# Seed section 4.10.2 Using Big Data Capabilities (DLI/MRS) in a Workflow (004_e75797c5b6c4ed76.txt): "Specifying a boot script and cluster".
from modelarts import workflow as wf
# Define a MrsJobStep using MrsStep.

algorithm = wf.steps.MrsJobAlgorithm(
    boot_file="obs://spark-sql/wordcount.py",  # OBS path to the boot script
    parameters=[wf.AlgorithmParameters(name="run_args", value="--master,yarn-cluster")]
)
inputs = wf.steps.MrsJobInput(name="mrs_input", data=wf.data.OBSPath(obs_path="/spark-sql/mrs_input/"))  # OBS path to the input data. seed fix: joined the string split by a line wrap
outputs = wf.steps.MrsJobOutput(name="mrs_output", obs_config=wf.data.OBSOutputConfig(obs_path="/spark-sql/mrs_output"))  # OBS path to the output data
step = wf.steps.MrsJobStep(
    name="mrs_test",  # Step name, which can be customized
    mrs_algorithm=algorithm,
    inputs=inputs,
    outputs=outputs,
    cluster_id="cluster_id_xxx"  # MRS cluster ID
)

workflow = wf.Workflow(name="mrs-demo", desc="this is a demo workflow", steps=[step])  # seed fix: (f) the seed defines no workflow; wrapped the step

if __name__ == "__main__":
    workflow.release()
