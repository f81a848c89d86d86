"""More validation rules: exact names, the field path and both sides of name conflicts, enum
defaults compared by type, and placeholder defaults against the rules of the field using them."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import wf2k8s as wf
from wf2k8s import ValidationError

from test_validation import (  # tests/unit is on sys.path: pytest prepends the test file's folder
    PT, compile_steps, expect_error, job_spec, job_step, model_config, model_step, parameters_of, placeholder,
    release_step, with_parameter,
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
        compile_steps(job_step("x", spec=job_spec(priority=first)), job_step("y", spec=job_spec(priority=second)))
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
