# Seed section 4.3.3 "Advanced Usage" of 4.3 Unified Storage (004_e75797c5b6c4ed76.txt): the four Storage
# snippets, wrapped into a job phase that uses every join variant as an input or an output.
import modelarts.workflow as wf

# -- Implementing InputStorage capabilities --
# Create a Storage object (with_execution_id=False, create_dir=False).
storage = wf.data.Storage(name="storage_name", title="title_info", description="description_info", with_execution_id=False, create_dir=False)
input_data = wf.data.OBSPath(obs_path = storage.join("directory_path"))  # Add a slash (/) after a directory, for example, storage.join("/input/data/").
# When a workflow is running, if the root path of the storage object is /root/, the obtained path will be /root/directory_path.

# -- Implementing OutputStorage capabilities --
# Create a Storage object (with_execution_id=True, create_dir=True).
storage_2 = wf.data.Storage(name="storage_name_2", title="title_info", description="description_info", with_execution_id=True, create_dir=True)  # seed fix: (a) name "storage_name" shared with the different Storage above -> "storage_name_2"; variable storage -> storage_2
output_path = wf.data.OBSOutputConfig(obs_path = storage_2.join("directory_path"))  # Only a directory can be created.
# When a workflow is running, if the root path of the storage object is /root/, the obtained path will be /root/Execution ID/directory_path.

# -- Implementing different capabilities of a Storage object through the join method --
# Create a Storage object. Assume that the root directory of the Storage object is /root/.
storage = wf.data.Storage(name="storage_name", title="title_info", description="description_info", with_execution_id=False, create_dir=False)
input_data1 = wf.data.OBSPath(obs_path = storage)  # The obtained path is /root/.
input_data2 = wf.data.OBSPath(obs_path = storage.join("directory_path"))  # The obtained path is /root/directory_path. Ensure that the path exists.
output_path1 = wf.data.OBSOutputConfig(obs_path = storage.join(directory="directory_path", with_execution_id=False, create_dir=True))  # The system automatically creates a directory /root/directory_path.
output_path2 = wf.data.OBSOutputConfig(obs_path = storage.join(directory="directory_path", with_execution_id=True, create_dir=True))  # The system automatically creates a directory /root/Execution ID/directory_path.

# -- Chain call is supported for Storage --
# Create a base class Storage object. Assume that the root directory of the Storage object is /root/.
storage = wf.data.Storage(name="storage_name", title="title_info", description="description_info", with_execution_id=False, create_dir=False)
input_storage = storage.join("directory_path_1")  # The obtained path is /root/directory_path_1.
input_storage_next = input_storage.join("directory_path_2")  # The obtained path is /root/directory_path_1/directory_path_2.

# ---- Wrapper: a job phase using every variant ----
job_step = wf.steps.JobStep(
    name="training_job",
    title="Storage join demo training",
    algorithm=wf.BaseAlgorithm(
        code_dir="obs://bucket-name/storage-demo/code/",
        boot_file="obs://bucket-name/storage-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=[
        wf.steps.JobInput(name="data_url", data=input_data),
        wf.steps.JobInput(name="data_url_1", data=input_data1),
        wf.steps.JobInput(name="data_url_2", data=input_data2),
        wf.steps.JobInput(name="data_url_3", data=wf.data.OBSPath(obs_path=input_storage)),
        wf.steps.JobInput(name="data_url_4", data=wf.data.OBSPath(obs_path=input_storage_next))
    ],
    outputs=[
        wf.steps.JobOutput(name="train_url", obs_config=output_path),
        wf.steps.JobOutput(name="train_url_1", obs_config=output_path1),
        wf.steps.JobOutput(name="train_url_2", obs_config=output_path2)
    ],
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    )
)

workflow = wf.Workflow(
    name="storage-advanced-demo",
    desc="Storage join variants of section 4.3.3",
    steps=[job_step],
    storages=[storage, storage_2]
)

if __name__ == "__main__":
    workflow.release()
