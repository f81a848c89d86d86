"""More validation rules: exact names, the field path and both sides of name conflicts, enum
defaults compared by type, and placeholder defaults against the rules of the field using them."""

from __future__ import annotations

import json

import dataclasses
import inspect

import pytest

from argo_schema import check_document

import wf2k8s as wf
from wf2k8s import ValidationError

from test_validation import (  # tests/unit is on sys.path: pytest prepends the test file's folder
    PT, algorithm, compile_steps, engine, expect_error, job_output, job_spec, job_step, model_config, model_step,
    parameters_of, placeholder, release_step, task_names, with_parameter, workflow,
)

# names ending in a newline -------------------------------------------------------------------------------------


@pytest.mark.parametrize("build, where", [
    (lambda n: wf.Workflow(name=n, desc="d", steps=[job_step()]), "Workflow 'train\\n' > name"),
    (lambda n: job_step(name=n), "JobStep 'train\\n' > name"),
    (lambda n: placeholder(name=n), "Placeholder 'train\\n' > name"),
    (lambda n: wf.data.Storage(name=n), "Storage 'train\\n' > name"),
    (lambda n: job_step(inputs=[wf.steps.JobInput(name=n, data=wf.data.OBSPath(obs_path="obs://b/d/"))]),
     "JobStep 'train' > inputs[0].name"),
], ids=["Workflow", "JobStep", "Placeholder", "Storage", "JobInput"])
def test_a_name_with_a_trailing_newline_is_rejected(build, where):
    expect_error(lambda: build("train\n"), where, "1-64 letters")


# the field path of name conflicts ------------------------------------------------------------------------------


def test_two_placeholder_definitions_error_names_the_field_and_both_definitions():
    first = placeholder("lr", PT.FLOAT, default=0.1)
    second = placeholder("lr", PT.STR, default="0.1")
    message = expect_error(lambda: compile_steps(job_step("first", algorithm=with_parameter(first)),
                                                 job_step("second", algorithm=with_parameter(second))),
                           "JobStep 'second' > algorithm.parameters[0].value", "'lr'")
    assert "FLOAT" in message and "STR" in message, message


def test_storage_and_placeholder_conflict_names_both_kinds_and_the_field():
    storage = wf.data.Storage(name="root")
    message = expect_error(
        lambda: compile_steps(job_step(algorithm=with_parameter(placeholder("root", PT.STR))), storages=[storage]),
        "JobStep 'train' > algorithm.parameters[0].value", "'root'")
    assert "Storage 'root'" in message and "Placeholder 'root'" in message, message


def test_reserved_prefix_error_names_the_field():
    expect_error(lambda: compile_steps(job_step(algorithm=with_parameter(placeholder("wf2k8s-lr")))),
                 "JobStep 'train' > algorithm.parameters[0].value", "reserved")


# ENUM defaults that equal an enum_list item only in Python -------------------------------------------------------


@pytest.mark.parametrize("default, enum_list", [(True, [1, 2]), (1.0, [1, 2]), (False, [0, 1])], ids=repr)
def test_enum_default_must_be_in_enum_list_as_a_parameter_value(default, enum_list):
    expect_error(lambda: placeholder("e", PT.ENUM, enum_list=enum_list, default=default),
                 "Placeholder 'e' > default", "enum_list")
    template = compile_steps(job_step(algorithm=with_parameter(placeholder("e", PT.ENUM, enum_list=enum_list,
                                                                           default=enum_list[0]))))
    parameter = parameters_of(template)["e"]
    assert parameter["value"] in parameter["enum"]


# Argo name collisions of generated tasks ----------------------------------------------------------------------


def test_delayed_placeholders_that_become_one_input_task_have_a_clear_message():
    first = placeholder("a_b", PT.INT, default=1, delay=True)
    second = placeholder("a-b", PT.INT, default=1, delay=True)
    with pytest.raises(ValidationError) as info:
        compile_steps(job_step("x", algorithm=with_parameter(first)), job_step("y", algorithm=with_parameter(second)))
    message = str(info.value)
    assert "'a_b'" in message and "'a-b'" in message, message
    assert "step \"the input" not in message, message


# placeholder defaults against the rules of the field that uses them --------------------------------------------


@pytest.mark.parametrize("make, where", [
    (lambda: job_step(spec=job_spec(priority=placeholder("prio", PT.INT, default=5))),
     "JobStep 'train' > spec.schedule_policy.priority"),
    (lambda: release_step(version_config=wf.data.DatasetVersionConfig(
        train_evaluate_sample_ratio=placeholder("ratio", PT.STR, default="1.5"))),
     "ReleaseDatasetStep 'release' > outputs[0].dataset_version_config.train_evaluate_sample_ratio"),
    (lambda: model_step(config=model_config(model_version=placeholder("version", PT.STR, default="1.0.1"))),
     "ModelStep 'register' > outputs[0].model_config.model_version"),
    (lambda: model_step(config=model_config(model_type=placeholder("type", PT.ENUM, enum_list=["onnx", "PyTorch"],
                                                                     default="onnx"))),
     "ModelStep 'register' > outputs[0].model_config.model_type"),
], ids=["priority default 5", "ratio default 1.5", "model_version default 1.0.1", "model_type enum onnx"])
def test_a_placeholder_default_or_enum_value_that_breaks_the_field_rule(make, where):
    expect_error(make, where)


# docstrings and annotations of the public classes --------------------------------------------------------------


def public_classes() -> list[type]:
    """Every class ``wf``, ``wf.steps``, ``wf.data``, ``wf.policy`` and ``wf.resource`` export, once."""
    found: dict[type, None] = {}
    for module in (wf, wf.steps, wf.data, wf.policy, wf.resource):
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            value = getattr(module, name)
            if inspect.isclass(value) and value.__module__.startswith("wf2k8s"):
                found[value] = None
    return sorted(found, key=lambda cls: cls.__name__)


PUBLIC_CLASSES = public_classes()


def test_the_public_classes_are_found():
    names = {cls.__name__ for cls in PUBLIC_CLASSES}
    assert {"Workflow", "JobStep", "ServiceStep", "ModelStep", "Dataset", "OBSPath", "Storage", "JobSpec",
            "ModelConfig", "Policy", "Scene", "PlaceholderType", "ConditionTypeEnum"} <= names
    assert len(PUBLIC_CLASSES) > 90


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__name__)
def test_every_public_class_has_a_docstring_of_its_own(cls):
    # a class without one has __doc__ None in its own namespace (never inherited), or the
    # signature dataclasses writes in its place: "JobStep(name: str = None, ...)"
    doc = cls.__dict__.get("__doc__")
    assert doc and doc.strip(), f"{cls.__name__} has no docstring"
    assert not doc.startswith(f"{cls.__name__}("), f"{cls.__name__} has only the dataclass-generated signature"


#: fields whose type the seed gives as Any, and a step held by data objects (wf2k8s.sdk.data cannot import Step)
ANY_FIELDS = {("Placeholder", "default"), ("SystemEnv", "default"), ("Consumption", "step"),
              ("OBSConsumption", "step"), ("DatasetConsumption", "step"), ("LabelTaskConsumption", "step")}


@pytest.mark.parametrize("cls", [c for c in PUBLIC_CLASSES if dataclasses.is_dataclass(c)], ids=lambda c: c.__name__)
def test_fields_are_annotated_with_the_types_they_take(cls):
    for f in dataclasses.fields(cls):
        if (cls.__name__, f.name) in ANY_FIELDS:
            continue
        assert isinstance(f.type, str) and f.type not in ("Any", "list", "dict", "list | None", "dict | None"), \
            f"{cls.__name__}.{f.name} is annotated {f.type!r}"


def test_constructors_are_dataclass_transforms_for_type_checkers():
    from wf2k8s.sdk._spec import field, spec

    transform = spec.__dataclass_transform__
    assert field in transform["field_specifiers"] and transform["eq_default"] is False


# values that crashed the compiler or failed only on the cluster --------------------------------------------------


def storage_obs_placeholder(path) -> wf.data.OBSPlaceholder:
    return wf.data.OBSPlaceholder(name="data", object_type="directory", default=wf.data.OBSPath(obs_path=path))


@pytest.mark.parametrize("path", [lambda s: s.join("data/"), lambda s: s], ids=["storage path", "storage"])
def test_an_obs_placeholder_default_cannot_be_a_storage_path(path):
    # a parameter's default is fixed text; a storage path is known only when a run starts
    storage = wf.data.InputStorage(name="root")
    expect_error(lambda: storage_obs_placeholder(path(storage)), "OBSPlaceholder 'data' > default.obs_path",
                 "known only when a run starts")
    template = compile_steps(job_step(inputs=[wf.steps.JobInput(name="data_url",
                                                                data=storage_obs_placeholder("obs://b/data/"))]))
    assert parameters_of(template)["data"]["value"] == "obs://b/data/"


@pytest.mark.parametrize("default, fragment", [
    ({1: "2"}, "key 1 is int, not str"),
    ({"cpu": "1", ("a",): 1}, "key ('a',) is tuple, not str"),
    ({"cpu": {"1", "2"}}, "['cpu'] is a set"),
    ({"cpu": [1, {"x": object()}]}, "['cpu'][1]['x'] is a object"),
    ({"cpu": float("nan")}, "['cpu'] is nan (JSON has no NaN or Infinity)"),
    ({"gpu": float("inf")}, "['gpu'] is inf"),
    ({"limits": {"cpu": -float("inf")}}, "['limits']['cpu'] is -inf"),
], ids=["int key", "tuple key", "set", "object", "NaN", "Infinity", "nested -Infinity"])
def test_a_json_placeholder_default_must_be_json(default, fragment):
    expect_error(lambda: placeholder("flavor", PT.JSON, default=default), "Placeholder 'flavor' > default",
                 "must be JSON", fragment)
    good = placeholder("flavor", PT.JSON, default={"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": 1,
                                                   "x": [0.5, True, None, {"y": "z"}]})
    assert parameters_of(compile_steps(job_step(spec=job_spec(flavor=good))))["flavor"]["value"] == \
        '{"cpu":"1","memory":"1Gi","nvidia.com/gpu":1,"x":[0.5,true,null,{"y":"z"}]}'


def test_a_placeholder_constraint_must_be_json():
    expect_error(lambda: placeholder("p", PT.INT, constraint={"range": {1, 2}}), "Placeholder 'p' > constraint",
                 "must be JSON", "['range'] is a set")
    compile_steps(job_step(algorithm=with_parameter(placeholder("p", PT.INT, constraint={"min": 1, "max": 5}))))


def nfs_step(**nfs) -> wf.steps.JobStep:
    kwargs = dict(nfs_server_path="10.0.0.1:/share", local_path="/mnt/share")
    kwargs.update(nfs)
    return job_step(spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor={"cpu": "1"}),
                                          volumes=[wf.steps.Volume(nfs=wf.steps.NFS(**kwargs))]))


@pytest.mark.parametrize("make, where", [
    (lambda v: nfs_step(nfs_server_path=v), "JobStep 'train' > spec.volumes[0].nfs.nfs_server_path"),
    (lambda v: nfs_step(local_path=v), "JobStep 'train' > spec.volumes[0].nfs.local_path"),
    (lambda v: job_step(algorithm=algorithm(engine=engine(image_url=v))),
     "JobStep 'train' > algorithm.engine.image_url"),
    (lambda v: job_step(spec=job_spec(flavor=v)), "JobStep 'train' > spec.resource.flavor"),
], ids=["nfs_server_path", "local_path", "image_url", "flavor"])
@pytest.mark.parametrize("system", ["EXECUTION_ID", "WORKFLOW_NAME", "NAMESPACE"])
def test_a_system_env_cannot_stand_in_a_field_argo_writes_into_the_pod_spec(make, where, system):
    # the image, volumes and resources are the pod's, set by Argo; a SystemEnv is filled in by the runtime
    expect_error(lambda: make(getattr(wf.SystemEnv, system)), where, "must be a literal or a Placeholder",
                 f"SystemEnv {system!r}")
    field = where.rsplit(".", 1)[-1]
    if field == "flavor":  # a flavor placeholder is JSON (test_validation_limits.py)
        compile_steps(make(placeholder("v", PT.JSON, default={"cpu": "1"})))
        return
    good = {"nfs_server_path": "10.0.0.1:/share", "local_path": "/mnt/x", "image_url": "example/train:2.0"}[field]
    compile_steps(make(placeholder("v", PT.STR, default=good)))


def test_a_system_env_is_still_usable_where_the_runtime_reads_the_value():
    compile_steps(job_step(algorithm=with_parameter(wf.SystemEnv.EXECUTION_ID)))


@pytest.mark.parametrize("field, default", [("max_execution_minutes", 10080), ("poll_interval_seconds", 1)])
def test_step_policy_numbers_cannot_be_none(field, default):
    expect_error(lambda: job_step(policy=wf.steps.StepPolicy(**{field: None})), f"JobStep 'train' > policy.{field}",
                 "got None", f"leave it out for the default, {default}")
    compile_steps(job_step(policy=wf.steps.StepPolicy()))


@pytest.mark.parametrize("bad", [5, 1.5, b"dir", ["a"], wf.data.InputStorage(name="other")], ids=repr)
def test_storage_join_takes_a_str(bad):
    storage = wf.data.OutputStorage(name="out")
    expect_error(lambda: storage.join(bad), "OutputStorage 'out' > join.directory", "must be str")
    expect_error(lambda: storage.join("a/").join(bad), "Storage 'out' path 'a/' > join.directory", "must be str")
    assert storage.join(None).relative_path() == "" and storage.join("a").join("b/").relative_path() == "a/b/"


@pytest.mark.parametrize("flag", ["with_execution_id", "create_dir"])
def test_storage_join_flags_are_bools(flag):
    storage = wf.data.OutputStorage(name="out")
    expect_error(lambda: storage.join("a/", **{flag: "yes"}), f"OutputStorage 'out' > join.{flag}", "must be bool")
    assert getattr(storage.join("a/", **{flag: False}), flag) is False


def test_a_storage_path_made_directly_holds_str_parts():
    storage = wf.data.OutputStorage(name="out")
    path = wf.data.StoragePath(storage=storage, parts=[5])
    expect_error(lambda: job_step(outputs=[job_output(path=path)]),
                 "JobStep 'train' > outputs[0].obs_config.obs_path.parts[0]", "must be str, got 5")


@pytest.mark.parametrize("name", ["a" * 64, "A" * 64, "a" * 60 + "_b-c"], ids=["64 lower", "64 upper", "64 mixed"])
def test_a_workflow_name_longer_than_63_as_an_argo_name_is_refused_when_compiled(name):
    expect_error(lambda: compile_steps(job_step(), name=name), f"Workflow {name!r} > name",
                 "64 characters as an Argo WorkflowTemplate name", "stop at 63")


@pytest.mark.parametrize("name", ["a" * 63, "a" * 63 + "_"], ids=["63", "64 ending in '_' (stripped)"])
def test_a_workflow_name_of_63_argo_characters_compiles(name):
    template = compile_steps(job_step(), name=name)
    assert template["metadata"]["name"] == "a" * 63
    assert template["spec"]["workflowMetadata"]["labels"]["wf2k8s.io/workflow"] == "a" * 63


def test_the_longest_step_and_placeholder_names_fit_argo_task_names():
    # Argo allows DAG task and template names of 128 characters (validate.go workflowFieldMaxLength, unlike the
    # 63 of object names): a 64-character step (or "debug-" and one, or a delayed placeholder's "input-" and one)
    # always fits, so no step name is refused for its length
    from argo_schema import check_document

    step = job_step("s" * 64, algorithm=with_parameter(placeholder("p" * 64, PT.INT, default=1, delay=True)))
    template = workflow(step).to_workflow_template(pause_before=[step.name])
    names = task_names(template) + [t["name"] for t in template["spec"]["templates"]]
    assert {"s" * 64, "debug-" + "s" * 64, "input-" + "p" * 64} <= set(names)
    assert max(map(len, names)) <= 128
    assert check_document(template) == []


@pytest.mark.parametrize("delay", [False, True])
def test_a_priority_placeholder_chooses_the_class_when_the_run_starts(delay):
    prio = placeholder("prio", PT.INT, default=2, delay=delay)
    document = wf.Workflow(name="wf", desc="d", steps=[job_step(spec=job_spec(priority=prio))]).to_workflow_template()
    text = json.dumps(document)
    # the run's value picks one of the three classes; any other value names a class no cluster has
    assert "get({'1': 'wf2k8s-low', '2': 'wf2k8s-medium', '3': 'wf2k8s-high'}" in text
    assert "?? 'wf2k8s-priority-' + " in text
    assert check_document(document) == []


@pytest.mark.parametrize("ptype", [t for t in PT if t is not PT.INT], ids=lambda t: t.name)
def test_a_priority_placeholder_of_another_type_is_refused_for_its_type_first(ptype):
    extra = {PT.LIST: dict(placeholder_format="int"), PT.ENUM: dict(enum_list=["a"])}.get(ptype, {})
    expect_error(lambda: job_step(spec=job_spec(priority=placeholder("prio", ptype, **extra))),
                 "JobStep 'train' > spec.schedule_policy.priority", f"Placeholder 'prio' is {ptype.name}, but a int")


@pytest.mark.parametrize("ptype, enum_list, bad, good", [
    (PT.INT, [1, 2], 5, 2),
    (PT.FLOAT, [0.5, 1.0], 1, 1.0),
    (PT.STR, ["a", "b"], "c", "a"),
    (PT.BOOL, [True], False, True),
], ids=["INT 5", "FLOAT 1 for 1.0", "STR", "BOOL"])
def test_a_placeholder_default_must_be_one_of_its_enum_list_whatever_its_type(ptype, enum_list, bad, good):
    expect_error(lambda: placeholder("p", ptype, enum_list=enum_list, default=bad), "Placeholder 'p' > default",
                 "enum_list")
    placeholder("p", ptype, enum_list=enum_list, default=good)


DESCRIBED = {
    "Workflow.desc": (lambda d: workflow(job_step(), desc=d), "Workflow 'wf' > desc"),
    "Step.description": (lambda d: job_step(description=d), "JobStep 'train' > description"),
    "Placeholder.description": (lambda d: placeholder(description=d), "Placeholder 'p' > description"),
    "Storage.description": (lambda d: wf.data.Storage(name="s", description=d), "Storage 's' > description"),
    "Subgraph.description": (lambda d: wf.Subgraph(name="g", steps=[job_step()], description=d),
                             "Subgraph 'g' > description"),
    "DatasetVersionConfig.description": (
        lambda d: release_step(version_config=wf.data.DatasetVersionConfig(description=d)),
        "ReleaseDatasetStep 'release' > outputs[0].dataset_version_config.description"),
}


@pytest.mark.parametrize("field", sorted(DESCRIBED))
def test_a_description_is_at_most_16_kib(field):
    # the WorkflowTemplate's annotations (the workflow's desc) may hold 256 KiB in all, the object about 1.5 MiB
    build, where = DESCRIBED[field]
    expect_error(lambda: build("x" * (300 * 1024)), where, "at most 16384 bytes", "256 KiB", "got 307200 bytes")
    expect_error(lambda: build("\u00e9" * 8193), where, "got 16386 bytes")  # counted as UTF-8
    build("x" * 16384)


def test_a_workflow_with_the_longest_descriptions_stays_under_the_annotation_limit():
    long = "\u00e9" * 8192  # 16 KiB of UTF-8
    template = compile_steps(job_step(description=long, algorithm=with_parameter(placeholder(description=long))),
                             desc=long)
    annotations = template["metadata"]["annotations"]
    assert sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items()) < 256 * 1024


@pytest.mark.parametrize("bad", ["Wf2k8s", "my_ns", "-ns", "ns-", "a" * 64, "ns.x", " ns"], ids=repr)
def test_the_namespace_option_is_a_dns_label(bad):
    expect_error(lambda: workflow(job_step()).to_workflow_template(namespace=bad), "namespace",
                 "DNS-1123 label", repr(bad))
    assert workflow(job_step()).to_workflow_template(namespace="team-a1")["metadata"]["namespace"] == "team-a1"
    assert "namespace" not in workflow(job_step()).to_workflow_template(namespace="")["metadata"]


def test_whitelist_functions_grant_the_version_they_name(monkeypatch):
    """Seed 4.9.2: add_whitelist_users(content_id, version_num, user_groups) shares that version's template."""
    from wf2k8s.sdk import gallery

    applied: list[dict] = []
    monkeypatch.setattr(gallery.platform.cluster, "get_object", lambda *args: None)
    monkeypatch.setattr(gallery.platform.cluster, "apply_manifest", applied.append)
    wf.add_whitelist_users(content_id="demo", version_num="1.0.2", user_groups=["bob"])
    role = next(m for m in applied if m["kind"] == "Role")
    assert role["rules"][0]["resourceNames"] == ["demo-v1-0-2"]
    applied.clear()
    wf.add_whitelist_users(content_id="demo-v1-0-2", version_num="1.0.2", user_groups=["bob"])  # as released
    assert next(m for m in applied if m["kind"] == "Role")["rules"][0]["resourceNames"] == ["demo-v1-0-2"]
    expect_error(lambda: wf.add_whitelist_users(content_id="demo", version_num="v1", user_groups=["b"]),
                 "whitelist > version_num", "must be x.x.x")
