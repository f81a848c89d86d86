"""``wf.Workflow``: the DAG, its development state (run, debug, next) and its release."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from typing import Any, Iterator

from wf2k8s.errors import ValidationError
from wf2k8s.sdk import platform
from wf2k8s.sdk._spec import Many, OptionalMany, Spec, children, description_size, field, is_name, spec
from wf2k8s.sdk.data import OBSPath
from wf2k8s.sdk.gallery import release_to_gallery
from wf2k8s.sdk.policy import Policy, Scene
from wf2k8s.sdk.steps.base import Step
from wf2k8s.sdk.placeholder import Placeholder, SystemEnv
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
    steps: Many[Step] = field(Step, required=True, many=True)
    title: str | None = field(str, default=None)
    description: str | None = field(str, default=None, checks=[description_size])

    validate_on_init = True


@spec
class Workflow(Spec):
    """A workflow (seed 4.1.1): a DAG of phases, with its storages and partial-execution policy.

    On Kubernetes: an Argo WorkflowTemplate (``release()``), its placeholders and storages the template's
    parameters; each run is an Argo Workflow referring to it.
    """

    name: str = field(str, required=True, checks=[is_name])
    desc: str = field(str, required=True, checks=[description_size])
    steps: Many[Step | Subgraph] = field(Step, Subgraph, required=True, many=True)
    storages: OptionalMany[Storage] = field(Storage, default=None, many=True)
    policy: Policy | None = field(Policy, default=None)

    validate_on_init = True

    def all_steps(self) -> list[Step]:
        found: list[Step] = []
        for item in self.steps:
            found.extend(item.steps if isinstance(item, Subgraph) else [item])
        return found

    # compiling -------------------------------------------------------------------------------------
    def graph(self) -> Any:
        """The validated graph model every backend compiles."""
        return platform.graph(self)

    def to_workflow_template(self, **options: Any) -> dict:
        """The released pipeline: an Argo WorkflowTemplate, as a dict."""
        return platform.workflow_template(self, **options)

    def to_yaml(self, **options: Any) -> str:
        return platform.yaml([self.to_workflow_template(**options)])

    def placeholders(self) -> dict[str, Placeholder]:
        """Every placeholder the steps use, by name (SystemEnv values are the run's own, not given)."""
        found: dict[str, Placeholder] = {}
        seen: set[int] = set()

        def visit(value: Any) -> None:
            if id(value) in seen:
                return
            seen.add(id(value))
            if isinstance(value, Placeholder):
                if not isinstance(value, SystemEnv):
                    found.setdefault(value.name, value)
            else:
                for item in children(value):
                    visit(item)

        for step in self.all_steps():
            visit(step)
        return found

    def check_run_values(self, values: dict[str, str]) -> None:
        """Refuse, before anything is created, a run value that its placeholder or a field it feeds would
        refuse (type, format, enum_list, and the field's rules: a flavor, a priority, an OBS path, ...)."""
        placeholders = self.placeholders()
        parsed = {name: placeholders[name].parse_run_value(text) for name, text in values.items()
                  if name in placeholders and isinstance(text, str)}
        for name, value in parsed.items():
            object.__setattr__(placeholders[name], "_run_value", value)
        try:
            for step in self.all_steps():
                step.validate()
        finally:
            for name in parsed:
                object.__delattr__(placeholders[name], "_run_value")

    def with_scene(self, scene_name: str, step_names: list[str]) -> Workflow:
        """A copy whose scenes also hold ``scene_name`` with these steps (a development-state run of some
        steps is a scene of its own)."""
        scenes = list(self.policy.scenes or []) if self.policy else []
        chosen = [s for s in self.all_steps() if s.name in step_names]
        scenes = [s for s in scenes if s.scene_name != scene_name] + [Scene(scene_name=scene_name, scene_steps=chosen)]
        return dataclasses.replace(self, policy=Policy(scenes=scenes))

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
            platform.cluster.apply_template(template)
        else:
            text = platform.yaml([template])
            advice = platform.apply_size_advice(text)
            if advice:
                print(advice, file=sys.stderr)
            sys.stdout.write(text)
            sys.stdout.flush()
        return template

    def release_and_run(self, parameters: dict | None = None, scene: str | None = None, wait: bool = False,
                        **options: Any) -> dict:
        """Apply the WorkflowTemplate to the current kube context and start a run of it."""
        return platform.cluster.release_and_run(self, parameters=parameters or {}, scene=scene, wait=wait, **options)

    def release_to_gallery(self, content_id: str | None = None, version: str | None = None,
                           desc: str | None = None, title: str | None = None, visibility: str = "private",
                           group_users: list | None = None, **options: Any) -> dict:
        """Publish as a versioned asset others can run (seed 4.9.2); see wf2k8s.sdk.gallery."""
        return release_to_gallery(self, content_id, version, desc, title, visibility, group_users, **options)

    def run(self, steps: list | None = None, experiment_id: str | None = None, parameters: dict | None = None,
            wait: bool = True, **options: Any) -> dict:
        """Development-state run (seed 4.8): all steps, or only ``steps`` (the others are skipped; what the chosen
        steps read from them is a value given in ``parameters`` as ``"STEP.OUTPUT"``, else the output's fixed
        location, else its output in the latest Succeeded run, else the run is refused: see README, "Partial
        execution")."""
        only = [s.name for s in steps] if steps else None
        for i, step in enumerate(steps or []):
            if step not in self.all_steps():
                raise ValidationError(f"{self.label()} > run.steps[{i}]", f"step {step.name!r} is not in the workflow")
        return platform.cluster.release_and_run(
            self, parameters=parameters or {}, only_steps=only, wait=wait, development=True,
            labels={"wf2k8s.io/experiment-id": experiment_id} if experiment_id else None, **options)

    # development state: debug mode (seed 4.8) ------------------------------------------------------------
    def debug(self, steps: list | None = None, experiment_id: str | None = None, parameters: dict | None = None,
              **options: Any) -> dict:
        """Start a run that stops before each step (of ``steps``, or all); ``next()`` runs the next one."""
        chosen = [s.name for s in steps] if steps else [s.name for s in self.all_steps()]
        started = platform.cluster.release_and_run(self, parameters=parameters or {},
                                                   only_steps=chosen if steps else None,
                                                   labels={"wf2k8s.io/experiment-id": experiment_id}
                                                   if experiment_id else None,
                                                   pause_before=chosen, development=True, **options)
        self._debug_run = (started["name"], started["namespace"])
        self._pending: dict[str, str] = {}
        return platform.cluster.follow(*self._debug_run, until_waiting=True)

    def next(self) -> dict:
        """Run the next step of the debug run (and give it the values set with set_placeholder/set_data)."""
        run = self._debug_session()
        platform.cluster.resume(*run, values=self._pending, pauses=1)
        state = platform.cluster.follow(*run, until_waiting=True)
        if state.get("waiting_for"):
            missing = [n for n in state["waiting_for"] if n not in self._pending]
            if missing:
                print(f"{run[0]} waits for {', '.join(missing)}: set them with set_placeholder or set_data, "
                      "then call next()", file=sys.stderr)
        return state

    def set_placeholder(self, name: str, value: Any) -> None:
        """The value of a placeholder the debug run waits for."""
        run = self._debug_session()
        self.check_run_values({name: value_text(value)})
        self._pending[name] = value_text(value)
        platform.cluster.resume(*run, values={name: self._pending[name]})

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
    if isinstance(value, OBSPath):
        return str(value.obs_path)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, Spec):
        return json.dumps({k: v for k, v in vars(value).items() if v is not None and not k.startswith("_")})
    return str(value)
