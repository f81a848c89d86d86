"""``wf.policy``: partial execution (seed 4.10.1)."""

from __future__ import annotations

from wf2k8s.sdk._spec import Spec, field, spec

__all__ = ["Policy", "Scene"]


@spec
class Scene(Spec):
    """A named subset of the steps; a run that chooses it skips the others."""

    scene_name: str = field(str, required=True)
    scene_steps: list = field(object, required=True, many=True)

    def check(self, error) -> None:
        from wf2k8s.sdk.steps.base import Step

        if isinstance(self.scene_name, str) and (not self.scene_name.strip() or self.scene_name == "all"):
            error("scene_name", f"must be non-empty and not 'all' (the run of every step), got {self.scene_name!r}")
        for i, step in enumerate(self.scene_steps or []):
            if not isinstance(step, Step):
                error(f"scene_steps[{i}]", f"must be a Step, got {type(step).__name__}")


@spec
class Policy(Spec):
    scenes: list | None = field(Scene, many=True)

    def check(self, error) -> None:
        names = [s.scene_name for s in self.scenes or []]
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            error("scenes", f"scene_name {duplicate!r} is used twice")
