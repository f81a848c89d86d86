"""``wf.data``: the data objects of seed 4.1.3 and their enums."""

from __future__ import annotations

import enum
import json
from typing import Any, ClassVar

from wf2k8s.sdk._spec import (
    Checker, Many, OptionalMany, Spec, description_size, field, in_range, is_name, matches, max_length, one_of, spec,
    without_chars,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.storage import InputStorage, OutputStorage, Storage, StoragePath, StorageValue

__all__ = [
    "DatasetTypeEnum", "DataTypeEnum", "LabelTaskTypeEnum", "LabelTypeEnum", "Label",
    "Dataset", "LabelTask", "OBSPath", "ServiceData", "SWRImage", "GalleryModel", "ModelData",
    "DataPlaceholder", "DatasetPlaceholder", "OBSPlaceholder", "LabelTaskPlaceholder", "ServiceUpdatePlaceholder",
    "SWRImagePlaceholder", "SWRIImagePlaceholder", "ServiceInputPlaceholder", "DataSelector",
    "Consumption", "OBSConsumption", "DatasetConsumption", "LabelTaskConsumption", "DataConsumptionSelector",
    "OBSOutputConfig", "MetricsConfig", "DatasetVersionConfig", "LabelTaskConfig", "TripartiteServiceConfig",
    "Storage", "InputStorage", "OutputStorage", "StoragePath",
]


class DatasetTypeEnum(enum.Enum):
    """``DatasetProperties.dataset_format``: 0 is a file dataset, 1 a table dataset."""

    FILE = 0
    TABLE = 1


class LabelTaskTypeEnum(enum.Enum):
    """Labeling scenarios, valued with ModelArts' task type codes."""

    IMAGE_CLASSIFICATION = 0
    OBJECT_DETECTION = 1
    IMAGE_SEGMENTATION = 3
    TEXT_CLASSIFICATION = 100
    NAMED_ENTITY_RECOGNITION = 101
    TEXT_TRIPLE = 102
    AUDIO_CLASSIFICATION = 200
    SPEECH_CONTENT = 201
    SPEECH_SEGMENTATION = 202
    DATASET_TABULAR = 400
    TABLE = 400  # the name DatasetVersionConfig's table uses
    VIDEO_ANNOTATION = 600
    FREE_FORMAT = 900


class DataTypeEnum(enum.Enum):
    """Data types of a dataset. The labeling scenario names are accepted as their data type."""

    IMAGE = "IMAGE"
    TEXT = "TEXT"
    AUDIO = "AUDIO"
    TABULAR = "TABULAR"
    VIDEO = "VIDEO"
    FREE_FORMAT = "FREE_FORMAT"
    IMAGE_CLASSIFICATION = "IMAGE"
    OBJECT_DETECTION = "IMAGE"
    IMAGE_SEGMENTATION = "IMAGE"
    TEXT_CLASSIFICATION = "TEXT"
    NAMED_ENTITY_RECOGNITION = "TEXT"
    TEXT_TRIPLE = "TEXT"
    AUDIO_CLASSIFICATION = "AUDIO"
    SPEECH_CONTENT = "AUDIO"
    SPEECH_SEGMENTATION = "AUDIO"
    DATASET_TABULAR = "TABULAR"
    VIDEO_ANNOTATION = "VIDEO"


OBS_PATH_TEXT = "an OBS path (obs://bucket/key or /bucket/key)"
OBS_PATH_PATTERN = r"(obs://|s3://|/)[^/\s]+(/.*)?"


def obs_path_check(value: Any) -> str | None:
    return matches(OBS_PATH_PATTERN, OBS_PATH_TEXT)(value)


# actual data objects ---------------------------------------------------------------------------


@spec
class Dataset(Spec):
    """An existing dataset and, for a JobStep, its version (seed table 4-4).

    On Kubernetes: a dataset on the cluster's S3 bucket under ``datasets/<dataset_name>/``, its versions
    under ``versions/<version_name>/`` (a manifest and its files).
    """

    dataset_name: str = field(str, required=True)
    version_name: str | None = field(str, default=None)


@spec
class LabelTask(Spec):
    """An existing labeling job of a dataset (seed table 4-5).

    On Kubernetes: a Label Studio project, recorded as ``datasets/<dataset_name>/tasks/<task_name>.json``.
    """

    dataset_name: str = field(str, required=True)
    task_name: str = field(str, required=True)


@spec
class OBSPath(Spec):
    """An OBS path (seed table 4-6): ``obs://bucket/key``, ``/bucket/key``, or a Storage path.

    On Kubernetes: an object or prefix on the cluster's S3 server (bucket and key unchanged).
    """

    obs_path: str | StorageValue = field(str, StorageValue, required=True, checks=[obs_path_check])


@spec
class ServiceData(Spec):
    """An existing service to update, by id (seed table 4-7). On Kubernetes: a KServe InferenceService, by name."""

    service_id: str = field(str, required=True)


@spec
class SWRImage(Spec):
    """An existing container image, for model registration (seed table 4-8): ``organization/image:tag``,
    with or without a registry. On Kubernetes: the registered MLflow model version's ``modelarts.image``."""

    swr_path: str = field(str, required=True)


@spec
class GalleryModel(Spec):
    """A model subscribed from AI Gallery (seed table 4-9), for model registration.

    On Kubernetes: resolved when the run starts from the catalog's ``gallery_models`` (ConfigMap
    ``wf2k8s-catalog``), which gives its image and model type."""

    subscription_id: str = field(str, required=True)
    version_num: str = field(str, required=True)


@spec
class ModelData(Spec):
    """A version of a registered model, to deploy without waiting for input.

    The fixed counterpart of ServiceInputPlaceholder; ``model_version`` blank means the latest.
    """

    model_name: str | Placeholder = field(str, Placeholder, required=True, scalar="str")
    model_version: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    specification: str | None = field(str, default=None)
    weight: int = field(int, default=100, checks=[in_range(0, 100)])
    envs: dict[str, Any] | None = field(dict, default=None)


# placeholders for data -------------------------------------------------------------------------


class DataPlaceholder(Spec):
    """A data object set when a run starts (or, with ``delay``, when the phase that needs it runs).

    On Kubernetes: a WorkflowTemplate parameter holding the object (a path, or JSON); with ``delay`` a
    suspend node placed before the first phase that needs it, shown as awaiting input in the Argo UI.
    """

    validate_on_init = True
    #: what the value is, for the backends and the runtime
    data_kind: ClassVar[str] = ""
    #: every kind has a name (a field of each subclass)
    name: str

    def definition(self) -> tuple[str, str]:
        values = {k: v for k, v in vars(self).items() if k != "name"}
        return (type(self).__name__, json.dumps(values, sort_keys=True, default=lambda o: repr(vars(o))))


@spec
class DatasetPlaceholder(DataPlaceholder):
    """A dataset (and version) given when the run starts (seed table 4-10).

    On Kubernetes: a WorkflowTemplate parameter holding ``{"dataset_name": ..., "version_name": ...}``.
    """

    name: str = field(str, required=True, checks=[is_name])
    data_type: DataTypeEnum | None = field(DataTypeEnum, default=None)
    delay: bool = field(bool, default=False)
    default: Dataset | None = field(Dataset, default=None)
    data_kind = "dataset"


@spec
class OBSPlaceholder(DataPlaceholder):
    """An OBS file or directory given when the run starts (seed table 4-11).

    On Kubernetes: a WorkflowTemplate parameter holding the path on the cluster's S3 server.
    """

    name: str = field(str, required=True, checks=[is_name])
    object_type: str = field(str, required=True, checks=[one_of("file", "directory")])
    delay: bool = field(bool, default=False)
    default: OBSPath | None = field(OBSPath, default=None)
    data_kind = "obs"

    def check(self, error: Checker) -> None:
        if isinstance(self.default, OBSPath) and isinstance(self.default.obs_path, StorageValue):
            error("default.obs_path", f"must be {OBS_PATH_TEXT}, got {self.default.obs_path.label()}: a placeholder's "
                  "default is the text of a WorkflowTemplate parameter, fixed when the pipeline is released, and a "
                  "storage path is known only when a run starts")


@spec
class LabelTaskPlaceholder(DataPlaceholder):
    """A labeling job given when the run starts (seed table 4-12).

    On Kubernetes: a WorkflowTemplate parameter holding ``{"dataset_name": ..., "task_name": ...}``.
    """

    name: str = field(str, required=True, checks=[is_name])
    task_type: LabelTaskTypeEnum | None = field(LabelTaskTypeEnum, default=None)
    delay: bool = field(bool, default=False)
    data_kind = "label_task"


@spec
class ServiceUpdatePlaceholder(DataPlaceholder):
    """The existing service a ServiceStep updates, given when the run starts (seed table 4-13).

    On Kubernetes: a WorkflowTemplate parameter naming the KServe InferenceService to update.
    """

    name: str = field(str, required=True, checks=[is_name])
    delay: bool = field(bool, default=False)
    data_kind = "service"


@spec
class SWRImagePlaceholder(DataPlaceholder):
    """A container image for model registration, given when the run starts (seed table 4-14).

    On Kubernetes: a WorkflowTemplate parameter holding the image reference.
    """

    name: str = field(str, required=True, checks=[is_name])
    delay: bool = field(bool, default=False)
    data_kind = "swr"


#: the spelling of the seed's table 4-14
SWRIImagePlaceholder = SWRImagePlaceholder


@spec
class ServiceInputPlaceholder(DataPlaceholder):
    """The models to deploy, given while the run waits (seed table 4-15; ``delay`` is True by default).

    A list ``[{"model_name", "model_version", "specification", "weight"}]``: weights summing to 100, one model
    name, distinct versions. On Kubernetes: a suspend node; ``wf2k8s input`` checks the value before resuming.
    """

    name: str = field(str, required=True, checks=[is_name])
    model_name: str | Placeholder = field(str, Placeholder, required=True, scalar="str")
    model_version: str | None = field(str, default=None)
    envs: dict[str, Any] | None = field(dict, default=None)
    delay: bool = field(bool, default=True)
    data_kind = "service_input"


@spec
class DataSelector(DataPlaceholder):
    """An input that is either an OBS path or a dataset, chosen when the run starts (seed table 4-16).

    On Kubernetes: a WorkflowTemplate parameter holding an OBS path or a dataset as JSON.
    """

    name: str = field(str, required=True, checks=[is_name])
    data_type_list: list[str] = field(list, required=True)
    delay: bool = field(bool, default=False)
    data_kind = "data_selector"

    def check(self, error: Checker) -> None:
        if not self.data_type_list:
            error("data_type_list", "must not be empty")
        for i, item in enumerate(self.data_type_list or []):
            if item not in ("obs", "dataset"):
                error(f"data_type_list[{i}]", f"must be obs or dataset, got {item!r}")


# outputs of other steps -----------------------------------------------------------------------


@spec
class Consumption(Spec):
    """``step.outputs["name"].as_input()``: the output of another step, used as an input.

    On Kubernetes: the producing task's ``result`` output parameter, passed to this task (the task
    then depends on the producer).
    """

    step: Any = field(required=True)  # a Step (wf2k8s.sdk.steps.base imports this module)
    output_name: str = field(str, required=True)

    def label(self) -> str:
        return f"output {self.output_name!r} of step {getattr(self.step, 'name', '?')!r}"


@spec
class OBSConsumption(Consumption):
    """An OBS directory written by another step (a JobStep output, a dataset creation output)."""


@spec
class DatasetConsumption(Consumption):
    """A dataset (and version) produced by another step."""


@spec
class LabelTaskConsumption(Consumption):
    """A labeling job produced by another step."""


@spec
class DataConsumptionSelector(Spec):
    """The output of whichever listed step actually ran (seed 4.6, table 4-17).

    On Kubernetes: the task gets each candidate's ``result`` (``null`` for one that was skipped) and the
    runtime takes the one that ran.
    """

    data_list: Many[Consumption] = field(Consumption, required=True, many=True)

    def check(self, error: Checker) -> None:
        if not self.data_list:
            error("data_list", "must not be empty")


# output configurations ----------------------------------------------------------------------


@spec
class OBSOutputConfig(Spec):
    """Where an output goes (seed table 4-41): an OBS directory, and the file holding its metrics.

    On Kubernetes: the S3 prefix the runtime uploads the output directory to when the phase succeeds.
    """

    obs_path: str | Placeholder | StorageValue = field(str, Placeholder, StorageValue, required=True, scalar="str",
                                                      checks=[obs_path_check])
    metric_file: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")


@spec
class MetricsConfig(Spec):
    """The metric files of a JobStep output, for visualization (seed table 4-52).

    On Kubernetes: read by the runtime after the code exits 0; float metrics feed MetricInfo conditions,
    and all of them are rendered as an HTML page kept as the job's ``metrics`` artifact.
    """

    metric_files: Many[str | Placeholder | StorageValue] = field(str, Placeholder, StorageValue, required=True,
                                                                many=True, scalar="str")
    realtime_visualization: bool = field(bool, default=False)
    visualization: bool = field(bool, default=True)


RATIO = in_range(0, 1)


@spec
class DatasetVersionConfig(Spec):
    """How a dataset version is released (seed 4.4.4, ReleaseDatasetOutput's dataset_version_config).

    On Kubernetes: an immutable ``datasets/<name>/versions/<version_name>/`` on the cluster's S3 bucket
    (a manifest and ``version.json``), split into training and validation by the ratio.
    """

    version_name: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    version_format: str = field(str, default="Default", checks=[one_of("Default", "CarbonData")])
    train_evaluate_sample_ratio: str | float | Placeholder = field(str, float, int, Placeholder, default="1.00",
                                                                  scalar="number", checks=[RATIO])
    clear_hard_property: bool | Placeholder = field(bool, Placeholder, default=True, scalar="bool")
    remove_sample_usage: bool | Placeholder = field(bool, Placeholder, default=True, scalar="bool")
    label_task_type: LabelTaskTypeEnum | None = field(LabelTaskTypeEnum, default=None)
    description: str | None = field(str, default=None, checks=[description_size])


@spec
class TripartiteServiceConfig(Spec):
    """A service run outside wf2k8s (third party), registered so later steps can use its address.

    Used as ``ServiceOutput.service_config``: the step deploys nothing and outputs these addresses.
    """

    service_name: str | Placeholder = field(str, Placeholder, required=True, scalar="str")
    access_address: str | Placeholder = field(str, Placeholder, required=True, scalar="str")
    cluster_inner_access_address: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    description: str | None = field(str, default=None, checks=[description_size])


class LabelTypeEnum(enum.Enum):
    """The scenario a label belongs to (the same codes as LabelTaskTypeEnum)."""

    IMAGE_CLASSIFICATION = 0
    OBJECT_DETECTION = 1
    IMAGE_SEGMENTATION = 3
    TEXT_CLASSIFICATION = 100
    NAMED_ENTITY_RECOGNITION = 101
    TEXT_TRIPLE = 102
    AUDIO_CLASSIFICATION = 200
    SPEECH_CONTENT = 201
    SPEECH_SEGMENTATION = 202
    DATASET_TABULAR = 400
    VIDEO_ANNOTATION = 600
    FREE_FORMAT = 900


@spec
class Label(Spec):
    """A label (seed table 4-28): its name, properties such as colour and shortcut key, and scenario.

    On Kubernetes: an option of the Label Studio project's labeling interface (``@modelarts:color`` and
    ``@modelarts:shortcut`` become its colour and hotkey), or a label an import keeps or skips.
    """

    name: str | None = field(str, default=None)
    property: str | dict[str, Any] | Placeholder | None = field(str, dict, Placeholder, default=None, scalar="str")
    type: LabelTypeEnum | LabelTaskTypeEnum | None = field(LabelTypeEnum, LabelTaskTypeEnum, default=None)


LABEL_TASK_DESCRIPTION_FORBIDDEN = "^!<>=&\"'"


@spec
class LabelTaskConfig(Spec):
    """The configuration of a labeling job (``wf.steps.LabelTaskProperties`` has the same fields).

    On Kubernetes: the Label Studio project's labeling interface (from ``task_type``) and labels.
    """

    task_type: LabelTaskTypeEnum = field(LabelTaskTypeEnum, required=True)
    task_name: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str",
                                                checks=[matches(r"[A-Za-z0-9_-]{1,100}",
                                                                "1-100 letters, digits, '_' or '-'")])
    labels: OptionalMany[Label] = field(Label, default=None, many=True)
    properties: dict[str, Any] | None = field(dict, default=None)
    auto_sync_dataset: bool = field(bool, default=True)
    content_labeling: bool = field(bool, default=True)
    description: str | None = field(str, default=None, checks=[max_length(256),
                                                               without_chars(LABEL_TASK_DESCRIPTION_FORBIDDEN)])
