"""Algorithms a JobStep runs (seed tables 4-42 to 4-46)."""

from __future__ import annotations

from typing import Any

from wf2k8s.sdk._spec import Checker, OptionalMany, Spec, field, matches, spec
from wf2k8s.sdk.placeholder import Placeholder
from wf2k8s.sdk.storage import StorageValue


@spec
class AlgorithmParameters(Spec):
    """An algorithm hyperparameter (seed table 4-45). On Kubernetes: passed to the code as ``--name=value``."""

    name: str = field(str, required=True)
    value: int | bool | float | str | Placeholder | StorageValue = field(
        int, bool, float, str, Placeholder, StorageValue, required=True, scalar="scalar")

    def check(self, error: Checker) -> None:
        if isinstance(self.name, str) and (not self.name or any(c.isspace() or c == "=" for c in self.name)):
            error("name", f"must be a non-empty word without spaces or '=', got {self.name!r}")


#: a container image reference as the kubelet takes one (distribution/reference): ``[host[:port]/]name[:tag][@digest]``;
#: Argo also writes the image into the pod itself, expanding any ``{{...}}`` in it, so nothing else may stand here
_IMAGE_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REFERENCE = (r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                   r"(?::[0-9]+)?/)?" + _IMAGE_COMPONENT + r"(?:/" + _IMAGE_COMPONENT + r")*"
                   r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*"
                   r":[0-9a-fA-F]{32,})?")
image_reference = matches(IMAGE_REFERENCE, "a container image reference ([registry/]organization/image:tag)")


@spec
class JobEngine(Spec):
    """The image a job runs in (seed table 4-46): an official engine (name and version, or id), or a custom
    image URL. On Kubernetes: the container image of the job's pod; an official engine is looked up in the
    cluster's catalog (ConfigMap ``wf2k8s-catalog``) when the run starts."""

    engine_id: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    engine_name: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    engine_version: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    image_url: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str", pod_spec=True,
                                                checks=[image_reference])

    def check(self, error: Checker) -> None:
        if self.engine_id is None and self.engine_name is None and self.image_url is None:
            error("", "needs engine_id, engine_name and engine_version, or image_url")
        if (self.engine_name is None) != (self.engine_version is None):
            error("engine_version" if self.engine_version is None else "engine_name",
                  "engine_name and engine_version go together")
        if self.image_url is not None and (self.engine_name is not None or self.engine_id is not None):
            error("image_url", "is a custom image; do not combine it with an official engine")


class AlgorithmBase(Spec):
    """What the three algorithm kinds share: hyperparameters."""

    parameters: OptionalMany[AlgorithmParameters]

    def check(self, error: Checker) -> None:
        seen = set()
        for i, parameter in enumerate(self.parameters or []):
            if parameter.name in seen:
                error(f"parameters[{i}].name", f"{parameter.name!r} is given twice")
            seen.add(parameter.name)


@spec
class BaseAlgorithm(AlgorithmBase):
    """A job's algorithm (seed table 4-42): a code directory with a boot file or command run in an engine
    image, or an algorithm by id or subscription. On Kubernetes: the runtime fetches ``code_dir`` from S3
    into the job's pod and runs the boot file (with python3) or command there."""

    id: str | None = field(str, default=None)
    subscription_id: str | None = field(str, default=None)
    item_version_id: str | None = field(str, default=None)
    code_dir: str | Placeholder | StorageValue | None = field(str, Placeholder, StorageValue, default=None,
                                                             scalar="str")
    boot_file: str | Placeholder | StorageValue | None = field(str, Placeholder, StorageValue, default=None,
                                                              scalar="str")
    command: str | Placeholder | None = field(str, Placeholder, default=None, scalar="str")
    parameters: OptionalMany[AlgorithmParameters] = field(AlgorithmParameters, default=None, many=True)
    engine: JobEngine | None = field(JobEngine, default=None)
    environments: dict[str, Any] | None = field(dict, default=None)

    def check(self, error: Checker) -> None:
        super().check(error)
        sources = [self.id is not None, self.subscription_id is not None, self.code_dir is not None]
        if sum(sources) == 0:
            error("", "needs code_dir (with boot_file or command), id, or subscription_id and item_version_id")
        if sum(sources) > 1:
            error("", "give only one of code_dir, id, or subscription_id")
        if (self.subscription_id is None) != (self.item_version_id is None):
            error("item_version_id", "subscription_id and item_version_id go together")
        if self.code_dir is not None:
            if self.boot_file is None and self.command is None:
                error("boot_file", "is mandatory with code_dir (or give command)")
            if self.boot_file is not None and self.command is not None:
                error("command", "give boot_file or command, not both")
            if self.engine is None:
                error("engine", "is mandatory with code_dir: the image the code runs in")
        for key, value in (self.environments or {}).items():
            if not isinstance(key, str) or not isinstance(value, (str, int, float, bool, Placeholder)):
                error(f"environments[{key!r}]", "must map names to str, int, float, bool or Placeholder values")


@spec
class Algorithm(AlgorithmBase):
    """An algorithm of Algorithm Management, by id (seed table 4-43).

    On Kubernetes: resolved when the run starts from the cluster's catalog (ConfigMap ``wf2k8s-catalog``),
    which gives its code and image."""

    algorithm_id: str = field(str, required=True)
    parameters: OptionalMany[AlgorithmParameters] = field(AlgorithmParameters, default=None, many=True)


@spec
class AIGalleryAlgorithm(AlgorithmBase):
    """An algorithm subscribed from AI Gallery (seed table 4-44).

    On Kubernetes: resolved when the run starts from the cluster's catalog (ConfigMap ``wf2k8s-catalog``)."""

    subscription_id: str = field(str, required=True)
    item_version_id: str = field(str, required=True)
    parameters: OptionalMany[AlgorithmParameters] = field(AlgorithmParameters, default=None, many=True)
