"""wf2k8s: the ModelArts Workflow SDK, compiled to Argo Workflows on your own Kubernetes.

``from modelarts import workflow as wf`` and ``import wf2k8s as wf`` give the same objects.
"""

from wf2k8s._version import __version__
from wf2k8s.errors import ValidationError
from wf2k8s.sdk import data, policy, resource, steps
from wf2k8s.sdk.algorithm import AIGalleryAlgorithm, Algorithm, AlgorithmParameters, BaseAlgorithm
from wf2k8s.sdk.gallery import add_whitelist_users, delete_whitelist_users
from wf2k8s.sdk.placeholder import Placeholder, PlaceholderType, SystemEnv
from wf2k8s.sdk.workflow import Subgraph, Workflow

__all__ = [
    "__version__", "ValidationError",
    "Workflow", "Subgraph", "Placeholder", "PlaceholderType", "AlgorithmParameters", "BaseAlgorithm", "Algorithm",
    "AIGalleryAlgorithm", "resource", "SystemEnv", "add_whitelist_users", "delete_whitelist_users",
    "data", "steps", "policy",
]
