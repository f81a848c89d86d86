"""The model registration phase (seed 4.4.6 and the model registration page)."""

from __future__ import annotations

from typing import Any

from wf2k8s.sdk._spec import Spec, field, matches, max_length, one_of, spec, without_chars
from wf2k8s.sdk.data import (
    Consumption, DataConsumptionSelector, GalleryModel, OBSConsumption, OBSPath, OBSPlaceholder, SWRImage,
    SWRImagePlaceholder,
)
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.steps.base import Step, StepOutput, io_field, name_field
from wf2k8s.sdk.storage import StorageValue

__all__ = ["ModelStep", "ModelInput", "ModelOutput", "ModelConfig", "Template", "TemplateInputs", "MODEL_TYPES"]

MODEL_TYPES = ("TensorFlow", "MXNet", "Caffe", "Spark_MLlib", "Scikit_Learn", "XGBoost", "Image", "PyTorch",
               "Template", "Custom")
INSTALL_TYPES = ("real_time", "edge", "batch")
MODEL_VERSION_PATTERN = r"[1-9][0-9]?\.[1-9][0-9]?\.[1-9][0-9]?"
MODEL_VERSION_TEXT = "Digit.Digit.Digit, each part 1-99 without a leading zero (for example 1.0.1 is not, 1.2.3 is)"


@spec
class TemplateInputs(Spec):
    input_id: Any = field(str, Placeholder, required=True, scalar="str")
    input: Any = field(str, Placeholder, StorageValue, required=True, scalar="str")


@spec
class Template(Spec):
    template_id: Any = field(str, Placeholder, required=True, scalar="str")
    infer_format: Any = field(str, Placeholder, scalar="str")
    template_inputs: list = field(TemplateInputs, required=True, many=True)

    def check(self, error) -> None:
        ids = [t.input_id for t in self.template_inputs or [] if isinstance(t.input_id, str)]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            error("template_inputs", f"input_id {duplicate!r} is given twice")


@spec
class ModelConfig(Spec):
    model_type: Any = field(str, Placeholder, default="TensorFlow", scalar="str", checks=[one_of(*MODEL_TYPES)])
    model_name: Any = field(str, Placeholder, scalar="str",
                            checks=[matches(r"[A-Za-z0-9_-]{1,64}", "1-64 letters, digits, '-' or '_'")])
    model_version: Any = field(str, Placeholder, scalar="str",
                               checks=[matches(MODEL_VERSION_PATTERN, MODEL_VERSION_TEXT)])
    runtime: Any = field(str, Placeholder, scalar="str", checks=[one_of(*MODEL_TYPES)])
    description: str | None = field(str, checks=[max_length(100, 1), without_chars("&!'\"<>=")])
    execution_code: str | None = field(str)
    dependencies: str | None = field(str)
    model_metrics: str | None = field(str)
    apis: str | None = field(str)
    initial_config: dict | None = field(dict)
    template: Template | None = field(Template)
    dynamic_load_mode: Any = field(str, Placeholder, scalar="str", checks=[one_of("Single")])
    prebuild: Any = field(bool, Placeholder, default=False, scalar="bool")
    install_type: list | None = field(list)

    def check(self, error) -> None:
        if self.model_type == "Template" and self.template is None:
            error("template", "is mandatory when model_type is Template")
        for i, kind in enumerate(self.install_type or []):
            if kind not in INSTALL_TYPES:
                error(f"install_type[{i}]", f"must be one of {', '.join(INSTALL_TYPES)}, got {kind!r}")


@spec
class ModelInput(Spec):
    name: str = name_field()
    data: Any = field(OBSPath, SWRImage, OBSConsumption, OBSPlaceholder, SWRImagePlaceholder,
                      DataConsumptionSelector, GalleryModel, required=True)


@spec
class ModelOutput(StepOutput):
    name: str = name_field()
    model_config: ModelConfig = field(ModelConfig, required=True)

    consumption = Consumption


@spec
class ModelStep(Step):
    inputs: list | None = io_field(ModelInput)
    outputs: list = io_field(ModelOutput, required=True)

    step_type = "model"

    def check(self, error) -> None:
        super().check(error)
        templated = any(o.model_config.template is not None for o in self.outputs or [])
        if not self.inputs and not templated:
            error("inputs", "needs a model source: an OBS model directory, an image, a subscribed model, "
                  "or a Template in model_config")
        images = [i for i in self.inputs or [] if isinstance(i.data, (SWRImage, SWRImagePlaceholder, GalleryModel))]
        if len(images) > 1:
            error("inputs", "can hold only one image source (SWRImage, SWRImagePlaceholder or GalleryModel)")

    def config(self) -> dict:
        return {"inputs": self.inputs or [], "outputs": self.outputs}
