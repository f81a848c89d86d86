"""The four data phases (seed 4.4.1 to 4.4.4): create, label, import, release."""

from __future__ import annotations

import enum
from typing import Any, cast

from wf2k8s.contract.support import ANNOTATION_FORMATS, LABELING_TASK_TYPES
from wf2k8s.sdk._spec import (
    Checker, Many, OptionalMany, Spec, description_size, field, io_field, matches, name_field, spec,
)
from wf2k8s.sdk.data import (
    DataConsumptionSelector, Dataset, DatasetConsumption, DatasetPlaceholder, DatasetTypeEnum,
    DataTypeEnum, DatasetVersionConfig, Label, LabelTask, LabelTaskConfig, LabelTaskConsumption, LabelTaskPlaceholder,
    LabelTaskTypeEnum, LabelTypeEnum, OBSConsumption, OBSOutputConfig, OBSPath, OBSPlaceholder,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import OutputList, Step, StepOutput

__all__ = [
    "AnnotationFormatEnum", "ImportTypeEnum", "DataOriginTypeEnum", "LabelTypeEnum", "Label", "LabelFormat",
    "AnnotationFormatParameters", "AnnotationFormatConfig", "ImportConfig", "SchemaField", "DatasetProperties",
    "CreateDatasetStep", "CreateDatasetInput", "CreateDatasetOutput",
    "LabelTaskProperties", "LabelingStep", "LabelingInput", "LabelingOutput",
    "ImportDataInfo", "DatasetImportStep", "DatasetImportInput", "DatasetImportOutput",
    "ReleaseDatasetStep", "ReleaseDatasetInput", "ReleaseDatasetOutput",
]


class AnnotationFormatEnum(enum.Enum):
    """A labeling format of imported data (seed 4.4.1 and 4.4.3).

    On Kubernetes: the format the wf2k8s runtime reads labels in (all but MA_IMAGE_SEGMENTATION_V1).
    """

    MA_IMAGE_CLASSIFICATION_V1 = "MA_IMAGE_CLASSIFICATION_V1"
    MA_IMAGENET_V1 = "MA_IMAGENET_V1"
    MA_PASCAL_VOC_V1 = "MA_PASCAL_VOC_V1"
    YOLO = "YOLO"
    MA_IMAGE_SEGMENTATION_V1 = "MA_IMAGE_SEGMENTATION_V1"
    MA_TEXT_CLASSIFICATION_COMBINE_V1 = "MA_TEXT_CLASSIFICATION_COMBINE_V1"
    MA_TEXT_CLASSIFICATION_V1 = "MA_TEXT_CLASSIFICATION_V1"
    MA_AUDIO_CLASSIFICATION_DIR_V1 = "MA_AUDIO_CLASSIFICATION_DIR_V1"


class ImportTypeEnum(enum.Enum):
    """How data is imported (seed table 4-22): DIR from an OBS directory, MANIFEST from a manifest file.

    On Kubernetes: from an S3 prefix, or a manifest object, on the cluster's S3 server.
    """

    DIR = "dir"
    MANIFEST = "manifest"


class DataOriginTypeEnum(enum.Enum):
    """Where imported samples come from. OBS paths (S3 on Kubernetes) are the one origin supported."""

    OBS = "obs"


SEPARATOR_PATTERN = r"[A-Za-z0-9!@#$%^&*_=|?/':.,\t]"
SEPARATOR_TEXT = "one letter, digit or one of !@#$%^&*_=|?/':., (or a tab)"


@spec
class LabelFormat(Spec):
    """How labels are written in text datasets: in the sample file or beside it, and the separators."""

    label_type: str = field(str, default="same_file", checks=[matches(r"same_file|separate_file",
                                                                      "same_file or separate_file")])
    label_separator: str = field(str, default=",", checks=[matches(SEPARATOR_PATTERN, SEPARATOR_TEXT)])
    sample_label_separator: str = field(str, default="\t", checks=[matches(SEPARATOR_PATTERN, SEPARATOR_TEXT)])


@spec
class AnnotationFormatParameters(Spec):
    """Advanced parameters of a labeling format (seed table 4-34): hard examples only, labels, separators.

    On Kubernetes: applied by the wf2k8s runtime as it reads the imported labels.
    """

    difficult_only: bool = field(bool, default=False)
    included_labels: OptionalMany[Label] = field(Label, default=None, many=True)
    label_separator: str = field(str, default=",", checks=[matches(SEPARATOR_PATTERN, SEPARATOR_TEXT)])
    sample_label_separator: str = field(str, default="\t", checks=[matches(SEPARATOR_PATTERN, SEPARATOR_TEXT)])


@spec
class AnnotationFormatConfig(Spec):
    """The labeling format of imported data and its scenario (seed tables 4-23 and 4-33).

    On Kubernetes: how the wf2k8s runtime reads the labels into the dataset's manifest on S3.
    """

    format_name: AnnotationFormatEnum | None = field(AnnotationFormatEnum, default=None)
    parameters: AnnotationFormatParameters | None = field(AnnotationFormatParameters, default=None)
    scene: LabelTaskTypeEnum | None = field(LabelTaskTypeEnum, default=None)

    def check(self, error: Checker) -> None:
        # the runtime cannot read these labels and would refuse them when the phase starts (runtime/dataset.py)
        if self.format_name is not None and self.format_name.value not in ANNOTATION_FORMATS:
            error("format_name", f"{self.format_name.value} labels cannot be read on Kubernetes yet; supported: "
                  f"{', '.join(ANNOTATION_FORMATS)}")


@spec
class ImportConfig(Spec):
    """Label import when a dataset is created from labeled data (seed table 4-22).

    On Kubernetes: whether and how the wf2k8s runtime reads the input's labels into the new dataset's manifest.
    """

    import_annotations: str | bool | Placeholder = field(str, bool, Placeholder, default="true", scalar="str")
    import_type: ImportTypeEnum | int = field(ImportTypeEnum, int, default=ImportTypeEnum.DIR)
    annotation_format_config: OptionalMany[AnnotationFormatConfig] = field(AnnotationFormatConfig, default=None,
                                                                           many=True)

    def check(self, error: Checker) -> None:
        if isinstance(self.import_annotations, str) and self.import_annotations not in ("true", "false"):
            error("import_annotations", f"must be 'true' or 'false', got {self.import_annotations!r}")
        if isinstance(self.import_type, int) and self.import_type not in (0, 1):
            error("import_type", f"must be ImportTypeEnum.DIR (0) or MANIFEST (1), got {self.import_type}")


@spec
class SchemaField(Spec):
    """A column of a table dataset (DatasetProperties.schema). On Kubernetes: recorded in ``dataset.json``."""

    name: str = field(str, required=True)
    type: str = field(str, default="STRING", checks=[matches(r"STRING|INT|LONG|FLOAT|DOUBLE|BOOLEAN|DATE|TIMESTAMP",
                                                             "STRING, INT, LONG, FLOAT, DOUBLE, BOOLEAN, DATE or "
                                                             "TIMESTAMP")])
    description: str | None = field(str, default=None, checks=[description_size])


@spec
class DatasetProperties(Spec):
    """The dataset a dataset creation phase creates (seed table 4-21): name, format, data type, label import.

    On Kubernetes: ``datasets/<dataset_name>/`` on the cluster's S3 bucket (``dataset.json``, the samples and
    a working manifest).
    """

    dataset_name: str | Placeholder = field(str, Placeholder, required=True, scalar="str",
                                            checks=[matches(r"[A-Za-z0-9_-]{1,100}",
                                                            "1-100 letters, digits, '_' or '-'")])
    dataset_format: int | DatasetTypeEnum = field(int, DatasetTypeEnum, default=0)
    data_type: DataTypeEnum = field(DataTypeEnum, default=DataTypeEnum.FREE_FORMAT)
    description: str | None = field(str, default=None, checks=[description_size])
    import_data: bool = field(bool, default=False)
    work_path_type: int = field(int, default=0)
    import_config: ImportConfig | None = field(ImportConfig, default=None)
    schema: OptionalMany[SchemaField] = field(SchemaField, default=None, many=True)

    def check(self, error: Checker) -> None:
        if isinstance(self.dataset_format, int) and self.dataset_format not in (0, 1):
            error("dataset_format", f"must be 0 (file) or 1 (table), got {self.dataset_format}")
        table = self.dataset_format in (1, DatasetTypeEnum.TABLE)
        if table:  # the runtime refuses it when the phase starts (wf2k8s/runtime/dataset.py)
            error("dataset_format", "table datasets are not supported on Kubernetes; use 0 (file)")
        if self.work_path_type != 0:
            error("work_path_type", f"must be 0 (OBS), got {self.work_path_type}")
        if self.import_data:
            error("import_data", "can be True only for a table dataset, which is not supported on Kubernetes")
        if self.schema:
            error("schema", "is for table datasets, which are not supported on Kubernetes")


# dataset creation -------------------------------------------------------------------------------


@spec
class CreateDatasetInput(Spec):
    """The data a dataset is created from (seed table 4-19): an OBS directory.

    On Kubernetes: an S3 prefix whose files the wf2k8s runtime copies in as the dataset's samples.
    """

    name: str = name_field()
    data: OBSPath | OBSConsumption | OBSPlaceholder | DataConsumptionSelector = field(
        OBSPath, OBSConsumption, OBSPlaceholder, DataConsumptionSelector, required=True)


@spec
class CreateDatasetOutput(StepOutput[DatasetConsumption]):
    """The output of a dataset creation phase (seed table 4-20): the dataset's OBS output path.

    On Kubernetes: an S3 prefix that also receives the working manifest; later steps get the dataset.
    """

    name: str = name_field()
    config: OBSOutputConfig = field(OBSOutputConfig, required=True)

    consumption = DatasetConsumption


@spec(kw_only=True)
class CreateDatasetStep(Step):
    """A dataset creation phase (seed 4.4.1): creates a dataset from OBS data, optionally with labels.

    On Kubernetes: a task running the wf2k8s runtime, which writes the dataset to the cluster's S3 bucket.
    """

    inputs: Many[CreateDatasetInput] = io_field(CreateDatasetInput, required=True)
    outputs: OutputList[CreateDatasetOutput] = io_field(CreateDatasetOutput, required=True)
    properties: DatasetProperties = field(DatasetProperties, required=True)

    step_type = "create_dataset"

    def config(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "outputs": self.outputs, "properties": self.properties}


# labeling ------------------------------------------------------------------------------------


@spec
class LabelTaskProperties(LabelTaskConfig):
    """Configuration of the labeling job (seed table 4-27).

    On Kubernetes: the Label Studio project's labeling interface (from ``task_type``) and labels.
    """


DATASET_OR_TASK = (Dataset, DatasetConsumption, DatasetPlaceholder, LabelTask, LabelTaskPlaceholder,
                   LabelTaskConsumption, DataConsumptionSelector)


@spec
class LabelingInput(Spec):
    """What a labeling phase labels (seed table 4-25): a dataset or a labeling job.

    On Kubernetes: a dataset on the cluster's S3 bucket, or its Label Studio project.
    """

    name: str = name_field()
    data: (Dataset | DatasetConsumption | DatasetPlaceholder | LabelTask | LabelTaskPlaceholder
           | LabelTaskConsumption | DataConsumptionSelector) = field(*DATASET_OR_TASK, required=True)


@spec
class LabelingOutput(StepOutput[LabelTaskConsumption]):
    """The output of a labeling phase (seed table 4-26): the labeling job.

    On Kubernetes: the Label Studio project and the labels written to the dataset's manifests on S3.
    """

    name: str = name_field()

    consumption = LabelTaskConsumption


def is_dataset_input(data: Any) -> bool:
    return isinstance(data, (Dataset, DatasetConsumption, DatasetPlaceholder))


@spec(kw_only=True)
class LabelingStep(Step):
    """A labeling phase (seed 4.4.2): creates a labeling job, or uses one, and waits until it is labeled.

    On Kubernetes: a task running the wf2k8s runtime, which finds or creates the Label Studio project,
    imports the samples and waits until every sample is labeled (or ``wf2k8s resume``).
    """

    inputs: Many[LabelingInput] = io_field(LabelingInput, required=True)
    outputs: OutputList[LabelingOutput] = io_field(LabelingOutput, required=True)
    properties: LabelTaskConfig | None = field(LabelTaskConfig, default=None)

    step_type = "labeling"

    def check(self, error: Checker) -> None:
        super().check(error)
        if len(self.inputs or []) > 1:
            error("inputs", "a labeling phase labels one dataset or labeling job")
        if self.inputs and is_dataset_input(self.inputs[0].data):
            if self.properties is None or self.properties.task_name is None:
                error("properties.task_name", "is mandatory when the input is a dataset")
        task_type = self.properties.task_type if self.properties else None
        if isinstance(task_type, LabelTaskTypeEnum) and task_type.name not in LABELING_TASK_TYPES:
            # Label Studio has no labeling interface here for it: the runtime would refuse it (runtime/labeling.py)
            error("properties.task_type", f"{task_type.name} labeling is not supported on Kubernetes yet; "
                  f"supported: {', '.join(LABELING_TASK_TYPES)}")

    def config(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "outputs": self.outputs, "properties": self.properties}


# dataset import ------------------------------------------------------------------------------


@spec
class ImportDataInfo(Spec):
    """What a dataset import phase imports and how (seed table 4-32): formats, labels, samples.

    On Kubernetes: how the wf2k8s runtime reads the OBS data into the dataset's manifest on S3.
    """

    annotation_format_config: OptionalMany[AnnotationFormatConfig] = field(AnnotationFormatConfig, default=None,
                                                                           many=True)
    excluded_labels: OptionalMany[Label] = field(Label, default=None, many=True)
    import_annotated: bool = field(bool, default=False)
    import_annotations: bool = field(bool, default=True)
    import_samples: bool = field(bool, default=True)
    import_type: ImportTypeEnum = field(ImportTypeEnum, default=ImportTypeEnum.DIR)
    included_labels: OptionalMany[Label] = field(Label, default=None, many=True)
    label_format: LabelFormat | None = field(LabelFormat, default=None)
    data_origin: DataOriginTypeEnum = field(DataOriginTypeEnum, default=DataOriginTypeEnum.OBS)


@spec
class DatasetImportInput(Spec):
    """An input of a dataset import phase (seed table 4-30): the OBS data, or the dataset or labeling job
    it goes into. On Kubernetes: an S3 prefix, or a dataset on the cluster's S3 bucket (its Label Studio
    project for a labeling job)."""

    name: str = name_field()
    data: (Dataset | DatasetConsumption | DatasetPlaceholder | OBSPath | OBSConsumption | OBSPlaceholder | LabelTask
           | LabelTaskPlaceholder | LabelTaskConsumption | DataConsumptionSelector) = field(
        Dataset, DatasetConsumption, DatasetPlaceholder, OBSPath, OBSConsumption, OBSPlaceholder,
        LabelTask, LabelTaskPlaceholder, LabelTaskConsumption, DataConsumptionSelector, required=True)


@spec
class DatasetImportOutput(StepOutput[DatasetConsumption | LabelTaskConsumption]):
    """The output of a dataset import phase (seed table 4-31): the dataset or labeling job imported into.

    On Kubernetes: the dataset on the cluster's S3 bucket, its working manifest updated.
    """

    name: str = name_field()

    def as_input(self) -> DatasetConsumption | LabelTaskConsumption:
        # the output is what the data went into: a dataset or a labeling job
        target = next((i.data for i in cast("DatasetImportStep", self.step).inputs
                       if isinstance(i.data, (LabelTask, LabelTaskPlaceholder, LabelTaskConsumption))), None)
        kind = LabelTaskConsumption if target is not None else DatasetConsumption
        return kind(step=self.step, output_name=self.name)


OBS_KINDS = (OBSPath, OBSConsumption, OBSPlaceholder)


@spec(kw_only=True)
class DatasetImportStep(Step):
    """A dataset import phase (seed 4.4.3): imports OBS data into a dataset or a labeling job.

    On Kubernetes: a task running the wf2k8s runtime, which copies the samples and their labels into the
    dataset on the cluster's S3 bucket (and into the Label Studio project of a labeling job).
    """

    inputs: Many[DatasetImportInput] = io_field(DatasetImportInput, required=True)
    outputs: OutputList[DatasetImportOutput] = io_field(DatasetImportOutput, required=True)
    properties: ImportDataInfo = field(ImportDataInfo, factory=ImportDataInfo)

    step_type = "dataset_import"

    def check(self, error: Checker) -> None:
        super().check(error)
        inputs = self.inputs or []
        sources = [i for i in inputs if isinstance(i.data, OBS_KINDS)]
        targets = [i for i in inputs if not isinstance(i.data, OBS_KINDS)]
        if len(sources) != 1 or len(targets) != 1:
            error("inputs", "needs one dataset or labeling job to import into and one OBS path to import from, "
                  f"got {len(targets)} and {len(sources)}")

    def config(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "outputs": self.outputs, "properties": self.properties}


# dataset release ------------------------------------------------------------------------------


@spec
class ReleaseDatasetInput(LabelingInput):
    """The dataset or labeling job to release (the same data kinds a labeling phase takes)."""


@spec
class ReleaseDatasetOutput(StepOutput[DatasetConsumption]):
    """The output of a dataset release phase (seed table 4-37): the released dataset version.

    On Kubernetes: ``datasets/<name>/versions/<version>/`` on the cluster's S3 bucket; a JobStep given it
    gets the version's manifest and files.
    """

    name: str = name_field()
    dataset_version_config: DatasetVersionConfig = field(DatasetVersionConfig, factory=DatasetVersionConfig)

    consumption = DatasetConsumption

    def check(self, error: Checker) -> None:
        if self.dataset_version_config.version_format == "CarbonData":
            error("dataset_version_config.version_format", "CarbonData is not supported on Kubernetes; use Default")


@spec(kw_only=True)
class ReleaseDatasetStep(Step):
    """A dataset release phase (seed 4.4.4): releases a version of a dataset or labeling job.

    On Kubernetes: a task running the wf2k8s runtime, which writes an immutable version (manifest split
    into TRAIN and EVAL, ``version.json``) under the dataset on the cluster's S3 bucket.
    """

    inputs: Many[ReleaseDatasetInput] = io_field(ReleaseDatasetInput, required=True)
    outputs: OutputList[ReleaseDatasetOutput] = io_field(ReleaseDatasetOutput, required=True)

    step_type = "release_dataset"

    def check(self, error: Checker) -> None:
        super().check(error)
        if len(self.inputs or []) > 1:
            error("inputs", "a release phase releases one dataset or labeling job")

    def config(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "outputs": self.outputs}


