# Seed section 4.2.3 "Examples" of 4.2 Parameter Configuration (004_e75797c5b6c4ed76.txt): the seven
# Placeholder examples, wrapped into a small workflow that uses each of them: the scalar ones (int, str, bool,
# float, enum) as algorithm hyperparameters (4.4.5.4: hyperparameter placeholders "can be integer, bool, float,
# or string"), the dict one as an environment variable of the algorithm, the list one as the right side of an
# IN condition that gates the job.
from modelarts import workflow as wf

# Integer parameter
placeholder_int = wf.Placeholder(name="placeholder_int", placeholder_type=wf.PlaceholderType.INT, default=1, description="This is an integer parameter.")

# String parameter
placeholder_str = wf.Placeholder(name="placeholder_str", placeholder_type=wf.PlaceholderType.STR, default="default_value", description="This is a string parameter.")

# Bool parameter
placeholder_bool = wf.Placeholder(name="placeholder_bool", placeholder_type=wf.PlaceholderType.BOOL, default=True, description="This is a bool parameter.")

# Float parameter
placeholder_float = wf.Placeholder(name="placeholder_float", placeholder_type=wf.PlaceholderType.FLOAT, default=0.1, description="This is a float parameter.")

# Enumeration parameter
placeholder_enum = wf.Placeholder(name="placeholder_enum", placeholder_type=wf.PlaceholderType.ENUM, default="a", enum_list=["a", "b"], description="This is an enumeration parameter.")

# Dictionary parameter
placeholder_dict = wf.Placeholder(name="placeholder_dict", placeholder_type=wf.PlaceholderType.JSON, default={"key": "value"}, description="This is a dictionary parameter.")

# List parameter
placeholder_list = wf.Placeholder(name="placeholder_list", placeholder_type=wf.PlaceholderType.LIST, default=[1, 2], placeholder_format="int", description="This is a list parameter and its value is an integer.")

# ---- Wrapper: a condition on the list parameter gating a job phase that uses the other six ----
storage = wf.data.OutputStorage(name="storage_name", title="title_info", description="description_info")

# The job runs when placeholder_int is one of the values of placeholder_list (true with the defaults: 1 in [1, 2]).
condition_step = wf.steps.ConditionStep(
    name="check_parameters",
    conditions=wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.IN, left=placeholder_int, right=placeholder_list),
    if_then_steps=["training_job"]
)

job_step = wf.steps.JobStep(
    name="training_job",
    title="Placeholder demo training",
    algorithm=wf.BaseAlgorithm(
        code_dir="obs://bucket-name/placeholder-demo/code/",
        boot_file="obs://bucket-name/placeholder-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5"),
        parameters=[
            wf.AlgorithmParameters(name="int_param", value=placeholder_int),
            wf.AlgorithmParameters(name="str_param", value=placeholder_str),
            wf.AlgorithmParameters(name="bool_param", value=placeholder_bool),
            wf.AlgorithmParameters(name="float_param", value=placeholder_float),
            wf.AlgorithmParameters(name="enum_param", value=placeholder_enum)
        ],
        environments={"EXTRA_CONFIG": placeholder_dict}
    ),
    inputs=wf.steps.JobInput(name="data_url", data=wf.data.OBSPlaceholder(name="obs_placeholder_name", object_type="directory")),
    outputs=wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path=storage.join("directory_path"))),
    spec=wf.steps.JobSpec(
        resource=wf.steps.JobResource(
            flavor=wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")
        )
    ),
    depend_steps=condition_step
)

workflow = wf.Workflow(
    name="placeholder-demo",
    desc="the placeholder types of section 4.2.3",
    steps=[condition_step, job_step],
    storages=[storage]
)

if __name__ == "__main__":
    workflow.release()
