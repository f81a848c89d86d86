"""The four data phases (seed 4.4.1 to 4.4.4): create, label, import, release."""

from __future__ import annotations

import enum
from typing import Any

from wf2k8s.sdk._spec import Spec, field, matches, spec
from wf2k8s.sdk.data import (
    DataConsumptionSelector, Dataset, DatasetConsumption, DatasetPlaceholder, DatasetTypeEnum, DataTypeEnum,
    DatasetVersionConfig, Label, LabelTask, LabelTaskConfig, LabelTaskConsumption, LabelTaskPlaceholder,
    LabelTaskTypeEnum, LabelTypeEnum, OBSConsumption, OBSOutputConfig, OBSPath, OBSPlaceholder,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import Step, StepOutput, io_field, name_field

__all__ = [
    "AnnotationFormatEnum", "ImportTypeEnum", "DataOriginTypeEnum", "LabelTypeEnum", "Label", "LabelFormat",
    "AnnotationFormatParameters", "AnnotationFormatConfig", "ImportConfig", "SchemaField", "DatasetProperties",
    "CreateDatasetStep", "CreateDatasetInput", "CreateDatasetOutput",
    "LabelTaskProperties", "LabelingStep", "LabelingInput", "LabelingOutput",
    "ImportDataInfo", "DatasetImportStep", "DatasetImportInput", "DatasetImportOutput",
    "ReleaseDatasetStep", "ReleaseDatasetInput", "ReleaseDatasetOutput",
]


class AnnotationFormatEnum(enum.Enum):
    MA_IMAGE_CLASSIFICATION_V1 = "MA_IMAGE_CLASSIFICATION_V1"
    MA_IMAGENET_V1 = "MA_IMAGENET_V1"
    MA_PASCAL_VOC_V1 = "MA_PASCAL_VOC_V1"
    YOLO = "YOLO"
    MA_IMAGE_SEGMENTATION_V1 = "MA_IMAGE_SEGMENTATION_V1"
    MA_TEXT_CLASSIFICATION_COMBINE_V1 = "MA_TEXT_CLASSIFICATION_COMBINE_V1"
    MA_TEXT_CLASSIFICATION_V1 = "MA_TEXT_CLASSIFICATION_V1"
    MA_AUDIO_CLASSIFICATION_DIR_V1 = "MA_AUDIO_CLASSIFICATION_DIR_V1"


class ImportTypeEnum(enum.Enum):
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
    difficult_only: bool = field(bool, default=False)
    included_labels: list | None = field(Label, many=True)
    label_separator: str = field(str, default=",", checks=[matches(SEPARATOR_PATTERN, SEPARATOR_TEXT)])
    sample_label_separator: str = field(str, default="\t", checks=[matches(SEPARATOR_PATTERN, SEPARATOR_TEXT)])


@spec
class AnnotationFormatConfig(Spec):
    format_name: AnnotationFormatEnum | None = field(AnnotationFormatEnum)
    parameters: AnnotationFormatParameters | None = field(AnnotationFormatParameters)
    scene: LabelTaskTypeEnum | None = field(LabelTaskTypeEnum)


@spec
class ImportConfig(Spec):
    import_annotations: Any = field(str, bool, Placeholder, default="true", scalar="str")
    import_type: Any = field(ImportTypeEnum, int, default=ImportTypeEnum.DIR)
    annotation_format_config: list | None = field(AnnotationFormatConfig, many=True)

    def check(self, error) -> None:
        if isinstance(self.import_annotations, str) and self.import_annotations not in ("true", "false"):
            error("import_annotations", f"must be 'true' or 'false', got {self.import_annotations!r}")
        if isinstance(self.import_type, int) and self.import_type not in (0, 1):
            error("import_type", f"must be ImportTypeEnum.DIR (0) or MANIFEST (1), got {self.import_type}")


@spec
class SchemaField(Spec):
    """A column of a table dataset."""

    name: str = field(str, required=True)
    type: str = field(str, default="STRING", checks=[matches(r"STRING|INT|LONG|FLOAT|DOUBLE|BOOLEAN|DATE|TIMESTAMP",
                                                             "STRING, INT, LONG, FLOAT, DOUBLE, BOOLEAN, DATE or "
                                                             "TIMESTAMP")])
    description: str | None = field(str)


@spec
class DatasetProperties(Spec):
    dataset_name: Any = field(str, Placeholder, required=True, scalar="str",
                              checks=[matches(r"[A-Za-z0-9_-]{1,100}", "1-100 letters, digits, '_' or '-'")])
    dataset_format: Any = field(int, DatasetTypeEnum, default=0)
    data_type: DataTypeEnum = field(DataTypeEnum, default=DataTypeEnum.FREE_FORMAT)
    description: str | None = field(str)
    import_data: bool = field(bool, default=False)
    work_path_type: int = field(int, default=0)
    import_config: ImportConfig | None = field(ImportConfig)
    schema: list | None = field(SchemaField, many=True)

    def check(self, error) -> None:
        if isinstance(self.dataset_format, int) and self.dataset_format not in (0, 1):
            error("dataset_format", f"must be 0 (file) or 1 (table), got {self.dataset_format}")
        if self.work_path_type != 0:
            error("work_path_type", f"must be 0 (OBS), got {self.work_path_type}")
        table = self.dataset_format in (1, DatasetTypeEnum.TABLE)
        if self.import_data and not table:
            error("import_data", "can be True only for a table dataset (dataset_format 1)")
        if self.schema and not table:
            error("schema", "is for table datasets (dataset_format 1)")


# dataset creation -------------------------------------------------------------------------------


@spec
class CreateDatasetInput(Spec):
    name: str = name_field()
    data: Any = field(OBSPath, OBSConsumption, OBSPlaceholder, DataConsumptionSelector, required=True)


@spec
class CreateDatasetOutput(StepOutput):
    name: str = name_field()
    config: OBSOutputConfig = field(OBSOutputConfig, required=True)

    consumption = DatasetConsumption


@spec
class CreateDatasetStep(Step):
    inputs: list = io_field(CreateDatasetInput, required=True)
    outputs: list = io_field(CreateDatasetOutput, required=True)
    properties: DatasetProperties = field(DatasetProperties, required=True)

    step_type = "create_dataset"

    def config(self) -> dict:
        return {"inputs": self.inputs, "outputs": self.outputs, "properties": self.properties}


# labeling ------------------------------------------------------------------------------------


@spec
class LabelTaskProperties(LabelTaskConfig):
    """Configuration of the labeling job (seed table 4-27)."""


DATASET_OR_TASK = (Dataset, DatasetConsumption, DatasetPlaceholder, LabelTask, LabelTaskPlaceholder,
                   LabelTaskConsumption, DataConsumptionSelector)


@spec
class LabelingInput(Spec):
    name: str = name_field()
    data: Any = field(*DATASET_OR_TASK, required=True)


@spec
class LabelingOutput(StepOutput):
    name: str = name_field()

    consumption = LabelTaskConsumption


def is_dataset_input(data: Any) -> bool:
    return isinstance(data, (Dataset, DatasetConsumption, DatasetPlaceholder))


@spec
class LabelingStep(Step):
    inputs: list = io_field(LabelingInput, required=True)
    outputs: list = io_field(LabelingOutput, required=True)
    properties: LabelTaskConfig | None = field(LabelTaskConfig)

    step_type = "labeling"

    def check(self, error) -> None:
        super().check(error)
        if len(self.inputs or []) > 1:
            error("inputs", "a labeling phase labels one dataset or labeling job")
        if self.inputs and is_dataset_input(self.inputs[0].data):
            if self.properties is None or self.properties.task_name is None:
                error("properties.task_name", "is mandatory when the input is a dataset")

    def config(self) -> dict:
        return {"inputs": self.inputs, "outputs": self.outputs, "properties": self.properties}


# dataset import ------------------------------------------------------------------------------


@spec
class ImportDataInfo(Spec):
    annotation_format_config: list | None = field(AnnotationFormatConfig, many=True)
    excluded_labels: list | None = field(Label, many=True)
    import_annotated: bool = field(bool, default=False)
    import_annotations: bool = field(bool, default=True)
    import_samples: bool = field(bool, default=True)
    import_type: ImportTypeEnum = field(ImportTypeEnum, default=ImportTypeEnum.DIR)
    included_labels: list | None = field(Label, many=True)
    label_format: LabelFormat | None = field(LabelFormat)
    data_origin: DataOriginTypeEnum = field(DataOriginTypeEnum, default=DataOriginTypeEnum.OBS)


@spec
class DatasetImportInput(Spec):
    name: str = name_field()
    data: Any = field(Dataset, DatasetConsumption, DatasetPlaceholder, OBSPath, OBSConsumption, OBSPlaceholder,
                      LabelTask, LabelTaskPlaceholder, LabelTaskConsumption, DataConsumptionSelector, required=True)


@spec
class DatasetImportOutput(StepOutput):
    name: str = name_field()

    def as_input(self):
        # the output is what the data went into: a dataset or a labeling job
        target = next((i.data for i in self.step.inputs
                       if isinstance(i.data, (LabelTask, LabelTaskPlaceholder, LabelTaskConsumption))), None)
        kind = LabelTaskConsumption if target is not None else DatasetConsumption
        return kind(step=self.step, output_name=self.name)


OBS_KINDS = (OBSPath, OBSConsumption, OBSPlaceholder)


@spec
class DatasetImportStep(Step):
    inputs: list = io_field(DatasetImportInput, required=True)
    outputs: list = io_field(DatasetImportOutput, required=True)
    properties: ImportDataInfo = field(ImportDataInfo, factory=ImportDataInfo)

    step_type = "dataset_import"

    def check(self, error) -> None:
        super().check(error)
        inputs = self.inputs or []
        sources = [i for i in inputs if isinstance(i.data, OBS_KINDS)]
        targets = [i for i in inputs if not isinstance(i.data, OBS_KINDS)]
        if len(sources) != 1 or len(targets) != 1:
            error("inputs", "needs one dataset or labeling job to import into and one OBS path to import from, "
                  f"got {len(targets)} and {len(sources)}")

    def config(self) -> dict:
        return {"inputs": self.inputs, "outputs": self.outputs, "properties": self.properties}


# dataset release ------------------------------------------------------------------------------


@spec
class ReleaseDatasetInput(LabelingInput):
    """The dataset or labeling job to release (the same data kinds a labeling phase takes)."""


@spec
class ReleaseDatasetOutput(StepOutput):
    name: str = name_field()
    dataset_version_config: DatasetVersionConfig = field(DatasetVersionConfig, factory=DatasetVersionConfig)

    consumption = DatasetConsumption

    def check(self, error) -> None:
        if self.dataset_version_config.version_format == "CarbonData":
            error("dataset_version_config.version_format", "CarbonData is not supported on Kubernetes; use Default")


@spec
class ReleaseDatasetStep(Step):
    inputs: list = io_field(ReleaseDatasetInput, required=True)
    outputs: list = io_field(ReleaseDatasetOutput, required=True)

    step_type = "release_dataset"

    def check(self, error) -> None:
        super().check(error)
        if len(self.inputs or []) > 1:
            error("inputs", "a release phase releases one dataset or labeling job")

    def config(self) -> dict:
        return {"inputs": self.inputs, "outputs": self.outputs}


