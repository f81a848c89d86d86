"""Literal settings the runtime would refuse only when their phase starts are refused when the pipeline is
compiled, with the same rule (wf2k8s/contract/support.py); the runtime keeps its check for placeholder values."""

from __future__ import annotations

import pytest

import wf2k8s as wf
from wf2k8s import ValidationError
from wf2k8s.contract import support
from wf2k8s.runtime import dataset as runtime_dataset
from wf2k8s.runtime import labeling as runtime_labeling
from wf2k8s.runtime import service as runtime_service

from test_validation import (  # tests/unit is on sys.path: pytest prepends the test file's folder
    PT, compile_steps, job_spec, job_step, labeling_step, placeholder, service_step,
)

SERVICE_CONFIG = "ServiceStep 'deploy' > outputs[0].service_config"


def message_of(build) -> str:
    with pytest.raises(ValidationError) as info:
        build()
    return str(info.value)


def test_the_runtime_reads_the_same_limits():
    # one list for both sides, so the compile-time rule cannot drift from the runtime's
    assert runtime_service.UNSUPPORTED is support.SERVICE_UNSUPPORTED_FIELDS
    assert runtime_dataset.SUPPORTED is support.ANNOTATION_FORMATS
    assert set(runtime_labeling.INTERFACES) == set(support.LABELING_TASK_TYPES)


@pytest.mark.parametrize("name", support.SERVICE_UNSUPPORTED_FIELDS)
def test_service_config_network_and_pool_fields_are_refused(name):
    value = ["app-1"] if name == "apps" else "x-1"
    assert message_of(lambda: service_step(service_config=wf.steps.ServiceConfig(**{name: value}))) == (
        f"{SERVICE_CONFIG}.{name}: cannot be applied on Kubernetes (a KServe InferenceService has no ModelArts "
        "network or resource pool); leave it out")
    # a placeholder's value is known when the run starts: the runtime refuses it then
    compile_steps(service_step(service_config=wf.steps.ServiceConfig(apps=placeholder("apps", PT.STR))))


def test_service_config_additional_properties_of_a_real_time_service_are_refused():
    config = wf.steps.ServiceConfig(additional_properties={"src_path": "obs://b/in/"})
    assert message_of(lambda: service_step(service_config=config)) == (
        f"{SERVICE_CONFIG}.additional_properties: is for infer_type 'batch' only; it cannot be applied on "
        "Kubernetes to a real-time service, leave it out")


@pytest.mark.parametrize("task_type", ["IMAGE_SEGMENTATION", "TEXT_TRIPLE", "DATASET_TABULAR", "VIDEO_ANNOTATION"])
def test_unsupported_labeling_task_types_are_refused(task_type):
    build = lambda: labeling_step(task_type=wf.data.LabelTaskTypeEnum[task_type])  # noqa: E731
    assert message_of(build) == (
        f"LabelingStep 'label' > properties.task_type: {task_type} labeling is not supported on Kubernetes yet; "
        "supported: IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION, AUDIO_CLASSIFICATION, OBJECT_DETECTION, "
        "NAMED_ENTITY_RECOGNITION")
    compile_steps(labeling_step(task_type=wf.data.LabelTaskTypeEnum.OBJECT_DETECTION))


def create_dataset_step(**properties) -> wf.steps.CreateDatasetStep:
    return wf.steps.CreateDatasetStep(
        name="create",
        inputs=[wf.steps.CreateDatasetInput(name="data", data=wf.data.OBSPath(obs_path="obs://b/in/"))],
        outputs=[wf.steps.CreateDatasetOutput(name="dataset", config=wf.data.OBSOutputConfig(obs_path="obs://b/ds/"))],
        properties=wf.steps.DatasetProperties(dataset_name="flowers", data_type=wf.data.DataTypeEnum.IMAGE,
                                              **properties),
    )


@pytest.mark.parametrize("table", [1, wf.data.DatasetTypeEnum.TABLE], ids=["1", "TABLE"])
def test_table_datasets_are_refused(table):
    assert message_of(lambda: create_dataset_step(dataset_format=table)) == (
        "CreateDatasetStep 'create' > properties.dataset_format: table datasets are not supported on Kubernetes; "
        "use 0 (file)")
    compile_steps(create_dataset_step(dataset_format=0))


def test_image_segmentation_labels_are_refused():
    segmentation = wf.steps.AnnotationFormatConfig(format_name=wf.steps.AnnotationFormatEnum.MA_IMAGE_SEGMENTATION_V1)
    build = lambda: create_dataset_step(import_config=wf.steps.ImportConfig(  # noqa: E731
        annotation_format_config=[segmentation]))
    assert message_of(build) == (
        "CreateDatasetStep 'create' > properties.import_config.annotation_format_config[0].format_name: "
        "MA_IMAGE_SEGMENTATION_V1 labels cannot be read on Kubernetes yet; supported: MA_IMAGE_CLASSIFICATION_V1, "
        "MA_IMAGENET_V1, MA_PASCAL_VOC_V1, YOLO, MA_TEXT_CLASSIFICATION_V1, MA_TEXT_CLASSIFICATION_COMBINE_V1, "
        "MA_AUDIO_CLASSIFICATION_DIR_V1")
    voc = wf.steps.AnnotationFormatConfig(format_name=wf.steps.AnnotationFormatEnum.MA_PASCAL_VOC_V1)
    compile_steps(create_dataset_step(import_config=wf.steps.ImportConfig(annotation_format_config=[voc])))


@pytest.mark.parametrize("ptype", [PT.STR, PT.ENUM], ids=lambda t: t.name)
def test_a_flavor_id_placeholder_is_refused(ptype):
    # its value would reach the pod spec's resources as text: the pod could not be made
    extra = dict(enum_list=["modelarts.vm.cpu.2u"]) if ptype is PT.ENUM else dict(default="modelarts.vm.cpu.2u")
    flavor = placeholder("train_flavor", ptype, **extra)
    assert message_of(lambda: job_step(spec=job_spec(flavor=flavor))) == (
        f"JobStep 'train' > spec.resource.flavor: Placeholder 'train_flavor' is {ptype.name}, but a flavor is "
        "needed here (JSON): its value becomes the job pod's resources as it is, a map such as "
        "{\"cpu\": \"2\", \"memory\": \"8Gi\"} (give a flavor id such as 'modelarts.vm.cpu.2u' as a literal)")

    # a JSON placeholder's values are dicts (Placeholder's own rule)
    compile_steps(job_step(spec=job_spec(flavor=placeholder("train_flavor", PT.JSON, default={"cpu": "1"}))))
