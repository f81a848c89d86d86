"""``wf.policy``: partial execution (seed 4.10.1)."""

from __future__ import annotations

from wf2k8s.sdk._spec import Checker, Many, OptionalMany, Spec, field, spec
from wf2k8s.sdk.steps.base import Step

__all__ = ["Policy", "Scene"]


@spec
class Scene(Spec):
    """A named subset of the steps (seed 4.10.1); a run that chooses it skips the others.

    On Kubernetes: a value of the run's ``wf2k8s-scene`` parameter; steps outside the scene are skipped
    by their tasks' ``when``.
    """

    scene_name: str = field(str, required=True)
    scene_steps: Many[Step] = field(object, required=True, many=True)  # check() names a non-Step by its index

    def check(self, error: Checker) -> None:
        if isinstance(self.scene_name, str) and (not self.scene_name.strip() or self.scene_name == "all"):
            error("scene_name", f"must be non-empty and not 'all' (the run of every step), got {self.scene_name!r}")
        for i, step in enumerate(self.scene_steps or []):
            if not isinstance(step, Step):
                error(f"scene_steps[{i}]", f"must be a Step, got {type(step).__name__}")


@spec
class Policy(Spec):
    """A workflow's configuration policy (seed table 4-1): the scenes of partial execution.

    On Kubernetes: the WorkflowTemplate parameter ``wf2k8s-scene`` (``all`` or a scene name), which
    each task's ``when`` reads.
    """

    scenes: OptionalMany[Scene] = field(Scene, default=None, many=True)

    def check(self, error: Checker) -> None:
        names = [s.scene_name for s in self.scenes or []]
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            error("scenes", f"scene_name {duplicate!r} is used twice")
