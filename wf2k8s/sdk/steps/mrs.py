"""The big data phase (seed 4.10.2): a Spark job (spark-submit in the step's pod, or a Spark Operator application)."""

from __future__ import annotations

from typing import Any

from wf2k8s.sdk._spec import Spec, field, spec
from wf2k8s.sdk.algorithm import AlgorithmParameters
from wf2k8s.sdk.data import DataConsumptionSelector, OBSConsumption, OBSOutputConfig, OBSPath, OBSPlaceholder
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import Step, StepOutput, io_field, name_field
from wf2k8s.sdk.storage import StorageValue

__all__ = ["MrsJobStep", "MrsJobInput", "MrsJobOutput", "MrsJobAlgorithm"]


@spec
class MrsJobAlgorithm(Spec):
    """The Spark program: a boot script on OBS and its parameters.

    ``run_args`` holds spark-submit options (``--master,yarn-cluster`` style, comma separated);
    ``app_args`` the program's own arguments; other parameters are passed as ``--name=value``.
    """

    boot_file: Any = field(str, Placeholder, StorageValue, required=True, scalar="str")
    parameters: list | None = field(AlgorithmParameters, many=True)


@spec
class MrsJobInput(Spec):
    name: str = name_field()
    data: Any = field(OBSPath, OBSConsumption, OBSPlaceholder, DataConsumptionSelector, required=True)


@spec
class MrsJobOutput(StepOutput):
    name: str = name_field()
    obs_config: OBSOutputConfig = field(OBSOutputConfig, required=True)

    consumption = OBSConsumption


@spec
class MrsJobStep(Step):
    mrs_algorithm: MrsJobAlgorithm = field(MrsJobAlgorithm, required=True)
    inputs: list | None = io_field(MrsJobInput)
    outputs: list | None = io_field(MrsJobOutput)
    cluster_id: Any = field(str, Placeholder, scalar="str")

    step_type = "mrs_job"

    def config(self) -> dict:
        return {"algorithm": self.mrs_algorithm, "inputs": self.inputs or [], "outputs": self.outputs or [],
                "cluster_id": self.cluster_id}
