# Seed section 4.9 Publishing a Workflow (004_e75797c5b6c4ed76.txt): release(), release_and_run(),
# release_to_gallery() and the AI Gallery whitelist calls, on a small wrapper workflow whose data objects are
# all fixed or have defaults (the 4.9.1 CAUTION requires that for release_and_run()).
from modelarts import workflow as wf

# ---- Wrapper workflow ----
job_step = wf.steps.JobStep(
    name="training_job",
    title="Image classification training",
    algorithm=wf.BaseAlgorithm(
        code_dir="obs://bucket-name/publish-demo/code/",
        boot_file="obs://bucket-name/publish-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPath(obs_path="obs://bucket-name/publish-demo/data/")),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path="obs://bucket-name/publish-demo/output/")),
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, default={"flavor_id": "modelarts.vm.cpu.8u"}, description="Training flavor")
        )
    )
)

workflow = wf.Workflow(
    name="publish-demo",
    desc="this is a demo workflow",
    steps=[job_step]
)


# ---- The seed's calls ----
def release_and_run():
    # 4.9.1: publish and run in the development state, without configuring the workflow on the console.
    workflow.release_and_run()


def release_to_gallery_new_asset():
    # 4.9.2: publishes a new workflow asset with version 1.0.0.
    workflow.release_to_gallery(title="Asset name")


def release_to_gallery_new_version():
    # 4.9.2: publishes a new version of the specified workflow asset; the version number increases automatically.
    workflow.release_to_gallery(content_id="**", title="Asset name")


def change_whitelist():
    # 4.9.2 Workflow asset whitelist setting
    # Add specified whitelist users.
    wf.add_whitelist_users(content_id="***", version_num="*.*.*", user_groups=["***", "***"])

    # Delete specified whitelist users.
    wf.delete_whitelist_users(content_id="***", version_num="*.*.*", user_groups=["***", "***"])


if __name__ == "__main__":
    workflow.release()
