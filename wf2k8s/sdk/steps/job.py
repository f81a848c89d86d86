"""The job phase (seed 4.4.5): training, data processing, evaluation."""

from __future__ import annotations

import enum
from typing import Any

from wf2k8s.sdk._spec import Spec, field, spec
from wf2k8s.sdk.algorithm import AIGalleryAlgorithm, Algorithm, BaseAlgorithm, JobEngine
from wf2k8s.sdk.data import (
    DataConsumptionSelector, Dataset, DatasetConsumption, DatasetPlaceholder, DataSelector, MetricsConfig,
    OBSConsumption, OBSOutputConfig, OBSPath, OBSPlaceholder,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import Step, StepOutput, io_field, name_field
from wf2k8s.sdk.steps.model import ModelConfig
from wf2k8s.sdk.storage import StorageValue

__all__ = ["JobStep", "JobInput", "JobOutput", "JobSpec", "JobResource", "SchedulePolicy", "Volume", "NFS",
           "JobEngine", "LogExportPath", "JobMetadata", "JobTypeEnum"]


class JobTypeEnum(enum.Enum):
    """What a job does; recorded as the ``wf2k8s.io/job-type`` label of its pod."""

    TRAIN = "train"
    EVALUATION = "evaluation"
    DATA_PROCESSING = "data_processing"
    INFERENCE = "inference"


@spec
class JobMetadata(Spec):
    """Labels for the job's pod: a type and free-form tags (label keys and values)."""

    job_type: JobTypeEnum = field(JobTypeEnum, default=JobTypeEnum.TRAIN)
    tags: dict | None = field(dict)

    def check(self, error) -> None:
        for key, value in (self.tags or {}).items():
            if not isinstance(key, str) or not isinstance(value, str):
                error(f"tags[{key!r}]", "tags map str to str")


@spec
class JobInput(Spec):
    name: str = name_field()
    data: Any = field(Dataset, DatasetPlaceholder, DatasetConsumption, OBSPath, OBSConsumption, OBSPlaceholder,
                      DataConsumptionSelector, DataSelector, required=True)

    def check(self, error) -> None:
        if isinstance(self.data, Dataset) and not self.data.version_name:
            error("data.version_name", "is mandatory for a Dataset used by a JobStep")


@spec
class JobOutput(StepOutput):
    name: str = name_field()
    obs_config: OBSOutputConfig | None = field(OBSOutputConfig)
    model_config: ModelConfig | None = field(ModelConfig)
    metrics_config: MetricsConfig | None = field(MetricsConfig)

    consumption = OBSConsumption


def flavor_check(value: Any) -> str | None:
    from wf2k8s.sdk.resource import resolve_flavor

    if isinstance(value, str) and resolve_flavor(value) is None:
        return (f"{value!r} is not a known flavor; use a resource map such as "
                '{"cpu": "2", "memory": "8Gi"} or one of wf.resource.FLAVORS')
    return None


@spec
class JobResource(Spec):
    flavor: Any = field(Placeholder, dict, str, required=True, scalar="flavor", checks=[flavor_check])
    node_count: Any = field(int, Placeholder, default=1, scalar="int")

    def check(self, error) -> None:
        if isinstance(self.node_count, int) and self.node_count != 1:
            error("node_count", f"must be 1: distributed training is not supported yet, got {self.node_count}")


def priority_check(value: Any) -> str | None:
    return None if value in (1, 2, 3) and not isinstance(value, bool) else f"must be 1, 2 or 3, got {value!r}"


@spec
class SchedulePolicy(Spec):
    priority: Any = field(int, Placeholder, required=True, scalar="int", checks=[priority_check])


@spec
class NFS(Spec):
    nfs_server_path: Any = field(str, Placeholder, required=True, scalar="str")
    local_path: Any = field(str, Placeholder, required=True, scalar="str")
    read_only: Any = field(bool, Placeholder, default=False, scalar="bool")

    def check(self, error) -> None:
        if isinstance(self.nfs_server_path, str) and ":" not in self.nfs_server_path:
            error("nfs_server_path", f"must be server:/path, got {self.nfs_server_path!r}")
        if isinstance(self.local_path, str) and not self.local_path.startswith("/"):
            error("local_path", f"must be an absolute path, got {self.local_path!r}")


@spec
class Volume(Spec):
    nfs: NFS | None = field(NFS)


@spec
class LogExportPath(Spec):
    obs_url: Any = field(str, Placeholder, StorageValue, required=True, scalar="str")


@spec
class JobSpec(Spec):
    resource: JobResource = field(JobResource, required=True)
    log_export_path: LogExportPath | None = field(LogExportPath)
    schedule_policy: SchedulePolicy | None = field(SchedulePolicy)
    volumes: list | None = field(Volume, many=True)


@spec
class JobStep(Step):
    algorithm: Any = field(BaseAlgorithm, Algorithm, AIGalleryAlgorithm, required=True)
    spec: JobSpec = field(JobSpec, required=True)
    inputs: list = io_field(JobInput, required=True)
    outputs: list = io_field(JobOutput, required=True)
    metadata: JobMetadata | None = field(JobMetadata)

    step_type = "job"

    def config(self) -> dict:
        from wf2k8s.sdk.resource import resolve_flavor

        flavor = self.spec.resource.flavor
        return {
            "algorithm": self.algorithm,
            "inputs": self.inputs,
            "outputs": self.outputs,
            # a flavor id means its resource map
            "spec": {key: value for key, value in (
                ("resource", {"flavor": flavor if isinstance(flavor, Placeholder) else resolve_flavor(flavor),
                              "node_count": self.spec.resource.node_count}),
                ("log_export_path", self.spec.log_export_path), ("schedule_policy", self.spec.schedule_policy),
                ("volumes", self.spec.volumes)) if value is not None},
            "metadata": self.metadata,
        }
