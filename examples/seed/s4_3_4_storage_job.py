# Seed section 4.3.4 "Example" of 4.3 Unified Storage (004_e75797c5b6c4ed76.txt): a workflow that contains only the training phase.
from modelarts import workflow as wf

# Create an InputStorage object. Assume that the root directory of the Storage object is /root/input-data/.
input_storage = wf.data.InputStorage(name="input_storage_name", title="title_info", description="description_info")  # Only name is mandatory.

# Create an OutputStorage object. Assume that the root directory of the Storage object is /root/output/.
output_storage = wf.data.OutputStorage(name="output_storage_name", title="title_info", description="description_info")  # Only name is mandatory.

# Use JobStep to define a training phase, and set OBS paths for storing inputs and outputs.
job_step = wf.steps.JobStep(
    name="training_job",  # Name of a training phase. Max. 64 characters (letters, digits, _ and -), starts with a letter, unique in a workflow.
    title="Image classification training",  # Title, which defaults to the value of name
    algorithm=wf.AIGalleryAlgorithm(subscription_id="subscription_ID", item_version_id="item_version_ID"),  # Algorithm used for training. In this example, an algorithm subscribed to from AI Gallery is used.
    inputs=[
        wf.steps.JobInput(name="data_url_1", data=wf.data.OBSPath(obs_path = input_storage.join("/dataset1/new.manifest"))),  # The obtained path is /root/input-data/dataset1/new.manifest. seed fix: joined the string split by a line wrap
        wf.steps.JobInput(name="data_url_2", data=wf.data.OBSPath(obs_path = input_storage.join("/dataset2/new.manifest")))  # The obtained path is /root/input-data/dataset2/new.manifest. seed fix: joined the string split by a line wrap; added the missing ")" closing JobInput
    ],
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=output_storage.join("/model/"))),  # The training output path is /root/output/Execution ID/model/.
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        ),
        log_export_path=wf.steps.job_step.LogExportPath(obs_url=output_storage.join("/logs/"))  # The log output path is /root/output/Execution ID/logs/.
    )  # Training flavors
)

# Define a workflow that contains only the job phase.
workflow = wf.Workflow(
    name="test-workflow",
    desc="this is a test workflow",
    steps=[job_step],
    storages=[input_storage, output_storage]  # Add Storage objects used in this workflow.
)

if __name__ == "__main__":
    workflow.release()
