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

    def release_to_gallery(self, content_id: str | None = None, version: str | None = None,
                           desc: str | None = None, title: str | None = None, visibility: str = "private",
                           group_users: list | None = None, **options: Any) -> dict:
        """Publish as a versioned asset others can run (seed 4.9.2); see wf2k8s.sdk.gallery."""
        from wf2k8s.sdk.gallery import release_to_gallery

        return release_to_gallery(self, content_id, version, desc, title, visibility, group_users, **options)

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

    # development state: debug mode (seed 4.8) ------------------------------------------------------------
    def debug(self, steps: list | None = None, experiment_id: str | None = None, parameters: dict | None = None,
              **options: Any) -> dict:
        """Start a run that stops before each step (of ``steps``, or all); ``next()`` runs the next one."""
        from wf2k8s.cluster import follow, release_and_run

        chosen = [s.name for s in steps] if steps else [s.name for s in self.all_steps()]
        started = release_and_run(self, parameters=parameters or {}, only_steps=chosen if steps else None,
                                  labels={"wf2k8s.io/experiment-id": experiment_id} if experiment_id else None,
                                  pause_before=chosen, **options)
        self._debug_run = (started["name"], started["namespace"])
        self._pending: dict[str, str] = {}
        return follow(*self._debug_run, until_waiting=True)

    def next(self) -> dict:
        """Run the next step of the debug run (and give it the values set with set_placeholder/set_data)."""
        from wf2k8s.cluster import follow, resume

        run = self._debug_session()
        resume(*run, values=self._pending, pauses=1)
        state = follow(*run, until_waiting=True)
        if state.get("waiting_for"):
            missing = [n for n in state["waiting_for"] if n not in self._pending]
            if missing:
                print(f"{run[0]} waits for {', '.join(missing)}: set them with set_placeholder or set_data, "
                      "then call next()", file=sys.stderr)
        return state

    def set_placeholder(self, name: str, value: Any) -> None:
        """The value of a placeholder the debug run waits for."""
        from wf2k8s.cluster import resume

        self._pending[name] = value_text(value)
        resume(*self._debug_session(), values={name: self._pending[name]})

    def set_data(self, name: str, data: Any) -> None:
        """The data object (OBSPath, Dataset, ...) a data placeholder of the debug run waits for."""
        self.set_placeholder(name, data)

    def _debug_session(self) -> tuple[str, str]:
        run = getattr(self, "_debug_run", None)
        if run is None:
            raise ValidationError(self.label(), "no debug run: call debug() first")
        return run


def value_text(value: Any) -> str:
    """A value as the text a run's parameter holds."""
    import json

    from wf2k8s.sdk.data import OBSPath

    if isinstance(value, OBSPath):
        return str(value.obs_path)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, Spec):
        return json.dumps({k: v for k, v in vars(value).items() if v is not None and not k.startswith("_")})
    return str(value)
