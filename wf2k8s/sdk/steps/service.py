"""The service deployment phase (seed 4.4.7)."""

from __future__ import annotations

from typing import Any

from wf2k8s.contract.support import SERVICE_UNSUPPORTED_FIELDS
from wf2k8s.errors import ValidationError
from wf2k8s.sdk._spec import (
    Checker, OptionalMany, Spec, field, io_field, matches, max_length, name_field, one_of, spec,
)
from wf2k8s.sdk.data import (
    Consumption, ModelData, ServiceData, ServiceInputPlaceholder, ServiceUpdatePlaceholder, TripartiteServiceConfig,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import OutputList, OutputVariable, Step, StepOutput

__all__ = ["ServiceStep", "ServiceInput", "ServiceOutput", "ServiceConfig", "INFER_TYPES", "OUTPUT_VARIABLES"]

INFER_TYPES = ("real-time", "batch", "edge")
#: ServiceConfig.additional_properties of infer_type "batch" (wf2k8s/runtime/batch.py)
BATCH_FIELDS = ("src_path", "dest_path", "mapping_type", "batch_size")
OUTPUT_VARIABLES = ("access_address", "cluster_inner_access_address", "service_name", "service_id")


@spec
class ServiceConfig(Spec):
    """How a service is deployed (ServiceOutput's service_config, seed 4.4.7): inference type, name, network.

    On Kubernetes: a KServe InferenceService named ``service_name`` (real-time and edge), or a transient
    one that predicts the files of ``additional_properties`` and is deleted (batch).
    """

    infer_type: str = field(str, default="real-time", checks=[one_of(*INFER_TYPES)])
    service_name: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str",
                                                   checks=[matches(r"[A-Za-z0-9_-]{1,64}",
                                                                   "1-64 letters, digits, '-' or '_'")])
    description: str | None = field(str, default=None, checks=[max_length(100)])
    vpc_id: str | None = field(str, default=None)
    subnet_network_id: str | None = field(str, default=None)
    security_group_id: str | None = field(str, default=None)
    cluster_id: str | None = field(str, default=None)
    additional_properties: dict[str, Any] | None = field(dict, default=None)
    apps: str | Placeholder | list[str] | None = field(str, Placeholder, list, default=None, scalar="str")
    envs: dict[str, Any] | None = field(dict, default=None)

    def check(self, error: Checker) -> None:
        extra = self.additional_properties or {}
        if self.infer_type == "batch":
            # the seed names no field for a batch service's data: ModelArts' batch-service fields
            unknown = sorted(str(k) for k in extra if k not in BATCH_FIELDS)
            if unknown:
                error("additional_properties", f"unknown field(s) {', '.join(unknown)} for infer_type 'batch' "
                      f"(the fields are {', '.join(BATCH_FIELDS)})")
            for needed in ("src_path", "dest_path"):
                if extra.get(needed) in (None, ""):
                    error(f"additional_properties[{needed!r}]", "is mandatory for infer_type 'batch': the OBS path "
                          f"of the {'input files' if needed == 'src_path' else 'predictions'}")
            mapping = extra.get("mapping_type")
            if isinstance(mapping, str) and mapping not in ("csv", "json"):
                error("additional_properties['mapping_type']", f"must be 'csv' or 'json', got {mapping!r}")
            size = extra.get("batch_size")
            if size is not None and not isinstance(size, Placeholder) and (
                    isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 10000):
                error("additional_properties['batch_size']", f"must be a whole number 1-10000, got {size!r}")
        elif extra:
            # as the runtime would when the phase starts (wf2k8s/runtime/service.py)
            error("additional_properties", f"is for infer_type 'batch' only; it cannot be applied on Kubernetes to "
                  f"a {self.infer_type} service, leave it out")
        for name in SERVICE_UNSUPPORTED_FIELDS:
            value = getattr(self, name)
            if value not in (None, "", []) and not isinstance(value, Placeholder):
                # as the runtime would when the phase starts; a placeholder's value is known only then
                error(name, "cannot be applied on Kubernetes (a KServe InferenceService has no ModelArts network "
                      "or resource pool); leave it out")
        for key, value in (self.envs or {}).items():
            if not isinstance(key, str):
                error("envs", f"names must be str, got {key!r}")
            if not isinstance(value, (str, int, float, bool, Placeholder, OutputVariable)):
                error(f"envs[{key!r}]", "must be str, int, float, bool, Placeholder or a step's output variable, "
                      f"got {type(value).__name__}")


@spec
class ServiceInput(Spec):
    """An input of a service deployment phase (seed table 4-60): the models to deploy, or the service to update.

    On Kubernetes: MLflow model versions (their ``s3://`` sources become ``storageUri``), or an existing
    InferenceService.
    """

    name: str = name_field()
    data: ServiceInputPlaceholder | ServiceData | ServiceUpdatePlaceholder | ModelData = field(
        ServiceInputPlaceholder, ServiceData, ServiceUpdatePlaceholder, ModelData, required=True)


@spec
class ServiceOutput(StepOutput[Consumption]):
    """The output of a service deployment phase (seed table 4-61): the service and its configuration.

    On Kubernetes: the InferenceService; ``get_output_variable`` gives its name, UID and addresses.
    """

    name: str = name_field()
    service_config: ServiceConfig | TripartiteServiceConfig = field(ServiceConfig, TripartiteServiceConfig,
                                                                    factory=ServiceConfig)

    consumption = Consumption

    def get_output_variable(self, variable: str) -> OutputVariable:
        if variable not in OUTPUT_VARIABLES:
            raise ValidationError(f"{self.step.label()} > outputs[{self.name!r}]",
                                  f"has no output variable {variable!r} (variables: {', '.join(OUTPUT_VARIABLES)})")
        return super().get_output_variable(variable)


@spec(kw_only=True)
class ServiceStep(Step):
    """A service deployment phase (seed 4.4.7): deploys models as a service, or updates one (gray update).

    On Kubernetes: a task running the wf2k8s runtime, which creates or updates a KServe InferenceService
    and waits until it is Ready.
    """

    inputs: OptionalMany[ServiceInput] = io_field(ServiceInput, default=None)
    outputs: OutputList[ServiceOutput] = io_field(ServiceOutput, required=True)

    step_type = "service"

    def check(self, error: Checker) -> None:
        super().check(error)
        inputs = self.inputs or []
        models = [i for i in inputs if isinstance(i.data, (ServiceInputPlaceholder, ModelData))]
        services = [i for i in inputs if isinstance(i.data, (ServiceData, ServiceUpdatePlaceholder))]
        third_party = any(isinstance(o.service_config, TripartiteServiceConfig) for o in self.outputs or [])
        if len(models) > 1:
            error("inputs", "can hold only one model input (ServiceInputPlaceholder or ModelData)")
        if len(services) > 1:
            error("inputs", "can hold only one service to update (ServiceData or ServiceUpdatePlaceholder)")
        if not models and not third_party:
            error("inputs", "needs the models to deploy: a ServiceInputPlaceholder or ModelData")
        if len(self.outputs or []) > 1:
            error("outputs", "a service deployment phase has one output")

    def config(self) -> dict[str, Any]:
        return {"inputs": self.inputs or [], "outputs": self.outputs}
