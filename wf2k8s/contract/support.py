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

#: DatasetProperties.dataset_format values of a table dataset (only file datasets, 0, exist here)
TABLE_DATASET_FORMATS = (1, "1", "TABLE")
