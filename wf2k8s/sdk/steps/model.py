"""The model registration phase (seed 4.4.6 and the model registration page)."""

from __future__ import annotations

from typing import Any

from wf2k8s.contract.support import MODEL_TYPES
from wf2k8s.sdk._spec import (
    Checker, Many, OptionalMany, Spec, field, io_field, matches, max_length, name_field, one_of, spec, without_chars,
)
from wf2k8s.sdk.data import (
    Consumption, DataConsumptionSelector, GalleryModel, OBSConsumption, OBSPath, OBSPlaceholder, SWRImage,
    SWRImagePlaceholder,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import OutputList, Step, StepOutput
from wf2k8s.sdk.storage import StorageValue

__all__ = ["ModelStep", "ModelInput", "ModelOutput", "ModelConfig", "Template", "TemplateInputs", "MODEL_TYPES"]

INSTALL_TYPES = ("real_time", "edge", "batch")
MODEL_VERSION_PATTERN = r"[1-9][0-9]?\.[1-9][0-9]?\.[1-9][0-9]?"
MODEL_VERSION_TEXT = "Digit.Digit.Digit, each part 1-99 without a leading zero (for example 1.0.1 is not, 1.2.3 is)"


@spec
class TemplateInputs(Spec):
    """An input of a model template (seed table 4-58): the input item's id and its OBS path.

    On Kubernetes: the MLflow model version's ``modelarts.template_inputs`` tag (input id to ``s3://`` URI).
    """

    input_id: str | Placeholder = field(str, Placeholder, required=True, scalar="str")
    input: str | Placeholder | StorageValue = field(str, Placeholder, StorageValue, required=True, scalar="str")


@spec(kw_only=True)
class Template(Spec):
    """A model template (seed table 4-57), mandatory when ``model_type`` is Template.

    On Kubernetes: MLflow model version tags (``modelarts.template_id``, ``modelarts.infer_format``); the
    first template input is the version's ``source`` when there is no other model source.
    """

    template_id: str | Placeholder = field(str, Placeholder, required=True, scalar="str")
    infer_format: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    template_inputs: Many[TemplateInputs] = field(TemplateInputs, required=True, many=True)

    def check(self, error: Checker) -> None:
        ids = [t.input_id for t in self.template_inputs or [] if isinstance(t.input_id, str)]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            error("template_inputs", f"input_id {duplicate!r} is given twice")


@spec
class ModelConfig(Spec):
    """How a model is registered (seed table 4-56 and the model registration page): type, name, version,
    runtime and the rest. On Kubernetes: an MLflow model version of the registered model ``model_name``,
    ``model_version`` its ``modelarts.version`` tag and the other fields ``modelarts.*`` tags."""

    model_type: str | Placeholder = field(str, Placeholder, default="TensorFlow", scalar="str",
                                          checks=[one_of(*MODEL_TYPES)])
    model_name: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str",
                                                 checks=[matches(r"[A-Za-z0-9_-]{1,64}",
                                                                 "1-64 letters, digits, '-' or '_'")])
    model_version: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str",
                                                    checks=[matches(MODEL_VERSION_PATTERN, MODEL_VERSION_TEXT)])
    runtime: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str",
                                              checks=[one_of(*MODEL_TYPES)])
    description: str | None = field(str, default=None, checks=[max_length(100, 1), without_chars("&!'\"<>=")])
    execution_code: str | None = field(str, default=None)
    dependencies: str | None = field(str, default=None)
    model_metrics: str | None = field(str, default=None)
    apis: str | None = field(str, default=None)
    initial_config: dict[str, Any] | None = field(dict, default=None)
    template: Template | None = field(Template, default=None)
    dynamic_load_mode: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str",
                                                        checks=[one_of("Single")])
    prebuild: bool | Placeholder = field(bool, Placeholder, default=False, scalar="bool")
    install_type: list[str] | None = field(list, default=None)

    def check(self, error: Checker) -> None:
        if self.model_type == "Template" and self.template is None:
            error("template", "is mandatory when model_type is Template")
        for i, kind in enumerate(self.install_type or []):
            if kind not in INSTALL_TYPES:
                error(f"install_type[{i}]", f"must be one of {', '.join(INSTALL_TYPES)}, got {kind!r}")


@spec
class ModelInput(Spec):
    """A model source (seed table 4-54): an OBS model directory, an image, or a subscribed model.

    On Kubernetes: an ``s3://`` model directory (the MLflow version's ``source``) or a container image.
    """

    name: str = name_field()
    data: (OBSPath | SWRImage | OBSConsumption | OBSPlaceholder | SWRImagePlaceholder | DataConsumptionSelector
           | GalleryModel) = field(OBSPath, SWRImage, OBSConsumption, OBSPlaceholder, SWRImagePlaceholder,
                                   DataConsumptionSelector, GalleryModel, required=True)


@spec
class ModelOutput(StepOutput[Consumption]):
    """A registered model (seed table 4-55), configured by its ModelConfig.

    On Kubernetes: one MLflow model version; a later ServiceStep deploys exactly that version.
    """

    name: str = name_field()
    model_config: ModelConfig = field(ModelConfig, required=True)

    consumption = Consumption


@spec(kw_only=True)
class ModelStep(Step):
    """A model registration phase (seed 4.4.6): registers models in AI Application Management.

    On Kubernetes: a task running the wf2k8s runtime, which registers one version per output in the
    MLflow Model Registry (the model files stay on S3).
    """

    inputs: OptionalMany[ModelInput] = io_field(ModelInput, default=None)
    outputs: OutputList[ModelOutput] = io_field(ModelOutput, required=True)

    step_type = "model"

    def check(self, error: Checker) -> None:
        super().check(error)
        templated = any(o.model_config.template is not None for o in self.outputs or [])
        if not self.inputs and not templated:
            error("inputs", "needs a model source: an OBS model directory, an image, a subscribed model, "
                  "or a Template in model_config")
        images = [i for i in self.inputs or [] if isinstance(i.data, (SWRImage, SWRImagePlaceholder, GalleryModel))]
        if len(images) > 1:
            error("inputs", "can hold only one image source (SWRImage, SWRImagePlaceholder or GalleryModel)")

    def config(self) -> dict[str, Any]:
        return {"inputs": self.inputs or [], "outputs": self.outputs}
