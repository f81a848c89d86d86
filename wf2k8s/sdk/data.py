"""``wf.data``: the data objects of seed 4.1.3 and their enums."""

from __future__ import annotations

import enum
import json
from typing import Any

from wf2k8s.sdk._spec import Spec, field, in_range, is_name, matches, max_length, one_of, spec, without_chars
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
    dataset_name: str = field(str, required=True)
    version_name: str | None = field(str)


@spec
class LabelTask(Spec):
    dataset_name: str = field(str, required=True)
    task_name: str = field(str, required=True)


@spec
class OBSPath(Spec):
    obs_path: Any = field(str, StorageValue, required=True, checks=[obs_path_check])


@spec
class ServiceData(Spec):
    """An existing service, by id (on Kubernetes: the InferenceService name)."""

    service_id: str = field(str, required=True)


@spec
class SWRImage(Spec):
    """A container image reference (``organization/image:tag``, with or without a registry)."""

    swr_path: str = field(str, required=True)


@spec
class GalleryModel(Spec):
    """A subscribed model, resolved from the cluster's catalog when the run starts."""

    subscription_id: str = field(str, required=True)
    version_num: str = field(str, required=True)


@spec
class ModelData(Spec):
    """A version of a registered model, to deploy without waiting for input.

    The fixed counterpart of ServiceInputPlaceholder; ``model_version`` blank means the latest.
    """

    model_name: Any = field(str, Placeholder, required=True, scalar="str")
    model_version: Any = field(str, Placeholder, scalar="str")
    specification: str | None = field(str)
    weight: int = field(int, default=100, checks=[in_range(0, 100)])
    envs: dict | None = field(dict)


# placeholders for data -------------------------------------------------------------------------


class DataPlaceholder(Spec):
    """A data object set when a run starts (or, with ``delay``, when the phase that needs it runs)."""

    validate_on_init = True
    #: what the value is, for the backends and the runtime
    data_kind: str = ""

    def definition(self) -> tuple:
        values = {k: v for k, v in vars(self).items() if k != "name"}
        return (type(self).__name__, json.dumps(values, sort_keys=True, default=lambda o: repr(vars(o))))


@spec
class DatasetPlaceholder(DataPlaceholder):
    name: str = field(str, required=True, checks=[is_name])
    data_type: DataTypeEnum | None = field(DataTypeEnum)
    delay: bool = field(bool, default=False)
    default: Dataset | None = field(Dataset)
    data_kind = "dataset"


@spec
class OBSPlaceholder(DataPlaceholder):
    name: str = field(str, required=True, checks=[is_name])
    object_type: str = field(str, required=True, checks=[one_of("file", "directory")])
    delay: bool = field(bool, default=False)
    default: OBSPath | None = field(OBSPath)
    data_kind = "obs"


@spec
class LabelTaskPlaceholder(DataPlaceholder):
    name: str = field(str, required=True, checks=[is_name])
    task_type: LabelTaskTypeEnum | None = field(LabelTaskTypeEnum)
    delay: bool = field(bool, default=False)
    data_kind = "label_task"


@spec
class ServiceUpdatePlaceholder(DataPlaceholder):
    name: str = field(str, required=True, checks=[is_name])
    delay: bool = field(bool, default=False)
    data_kind = "service"


@spec
class SWRImagePlaceholder(DataPlaceholder):
    name: str = field(str, required=True, checks=[is_name])
    delay: bool = field(bool, default=False)
    data_kind = "swr"


#: the spelling of the seed's table 4-14
SWRIImagePlaceholder = SWRImagePlaceholder


@spec
class ServiceInputPlaceholder(DataPlaceholder):
    """The models to deploy, given while the run waits (``delay`` is True by default).

    The value is a list: ``[{"model_name": ..., "model_version": ..., "specification": ..., "weight": ...}]``
    with weights summing to 100, one model name, and distinct versions.
    """

    name: str = field(str, required=True, checks=[is_name])
    model_name: Any = field(str, Placeholder, required=True, scalar="str")
    model_version: str | None = field(str)
    envs: dict | None = field(dict)
    delay: bool = field(bool, default=True)
    data_kind = "service_input"


@spec
class DataSelector(DataPlaceholder):
    """An input that is either an OBS path or a dataset, chosen when the run starts."""

    name: str = field(str, required=True, checks=[is_name])
    data_type_list: list = field(list, required=True)
    delay: bool = field(bool, default=False)
    data_kind = "data_selector"

    def check(self, error) -> None:
        if not self.data_type_list:
            error("data_type_list", "must not be empty")
        for i, item in enumerate(self.data_type_list or []):
            if item not in ("obs", "dataset"):
                error(f"data_type_list[{i}]", f"must be obs or dataset, got {item!r}")


# outputs of other steps -----------------------------------------------------------------------


@spec
class Consumption(Spec):
    """``step.outputs["name"].as_input()``: the output of another step, used as an input."""

    step: Any = field(required=True)
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
    """The output of whichever listed step actually ran (seed 4.6)."""

    data_list: list = field(Consumption, required=True, many=True)

    def check(self, error) -> None:
        if not self.data_list:
            error("data_list", "must not be empty")


# output configurations ----------------------------------------------------------------------


@spec
class OBSOutputConfig(Spec):
    obs_path: Any = field(str, Placeholder, StorageValue, required=True, scalar="str", checks=[obs_path_check])
    metric_file: Any = field(str, Placeholder, scalar="str")


@spec
class MetricsConfig(Spec):
    metric_files: list = field(str, Placeholder, StorageValue, required=True, many=True, scalar="str")
    realtime_visualization: bool = field(bool, default=False)
    visualization: bool = field(bool, default=True)


RATIO = in_range(0, 1)


@spec
class DatasetVersionConfig(Spec):
    version_name: Any = field(str, Placeholder, scalar="str")
    version_format: str = field(str, default="Default", checks=[one_of("Default", "CarbonData")])
    train_evaluate_sample_ratio: Any = field(str, float, int, Placeholder, default="1.00", scalar="number",
                                             checks=[RATIO])
    clear_hard_property: Any = field(bool, Placeholder, default=True, scalar="bool")
    remove_sample_usage: Any = field(bool, Placeholder, default=True, scalar="bool")
    label_task_type: LabelTaskTypeEnum | None = field(LabelTaskTypeEnum)
    description: str | None = field(str)


@spec
class TripartiteServiceConfig(Spec):
    """A service run outside wf2k8s (third party), registered so later steps can use its address.

    Used as ``ServiceOutput.service_config``: the step deploys nothing and outputs these addresses.
    """

    service_name: Any = field(str, Placeholder, required=True, scalar="str")
    access_address: Any = field(str, Placeholder, required=True, scalar="str")
    cluster_inner_access_address: Any = field(str, Placeholder, scalar="str")
    description: str | None = field(str)


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
    name: str | None = field(str)
    property: Any = field(str, dict, Placeholder, scalar="str")
    type: LabelTypeEnum | None = field(LabelTypeEnum, LabelTaskTypeEnum)


LABEL_TASK_DESCRIPTION_FORBIDDEN = "^!<>=&\"'"


@spec
class LabelTaskConfig(Spec):
    """The configuration of a labeling job (``wf.steps.LabelTaskProperties`` has the same fields)."""

    task_type: LabelTaskTypeEnum = field(LabelTaskTypeEnum, required=True)
    task_name: Any = field(str, Placeholder, scalar="str",
                           checks=[matches(r"[A-Za-z0-9_-]{1,100}", "1-100 letters, digits, '_' or '-'")])
    labels: list | None = field(Label, many=True)
    properties: dict | None = field(dict)
    auto_sync_dataset: bool = field(bool, default=True)
    content_labeling: bool = field(bool, default=True)
    description: str | None = field(str, checks=[max_length(256), without_chars(LABEL_TASK_DESCRIPTION_FORBIDDEN)])
