"""``wf.Workflow``: the DAG, its development state (run, debug, next) and its release."""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator

from wf2k8s.errors import ValidationError
from wf2k8s.sdk._spec import Spec, field, is_name, spec
from wf2k8s.sdk.policy import Policy
from wf2k8s.sdk.steps.base import Step
from wf2k8s.sdk.storage import Storage


#: while `wf2k8s compile` runs a script, release() records the workflow here instead of printing it
_captures: list[list] = []


@contextlib.contextmanager
def capture_releases(into: list) -> Iterator[list]:
    _captures.append(into)
    try:
        yield into
    finally:
        _captures.remove(into)


@spec
class Subgraph(Spec):
    """A named group of steps, added to a Workflow's ``steps`` as one item.

    Its steps become steps of the workflow (names stay unique across the workflow);
    the group's name is recorded on each of them so tools can show the grouping.
    """

    name: str = field(str, required=True, checks=[is_name])
    steps: list = field(Step, required=True, many=True)
    title: str | None = field(str)
    description: str | None = field(str)

    validate_on_init = True


@spec
class Workflow(Spec):
    name: str = field(str, required=True, checks=[is_name])
    desc: str = field(str, required=True)
    steps: list = field(Step, Subgraph, required=True, many=True)
    storages: list | None = field(Storage, many=True)
    policy: Policy | None = field(Policy)

    validate_on_init = True

    def all_steps(self) -> list[Step]:
        found: list[Step] = []
        for item in self.steps:
            found.extend(item.steps if isinstance(item, Subgraph) else [item])
        return found

    # compiling -------------------------------------------------------------------------------------
    def graph(self):
        from wf2k8s.graph.build import build_graph

        return build_graph(self)

    def to_workflow_template(self, **options: Any) -> dict:
        """The released pipeline: an Argo WorkflowTemplate, as a dict."""
        from wf2k8s.backends.argo import compile_graph

        return compile_graph(self.graph(), **options)

    def to_yaml(self, **options: Any) -> str:
        from wf2k8s.backends.argo.yamlio import dump_all

        return dump_all([self.to_workflow_template(**options)])

    # running state ---------------------------------------------------------------------------------
    def release(self, apply: bool | None = None, **options: Any) -> dict:
        """Publish the pipeline (seed 4.9.1).

        Prints the WorkflowTemplate YAML to stdout (for ``python pipeline.py | kubectl apply -f -``);
        with ``apply=True`` applies it to the current kube context instead.
        """
        template = self.to_workflow_template(**options)
        if _captures:
            _captures[-1].append(self)
        elif apply:
            from wf2k8s.cluster import apply_manifest

            apply_manifest(template)
        else:
            from wf2k8s.backends.argo.yamlio import dump_all

            sys.stdout.write(dump_all([template]))
            sys.stdout.flush()
        return template

    def release_and_run(self, parameters: dict | None = None, scene: str | None = None, wait: bool = False,
                        **options: Any) -> dict:
        """Apply the WorkflowTemplate to the current kube context and start a run of it."""
        from wf2k8s.cluster import release_and_run

        return release_and_run(self, parameters=parameters or {}, scene=scene, wait=wait, **options)

    def run(self, steps: list | None = None, experiment_id: str | None = None, parameters: dict | None = None,
            wait: bool = True, **options: Any) -> dict:
        """Development-state run (seed 4.8): all steps, or only ``steps`` (the others are skipped)."""
        from wf2k8s.cluster import release_and_run

        only = [s.name for s in steps] if steps else None
        for i, step in enumerate(steps or []):
            if step not in self.all_steps():
                raise ValidationError(f"{self.label()} > run.steps[{i}]", f"step {step.name!r} is not in the workflow")
        return release_and_run(self, parameters=parameters or {}, only_steps=only, wait=wait,
                               labels={"wf2k8s.io/experiment-id": experiment_id} if experiment_id else None,
                               **options)
