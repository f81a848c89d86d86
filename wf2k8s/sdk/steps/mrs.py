"""The big data phase (seed 4.10.2): a Spark job (spark-submit in the step's pod, or a Spark Operator application)."""

from __future__ import annotations

from typing import Any

from wf2k8s.sdk._spec import OptionalMany, Spec, field, io_field, name_field, spec
from wf2k8s.sdk.algorithm import AlgorithmParameters
from wf2k8s.sdk.data import DataConsumptionSelector, OBSConsumption, OBSOutputConfig, OBSPath, OBSPlaceholder
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import OptionalOutputList, Step, StepOutput
from wf2k8s.sdk.storage import StorageValue

__all__ = ["MrsJobStep", "MrsJobInput", "MrsJobOutput", "MrsJobAlgorithm"]


@spec
class MrsJobAlgorithm(Spec):
    """The Spark program (seed 4.10.2): a boot script on OBS, run with ``spark-submit``, and its parameters.

    ``run_args`` holds spark-submit options (``--master,yarn-cluster`` style, comma separated);
    ``app_args`` the program's own arguments; other parameters are passed as ``--name=value``.
    """

    boot_file: str | Placeholder | StorageValue = field(str, Placeholder, StorageValue, required=True, scalar="str")
    parameters: OptionalMany[AlgorithmParameters] = field(AlgorithmParameters, default=None, many=True)


@spec
class MrsJobInput(Spec):
    """An input of an MRS Spark job (seed 4.10.2): OBS data, passed as ``--<name>=<local dir>``.

    On Kubernetes: fetched from the cluster's S3 server into the step's pod (or read as ``s3a://``).
    """

    name: str = name_field()
    data: OBSPath | OBSConsumption | OBSPlaceholder | DataConsumptionSelector = field(
        OBSPath, OBSConsumption, OBSPlaceholder, DataConsumptionSelector, required=True)


@spec
class MrsJobOutput(StepOutput[OBSConsumption]):
    """An output of an MRS Spark job (seed 4.10.2): an OBS directory, passed as ``--<name>=<local path>``.

    On Kubernetes: uploaded to that S3 prefix when the program exits 0 (or written as ``s3a://``).
    """

    name: str = name_field()
    obs_config: OBSOutputConfig = field(OBSOutputConfig, required=True)

    consumption = OBSConsumption


@spec(kw_only=True)
class MrsJobStep(Step):
    """A big data phase (seed 4.10.2): a Spark program on an MRS cluster.

    On Kubernetes: ``spark-submit`` in local mode in the step's pod (the ``wf2k8s/spark`` image), or with
    ``--spark-operator`` a SparkApplication of the Kubeflow Spark Operator.
    """

    mrs_algorithm: MrsJobAlgorithm = field(MrsJobAlgorithm, required=True)
    inputs: OptionalMany[MrsJobInput] = io_field(MrsJobInput, default=None)
    outputs: OptionalOutputList[MrsJobOutput] = io_field(MrsJobOutput, default=None)
    cluster_id: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")

    step_type = "mrs_job"

    def config(self) -> dict[str, Any]:
        return {"algorithm": self.mrs_algorithm, "inputs": self.inputs or [], "outputs": self.outputs or [],
                "cluster_id": self.cluster_id}
