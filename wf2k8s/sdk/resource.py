"""``wf.resource``: training flavors as Kubernetes resources.

A JobStep's ``JobResource.flavor`` is a JSON placeholder (or a literal) whose value is
a resource map, for example ``{"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": 1}``: it
becomes the requests and limits of the job's container. The ModelArts flavor ids in
`FLAVORS` are accepted too and mean the resources listed there.
"""

from __future__ import annotations

from typing import Any

from wf2k8s.sdk.placeholder import Placeholder, PlaceholderType

FLAVORS: dict[str, dict[str, Any]] = {
    "modelarts.vm.cpu.2u": {"cpu": "2", "memory": "8Gi"},
    "modelarts.vm.cpu.4u": {"cpu": "4", "memory": "16Gi"},
    "modelarts.vm.cpu.8u": {"cpu": "8", "memory": "32Gi"},
    "modelarts.vm.gpu.p4": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": 1},
    "modelarts.vm.gpu.v100": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": 1},
    "modelarts.pool.visual.xlarge": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": 1},
    "modelarts.pool.visual.2xlarge": {"cpu": "16", "memory": "64Gi", "nvidia.com/gpu": 2},
    "modelarts.pool.visual.4xlarge": {"cpu": "32", "memory": "128Gi", "nvidia.com/gpu": 4},
    "modelarts.pool.visual.8xlarge": {"cpu": "64", "memory": "256Gi", "nvidia.com/gpu": 8},
}


def flavor(cpu: str | int | float, memory: str, gpu: int = 0, gpu_resource: str = "nvidia.com/gpu") -> dict:
    """A flavor value: the resources of one job container."""
    resources: dict[str, Any] = {"cpu": str(cpu), "memory": memory}
    if gpu:
        resources[gpu_resource] = gpu
    return resources


def resolve_flavor(value: Any) -> dict | None:
    """The resource map a literal flavor means, or None when it names no known flavor."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return FLAVORS.get(value)
    return None


def flavor_placeholder(name: str = "train_flavor", default: dict | None = None,
                       description: str = "Training flavor: resources of the job container") -> Placeholder:
    """The JSON placeholder the seed's examples use for flavors, with a resource-map default."""
    return Placeholder(name=name, placeholder_type=PlaceholderType.JSON, default=default,
                       placeholder_format="flavor", description=description)
