# Seed section 4.3.2 "Common Usage" of 4.3 Unified Storage (004_e75797c5b6c4ed76.txt): the InputStorage
# and OutputStorage snippets, wrapped into a job phase that reads input_data and writes output_path.
import modelarts.workflow as wf

# InputStorage (path concatenation)
input_storage = wf.data.InputStorage(name="storage_name", title="title_info", description="description_info")  # Only name is mandatory. seed fix: variable "storage" (reused by both snippets) -> input_storage
input_data = wf.data.OBSPath(obs_path = input_storage.join("directory_path"))  # Add a slash (/) after a directory, for example, storage.join("/input/data/").
# When a workflow is running, if the root path of the storage object is /root/, the obtained path will be /root/directory_path.

# OutputStorage (directory creation)
output_storage = wf.data.OutputStorage(name="output_storage_name", title="title_info", description="description_info")  # Only name is mandatory. seed fix: (a) name "storage_name" shared with the different InputStorage -> "output_storage_name"; variable "storage" -> output_storage
output_path = wf.data.OBSOutputConfig(obs_path = output_storage.join("directory_path"))  # Only a directory can be created but not files.
# When a workflow is running, if the root path of the storage object is /root/, the obtained path will be /root/Execution ID/directory_path.

# ---- Wrapper: a job phase using input_data and output_path ----
job_step = wf.steps.JobStep(
    name="training_job",
    title="Unified storage demo training",
    algorithm=wf.BaseAlgorithm(
        code_dir="obs://bucket-name/storage-demo/code/",
        boot_file="obs://bucket-name/storage-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=wf.steps.JobInput(name="data_url", data=input_data),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=output_path),
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    )
)

workflow = wf.Workflow(
    name="storage-common-demo",
    desc="InputStorage and OutputStorage of section 4.3.2",
    steps=[job_step],
    storages=[input_storage, output_storage]
)

if __name__ == "__main__":
    workflow.release()
