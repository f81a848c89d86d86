"""``wf.steps``: the phase types and their configuration objects (seed 4.4)."""

from wf2k8s.sdk.algorithm import JobEngine
from wf2k8s.sdk.data import Label, LabelTypeEnum
from wf2k8s.sdk.steps.base import OutputVariable, Step, StepPolicy
from wf2k8s.sdk.steps.condition import Condition, ConditionStep, ConditionTypeEnum, MetricInfo
from wf2k8s.sdk.steps.dataset import (
    AnnotationFormatConfig, AnnotationFormatEnum, AnnotationFormatParameters, CreateDatasetInput,
    CreateDatasetOutput, CreateDatasetStep, DataOriginTypeEnum, DatasetImportInput, DatasetImportOutput,
    DatasetImportStep, DatasetProperties, ImportConfig, ImportDataInfo, ImportTypeEnum, LabelFormat, LabelingInput,
    LabelingOutput, LabelingStep, LabelTaskProperties, ReleaseDatasetInput, ReleaseDatasetOutput, ReleaseDatasetStep,
    SchemaField,
)
from wf2k8s.sdk.steps import job as job_step
from wf2k8s.sdk.steps.job import (
    NFS, JobInput, JobMetadata, JobOutput, JobResource, JobSpec, JobStep, JobTypeEnum, LogExportPath, SchedulePolicy,
    Volume,
)
from wf2k8s.sdk.steps.model import ModelConfig, ModelInput, ModelOutput, ModelStep, Template, TemplateInputs
from wf2k8s.sdk.steps.mrs import MrsJobAlgorithm, MrsJobInput, MrsJobOutput, MrsJobStep
from wf2k8s.sdk.steps.service import ServiceConfig, ServiceInput, ServiceOutput, ServiceStep

__all__ = [
    "Step", "StepPolicy", "OutputVariable",
    "MetricInfo", "Condition", "ConditionTypeEnum", "ConditionStep",
    "LabelingStep", "LabelingInput", "LabelingOutput", "LabelTaskProperties", "Label", "LabelTypeEnum",
    "ImportDataInfo", "DataOriginTypeEnum", "DatasetImportStep", "DatasetImportInput", "DatasetImportOutput",
    "AnnotationFormatConfig", "AnnotationFormatParameters", "AnnotationFormatEnum", "ImportTypeEnum", "LabelFormat",
    "ReleaseDatasetStep", "ReleaseDatasetInput", "ReleaseDatasetOutput",
    "CreateDatasetStep", "CreateDatasetInput", "CreateDatasetOutput", "DatasetProperties", "SchemaField",
    "ImportConfig",
    "JobStep", "JobMetadata", "JobSpec", "JobResource", "JobTypeEnum", "JobEngine", "JobInput", "JobOutput",
    "LogExportPath", "SchedulePolicy", "Volume", "NFS", "job_step",
    "MrsJobStep", "MrsJobInput", "MrsJobOutput", "MrsJobAlgorithm",
    "ModelStep", "ModelInput", "ModelOutput", "ModelConfig", "Template", "TemplateInputs",
    "ServiceStep", "ServiceInput", "ServiceOutput", "ServiceConfig",
]
