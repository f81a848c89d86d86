"""The job phase (seed 4.4.5): training, data processing, evaluation."""

from __future__ import annotations

import enum
from typing import Any

from wf2k8s.contract.support import MAX_NODES
from wf2k8s.sdk._spec import Checker, Many, OptionalMany, Spec, field, io_field, name_field, spec
from wf2k8s.sdk.algorithm import AIGalleryAlgorithm, Algorithm, BaseAlgorithm, JobEngine
from wf2k8s.sdk.data import (
    DataConsumptionSelector, Dataset, DatasetConsumption, DatasetPlaceholder, DataSelector, MetricsConfig,
    OBSConsumption, OBSOutputConfig, OBSPath, OBSPlaceholder,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.resource import resolve_flavor
from wf2k8s.sdk.steps.base import OutputList, Step, StepOutput
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
    tags: dict[str, str] | None = field(dict, default=None)

    def check(self, error: Checker) -> None:
        for key, value in (self.tags or {}).items():
            if not isinstance(key, str) or not isinstance(value, str):
                error(f"tags[{key!r}]", "tags map str to str")


@spec
class JobInput(Spec):
    """An input of a job phase (seed table 4-39): a dataset version or OBS data, passed as ``--<name>=<path>``.

    On Kubernetes: fetched from the cluster's S3 server into the job's pod before the code starts.
    """

    name: str = name_field()
    data: (Dataset | DatasetPlaceholder | DatasetConsumption | OBSPath | OBSConsumption | OBSPlaceholder
           | DataConsumptionSelector | DataSelector) = field(
        Dataset, DatasetPlaceholder, DatasetConsumption, OBSPath, OBSConsumption, OBSPlaceholder,
        DataConsumptionSelector, DataSelector, required=True)

    def check(self, error: Checker) -> None:
        if isinstance(self.data, Dataset) and not self.data.version_name:
            error("data.version_name", "is mandatory for a Dataset used by a JobStep")


@spec
class JobOutput(StepOutput[OBSConsumption]):
    """An output of a job phase (seed table 4-40): an OBS directory, a model, or metrics.

    On Kubernetes: a local directory passed as ``--<name>=<dir>``, uploaded to S3 when the code exits 0.
    """

    name: str = name_field()
    obs_config: OBSOutputConfig | None = field(OBSOutputConfig, default=None)
    model_config: ModelConfig | None = field(ModelConfig, default=None)
    metrics_config: MetricsConfig | None = field(MetricsConfig, default=None)

    consumption = OBSConsumption


def flavor_check(value: Any) -> str | None:
    if isinstance(value, str) and resolve_flavor(value) is None:
        return (f"{value!r} is not a known flavor; use a resource map such as "
                '{"cpu": "2", "memory": "8Gi"} or one of wf.resource.FLAVORS')
    return None


@spec
class JobResource(Spec):
    """A job's resources (seed table 4-48): the flavor and the node count.

    On Kubernetes: the flavor's resource map (a placeholder's JSON value, a literal map, or a
    ``wf.resource.FLAVORS`` id) is the requests and limits of the job's container, on each node. With
    ``node_count`` above 1 (or a placeholder) the job runs on that many worker pods that find each other
    (README "Distributed training").
    """

    flavor: Placeholder | dict[str, Any] | str = field(Placeholder, dict, str, required=True, scalar="flavor",
                                                       checks=[flavor_check], pod_spec=True)
    node_count: int | Placeholder = field(int, Placeholder, default=1, scalar="int")

    def check(self, error: Checker) -> None:
        if isinstance(self.node_count, int) and not 1 <= self.node_count <= MAX_NODES:
            error("node_count", f"must be 1 to {MAX_NODES}, got {self.node_count}")


def priority_check(value: Any) -> str | None:
    return None if value in (1, 2, 3) and not isinstance(value, bool) else f"must be 1, 2 or 3, got {value!r}"


@spec
class SchedulePolicy(Spec):
    """A job's scheduling priority (seed table 4-49): 1 low, 2 medium, 3 high.

    On Kubernetes: the pod's priority class ``wf2k8s-low``, ``wf2k8s-medium`` or ``wf2k8s-high``.
    """

    priority: int | Placeholder = field(int, Placeholder, required=True, scalar="int", checks=[priority_check])



@spec
class NFS(Spec):
    """An NFS file system mounted into the job (seed table 4-51): ``server:/path``, mount path, read-only.

    On Kubernetes: an ``nfs`` volume of the job's pod, mounted into its container at ``local_path``.
    """

    nfs_server_path: str | Placeholder = field(str, Placeholder, required=True, scalar="str", pod_spec=True)
    local_path: str | Placeholder = field(str, Placeholder, required=True, scalar="str", pod_spec=True)
    read_only: bool | Placeholder = field(bool, Placeholder, default=False, scalar="bool", pod_spec=True)

    def check(self, error: Checker) -> None:
        if isinstance(self.nfs_server_path, str) and ":" not in self.nfs_server_path:
            error("nfs_server_path", f"must be server:/path, got {self.nfs_server_path!r}")
        if isinstance(self.local_path, str) and not self.local_path.startswith("/"):
            error("local_path", f"must be an absolute path, got {self.local_path!r}")


@spec
class Volume(Spec):
    """A file system mounted into the job (seed table 4-50). On Kubernetes: a volume of the job's pod."""

    nfs: NFS | None = field(NFS, default=None)


@spec
class LogExportPath(Spec):
    """Where a job's log goes (JobSpec.log_export_path, seed table 4-47).

    On Kubernetes: the wf2k8s runtime uploads the job's log to that path on the cluster's S3 server.
    """

    obs_url: str | Placeholder | StorageValue = field(str, Placeholder, StorageValue, required=True, scalar="str")


@spec
class JobSpec(Spec):
    """A job's specifications (seed table 4-47): resources, log path, scheduling policy, volumes.

    On Kubernetes: the job pod's ``pod-spec-patch`` (resources, priority class, volumes) and the log upload.
    """

    resource: JobResource = field(JobResource, required=True)
    log_export_path: LogExportPath | None = field(LogExportPath, default=None)
    schedule_policy: SchedulePolicy | None = field(SchedulePolicy, default=None)
    volumes: OptionalMany[Volume] = field(Volume, default=None, many=True)


@spec(kw_only=True)
class JobStep(Step):
    """A job phase (seed 4.4.5): a training, evaluation or data-processing job running the user's algorithm.

    On Kubernetes: one pod of the engine image running the user's code, driven by the wf2k8s runtime
    (fetches code and inputs from S3, runs the boot file or command, uploads outputs, reads metrics).
    """

    algorithm: BaseAlgorithm | Algorithm | AIGalleryAlgorithm = field(BaseAlgorithm, Algorithm, AIGalleryAlgorithm,
                                                                      required=True)
    spec: JobSpec = field(JobSpec, required=True)
    inputs: Many[JobInput] = io_field(JobInput, required=True)
    outputs: OutputList[JobOutput] = io_field(JobOutput, required=True)
    metadata: JobMetadata | None = field(JobMetadata, default=None)

    step_type = "job"

    def config(self) -> dict[str, Any]:
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
