"""The typed phase contract: one frozen dataclass per phase kind, and the parts they share.

The graph model holds one of these per phase, a backend writes it as the phase's spec (JSON), and
the runtime reads the spec back into the same class. Field names are the SDK's (the seed's), so a
spec reads like the pipeline that made it. Every value the SDK defaults is written out: a field
without a Python default here must be in the spec, so the runtime never supplies a default of its
own. Fields that may be absent default to None.

Values a user may give as a placeholder, a storage path or another step's output are typed
``Text``/``Whole``/``Flag``/``Scalar`` (the literal type, or a reference); ``JSON`` is a free JSON
value (with references inside) where the SDK takes a dict or list as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from wf2k8s.contract.refs import Cond, MetricRef, OutputRef, ParamRef, SelectRef, StorageRef, SystemRef, VariableRef

#: the version of this contract; the runtime refuses a spec of another major version
CONTRACT_VERSION = "1.0"

Ref = Union[ParamRef, SystemRef, StorageRef, OutputRef, VariableRef, MetricRef, SelectRef]
Text = Union[str, Ref]
Whole = Union[int, Ref]
Flag = Union[bool, Ref]
Scalar = Union[str, int, float, bool, Ref]
JSON = Any



# data objects (seed 4.1.3): what an input's data can be besides an OBS path or a reference --------------


@dataclass(frozen=True, kw_only=True)
class Dataset:
    KIND: ClassVar[str] = "dataset"
    dataset_name: str
    version_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class LabelTask:
    KIND: ClassVar[str] = "label_task"
    dataset_name: str
    task_name: str


@dataclass(frozen=True, kw_only=True)
class ServiceData:
    KIND: ClassVar[str] = "service_data"
    service_id: str


@dataclass(frozen=True, kw_only=True)
class SWRImage:
    KIND: ClassVar[str] = "swr_image"
    swr_path: str


@dataclass(frozen=True, kw_only=True)
class GalleryModel:
    KIND: ClassVar[str] = "gallery_model"
    subscription_id: str
    version_num: str


@dataclass(frozen=True, kw_only=True)
class ModelData:
    KIND: ClassVar[str] = "model_data"
    model_name: Text
    weight: int
    model_version: Text | None = None
    specification: str | None = None
    envs: dict[str, JSON] | None = None


#: an input's data: an OBS path (text), a data object, or a reference (placeholder, output, selector)
Data = Union[str, Dataset, LabelTask, ServiceData, SWRImage, GalleryModel, ModelData, Ref]
DATA_OBJECTS = (Dataset, LabelTask, ServiceData, SWRImage, GalleryModel, ModelData)


# parts several phases share -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PhasePolicy:
    """How often a phase that waits looks again, and how long it may run (seed StepPolicy)."""

    poll_interval_seconds: float
    max_execution_minutes: float


@dataclass(frozen=True, kw_only=True)
class Input:
    name: str
    data: Data


@dataclass(frozen=True, kw_only=True)
class Named:
    """An output that is only a name (labeling, dataset import)."""

    name: str


@dataclass(frozen=True, kw_only=True)
class OBSOutputConfig:
    obs_path: Text
    metric_file: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """A hyperparameter (AlgorithmParameters): ``--name=value``."""

    name: str
    value: Scalar


@dataclass(frozen=True, kw_only=True)
class Label:
    name: str | None = None
    property: JSON = None
    type: str | None = None


@dataclass(frozen=True, kw_only=True)
class Phase:
    """What every phase spec starts with: the contract version, the step's ModelArts name, title,
    description and policy."""

    contract: str = field(default=CONTRACT_VERSION)
    step: str
    title: str
    description: str | None = None
    policy: PhasePolicy


# job (seed 4.4.5) ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Engine:
    engine_id: Text | None = None
    engine_name: Text | None = None
    engine_version: Text | None = None
    image_url: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Algorithm:
    """BaseAlgorithm, Algorithm (algorithm_id) or AIGalleryAlgorithm (subscription) in one shape."""

    id: str | None = None
    algorithm_id: str | None = None
    subscription_id: str | None = None
    item_version_id: str | None = None
    code_dir: Text | None = None
    boot_file: Text | None = None
    command: Text | None = None
    parameters: list[Parameter] | None = None
    engine: Engine | None = None
    environments: dict[str, JSON] | None = None


@dataclass(frozen=True, kw_only=True)
class MetricsConfig:
    metric_files: list[Text]
    realtime_visualization: bool
    visualization: bool


@dataclass(frozen=True, kw_only=True)
class Template:
    template_id: Text
    template_inputs: list[TemplateInput]
    infer_format: Text | None = None


@dataclass(frozen=True, kw_only=True)
class TemplateInput:
    input_id: Text
    input: Text


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    model_type: Text
    prebuild: Flag
    model_name: Text | None = None
    model_version: Text | None = None
    runtime: Text | None = None
    description: str | None = None
    execution_code: str | None = None
    dependencies: JSON = None
    model_metrics: JSON = None
    apis: JSON = None
    initial_config: JSON = None
    template: Template | None = None
    dynamic_load_mode: Text | None = None
    install_type: JSON = None


@dataclass(frozen=True, kw_only=True)
class JobOutput:
    name: str
    obs_config: OBSOutputConfig | None = None
    model_config: ModelConfig | None = None
    metrics_config: MetricsConfig | None = None


@dataclass(frozen=True, kw_only=True)
class JobResource:
    #: a resource map ({"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": 1}) or a flavor placeholder
    flavor: Union[dict[str, JSON], Ref]
    node_count: Whole


@dataclass(frozen=True, kw_only=True)
class NFS:
    nfs_server_path: Text
    local_path: Text
    read_only: Flag


@dataclass(frozen=True, kw_only=True)
class Volume:
    nfs: NFS | None = None


@dataclass(frozen=True, kw_only=True)
class SchedulePolicy:
    priority: Whole


@dataclass(frozen=True, kw_only=True)
class LogExportPath:
    obs_url: Text


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    resource: JobResource
    log_export_path: LogExportPath | None = None
    schedule_policy: SchedulePolicy | None = None
    volumes: list[Volume] | None = None


@dataclass(frozen=True, kw_only=True)
class JobMetadata:
    job_type: str
    tags: dict[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class JobPhase(Phase):
    algorithm: Algorithm
    spec: JobSpec
    inputs: list[Input]
    outputs: list[JobOutput]
    metadata: JobMetadata | None = None


# model registration (seed 4.4.6) -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ModelOutput:
    name: str
    model_config: ModelConfig


@dataclass(frozen=True, kw_only=True)
class ModelPhase(Phase):
    inputs: list[Input]
    outputs: list[ModelOutput]


# service deployment (seed 4.4.7) ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    infer_type: str
    service_name: Text | None = None
    description: str | None = None
    vpc_id: str | None = None
    subnet_network_id: str | None = None
    security_group_id: str | None = None
    cluster_id: str | None = None
    additional_properties: dict[str, JSON] | None = None
    apps: JSON = None
    envs: dict[str, JSON] | None = None


@dataclass(frozen=True, kw_only=True)
class TripartiteServiceConfig:
    """A service run elsewhere: the step only publishes its addresses."""

    KIND: ClassVar[str] = "tripartite_service_config"
    service_name: Text
    access_address: Text
    cluster_inner_access_address: Text | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ServiceOutput:
    name: str
    service_config: Union[ServiceConfig, TripartiteServiceConfig]


@dataclass(frozen=True, kw_only=True)
class ServicePhase(Phase):
    inputs: list[Input]
    outputs: list[ServiceOutput]


# condition (seed 4.4.8) --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConditionPhase(Phase):
    conditions: list[Cond]


# datasets (seed 4.4.1-4.4.4) ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AnnotationFormatParameters:
    difficult_only: bool
    label_separator: str
    sample_label_separator: str
    included_labels: list[Label] | None = None


@dataclass(frozen=True, kw_only=True)
class AnnotationFormatConfig:
    format_name: str | None = None
    parameters: AnnotationFormatParameters | None = None
    scene: str | None = None


@dataclass(frozen=True, kw_only=True)
class ImportConfig:
    import_annotations: Union[str, bool, Ref]
    import_type: Union[str, int]
    annotation_format_config: list[AnnotationFormatConfig] | None = None


@dataclass(frozen=True, kw_only=True)
class SchemaField:
    name: str
    type: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class DatasetProperties:
    dataset_name: Text
    dataset_format: Union[int, str]
    data_type: str
    import_data: bool
    work_path_type: int
    description: str | None = None
    import_config: ImportConfig | None = None
    schema: list[SchemaField] | None = None


@dataclass(frozen=True, kw_only=True)
class CreateDatasetOutput:
    name: str
    config: OBSOutputConfig


@dataclass(frozen=True, kw_only=True)
class CreateDatasetPhase(Phase):
    inputs: list[Input]
    outputs: list[CreateDatasetOutput]
    properties: DatasetProperties


@dataclass(frozen=True, kw_only=True)
class LabelTaskProperties:
    task_type: str
    auto_sync_dataset: bool
    content_labeling: bool
    task_name: Text | None = None
    labels: list[Label] | None = None
    properties: dict[str, JSON] | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class LabelingPhase(Phase):
    inputs: list[Input]
    outputs: list[Named]
    properties: LabelTaskProperties | None = None


@dataclass(frozen=True, kw_only=True)
class LabelFormat:
    label_type: str
    label_separator: str
    sample_label_separator: str


@dataclass(frozen=True, kw_only=True)
class ImportDataInfo:
    import_annotated: bool
    import_annotations: bool
    import_samples: bool
    import_type: str
    data_origin: str
    annotation_format_config: list[AnnotationFormatConfig] | None = None
    excluded_labels: list[Label] | None = None
    included_labels: list[Label] | None = None
    label_format: LabelFormat | None = None


@dataclass(frozen=True, kw_only=True)
class DatasetImportPhase(Phase):
    inputs: list[Input]
    outputs: list[Named]
    properties: ImportDataInfo


@dataclass(frozen=True, kw_only=True)
class DatasetVersionConfig:
    version_format: str
    train_evaluate_sample_ratio: Union[str, int, float, Ref]
    clear_hard_property: Flag
    remove_sample_usage: Flag
    version_name: Text | None = None
    label_task_type: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseDatasetOutput:
    name: str
    dataset_version_config: DatasetVersionConfig


@dataclass(frozen=True, kw_only=True)
class ReleaseDatasetPhase(Phase):
    inputs: list[Input]
    outputs: list[ReleaseDatasetOutput]


# MRS Spark job (seed 4.10.2) -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MrsAlgorithm:
    boot_file: Text
    parameters: list[Parameter] | None = None


@dataclass(frozen=True, kw_only=True)
class MrsJobOutput:
    name: str
    obs_config: OBSOutputConfig


@dataclass(frozen=True, kw_only=True)
class MrsJobPhase(Phase):
    algorithm: MrsAlgorithm
    inputs: list[Input]
    outputs: list[MrsJobOutput]
    cluster_id: Text | None = None


# image resolution: not a user step; resolves a JobStep's engine, algorithm id or subscription ---------------


@dataclass(frozen=True, kw_only=True)
class ResolvePhase:
    contract: str = field(default=CONTRACT_VERSION)
    #: the backend's name for this task (resolve-image-N)
    step: str
    #: the JobStep it resolves for (the first one, when several share an engine)
    for_step: str
    algorithm: Algorithm


#: the events a subscription is for (seed 3.1.5): a run or phase awaiting input, executed, or abnormal
NOTIFY_EVENTS = ("Awaiting input", "Executed", "Abnormal")


@dataclass(frozen=True, kw_only=True)
class NotifyTarget:
    #: an http(s) URL the event is POSTed to
    url: str
    #: the subscribed events (of NOTIFY_EVENTS)
    events: list[str]


@dataclass(frozen=True, kw_only=True)
class NotifyPhase:
    """One event of a run to the webhooks subscribed to it (a lifecycle hook of the backend's)."""

    contract: str = field(default=CONTRACT_VERSION)
    #: the backend's name for this hook
    step: str
    #: the pipeline's name (the seed's workflow name)
    workflow: str
    #: the phase the event is of; None: the whole run
    for_step: str | None = None
    #: the event; None at the end of a run: the run's status decides (Executed, or Abnormal)
    event: str | None = None
    #: the run's (the phase's) status when the hook ran, as the engine gives it
    status: str = ""
    targets: list[NotifyTarget]


@dataclass(frozen=True, kw_only=True)
class RunEndPhase:
    """The end of a run (the backend's exit hook): its record in MLflow tracking, and the notifications of its
    end (Executed, Abnormal) to the webhooks subscribed to the run."""

    contract: str = field(default=CONTRACT_VERSION)
    step: str
    #: the pipeline's name: the MLflow experiment, unless the run names another (``experiment_id``)
    workflow: str
    #: the run's status when it ended, as the engine gives it
    status: str
    #: the engine's task of each step (task -> step), to read the steps' statuses and metrics
    tasks: dict[str, str]
    targets: list[NotifyTarget] = field(default_factory=list)
