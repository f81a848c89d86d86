"""What the phases can do on Kubernetes, where that is narrower than ModelArts (standard library only).

The runtime refuses a spec outside these when its phase starts (a value given by a placeholder is known
only then); the SDK refuses the same settings written literally when the pipeline is compiled, so that a
run does not fail hours in. Both read them from here, so the two rules cannot drift apart.
"""

from __future__ import annotations

#: labeling task types Label Studio labels here (``runtime/labeling.py`` has an interface for each)
LABELING_TASK_TYPES = ("IMAGE_CLASSIFICATION", "TEXT_CLASSIFICATION", "AUDIO_CLASSIFICATION", "OBJECT_DETECTION",
                       "NAMED_ENTITY_RECOGNITION")

#: annotation formats the dataset phases read labels in (``runtime/dataset.py``); not MA_IMAGE_SEGMENTATION_V1
ANNOTATION_FORMATS = ("MA_IMAGE_CLASSIFICATION_V1", "MA_IMAGENET_V1", "MA_PASCAL_VOC_V1", "YOLO",
                      "MA_TEXT_CLASSIFICATION_V1", "MA_TEXT_CLASSIFICATION_COMBINE_V1",
                      "MA_AUDIO_CLASSIFICATION_DIR_V1")

#: ServiceConfig fields of ModelArts' network and resource pools, which a KServe InferenceService has no use for
SERVICE_UNSUPPORTED_FIELDS = ("vpc_id", "subnet_network_id", "security_group_id", "cluster_id", "apps")

#: ModelConfig.model_type values (the seed's list): ModelStep registers any of them
MODEL_TYPES = ("TensorFlow", "MXNet", "Caffe", "Spark_MLlib", "Scikit_Learn", "XGBoost", "Image", "PyTorch",
               "Template", "Custom")
#: how a ServiceStep serves a model version (``runtime/service.py``). A version registered with an image
#: (SWRImage, SWRImagePlaceholder, GalleryModel) runs that image as a custom KServe predictor, whatever its
#: type. Without one, these types are served by a KServe modelFormat (a ClusterServingRuntime of the cluster):
MODEL_FORMATS = {"Scikit_Learn": "sklearn", "XGBoost": "xgboost", "TensorFlow": "tensorflow",  # SavedModels
                 "PyTorch": "pytorch"}  # TorchScript, or a state dict with its customize_service.py
#: and these are refused, saying why and what to do instead (one line each)
SERVE_FROM_IMAGE = ("register it with a serving image (an SWRImage, SWRImagePlaceholder or GalleryModel input) "
                    "whose server loads the model files from /mnt/models")
MODEL_TYPES_NOT_SERVED = {
    "MXNet": f"KServe has no MXNet server: {SERVE_FROM_IMAGE}",
    "Caffe": f"KServe has no Caffe server: {SERVE_FROM_IMAGE}",
    "Spark_MLlib": f"KServe has no Spark MLlib server: {SERVE_FROM_IMAGE}, or save a Spark XGBoost model's "
                   "booster (xgboost's save_model) and register that as XGBoost",
    "Image": f"an Image model is served from its image and this version has none: {SERVE_FROM_IMAGE}",
    "Custom": f"a Custom model is served from its image and this version has none: {SERVE_FROM_IMAGE}",
    "Template": "a Template model is served by its template's image, which the catalog (ConfigMap "
                "wf2k8s-catalog, key templates) names; this version's template is not there and it has none: "
                f"{SERVE_FROM_IMAGE}",
}

#: DatasetProperties.dataset_format values of a table dataset (only file datasets, 0, exist here)
TABLE_DATASET_FORMATS = (1, "1", "TABLE")

#: the most worker pods a JobStep runs on (``node_count``): a bound against a typo, not a cluster's limit
MAX_NODES = 64
