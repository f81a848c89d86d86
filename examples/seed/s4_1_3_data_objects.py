# Seed section 4.1.3 "Data" (004_e75797c5b6c4ed76.txt, Tables 4-4 to 4-17): the data-object snippets,
# wrapped into one small workflow that uses every object. The snippets' definitions are kept verbatim
# except for the marked seed fixes; everything around them is wrapper code.
from modelarts import workflow as wf

# The seed's snippets use the classes unqualified; section 4.11.3 says they are imported through wf.data.
Dataset = wf.data.Dataset
LabelTask = wf.data.LabelTask
OBSPath = wf.data.OBSPath
ServiceData = wf.data.ServiceData
SWRImage = wf.data.SWRImage
GalleryModel = wf.data.GalleryModel
DatasetPlaceholder = wf.data.DatasetPlaceholder
DataTypeEnum = wf.data.DataTypeEnum
OBSPlaceholder = wf.data.OBSPlaceholder
LabelTaskPlaceholder = wf.data.LabelTaskPlaceholder
ServiceUpdatePlaceholder = wf.data.ServiceUpdatePlaceholder
SWRImagePlaceholder = wf.data.SWRImagePlaceholder
SWRIImagePlaceholder = wf.data.SWRIImagePlaceholder  # the spelling of table 4-14
ServiceInputPlaceholder = wf.data.ServiceInputPlaceholder
DataSelector = wf.data.DataSelector
DataConsumptionSelector = wf.data.DataConsumptionSelector

# ---- The seed's snippets (each was "example = ..."; renamed so that they can live in one file) ----

# Table 4-4 Dataset
dataset_example = Dataset(dataset_name = "**", version_name = "**")  # seed fix: empty mandatory dataset_name ("") -> "**" like the other snippets; version_name "" -> "**" (mandatory when a JobStep uses the Dataset)
# Obtain the dataset name and version name in the ModelArts dataset module.

# Table 4-5 LabelTask
label_task_example = LabelTask(dataset_name = "**", task_name = "**")  # seed fix: empty mandatory dataset_name/task_name ("") -> "**" like the other snippets
# Obtain the dataset name and labeling job name in the ModelArts dataset module.

# Table 4-6 OBSPath
obs_path_example = OBSPath(obs_path = "obs://bucket-name/data-objects-demo/input/")  # seed fix: the filler "**" is not an OBS path -> an example path
# Obtain the OBS path from Object Storage Service.

# Table 4-7 ServiceData
service_data_example = ServiceData(service_id = "**")
# Obtain the service ID in ModelArts Real-Time Services. This object describes a specified real-time service and is used for service update.

# Table 4-8 SWRImage
swr_image_example = SWRImage(swr_path = "**")
# Container image path, which is used as the input for model registration

# Table 4-9 GalleryModel
gallery_model_example = GalleryModel(subscription_id="**", version_num="**")
# Subscribed model object, which is used as the input of the model registration phase

# Table 4-10 DatasetPlaceholder
dataset_placeholder_example = DatasetPlaceholder(name = "dataset_placeholder", data_type = DataTypeEnum.IMAGE_CLASSIFICATION)  # seed fix: (a) name "**" shared by different placeholders -> "dataset_placeholder"
# Dataset object placeholder. Configure data_type to specify supported data types.

# Table 4-11 OBSPlaceholder
obs_placeholder_example = OBSPlaceholder(name = "obs_placeholder", object_type = "directory" )  # seed fix: (a) name "**" shared by different placeholders -> "obs_placeholder"
# OBS object placeholder. You can set object_type to file or directory.

# Table 4-12 LabelTaskPlaceholder
label_task_placeholder_example = LabelTaskPlaceholder(name = "label_task_placeholder")  # seed fix: (a) name "**" shared by different placeholders -> "label_task_placeholder"
# LabelTask object placeholder

# Table 4-13 ServiceUpdatePlaceholder
service_update_placeholder_example = ServiceUpdatePlaceholder(name = "service_update_placeholder")  # seed fix: (a) name "**" shared by different placeholders -> "service_update_placeholder"
# ServiceData object placeholder, which is used as the input for service update

# Table 4-14 SWRIImagePlaceholder
swr_image_placeholder_example = SWRIImagePlaceholder(name = "swr_image_placeholder")  # seed fix: (a) name "**" shared by different placeholders -> "swr_image_placeholder"
# SWRIImage object placeholder, which is used as the input for model registration.

# Table 4-15 ServiceInputPlaceholder
service_input_placeholder_example = ServiceInputPlaceholder(name = "service_input_placeholder", model_name = "model_name")  # seed fix: (a) name "***" shared by different placeholders -> "service_input_placeholder"
# This object is used as the input for service deployment or service update.

# Table 4-16 DataSelector
data_selector_example = DataSelector(name = "data_selector", data_type_list=["obs", "dataset"])  # seed fix: (a) name "***" shared by different placeholders -> "data_selector"
# This object is used as the input of the job phase.

# ---- Wrapper: a workflow that uses every object above ----

# DataConsumptionSelector needs two steps of which only one yields an output: a condition picks step1 or step2.
use_step1 = wf.Placeholder(name="use_step1", placeholder_type=wf.PlaceholderType.BOOL, default=True)
condition_step = wf.steps.ConditionStep(
    name="choose_branch",
    conditions=wf.steps.Condition(condition_type=wf.steps.ConditionTypeEnum.EQ, left=use_step1, right=True),
    if_then_steps="step1",
    else_then_steps="step2"
)

train_flavor = wf.Placeholder(name="train_flavor", placeholder_type=wf.PlaceholderType.JSON, description="Training flavor")

# Job phase using the actual data objects Dataset and OBSPath, and a DataSelector.
step1 = wf.steps.JobStep(
    name="step1",
    title="Training on fixed data",
    algorithm=wf.BaseAlgorithm(
        code_dir="obs://bucket-name/data-objects-demo/code/",
        boot_file="obs://bucket-name/data-objects-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=[
        wf.steps.JobInput(name="data_url", data=dataset_example),
        wf.steps.JobInput(name="extra_url", data=obs_path_example),
        wf.steps.JobInput(name="selected_url", data=data_selector_example)
    ],
    outputs=wf.steps.JobOutput(name="step1_output_name", obs_config=wf.data.OBSOutputConfig(obs_path=wf.Placeholder(name="step1_output_path", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs"))),
    spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=train_flavor)),
    depend_steps=condition_step
)

# Job phase using the placeholder data objects DatasetPlaceholder and OBSPlaceholder.
step2 = wf.steps.JobStep(
    name="step2",
    title="Training on data chosen at run time",
    algorithm=wf.BaseAlgorithm(
        code_dir="obs://bucket-name/data-objects-demo/code/",
        boot_file="obs://bucket-name/data-objects-demo/code/train.py",
        engine=wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.5")
    ),
    inputs=[
        wf.steps.JobInput(name="data_url", data=dataset_placeholder_example),
        wf.steps.JobInput(name="extra_url", data=obs_placeholder_example)
    ],
    outputs=wf.steps.JobOutput(name="step2_output_name", obs_config=wf.data.OBSOutputConfig(obs_path=wf.Placeholder(name="step2_output_path", placeholder_type=wf.PlaceholderType.STR, placeholder_format="obs"))),
    spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=train_flavor)),
    depend_steps=condition_step
)

# Table 4-17 DataConsumptionSelector
data_consumption_selector_example = DataConsumptionSelector(data_list=[step1.outputs["step1_output_name"].as_input(), step2.outputs["step2_output_name"].as_input()])
# Use the valid output from either step 1 or step 2 as the input. If step 1 is skipped and has no output, use the valid output from step 2 as the input. (Make sure that data_list has only one valid output.)

model_name = wf.Placeholder(name="model_name", placeholder_type=wf.PlaceholderType.STR)

# Model registration from a subscribed model (GalleryModel) plus the model files chosen by DataConsumptionSelector.
model_gallery_step = wf.steps.ModelStep(
    name="model_from_gallery",
    inputs=[
        wf.steps.ModelInput(name="base_model", data=gallery_model_example),
        wf.steps.ModelInput(name="model_obs", data=data_consumption_selector_example)
    ],
    outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(model_name=model_name, model_type="Custom", dynamic_load_mode="Single")),
    depend_steps=[step1, step2]
)

# Model registration from a fixed custom image (SWRImage).
model_swr_step = wf.steps.ModelStep(
    name="model_from_swr",
    inputs=wf.steps.ModelInput(name="swr_input", data=swr_image_example),
    outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(model_name=model_name, model_type="TensorFlow"))
)

# Model registration from a custom image chosen at run time (SWRImagePlaceholder).
model_swr_placeholder_step = wf.steps.ModelStep(
    name="model_from_swr_placeholder",
    inputs=wf.steps.ModelInput(name="swr_input", data=swr_image_placeholder_example),
    outputs=wf.steps.ModelOutput(name="model_output", model_config=wf.steps.ModelConfig(model_name=model_name, model_type="TensorFlow"))
)

# Labeling a fixed labeling job (LabelTask).
labeling_step = wf.steps.LabelingStep(
    name="labeling",
    inputs=wf.steps.LabelingInput(name="input_name", data=label_task_example),
    outputs=wf.steps.LabelingOutput(name="output_name")
)

# Releasing a version of a labeling job chosen at run time (LabelTaskPlaceholder).
release_step = wf.steps.ReleaseDatasetStep(
    name="release_dataset",
    inputs=wf.steps.ReleaseDatasetInput(name="input_name", data=label_task_placeholder_example),
    outputs=wf.steps.ReleaseDatasetOutput(name="output_name", dataset_version_config=wf.data.DatasetVersionConfig(train_evaluate_sample_ratio="0.8"))
)

# Updating a fixed service (ServiceData) with the model chosen through ServiceInputPlaceholder.
service_update_step = wf.steps.ServiceStep(
    name="service_update",
    inputs=[
        wf.steps.ServiceInput(name="si_model", data=service_input_placeholder_example),
        wf.steps.ServiceInput(name="si_service_data", data=service_data_example)
    ],
    outputs=wf.steps.ServiceOutput(name="service_output"),
    depend_steps=model_gallery_step
)

# Updating a service chosen at run time (ServiceUpdatePlaceholder).
service_update_placeholder_step = wf.steps.ServiceStep(
    name="service_update_placeholder",
    inputs=[
        wf.steps.ServiceInput(name="si_model", data=service_input_placeholder_example),
        wf.steps.ServiceInput(name="si_service_ph", data=service_update_placeholder_example)
    ],
    outputs=wf.steps.ServiceOutput(name="service_output"),
    depend_steps=model_gallery_step
)

workflow = wf.Workflow(
    name="data-objects-demo",
    desc="the data objects of section 4.1.3 used in one workflow",
    steps=[condition_step, step1, step2, model_gallery_step, model_swr_step, model_swr_placeholder_step,
           labeling_step, release_step, service_update_step, service_update_placeholder_step]
)

if __name__ == "__main__":
    workflow.release()
