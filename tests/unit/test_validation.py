"""One focused test per validation rule of the SDK.

Every test checks three things: the bad value raises ``wf2k8s.ValidationError``, the
message starts with ``<Object 'name'> > <field.path>: `` (so the user knows where to look),
and the valid neighbour of the bad value is accepted (so a rule that rejects too much
fails the test as well as a rule that rejects too little).

Factories at the top build minimal valid objects; each test changes one thing.
"""

from __future__ import annotations

import math

import pytest

import wf2k8s as wf
from wf2k8s import ValidationError

PT = wf.PlaceholderType
C = wf.steps.ConditionTypeEnum

MODEL_TYPES = ["TensorFlow", "MXNet", "Caffe", "Spark_MLlib", "Scikit_Learn", "XGBoost", "Image", "PyTorch",
               "Template", "Custom"]


# checking an error ------------------------------------------------------------------------------------------


def expect_error(build, where: str, *fragments: str) -> str:
    """``build()`` raises a ValidationError at ``where`` ("<Object 'name'> > <field.path>") naming ``fragments``."""
    with pytest.raises(ValidationError) as info:
        build()
    message = str(info.value)
    assert "\n" not in message, message
    assert info.value.where == where, message
    assert message.startswith(where + ": "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# factories of minimal valid objects -------------------------------------------------------------------------


def obs(path: str = "obs://bucket/data/") -> wf.data.OBSPath:
    return wf.data.OBSPath(obs_path=path)


def placeholder(name: str = "p", placeholder_type: PT = PT.INT, **kwargs) -> wf.Placeholder:
    return wf.Placeholder(name=name, placeholder_type=placeholder_type, **kwargs)


def engine(**kwargs) -> wf.steps.JobEngine:
    return wf.steps.JobEngine(**(kwargs or {"image_url": "example/train:1.0"}))


def algorithm(**overrides) -> wf.BaseAlgorithm:
    kwargs = dict(code_dir="obs://bucket/code/", boot_file="train.py", engine=engine())
    kwargs.update(overrides)
    return wf.BaseAlgorithm(**{k: v for k, v in kwargs.items() if v is not None})


def with_parameter(value, name: str = "lr") -> wf.BaseAlgorithm:
    return algorithm(parameters=[wf.AlgorithmParameters(name=name, value=value)])


def job_spec(flavor=None, node_count=1, priority=None) -> wf.steps.JobSpec:
    return wf.steps.JobSpec(
        resource=wf.steps.JobResource(flavor={"cpu": "1", "memory": "1Gi"} if flavor is None else flavor,
                                      node_count=node_count),
        schedule_policy=None if priority is None else wf.steps.SchedulePolicy(priority=priority),
    )


def job_output(name: str = "train_url", path: str = "obs://bucket/out/", **kwargs) -> wf.steps.JobOutput:
    return wf.steps.JobOutput(name=name, obs_config=wf.data.OBSOutputConfig(obs_path=path), **kwargs)


def metrics_output(name: str = "metrics") -> wf.steps.JobOutput:
    return wf.steps.JobOutput(name=name, metrics_config=wf.data.MetricsConfig(
        metric_files="obs://bucket/out/metrics.json"))


def job_step(name: str = "train", **overrides) -> wf.steps.JobStep:
    kwargs = dict(
        name=name,
        algorithm=algorithm(),
        inputs=[wf.steps.JobInput(name="data_url", data=obs())],
        outputs=[job_output()],
        spec=job_spec(),
    )
    kwargs.update(overrides)
    return wf.steps.JobStep(**kwargs)


def model_config(**kwargs) -> wf.steps.ModelConfig:
    return wf.steps.ModelConfig(**kwargs)


def template() -> wf.steps.Template:
    return wf.steps.Template(template_id="tpl-1", template_inputs=[
        wf.steps.TemplateInputs(input_id="model", input="obs://bucket/model/")])


def model_step(name: str = "register", config: wf.steps.ModelConfig | None = None, **overrides) -> wf.steps.ModelStep:
    kwargs = dict(
        name=name,
        inputs=[wf.steps.ModelInput(name="model_input", data=obs("obs://bucket/model/"))],
        outputs=[wf.steps.ModelOutput(name="model_output", model_config=config or model_config())],
    )
    kwargs.update(overrides)
    return wf.steps.ModelStep(**kwargs)


def service_step(name: str = "deploy", service_config=None, **overrides) -> wf.steps.ServiceStep:
    output = (wf.steps.ServiceOutput(name="service_output") if service_config is None
              else wf.steps.ServiceOutput(name="service_output", service_config=service_config))
    kwargs = dict(
        name=name,
        inputs=[wf.steps.ServiceInput(name="model", data=wf.data.ModelData(model_name="my_model"))],
        outputs=[output],
    )
    kwargs.update(overrides)
    return wf.steps.ServiceStep(**kwargs)


def release_step(name: str = "release", version_config=None) -> wf.steps.ReleaseDatasetStep:
    output = (wf.steps.ReleaseDatasetOutput(name="dataset")
              if version_config is None else
              wf.steps.ReleaseDatasetOutput(name="dataset", dataset_version_config=version_config))
    return wf.steps.ReleaseDatasetStep(
        name=name,
        inputs=[wf.steps.ReleaseDatasetInput(name="input", data=wf.data.Dataset(dataset_name="flowers"))],
        outputs=[output],
    )


def labeling_step(name: str = "label", **properties) -> wf.steps.LabelingStep:
    kwargs = dict(task_type=wf.data.LabelTaskTypeEnum.IMAGE_CLASSIFICATION, task_name="flowers_task")
    kwargs.update(properties)
    return wf.steps.LabelingStep(
        name=name,
        inputs=[wf.steps.LabelingInput(name="input", data=wf.data.Dataset(dataset_name="flowers"))],
        outputs=[wf.steps.LabelingOutput(name="task")],
        properties=wf.steps.LabelTaskProperties(**kwargs),
    )


def import_step(*data, name: str = "import") -> wf.steps.DatasetImportStep:
    return wf.steps.DatasetImportStep(
        name=name,
        inputs=[wf.steps.DatasetImportInput(name=f"in{i}", data=d) for i, d in enumerate(data)],
        outputs=[wf.steps.DatasetImportOutput(name="imported")],
    )


def condition_step(*conditions, name: str = "check", if_then=("next",), else_then=(), **kwargs):
    return wf.steps.ConditionStep(name=name, conditions=list(conditions), if_then_steps=list(if_then),
                                  else_then_steps=list(else_then), **kwargs)


def workflow(*steps, **kwargs) -> wf.Workflow:
    kwargs.setdefault("name", "wf")
    kwargs.setdefault("desc", "a test workflow")
    return wf.Workflow(steps=list(steps), **kwargs)


def compile_steps(*steps, **kwargs) -> dict:
    """Build and compile a workflow of ``steps``: the WorkflowTemplate dict."""
    return workflow(*steps, **kwargs).to_workflow_template()


def with_condition(condition, *extra_steps) -> dict:
    """Compile a ConditionStep 'check' with one condition whose true branch is JobStep 'next'."""
    return compile_steps(*extra_steps, condition_step(condition), job_step("next"))


def parameters_of(template: dict) -> dict[str, dict]:
    return {p["name"]: p for p in template["spec"]["arguments"].get("parameters", [])}


def task_names(template: dict) -> list[str]:
    main = next(t for t in template["spec"]["templates"] if t["name"] == "main")
    return [task["name"] for task in main["dag"]["tasks"]]


def test_the_factories_build_a_workflow_that_compiles():
    template = compile_steps(job_step(), model_step(), service_step(), release_step(), labeling_step(),
                             import_step(wf.data.Dataset(dataset_name="flowers"), obs()))
    assert template["kind"] == "WorkflowTemplate"
    assert {"train", "register", "deploy", "release", "label", "import"} <= set(task_names(template))


# names ------------------------------------------------------------------------------------------------------

BAD_NAMES = ["", "1job", "_job", "-job", "job name", "job.name", "job/name", "j\u00f6b", "job\u4e2d", "a" * 65]
GOOD_NAMES = ["a", "Z", "a" * 64, "Job_1-x", "job-", "JOB_"]

# kind -> (build an object with this name, where the error is reported)
NAMED = {
    "Workflow": (lambda n: workflow(job_step(), name=n), lambda n: f"Workflow {n!r} > name"),
    "Subgraph": (lambda n: wf.Subgraph(name=n, steps=[job_step()]), lambda n: f"Subgraph {n!r} > name"),
    "JobStep": (lambda n: job_step(name=n), lambda n: f"JobStep {n!r} > name"),
    "ModelStep": (lambda n: model_step(name=n), lambda n: f"ModelStep {n!r} > name"),
    "ConditionStep": (lambda n: condition_step(wf.steps.Condition(C.EQ, 1, 1), name=n, if_then=()),
                      lambda n: f"ConditionStep {n!r} > name"),
    "Placeholder": (lambda n: placeholder(name=n), lambda n: f"Placeholder {n!r} > name"),
    "OBSPlaceholder": (lambda n: wf.data.OBSPlaceholder(name=n, object_type="file"),
                       lambda n: f"OBSPlaceholder {n!r} > name"),
    "DatasetPlaceholder": (lambda n: wf.data.DatasetPlaceholder(name=n), lambda n: f"DatasetPlaceholder {n!r} > name"),
    "Storage": (lambda n: wf.data.Storage(name=n), lambda n: f"Storage {n!r} > name"),
    "OutputStorage": (lambda n: wf.data.OutputStorage(name=n), lambda n: f"OutputStorage {n!r} > name"),
    "JobInput": (lambda n: job_step(inputs=[wf.steps.JobInput(name=n, data=obs())]),
                 lambda n: "JobStep 'train' > inputs[0].name"),
    "JobOutput": (lambda n: job_step(outputs=[job_output(name=n)]), lambda n: "JobStep 'train' > outputs[0].name"),
    "ModelOutput": (lambda n: model_step(outputs=[wf.steps.ModelOutput(name=n, model_config=model_config())]),
                    lambda n: "ModelStep 'register' > outputs[0].name"),
    "ServiceInput": (lambda n: service_step(inputs=[wf.steps.ServiceInput(
        name=n, data=wf.data.ModelData(model_name="my_model"))]), lambda n: "ServiceStep 'deploy' > inputs[0].name"),
}


@pytest.mark.parametrize("kind", sorted(NAMED))
@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
def test_names_must_be_1_to_64_letters_digits_underscore_hyphen_starting_with_a_letter(kind, bad):
    build, where = NAMED[kind]
    expect_error(lambda: build(bad), where(bad), "1-64 letters, digits, '_' or '-', starting with a letter",
                 repr(bad))


@pytest.mark.parametrize("kind", sorted(NAMED))
@pytest.mark.parametrize("good", GOOD_NAMES)
def test_valid_names_are_accepted(kind, good):
    build, _ = NAMED[kind]
    built = build(good)
    if isinstance(built, wf.steps.Step):
        compile_steps(built)


@pytest.mark.parametrize("kind", ["Workflow", "JobStep", "Placeholder", "Storage"])
def test_a_name_must_be_a_str(kind):
    build, _ = NAMED[kind]
    # the object has no usable name, so the error names its type
    expect_error(lambda: build(5), f"{kind} > name", "must be str, got 5")


def test_step_names_are_unique_in_a_workflow():
    expect_error(lambda: compile_steps(job_step("train"), job_step("train")), "Workflow 'wf' > steps",
                 "two steps are named 'train'")
    # also when one of them sits in a Subgraph
    expect_error(lambda: compile_steps(job_step("train"), wf.Subgraph(name="group", steps=[job_step("train")])),
                 "Workflow 'wf' > steps", "'train'")
    assert {"train", "train2"} <= set(task_names(compile_steps(job_step("train"), job_step("train2"))))


@pytest.mark.parametrize("attr, make, singular", [
    ("inputs", lambda n: wf.steps.JobInput(name=n, data=obs()), "input"),
    ("outputs", lambda n: job_output(name=n), "output"),
])
def test_input_and_output_names_are_unique_in_a_step(attr, make, singular):
    expect_error(lambda: job_step(**{attr: [make("data"), make("data")]}), f"JobStep 'train' > {attr}[1].name",
                 f"'data' is used by another {singular}")
    compile_steps(job_step(**{attr: [make("data"), make("data2")]}))


def test_an_input_and_an_output_may_share_a_name():
    compile_steps(job_step(inputs=[wf.steps.JobInput(name="data", data=obs())], outputs=[job_output(name="data")]))


# mandatory fields -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field, missing", [
    ("algorithm", None), ("spec", None), ("inputs", None), ("inputs", []), ("outputs", None), ("outputs", []),
], ids=repr)
def test_jobstep_mandatory_fields(field, missing):
    expect_error(lambda: job_step(**{field: missing}), f"JobStep 'train' > {field}", "is mandatory")
    compile_steps(job_step())


def test_jobstep_mandatory_field_left_out_entirely():
    expect_error(lambda: wf.steps.JobStep(name="train", algorithm=algorithm(), spec=job_spec(),
                                          outputs=[job_output()]),
                 "JobStep 'train' > inputs", "is mandatory")


def test_workflow_desc_is_mandatory():
    expect_error(lambda: wf.Workflow(name="wf", steps=[job_step()]), "Workflow 'wf' > desc", "is mandatory")
    expect_error(lambda: workflow(job_step(), desc=None), "Workflow 'wf' > desc", "is mandatory")
    workflow(job_step(), desc="described").to_workflow_template()


def test_workflow_steps_are_mandatory():
    expect_error(lambda: wf.Workflow(name="wf", desc="d", steps=[]), "Workflow 'wf' > steps", "is mandatory")


def test_model_output_model_config_is_mandatory():
    expect_error(lambda: model_step(outputs=[wf.steps.ModelOutput(name="model_output")]),
                 "ModelStep 'register' > outputs[0].model_config", "is mandatory")
    compile_steps(model_step(outputs=[wf.steps.ModelOutput(name="model_output", model_config=model_config())]))


@pytest.mark.parametrize("build, where", [
    (lambda: wf.Placeholder(name="p"), "Placeholder 'p' > placeholder_type"),
    (lambda: wf.data.OBSPlaceholder(name="o"), "OBSPlaceholder 'o' > object_type"),
    (lambda: job_step(spec=wf.steps.JobSpec(resource=None)), "JobStep 'train' > spec.resource"),
    (lambda: job_step(spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=None))),
     "JobStep 'train' > spec.resource.flavor"),
    (lambda: job_step(spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"}),
                                            schedule_policy=wf.steps.SchedulePolicy(priority=None))),
     "JobStep 'train' > spec.schedule_policy.priority"),
    (lambda: job_step(inputs=[wf.steps.JobInput(name="data_url", data=None)]), "JobStep 'train' > inputs[0].data"),
], ids=["placeholder_type", "object_type", "resource", "flavor", "priority", "input data"])
def test_other_mandatory_fields(build, where):
    expect_error(build, where, "is mandatory")


# enum-typed fields ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build, where, enum_name", [
    (lambda v: wf.data.DatasetPlaceholder(name="ds", data_type=v), "DatasetPlaceholder 'ds' > data_type",
     "DataTypeEnum"),
    (lambda v: wf.data.LabelTaskPlaceholder(name="lt", task_type=v), "LabelTaskPlaceholder 'lt' > task_type",
     "LabelTaskTypeEnum"),
    (lambda v: labeling_step(task_type=v), "LabelingStep 'label' > properties.task_type", "LabelTaskTypeEnum"),
    (lambda v: condition_step(wf.steps.Condition(condition_type=v, left=1, right=1)),
     "ConditionStep 'check' > conditions[0].condition_type", "ConditionTypeEnum"),
    (lambda v: placeholder(placeholder_type=v), "Placeholder 'p' > placeholder_type", "PlaceholderType"),
    (lambda v: job_step(metadata=wf.steps.JobMetadata(job_type=v)), "JobStep 'train' > metadata.job_type",
     "JobTypeEnum"),
], ids=["data_type", "LabelTaskPlaceholder.task_type", "LabelTaskProperties.task_type", "condition_type",
        "placeholder_type", "job_type"])
@pytest.mark.parametrize("bad", ["IMAGE", 0, "==", "int", "train", 1.5], ids=repr)
def test_enum_fields_reject_plain_values(build, where, enum_name, bad):
    expect_error(lambda: build(bad), where, f"must be {enum_name}")


@pytest.mark.parametrize("build, good", [
    (lambda v: wf.data.DatasetPlaceholder(name="ds", data_type=v), wf.data.DataTypeEnum.IMAGE),
    (lambda v: wf.data.LabelTaskPlaceholder(name="lt", task_type=v), wf.data.LabelTaskTypeEnum.OBJECT_DETECTION),
    (lambda v: compile_steps(labeling_step(task_type=v)), wf.data.LabelTaskTypeEnum.TEXT_CLASSIFICATION),
    (lambda v: with_condition(wf.steps.Condition(condition_type=v, left=1, right=1)), C.EQ),
    (lambda v: placeholder(placeholder_type=v), PT.INT),
    (lambda v: compile_steps(job_step(metadata=wf.steps.JobMetadata(job_type=v))), wf.steps.JobTypeEnum.EVALUATION),
])
def test_enum_fields_accept_enum_members(build, good):
    build(good)


# ModelConfig --------------------------------------------------------------------------------------------------

MODEL_CONFIG = "ModelStep 'register' > outputs[0].model_config"


@pytest.mark.parametrize("bad", ["1.0.1", "01.1.1", "100.1.1", "0.1.1", "1.1.0", "1.2", "1.2.3.4", "a.b.c",
                                 "1..1", "1.2.3 ", "v1.2.3", "1.02.3", ""])
def test_model_version_is_digit_dot_digit_dot_digit_1_to_99_without_leading_zero(bad):
    expect_error(lambda: model_step(config=model_config(model_version=bad)), f"{MODEL_CONFIG}.model_version",
                 "Digit.Digit.Digit", repr(bad))


@pytest.mark.parametrize("good", ["1.2.3", "99.99.99", "1.1.1", "10.20.30", "9.99.1"])
def test_model_version_valid(good):
    compile_steps(model_step(config=model_config(model_version=good)))


@pytest.mark.parametrize("bad, fragment", [
    ("", "1 to 100 characters"),
    ("a" * 101, "1 to 100 characters, got 101"),
    *[(f"my {c} model", f"must not contain {c}") for c in "&!'\"<>="],
])
def test_model_config_description(bad, fragment):
    expect_error(lambda: model_step(config=model_config(description=bad)), f"{MODEL_CONFIG}.description", fragment)


@pytest.mark.parametrize("good", ["a", "a" * 100, "Flower classifier, v2 (ResNet-50); 95% accuracy?"])
def test_model_config_description_valid(good):
    compile_steps(model_step(config=model_config(description=good)))


@pytest.mark.parametrize("bad", ["tensorflow", "Pytorch", "ONNX", "", "Tensorflow "])
def test_model_type_must_be_one_of_the_ten(bad):
    message = expect_error(lambda: model_step(config=model_config(model_type=bad)), f"{MODEL_CONFIG}.model_type",
                           "must be one of", repr(bad))
    for model_type in MODEL_TYPES:
        assert model_type in message


@pytest.mark.parametrize("good", MODEL_TYPES)
def test_model_type_valid(good):
    config = model_config(model_type=good, template=template() if good == "Template" else None)
    compile_steps(model_step(config=config))


def test_template_is_mandatory_when_model_type_is_template():
    expect_error(lambda: model_step(config=model_config(model_type="Template")), f"{MODEL_CONFIG}.template",
                 "is mandatory when model_type is Template")
    compile_steps(model_step(config=model_config(model_type="Template", template=template())))
    compile_steps(model_step(config=model_config(model_type="Custom")))


# LabelTaskProperties --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad, fragment", [
    ("a" * 257, "0 to 256 characters, got 257"),
    *[(f"labels {c} cats", f"must not contain {c}") for c in "^!<>=&\"'"],
])
def test_label_task_properties_description(bad, fragment):
    expect_error(lambda: labeling_step(description=bad), "LabelingStep 'label' > properties.description", fragment)


@pytest.mark.parametrize("good", ["", "a" * 256, "cats, dogs; (birds) 100% - ok?"])
def test_label_task_properties_description_valid(good):
    compile_steps(labeling_step(description=good))


# placeholders -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("enum_list", [None, []], ids=["none", "empty"])
def test_enum_placeholder_needs_enum_list(enum_list):
    expect_error(lambda: placeholder(placeholder_type=PT.ENUM, enum_list=enum_list), "Placeholder 'p' > enum_list",
                 "must not be empty when placeholder_type is ENUM")
    placeholder(placeholder_type=PT.ENUM, enum_list=["a"])


def test_enum_placeholder_default_must_be_in_enum_list():
    expect_error(lambda: placeholder(placeholder_type=PT.ENUM, enum_list=["a", "b"], default="c"),
                 "Placeholder 'p' > default", "must be one of enum_list", "'c'")
    p = placeholder(placeholder_type=PT.ENUM, enum_list=["a", "b"], default="b")
    compiled = parameters_of(compile_steps(job_step(algorithm=with_parameter(p))))["p"]
    assert compiled["value"] == "b" and compiled["enum"] == ["a", "b"]


@pytest.mark.parametrize("fmt", [None, "obs", "dict", "json", "STR"])
def test_list_placeholder_needs_an_element_format(fmt):
    expect_error(lambda: placeholder(placeholder_type=PT.LIST, placeholder_format=fmt),
                 "Placeholder 'p' > placeholder_format",
                 "must be str, int, float or bool when placeholder_type is LIST")


@pytest.mark.parametrize("fmt", ["str", "int", "float", "bool"])
def test_list_placeholder_formats(fmt):
    placeholder(placeholder_type=PT.LIST, placeholder_format=fmt)


@pytest.mark.parametrize("ptype, fmt, bad, good", [
    (PT.INT, None, "1", 1),
    (PT.INT, None, True, 0),
    (PT.INT, None, 1.0, -3),
    (PT.BOOL, None, 1, True),
    (PT.BOOL, None, "true", False),
    (PT.FLOAT, None, "x", 1.5),
    (PT.FLOAT, None, math.nan, 2),
    (PT.FLOAT, None, False, 0.0),
    (PT.STR, None, 1, "1"),
    (PT.JSON, None, [], {}),
    (PT.JSON, None, "{}", {"cpu": "1"}),
    (PT.LIST, "int", ["a"], [1, 2]),
    (PT.LIST, "int", [True], [0]),
    (PT.LIST, "str", [1], ["a", "b"]),
    (PT.LIST, "bool", [1], [True, False]),
    (PT.LIST, "float", ["1.5"], [1.5, 2]),
    (PT.LIST, "str", "a,b", []),
], ids=lambda v: repr(v) if not isinstance(v, PT) else v.name)
def test_default_must_match_placeholder_type(ptype, fmt, bad, good):
    message = expect_error(lambda: placeholder(placeholder_type=ptype, placeholder_format=fmt, default=bad),
                           "Placeholder 'p' > default", "must")
    assert f"placeholder_type is {ptype.name}" in message or f"must hold {fmt} items" in message, message
    placeholder(placeholder_type=ptype, placeholder_format=fmt, default=good)


def test_delay_true_with_required_false_is_an_error():
    expect_error(lambda: placeholder(delay=True, required=False), "Placeholder 'p' > required",
                 "cannot be False when delay is True")
    placeholder(delay=True, required=True)
    placeholder(delay=False, required=False)


def test_the_same_placeholder_object_used_twice_is_fine():
    p = placeholder("lr", PT.FLOAT, default=0.1)
    template = compile_steps(job_step("first", algorithm=with_parameter(p)),
                             job_step("second", algorithm=with_parameter(p)))
    assert list(parameters_of(template)) == ["lr"]


def test_two_placeholders_with_one_name_and_identical_definitions_are_fine():
    first = placeholder("lr", PT.FLOAT, default=0.1, description="learning rate")
    second = placeholder("lr", PT.FLOAT, default=0.1, description="learning rate")
    template = compile_steps(job_step("first", algorithm=with_parameter(first)),
                             job_step("second", algorithm=with_parameter(second)))
    assert parameters_of(template)["lr"]["value"] == "0.1"


@pytest.mark.parametrize("second", [
    lambda: placeholder("lr", PT.STR, default="0.1"),
    lambda: placeholder("lr", PT.FLOAT, default=0.2),
    lambda: placeholder("lr", PT.FLOAT, default=0.1, description="another meaning"),
    lambda: placeholder("lr", PT.FLOAT, default=0.1, delay=True),
], ids=["type", "default", "description", "delay"])
def test_two_placeholder_definitions_under_one_name_are_an_error(second):
    first = placeholder("lr", PT.FLOAT, default=0.1)
    with pytest.raises(ValidationError) as info:
        compile_steps(job_step("first", algorithm=with_parameter(first)),
                      job_step("second", algorithm=with_parameter(second())))
    message = str(info.value)
    # the second use (its step), the first definition and the name they share
    assert message.startswith("JobStep 'second'"), message
    assert "Placeholder 'lr' has the name of Placeholder 'lr'" in message, message
    assert "must be unique in a workflow" in message, message


def test_a_storage_and_a_placeholder_with_one_name_are_an_error():
    storage = wf.data.Storage(name="root")
    with pytest.raises(ValidationError) as info:
        compile_steps(job_step(algorithm=with_parameter(placeholder("root", PT.STR))), storages=[storage])
    message = str(info.value)
    assert message.startswith("JobStep 'train'"), message
    assert "Storage 'root'" in message and "'root'" in message, message
    # the same, the other way round: the placeholder is met first, the storage (used by a path) second
    with pytest.raises(ValidationError) as info:
        compile_steps(job_step(algorithm=with_parameter(placeholder("root", PT.STR)),
                               outputs=[job_output(path=storage.join("out"))]))
    assert "Placeholder 'root'" in str(info.value)
    template = compile_steps(job_step(algorithm=with_parameter(placeholder("root2", PT.STR)),
                                      outputs=[job_output(path=storage.join("out"))]), storages=[storage])
    assert set(parameters_of(template)) == {"root", "root2"}


def test_a_data_placeholder_and_a_placeholder_with_one_name_are_an_error():
    data = wf.data.OBSPlaceholder(name="data", object_type="directory")
    with pytest.raises(ValidationError) as info:
        compile_steps(job_step(inputs=[wf.steps.JobInput(name="data_url", data=data)],
                               algorithm=with_parameter(placeholder("data", PT.STR))))
    assert "OBSPlaceholder 'data' has the name of Placeholder 'data'" in str(info.value)
    compile_steps(job_step(inputs=[wf.steps.JobInput(name="data_url", data=data)],
                           algorithm=with_parameter(placeholder("data2", PT.STR))))


@pytest.mark.parametrize("bad", ["dir", "File", "folder", ""])
def test_obs_placeholder_object_type_is_file_or_directory(bad):
    expect_error(lambda: wf.data.OBSPlaceholder(name="o", object_type=bad), "OBSPlaceholder 'o' > object_type",
                 "must be one of file, directory", repr(bad))


@pytest.mark.parametrize("good", ["file", "directory"])
def test_obs_placeholder_object_type_valid(good):
    data = wf.data.OBSPlaceholder(name="o", object_type=good)
    compile_steps(job_step(inputs=[wf.steps.JobInput(name="data_url", data=data)]))


# field -> (object using the placeholder, where, placeholder types accepted there)
TYPED_FIELDS = {
    # a flavor id placeholder cannot become the pod's resources (test_validation_limits.py)
    "flavor": (lambda p: job_step(spec=job_spec(flavor=p)), "JobStep 'train' > spec.resource.flavor", {PT.JSON}),
    "hyperparameter (scalar)": (lambda p: job_step(algorithm=with_parameter(p)),
                                "JobStep 'train' > algorithm.parameters[0].value",
                                # seed table 4-45: any placeholder; JSON and LIST reach the code as JSON text
                                {PT.INT, PT.FLOAT, PT.STR, PT.BOOL, PT.ENUM, PT.JSON, PT.LIST}),
    "boot_file (str)": (lambda p: job_step(algorithm=algorithm(boot_file=p)), "JobStep 'train' > algorithm.boot_file",
                        {PT.STR, PT.ENUM}),
    "model_name (str)": (lambda p: model_step(config=model_config(model_name=p)), f"{MODEL_CONFIG}.model_name",
                         {PT.STR, PT.ENUM}),
    "clear_hard_property (bool)": (
        lambda p: release_step(version_config=wf.data.DatasetVersionConfig(clear_hard_property=p)),
        "ReleaseDatasetStep 'release' > outputs[0].dataset_version_config.clear_hard_property", {PT.BOOL}),
}


def typed_placeholder(ptype: PT, field: str = "") -> wf.Placeholder:
    # an ENUM's values must themselves be valid where it is used: flavor ids for a flavor
    choices = ["modelarts.vm.cpu.2u", "modelarts.vm.cpu.4u"] if field == "flavor" else ["a", "b"]
    extra = {PT.LIST: dict(placeholder_format="int"), PT.ENUM: dict(enum_list=choices)}.get(ptype, {})
    return placeholder("p", ptype, **extra)


@pytest.mark.parametrize("field", sorted(TYPED_FIELDS))
@pytest.mark.parametrize("ptype", list(PT), ids=lambda t: t.name)
def test_a_placeholder_of_the_wrong_type_is_an_error(field, ptype):
    make, where, accepted = TYPED_FIELDS[field]
    if ptype in accepted:
        compile_steps(make(typed_placeholder(ptype, field)))
    else:
        expect_error(lambda: make(typed_placeholder(ptype, field)), where, f"Placeholder 'p' is {ptype.name}, but a")


def test_reserved_parameter_prefix():
    expect_error(lambda: compile_steps(job_step(algorithm=with_parameter(placeholder("wf2k8s-lr")))),
                 "JobStep 'train' > algorithm.parameters[0].value", "names starting with 'wf2k8s-' are reserved",
                 "'wf2k8s-lr'")
    expect_error(lambda: compile_steps(job_step(), storages=[wf.data.Storage(name="wf2k8s-scene")]),
                 "Workflow 'wf' > storages[0]", "reserved", "'wf2k8s-scene'")
    data = wf.data.OBSPlaceholder(name="wf2k8s-data", object_type="file")
    with pytest.raises(ValidationError, match="reserved"):
        compile_steps(job_step(inputs=[wf.steps.JobInput(name="data_url", data=data)]))
    template = compile_steps(job_step(algorithm=with_parameter(placeholder("wf2k8s_lr"))),
                             storages=[wf.data.Storage(name="my-wf2k8s-root")])
    assert set(parameters_of(template)) == {"wf2k8s_lr", "my-wf2k8s-root"}


# storages -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build, where", [
    (lambda: wf.data.Storage(name="s", with_execution_id=True), "Storage 's' > with_execution_id"),
    (lambda: wf.data.Storage(name="s", with_execution_id=True, create_dir=False), "Storage 's' > with_execution_id"),
    (lambda: wf.data.OutputStorage(name="s", create_dir=False), "OutputStorage 's' > with_execution_id"),
], ids=["Storage", "Storage explicit", "OutputStorage"])
def test_storage_with_execution_id_needs_create_dir(build, where):
    expect_error(build, where, "can be True only when create_dir is True")


@pytest.mark.parametrize("kwargs", [dict(with_execution_id=True, create_dir=True), dict(create_dir=True), {}])
def test_storage_with_execution_id_valid(kwargs):
    storage = wf.data.Storage(name="s", **kwargs)
    compile_steps(job_step(outputs=[job_output(path=storage.join("out/"))]), storages=[storage])
    wf.data.OutputStorage(name="o", with_execution_id=False, create_dir=False)


# JobStep specification ----------------------------------------------------------------------------------------

PRIORITY = "JobStep 'train' > spec.schedule_policy.priority"


@pytest.mark.parametrize("bad", [0, 4, 5, -1, 100])
def test_schedule_policy_priority_is_1_to_3(bad):
    expect_error(lambda: job_step(spec=job_spec(priority=bad)), PRIORITY, f"must be 1, 2 or 3, got {bad}")


@pytest.mark.parametrize("bad", [True, "1", 2.0, [1]], ids=repr)
def test_schedule_policy_priority_must_be_an_int(bad):
    expect_error(lambda: job_step(spec=job_spec(priority=bad)), PRIORITY, "must be int or Placeholder")


@pytest.mark.parametrize("good", [1, 2, 3])
def test_schedule_policy_priority_valid(good):
    template = compile_steps(job_step(spec=job_spec(priority=good)))
    main = next(t for t in template["spec"]["templates"] if t["name"] == "main")
    task = next(task for task in main["dag"]["tasks"] if task["name"] == "train")
    patch = next(p["value"] for p in task["arguments"]["parameters"] if p["name"] == "pod-spec-patch")
    assert "priorityClassName" in patch


@pytest.mark.parametrize("bad", [0, -1, 65])
def test_node_count_is_1_to_64(bad):
    expect_error(lambda: job_step(spec=job_spec(node_count=bad)), "JobStep 'train' > spec.resource.node_count",
                 f"must be 1 to 64, got {bad}")


@pytest.mark.parametrize("nodes, template", [(1, "job"), (2, "distributed-job"), (64, "distributed-job"),
                                             (placeholder("nodes", PT.INT, default=1), "distributed-job")])
def test_a_job_on_several_nodes_or_a_placeholder_runs_as_its_launcher(nodes, template):
    main = next(t for t in compile_steps(job_step(spec=job_spec(node_count=nodes)))["spec"]["templates"]
                if t["name"] == "main")
    assert next(task for task in main["dag"]["tasks"] if task["name"] == "train")["template"] == template


@pytest.mark.parametrize("bad", ["modelarts.vm.nope", "2u", "", "cpu=2"])
def test_unknown_literal_flavor_is_an_error(bad):
    expect_error(lambda: compile_steps(job_step(spec=job_spec(flavor=bad))), "JobStep 'train' > spec.resource.flavor",
                 f"{bad!r} is not a known flavor")


@pytest.mark.parametrize("good", ["modelarts.vm.cpu.2u", {"cpu": "2", "memory": "8Gi"},
                                  placeholder("train_flavor", PT.JSON)], ids=["id", "map", "placeholder"])
def test_known_flavors_compile(good):
    compile_steps(job_step(spec=job_spec(flavor=good)))


ENGINE = "JobStep 'train' > algorithm.engine"


@pytest.mark.parametrize("kwargs, where, fragment", [
    ({}, ENGINE, "needs engine_id, engine_name and engine_version, or image_url"),
    (dict(engine_name="pytorch"), f"{ENGINE}.engine_version", "engine_name and engine_version go together"),
    (dict(engine_version="1.8"), ENGINE, "needs engine_id, engine_name and engine_version, or image_url"),
    (dict(engine_id="engine-1", engine_version="1.8"), f"{ENGINE}.engine_name",
     "engine_name and engine_version go together"),
    (dict(image_url="example/img:1", engine_name="pytorch", engine_version="1.8"), f"{ENGINE}.image_url",
     "do not combine it with an official engine"),
], ids=["nothing", "name only", "version only", "id and version", "image and engine"])
def test_job_engine_needs_name_and_version_or_image_url(kwargs, where, fragment):
    expect_error(lambda: job_step(algorithm=algorithm(engine=wf.steps.JobEngine(**kwargs))), where, fragment)


@pytest.mark.parametrize("kwargs", [dict(engine_name="pytorch", engine_version="1.8"),
                                    dict(image_url="example/img:1"), dict(engine_id="engine-1")])
def test_job_engine_valid(kwargs):
    compile_steps(job_step(algorithm=algorithm(engine=wf.steps.JobEngine(**kwargs))))


@pytest.mark.parametrize("overrides, where, fragment", [
    (dict(boot_file=None), "JobStep 'train' > algorithm.boot_file", "is mandatory with code_dir (or give command)"),
    (dict(command="python train.py"), "JobStep 'train' > algorithm.command", "give boot_file or command, not both"),
    (dict(engine=None), "JobStep 'train' > algorithm.engine", "is mandatory with code_dir"),
], ids=["neither", "both", "no engine"])
def test_code_dir_needs_boot_file_or_command_and_an_engine(overrides, where, fragment):
    expect_error(lambda: job_step(algorithm=algorithm(**overrides)), where, fragment)


@pytest.mark.parametrize("overrides", [{}, dict(boot_file=None, command="python train.py")],
                         ids=["boot_file", "command"])
def test_code_dir_valid(overrides):
    compile_steps(job_step(algorithm=algorithm(**overrides)))


def test_step_output_lookup_of_an_unknown_name():
    step = job_step()
    expect_error(lambda: step.outputs["nope"], "JobStep 'train' > outputs", "no output named 'nope'", "'train_url'")
    assert step.outputs["train_url"] is step.outputs[0]


# dataset release --------------------------------------------------------------------------------------------

RATIO = "ReleaseDatasetStep 'release' > outputs[0].dataset_version_config.train_evaluate_sample_ratio"


@pytest.mark.parametrize("bad", ["1.5", 2, -0.1, "-0.5", 1.01, "nan", "inf"], ids=repr)
def test_train_evaluate_sample_ratio_is_0_to_1(bad):
    expect_error(lambda: release_step(version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio=bad)),
                 RATIO, "from 0 to 1", repr(bad))


@pytest.mark.parametrize("bad", ["abc", "", "0,8"], ids=repr)
def test_train_evaluate_sample_ratio_must_be_a_number(bad):
    expect_error(lambda: release_step(version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio=bad)),
                 RATIO, "must be a number from 0 to 1")


@pytest.mark.parametrize("bad", [True, [0.8]], ids=repr)
def test_train_evaluate_sample_ratio_type(bad):
    expect_error(lambda: release_step(version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio=bad)),
                 RATIO, "must be str or float or int or Placeholder")


@pytest.mark.parametrize("good", ["0.8", 0.8, "1.00", 1, 0, "0", "0.0"], ids=repr)
def test_train_evaluate_sample_ratio_valid(good):
    compile_steps(release_step(version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio=good)))


def test_carbon_data_version_format_is_rejected_with_a_clear_message():
    expect_error(lambda: release_step(version_config=wf.data.DatasetVersionConfig(version_format="CarbonData")),
                 "ReleaseDatasetStep 'release' > outputs[0].dataset_version_config.version_format",
                 "CarbonData is not supported", "Default")
    expect_error(lambda: release_step(version_config=wf.data.DatasetVersionConfig(version_format="Parquet")),
                 "ReleaseDatasetStep 'release' > outputs[0].dataset_version_config.version_format",
                 "must be one of Default, CarbonData")
    compile_steps(release_step(version_config=wf.data.DatasetVersionConfig(version_format="Default")))


# dataset import ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data, targets, sources", [
    ((), 0, 0),
    ((obs(),), 0, 1),
    ((wf.data.Dataset(dataset_name="flowers"),), 1, 0),
    ((obs(), obs("obs://bucket/more/")), 0, 2),
    ((wf.data.Dataset(dataset_name="a"), wf.data.Dataset(dataset_name="b"), obs()), 2, 1),
    ((wf.data.Dataset(dataset_name="a"), obs(), wf.data.OBSPlaceholder(name="o", object_type="directory")), 1, 2),
], ids=["none", "obs only", "dataset only", "two obs", "two datasets", "two sources"])
def test_dataset_import_needs_one_obs_source_and_one_target(data, targets, sources):
    if not data:
        expect_error(lambda: import_step(*data), "DatasetImportStep 'import' > inputs", "is mandatory")
        return
    expect_error(lambda: import_step(*data), "DatasetImportStep 'import' > inputs",
                 "needs one dataset or labeling job to import into and one OBS path to import from",
                 f"got {targets} and {sources}")


@pytest.mark.parametrize("target", [
    wf.data.Dataset(dataset_name="flowers"),
    wf.data.LabelTask(dataset_name="flowers", task_name="task"),
    wf.data.DatasetPlaceholder(name="ds"),
], ids=["dataset", "label task", "dataset placeholder"])
def test_dataset_import_valid(target):
    compile_steps(import_step(target, obs()))
    compile_steps(import_step(wf.data.OBSPlaceholder(name="src", object_type="directory"), target))


# graph rules ----------------------------------------------------------------------------------------------------


def test_a_cycle_is_an_error_and_the_message_lists_it():
    a = job_step("a")
    b = job_step("b", depend_steps=[a])
    a.depend_steps.append(b)
    expect_error(lambda: compile_steps(a, b), "Workflow 'wf' > steps", "cycle", "a -> b -> a")
    a.depend_steps.remove(b)
    assert {"a", "b"} <= set(task_names(compile_steps(a, b)))


def test_a_longer_cycle_through_outputs():
    a = job_step("a")
    b = job_step("b", inputs=[wf.steps.JobInput(name="data_url", data=a.outputs["train_url"].as_input())])
    c = job_step("c", depend_steps=[b])
    a.depend_steps.append(c)
    message = expect_error(lambda: compile_steps(a, b, c), "Workflow 'wf' > steps", "cycle")
    assert message.endswith("a -> c -> b -> a"), message


def test_a_cycle_through_a_condition_branch():
    a = job_step("a")
    check = condition_step(wf.steps.Condition(C.EQ, 1, 1), if_then=["a"], depend_steps=a)
    expect_error(lambda: compile_steps(a, check), "Workflow 'wf' > steps", "a -> check -> a")
    compile_steps(a, condition_step(wf.steps.Condition(C.EQ, 1, 1), if_then=["b"], depend_steps=a), job_step("b"))


@pytest.mark.parametrize("branch", ["if_then", "else_then"])
def test_condition_branches_must_name_existing_steps(branch):
    kwargs = {"if_then": ["next"], "else_then": ["other"]}
    kwargs[branch] = [*kwargs[branch], "nope"]
    expect_error(lambda: compile_steps(condition_step(wf.steps.Condition(C.EQ, 1, 1), **kwargs), job_step("next"),
                                       job_step("other")),
                 f"ConditionStep 'check' > {branch}_steps[1]", "'nope'", "not in the workflow")
    kwargs[branch] = kwargs[branch][:1]
    compile_steps(condition_step(wf.steps.Condition(C.EQ, 1, 1), **kwargs), job_step("next"), job_step("other"))


def test_data_consumption_selector_must_not_be_empty():
    expect_error(lambda: job_step(inputs=[wf.steps.JobInput(name="data_url",
                                                            data=wf.data.DataConsumptionSelector(data_list=[]))]),
                 "JobStep 'train' > inputs[0].data.data_list", "is mandatory")
    first, second = job_step("first"), job_step("second")
    selector = wf.data.DataConsumptionSelector(data_list=[first.outputs["train_url"].as_input(),
                                                          second.outputs["train_url"].as_input()])
    compile_steps(first, second, job_step(inputs=[wf.steps.JobInput(name="data_url", data=selector)]))


# conditions -------------------------------------------------------------------------------------------------

CONDITION = "ConditionStep 'check' > conditions[0]"


@pytest.mark.parametrize("left, right, side", [
    (1, wf.steps.Condition(C.EQ, 1, 1), "left"),
    (wf.steps.Condition(C.EQ, 1, 1), True, "right"),
], ids=["left", "right"])
def test_or_needs_condition_operands(left, right, side):
    expect_error(lambda: condition_step(wf.steps.Condition(C.OR, left, right)), f"{CONDITION}.{side}",
                 "must be a Condition when condition_type is OR")
    with_condition(wf.steps.Condition(C.OR, wf.steps.Condition(C.EQ, 1, 1), wf.steps.Condition(C.GT, 2, 1)))


def test_a_condition_operand_outside_or_is_an_error():
    expect_error(lambda: condition_step(wf.steps.Condition(C.EQ, wf.steps.Condition(C.EQ, 1, 1), True)),
                 f"{CONDITION}.left", "can be a Condition only when condition_type is OR")


def test_nested_condition_errors_name_the_nested_path():
    inner = wf.steps.Condition(C.GT, True, 1)
    expect_error(lambda: condition_step(wf.steps.Condition(C.OR, wf.steps.Condition(C.EQ, 1, 1), inner)),
                 f"{CONDITION}.right.left", "cannot be ordered")


@pytest.mark.parametrize("right", [5, 1.5, None, placeholder("choice", PT.STR)], ids=repr)
def test_in_needs_a_sequence_on_the_right(right):
    message = expect_error(lambda: condition_step(wf.steps.Condition(C.IN, "a", right)), f"{CONDITION}.right")
    assert "sequence" in message or "is mandatory" in message, message


@pytest.mark.parametrize("right", [["a", "b"], ("a",), placeholder("choices", PT.LIST, placeholder_format="str")],
                         ids=["list", "tuple", "LIST placeholder"])
def test_in_valid(right):
    with_condition(wf.steps.Condition(C.IN, "a", right))


@pytest.mark.parametrize("op", [C.GT, C.GTE, C.LT, C.LTE])
@pytest.mark.parametrize("left, right, side", [
    (True, 1, "left"),
    (1, False, "right"),
    ([1, 2], 1, "left"),
    (1, (1, 2), "right"),
    (placeholder("flag", PT.BOOL), 1, "left"),
], ids=["bool left", "bool right", "list left", "tuple right", "BOOL placeholder"])
def test_ordering_operators_reject_bools_and_lists(op, left, right, side):
    expect_error(lambda: condition_step(wf.steps.Condition(op, left, right)), f"{CONDITION}.{side}",
                 f"cannot be ordered with {op.value}")


@pytest.mark.parametrize("op", [C.GT, C.GTE, C.LT, C.LTE])
def test_ordering_operators_valid(op):
    with_condition(wf.steps.Condition(op, placeholder("threshold", PT.FLOAT, default=0.5), 0.3))


def test_equality_accepts_bools_and_lists():
    with_condition(wf.steps.Condition(C.EQ, placeholder("flag", PT.BOOL, default=True), True))
    with_condition(wf.steps.Condition(C.NOT, [1, 2], [1, 2]))


def test_json_placeholder_cannot_be_compared():
    expect_error(lambda: condition_step(wf.steps.Condition(C.EQ, placeholder("cfg", PT.JSON), 1)),
                 f"{CONDITION}.left", "Placeholder 'cfg' is JSON")


def test_metric_info_reads_a_jobstep_output_with_metrics_config():
    train = job_step(outputs=[job_output(), metrics_output()])
    no_metrics = wf.steps.MetricInfo(train.outputs["train_url"].as_input(), "accuracy")
    expect_error(lambda: condition_step(wf.steps.Condition(C.LT, no_metrics, 0.5)), f"{CONDITION}.left.input_data",
                 "output 'train_url' of step 'train' has no metrics_config")
    good = wf.steps.MetricInfo(train.outputs["metrics"].as_input(), "accuracy")
    with_condition(wf.steps.Condition(C.LT, good, 0.5), train)


def test_metric_info_of_a_non_job_step():
    register = model_step()
    info = wf.steps.MetricInfo(register.outputs["model_output"].as_input(), "accuracy")
    expect_error(lambda: condition_step(wf.steps.Condition(C.GT, 0.5, info)), f"{CONDITION}.right.input_data",
                 "must be the output of a JobStep")


def test_metric_info_json_key_not_empty():
    train = job_step(outputs=[metrics_output()])
    info = wf.steps.MetricInfo(train.outputs["metrics"].as_input(), "")
    expect_error(lambda: condition_step(wf.steps.Condition(C.LT, info, 0.5)), f"{CONDITION}.left.json_key",
                 "must not be empty")


def test_skip_conditions_are_validated_with_their_path():
    policy = wf.steps.StepPolicy(skip_conditions=[wf.steps.Condition(C.IN, "a", 5)])
    expect_error(lambda: job_step(policy=policy), "JobStep 'train' > policy.skip_conditions[0].right", "sequence")
    compile_steps(job_step(policy=wf.steps.StepPolicy(skip_conditions=[wf.steps.Condition(C.IN, "a", ["a"])])))


# service deployment ---------------------------------------------------------------------------------------------

SERVICE_CONFIG = "ServiceStep 'deploy' > outputs[0].service_config"


@pytest.mark.parametrize("bad", ["realtime", "real_time", "online", "Batch", ""])
def test_service_config_infer_type(bad):
    expect_error(lambda: service_step(service_config=wf.steps.ServiceConfig(infer_type=bad)),
                 f"{SERVICE_CONFIG}.infer_type", "must be one of real-time, batch, edge", repr(bad))


@pytest.mark.parametrize("good", ["real-time", "batch", "edge"])
def test_service_config_infer_type_valid(good):
    # a batch service needs its data's OBS paths (tests/unit/test_runtime_batch.py checks them)
    extra = {"src_path": "obs://b/in/", "dest_path": "obs://b/out/"} if good == "batch" else None
    service_step(service_config=wf.steps.ServiceConfig(infer_type=good, additional_properties=extra))


@pytest.mark.parametrize("inputs", [
    None, [wf.steps.ServiceInput(name="svc", data=wf.data.ServiceData(service_id="s1"))]],
                         ids=["no inputs", "service only"])
def test_service_step_needs_a_model_input(inputs):
    expect_error(lambda: service_step(inputs=inputs), "ServiceStep 'deploy' > inputs",
                 "needs the models to deploy")


@pytest.mark.parametrize("data", [
    wf.data.ModelData(model_name="my_model"),
    wf.data.ServiceInputPlaceholder(name="models", model_name="my_model"),
], ids=["ModelData", "ServiceInputPlaceholder"])
def test_service_step_model_input_valid(data):
    compile_steps(service_step(inputs=[wf.steps.ServiceInput(name="model", data=data)]))


def test_get_output_variable_of_an_unknown_variable():
    step = service_step()
    message = expect_error(lambda: step.outputs["service_output"].get_output_variable("nope"),
                           "ServiceStep 'deploy' > outputs['service_output']", "no output variable 'nope'")
    assert "access_address" in message
    for variable in ("access_address", "cluster_inner_access_address", "service_name", "service_id"):
        assert step.outputs["service_output"].get_output_variable(variable).variable == variable
    address = step.outputs["service_output"].get_output_variable("access_address")
    compile_steps(step, service_step("client", service_config=wf.steps.ServiceConfig(envs={"UPSTREAM": address})))


# the Argo backend -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first, second, task", [
    ("a_b", "a-b", "a-b"),
    ("Train", "train", "train"),
    ("step_1", "STEP-1", "step-1"),
])
def test_step_names_that_become_one_argo_task_name_are_an_error(first, second, task):
    expect_error(lambda: compile_steps(job_step(first), job_step(second)), "Workflow 'wf' > steps",
                 f"'{first}'", f"'{second}'", f"Argo task {task!r}")


def test_distinct_argo_task_names_compile():
    assert {"a-b", "a-c"} <= set(task_names(compile_steps(job_step("a_b"), job_step("a_c"))))


def test_a_step_named_like_a_task_wf2k8s_generates_is_an_error():
    # a JobStep with an official engine gets an extra task that resolves the image; a delayed
    # placeholder gets an input task: a step may not take either name
    official = job_step("train", algorithm=algorithm(
        engine=wf.steps.JobEngine(engine_name="pytorch", engine_version="1.8"),
        parameters=[wf.AlgorithmParameters(name="lr", value=placeholder("prio", PT.INT, default=1, delay=True))]))
    generated = [name for name in task_names(compile_steps(official)) if name != "train"]
    assert len(generated) == 2, generated
    for name in generated:
        expect_error(lambda name=name: compile_steps(official, job_step(name)), "Workflow 'wf' > steps", repr(name))
    compile_steps(official, job_step("train2"))


@pytest.mark.parametrize("model_type", ["MXNet", "Caffe", "Spark_MLlib"])
def test_deploying_the_version_a_modelstep_registers_as_a_type_nothing_serves_is_refused(model_type):
    register = model_step(config=wf.steps.ModelConfig(model_type=model_type, model_name="my_model"))
    deploy = service_step(depend_steps=[register])
    expect_error(lambda: compile_steps(register, deploy), "ServiceStep 'deploy' > inputs[0].data",
                 f"deploys model 'my_model', which ModelStep 'register' registers as {model_type}",
                 "register it with a serving image")


def test_deploying_a_template_model_compiles_since_the_catalog_names_its_image_at_run_time():
    config = wf.steps.ModelConfig(model_type="Template", model_name="my_model", template=template())
    register = model_step(config=config)
    compile_steps(register, service_step(depend_steps=[register]))


def test_a_deployment_that_may_be_served_compiles():
    mxnet = wf.steps.ModelConfig(model_type="MXNet", model_name="my_model")
    image = wf.data.SWRImage(swr_path="swr.example/team/mx-server:1")
    compile_steps(r := model_step(config=mxnet, inputs=[wf.steps.ModelInput(name="model_input", data=image)]),
                  service_step(depend_steps=[r]))  # served from its image
    compile_steps(model_step(config=mxnet), service_step())  # not after it: the latest may be another version
    compile_steps(r := model_step(config=wf.steps.ModelConfig(model_type="TensorFlow", model_name="my_model")),
                  service_step(depend_steps=[r]))
