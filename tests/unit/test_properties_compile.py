"""Property-based tests of the compiler ("Safe on a shared cluster", item 6).

Random pipelines built through the public SDK (JobSteps, ModelSteps and ConditionSteps with random and
hostile names and texts, placeholders of every type, hyperparameters, skip conditions, dependencies,
storages and scenes) either

* compile to a WorkflowTemplate that the strict CRD schema check accepts, in which every ``{{...}}`` tag
  is one the compiler writes (the same pipeline with benign texts has the same tags: a user's text never
  makes one), whose task arguments are JSON once Argo's tags are filled in, and whose every phase spec the
  runtime reads back; or
* are refused with ``wf2k8s.ValidationError``, one line starting with the object and field at fault
  (``JobStep 'x' > spec...: ...``).

Any other exception is a bug. Bounded for CI: derandomized, no example database (Hypothesis's caches go to the
temporary directory, not the repository), a few hundred examples, and a failure is reported as found, not
shrunk (shrinking a pipeline takes minutes): ``WF2K8S_HYPOTHESIS_SHRINK=1`` shrinks it to a minimal one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

import wf2k8s as wf
from argo_schema import check_document
from deep import Deep
from test_contract import phase_specs
from wf2k8s import ValidationError, contract
from wf2k8s.contract.refs import ParamRef
from wf2k8s.contract.registry import BY_COMMAND
from wf2k8s.contract.values import JOINER
from wf2k8s.runtime.context import RunContext

PT = wf.PlaceholderType
C = wf.steps.ConditionTypeEnum

# no .hypothesis/ in the repository (Hypothesis caches Unicode tables and constants there otherwise)
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "wf2k8s-hypothesis")
SHRINK = os.environ.get("WF2K8S_HYPOTHESIS_SHRINK") == "1"
SETTINGS: dict[str, Any] = dict(
    deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else []),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# texts and names -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Text:
    """A user's free text in a pipeline plan: compiled as it is, or replaced by a benign text."""

    value: str


#: pieces of text Argo, YAML, JSON or expr-lang could read as their own syntax
PIECES = ["{{", "}}", "{", "}", "{{workflow.name}}", "{{=1+1}}", "{{inputs.parameters.spec}}", "{{tasks.a.status}}",
          "{{workflow.parameters.p}}", "'", '"', "\\", "\\'", "' + '", "')}}", "\n", "\t", "\x00", JOINER,
          "{" + JOINER + "{", "$", "${x}", "é", "日本語", "\U0001f642", "\u202e", "all", "true", "1.5", "-", ":", "#",
          "&a", "*a", "!!str", "---", "%", "null"]
piece = st.sampled_from(PIECES)
short_text = st.lists(st.one_of(piece, st.text(max_size=4)), max_size=6).map("".join)
long_text = st.builds(lambda p, n: p * n, st.sampled_from(["{{", "}}", "x", "é", "'"]),
                      st.sampled_from([64, 5000, 9000]))
texts = st.one_of(short_text, short_text, piece, long_text).map(Text)
maybe_text = st.one_of(st.none(), texts)

valid_name = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True)
odd_names = st.sampled_from(["a" * 64, "A" * 65, "wf2k8s-x", "input-p0", "resolve-image-1", "main", "x{{y}}",
                             "é", "", "1a", "a b", "a'b", "-a", "A_b", "a-b", "job", "debug-s0"])
names = st.one_of(valid_name, valid_name, valid_name, valid_name, odd_names)
ints = st.one_of(st.integers(-5, 5), st.integers(-5, 5), st.integers(), st.integers(),
                 st.sampled_from([2 ** 53 + 1, 2 ** 63, -(2 ** 63) - 1, 10 ** 300, 10 ** 400, 10 ** 5000]))
floats = st.one_of(st.floats(-1e6, 1e6), st.floats())
scalars = st.one_of(ints, floats, st.booleans(), texts)




#: lists nested as deep as the runtime reads (100 levels), deeper, and deeper than Python's recursion goes
deep = st.sampled_from([2, 100, 101, 1500]).map(Deep)


# a pipeline plan: plain data, built into SDK objects by `Builder` ---------------------------------------------
#
# A quarter of the plans are "odd": any field may break any rule (the pipeline should be refused). The others
# keep the rules (names unique, placeholders used where their type fits, defaults of their type, ...) so that
# most of them compile, with hostile text wherever the SDK takes free text.

MODEL_DESCRIPTION = "&!'\"<>="
model_description = short_text.map(lambda s: "".join(c for c in s if c not in MODEL_DESCRIPTION)[:100]) \
    .filter(bool).map(Text)
ORDERING = (C.GT, C.GTE, C.LT, C.LTE)
SCALAR_TYPES = (PT.INT, PT.STR, PT.BOOL, PT.FLOAT, PT.ENUM)


def task_key(name: str) -> str:
    return name.lower().replace("_", "-").strip("-")


class PlanDraw:
    """Draws the parts of one plan, knowing what was drawn before (placeholders, storages, steps)."""

    def __init__(self, draw: st.DrawFn, odd: bool):
        self.draw, self.odd = draw, odd
        self.used: set[str] = set()
        self.placeholders: list[dict] = []
        self.storages = 0
        self.steps: list[dict] = []

    def name(self) -> str:
        """A name; unique among all the plan's names (as Argo task names too) unless the plan is odd."""
        name = self.draw(names if self.odd else valid_name)
        if not self.odd:
            while task_key(name) in self.used or not task_key(name):
                name = f"{name[:50]}{len(self.used)}"
            self.used.add(task_key(name))
        return name

    def pick(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.draw(strategy)

    def chance(self, one_in: int) -> bool:
        return self.draw(st.integers(0, one_in - 1)) == 0

    def description(self) -> Text | None:
        return self.pick(maybe_text if self.odd else st.one_of(st.none(), short_text.map(Text)))

    # placeholders --------------------------------------------------------------------------------------
    def placeholder(self) -> dict:
        ptype = self.pick(st.sampled_from(list(PT)))
        if self.odd:
            fmt = self.pick(st.sampled_from(["str", "int", "float", "bool"]) if ptype is PT.LIST
                            else st.sampled_from([None, None, "obs", "flavor", "weird"]))
            typed = self.typed(ptype, fmt)
            default = self.pick(st.one_of(st.none(), typed, typed, scalars))
            enum_list = self.pick(st.lists(st.one_of(texts, ints, floats), max_size=4)) \
                if ptype is PT.ENUM or self.chance(10) else None
            if enum_list is not None and default is not None and self.chance(2):
                enum_list.append(default)
            delay, required = self.chance(5), not self.chance(6)
        else:
            fmt = self.pick(st.sampled_from(["str", "int", "float", "bool"])) if ptype is PT.LIST else \
                (self.pick(st.sampled_from(["obs", "flavor"])) if self.chance(8) else None)
            enum_list = self.pick(st.lists(st.one_of(texts, ints, st.floats(allow_nan=False, allow_infinity=False)),
                                           min_size=1, max_size=4)) if ptype is PT.ENUM else None
            default = None if self.chance(4) else (self.pick(st.sampled_from(enum_list)) if enum_list
                                                   else self.pick(self.typed(ptype, fmt)))
            delay, required = self.chance(5), True
        plan = {"name": self.name(), "type": ptype, "format": fmt, "default": default, "enum_list": enum_list,
                "description": self.description(), "delay": delay, "required": required}
        self.placeholders.append(plan)
        return plan

    def typed(self, ptype: PT, fmt: str | None) -> st.SearchStrategy[Any]:
        finite = st.floats(allow_nan=False, allow_infinity=False)
        return {
            PT.INT: ints, PT.FLOAT: finite, PT.BOOL: st.booleans(), PT.STR: texts, PT.ENUM: texts,
            PT.JSON: st.dictionaries(st.text(max_size=4), st.one_of(scalars, st.lists(scalars, max_size=2), deep),
                                     max_size=3),
            PT.LIST: st.lists({"int": ints, "float": finite, "bool": st.booleans()}.get(fmt or "", texts),
                              max_size=3),
        }[ptype]

    def ph(self, *types: PT, default_ok: Any = None) -> tuple | None:
        """A placeholder of one of ``types`` (any when odd) whose default ``default_ok`` accepts."""
        fits = [i for i, p in enumerate(self.placeholders)
                if self.odd or (p["type"] in types and (default_ok is None or p["default"] is None
                                                        or default_ok(p["default"])))]
        return ("ph", self.pick(st.sampled_from(fits))) if fits and self.chance(3) else None

    def storage(self) -> tuple | None:
        if not self.storages or not self.chance(3):
            return None
        return ("storage", self.pick(st.integers(0, self.storages - 1)), self.pick(texts))

    def value(self, literal: st.SearchStrategy[Any], *types: PT, default_ok: Any = None,
              storage: bool = False) -> Any:
        return (storage and self.storage()) or self.ph(*types, default_ok=default_ok) or self.pick(literal)

    # conditions -------------------------------------------------------------------------------------------
    def operand(self, op: C, side: str) -> Any:
        if self.odd:
            return self.pick(st.one_of(scalars, st.lists(scalars, max_size=3), deep)) if not self.placeholders or \
                self.chance(2) else ("ph", self.pick(st.integers(0, len(self.placeholders) - 1)))
        metrics = [(i, k) for i, s in enumerate(self.steps) if s["kind"] == "job"
                   for k, output in enumerate(s["outputs"]) if output[2]]
        if op in ORDERING:
            if metrics and self.chance(3):
                i, k = self.pick(st.sampled_from(metrics))
                return ("metric", i, k, self.pick(texts))
            return self.value(st.one_of(ints, floats, texts), PT.INT, PT.FLOAT, PT.STR, PT.ENUM)
        if op is C.IN and side == "right":
            return self.ph(PT.LIST) or self.pick(st.lists(scalars, max_size=3))
        return self.value(scalars, *SCALAR_TYPES, PT.LIST)

    def condition(self, depth: int = 0) -> tuple:
        if depth < 2 and self.chance(5):
            return ("or", self.condition(depth + 1), self.condition(depth + 1))
        op = self.pick(st.sampled_from([c for c in C if c is not C.OR]))
        return ("cmp", op, self.operand(op, "left"), self.operand(op, "right"))

    # steps ------------------------------------------------------------------------------------------------
    def data(self) -> tuple:
        jobs = [i for i, s in enumerate(self.steps) if s["kind"] == "job"]
        choices = [("obs", "obs://bucket/data/")]
        if self.storages:
            choices.append(("storage", self.pick(st.integers(0, self.storages - 1)), self.pick(texts)))
        choices.append(("obs_ph", self.name(), self.pick(st.sampled_from(["file", "directory"])), self.chance(4)))
        if jobs:
            choices.append(("output", self.pick(st.sampled_from(jobs)), self.pick(st.integers(0, 1))))
        return self.pick(st.sampled_from(choices))

    def step(self) -> dict:
        index = len(self.steps)
        kind = self.pick(st.sampled_from(["job", "job", "model", "condition"]))
        earlier = st.integers(0, max(index - 1, 0))
        plan = {"kind": kind, "name": self.name(), "title": self.pick(maybe_text), "description": self.description(),
                "depends": self.pick(st.lists(earlier, max_size=2)) if index else [],
                "skip": [self.condition() for _ in range(self.pick(st.integers(0, 2)))] if self.chance(3) else [],
                "policy": None}
        if self.chance(4):
            plan["policy"] = (self.pick(st.sampled_from([1, 0.05, "30", 86401] if self.odd else [1, 0.5, "30"])),
                              self.pick(st.sampled_from([1, 90, 0, "x"] if self.odd else [1, 90, "60"])))
        {"job": self.job, "model": self.model, "condition": self.condition_step}[kind](plan)
        self.steps.append(plan)
        return plan

    def job(self, plan: dict) -> None:
        str_types = (PT.STR, PT.ENUM)
        if self.chance(3):
            engine = ("official", self.value(st.one_of(st.just("scikit-learn"), texts), *str_types),
                      self.pick(st.one_of(st.just("1.2"), texts)))
        else:
            image = st.one_of(st.just("team/train:1"), texts) if self.odd or self.chance(5) else st.just("team/t:1")
            # a placeholder's default and choices are checked as images too: one without any
            engine = ("image", self.value(image, PT.STR, default_ok=lambda default: False))
        parameters = self.pick(st.lists(st.one_of(valid_name, texts) if self.odd else valid_name, max_size=3,
                                        unique_by=lambda n: n.value if isinstance(n, Text) else n))
        flavor = self.ph(PT.JSON) if not self.odd else self.ph()
        plan.update({
            "engine": engine,
            "code": self.value(st.just("obs://bucket/code/"), *str_types, storage=True),
            "boot": self.pick(st.one_of(st.just("train.py"), texts)),
            "parameters": [(n, self.value(scalars, *SCALAR_TYPES, PT.JSON, PT.LIST, storage=True))
                           for n in parameters],
            "environments": {self.pick(st.one_of(valid_name, texts)): self.value(scalars, *PT)
                             for _ in range(self.pick(st.integers(0, 2)))} or None,
            "inputs": [(self.name(), self.data()) for _ in range(self.pick(st.integers(1, 2)))],
            "outputs": [(self.name(), (self.storage() or self.pick(st.sampled_from([None, "obs://bucket/out/"])))
                         if not self.odd else self.pick(st.one_of(st.none(), texts, st.just("obs://bucket/out/"))),
                         self.pick(st.booleans())) for _ in range(self.pick(st.integers(1, 2)))],
            "flavor": flavor or self.pick(st.one_of(
                st.just({"cpu": "1", "memory": "1Gi"}), st.just("modelarts.vm.cpu.2u"),
                st.dictionaries(st.one_of(st.just("cpu"), texts), st.one_of(scalars, deep), min_size=1, max_size=2),
                *([texts] if self.odd else []))),
            "priority": self.ph(PT.INT, default_ok=lambda d: d in (1, 2, 3)) or
            self.pick(st.sampled_from([None, 1, 2, 3, 5] if self.odd else [None, 1, 2, 3])),
        })

    def model(self, plan: dict) -> None:
        def config() -> dict:
            if self.odd:
                return {"model_type": self.pick(st.one_of(st.just("TensorFlow"), texts)),
                        "model_name": self.pick(st.one_of(st.none(), valid_name, texts)),
                        "model_version": self.pick(st.one_of(st.none(), st.just("1.2.3"), texts)),
                        "description": self.pick(maybe_text)}
            return {"model_type": self.pick(st.sampled_from(["TensorFlow", "Scikit_Learn", "Custom"])),
                    "model_name": self.pick(st.one_of(st.none(), valid_name)),
                    "model_version": self.pick(st.sampled_from([None, "1.2.3"])),
                    "description": self.pick(st.one_of(st.none(), model_description))}

        plan.update({"inputs": [(self.name(), self.data()) for _ in range(self.pick(st.integers(0 if self.odd else 1,
                                                                                              2)))],
                     "outputs": [(self.name(), config()) for _ in range(self.pick(st.integers(1, 2)))]})

    def condition_step(self, plan: dict) -> None:
        total = len(self.steps) + 1 + self.pick(st.integers(0, 3))  # steps drawn later may be named
        later = list(range(len(self.steps) + 1, total)) if not self.odd else list(range(total))
        chosen = self.pick(st.lists(st.sampled_from(later), max_size=3, unique=True)) if later else []
        cut = self.pick(st.integers(0, len(chosen)))
        plan.update({"conditions": [self.condition() for _ in range(self.pick(st.integers(1, 2)))],
                     "if": chosen[:cut] + ([self.pick(texts)] if self.odd and self.chance(3) else []),
                     "else": chosen[cut:]})


@st.composite
def pipelines(draw: st.DrawFn) -> dict:
    plans = PlanDraw(draw, odd=draw(st.integers(0, 3)) == 0)
    for _ in range(draw(st.integers(0, 4))):
        plans.placeholder()
    storages = [(plans.pick(st.sampled_from(["Storage", "InputStorage", "OutputStorage"])), plans.name(),
                 plans.pick(maybe_text), plans.description()) for _ in range(draw(st.integers(0, 2)))]
    plans.storages = len(storages)
    for _ in range(draw(st.integers(1, 4))):
        plans.step()
    steps = len(plans.steps)
    for plan in plans.steps:  # branches name steps that exist (a text names none)
        for key in ("if", "else"):
            if key in plan:
                plan[key] = [t for t in plan[key] if not isinstance(t, int) or t < steps]
    return {"name": draw(st.one_of(valid_name, odd_names) if plans.odd else valid_name),
            "desc": plans.description() or Text(""),
            "placeholders": plans.placeholders, "storages": storages, "steps": plans.steps,
            "scenes": [(draw(texts), draw(st.lists(st.integers(0, steps - 1), min_size=1, max_size=3)))
                       for _ in range(draw(st.integers(0, 2)))]}


class Builder:
    """A plan's pipeline through the public SDK; ``benign`` replaces each distinct text by a distinct plain
    one (``text-0``, ...), so equal texts stay equal and every rule that held still holds."""

    def __init__(self, plan: dict, benign: bool):
        self.plan, self.benign = plan, benign
        self.replacements: dict[str, str] = {}

    def text(self, value: Any) -> Any:
        if isinstance(value, Text):
            if not self.benign:
                return value.value
            return self.replacements.setdefault(value.value, f"text-{len(self.replacements)}")
        if isinstance(value, Deep):
            return value.value()
        if isinstance(value, list):
            return [self.text(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k if isinstance(k, Text) else Text(k)) if isinstance(k, (str, Text)) else k: self.text(v)
                    for k, v in value.items()}
        return value

    def value(self, value: Any) -> Any:
        """A field's value: literal text or number, a placeholder, a storage path."""
        if isinstance(value, tuple) and value and value[0] == "ph":
            return self.placeholders[value[1] % len(self.placeholders)] if self.placeholders else "plain"
        if isinstance(value, tuple) and value and value[0] == "storage":
            if not self.storages:
                return "obs://bucket/plain/"
            return self.storages[value[1] % len(self.storages)].join(self.text(value[2]))
        return self.text(value)

    def workflow(self) -> wf.Workflow:
        plan = self.plan
        self.placeholders = [wf.Placeholder(
            name=p["name"], placeholder_type=p["type"], default=self.text(p["default"]),
            placeholder_format=p["format"], delay=p["delay"], description=self.text(p["description"]),
            enum_list=self.text(p["enum_list"]), required=p["required"]) for p in plan["placeholders"]]
        self.storages = [getattr(wf.data, cls)(name=name, title=self.text(title), description=self.text(desc))
                         for cls, name, title, desc in plan["storages"]]
        self.steps: list[Any] = []
        for i, step in enumerate(plan["steps"]):
            self.index = i
            make = {"job": self.job, "model": self.model, "condition": self.condition_step}[step["kind"]]
            self.steps.append(make(step))
        scenes = [wf.policy.Scene(scene_name=self.text(name), scene_steps=[self.steps[j % len(self.steps)]
                                                                           for j in members] or self.steps[:1])
                  for name, members in plan["scenes"]]
        return wf.Workflow(name=plan["name"], desc=self.text(plan["desc"]), steps=self.steps,
                           storages=self.storages or None,
                           policy=wf.policy.Policy(scenes=scenes) if scenes else None)

    def earlier(self, j: int) -> Any:
        return self.steps[j % len(self.steps)] if self.steps else None

    def common(self, step: dict) -> dict:
        policy = None
        skip = [self.condition(c) for c in step["skip"]]
        if skip or step["policy"]:
            poll, most = step["policy"] or (1, 60)
            policy = wf.steps.StepPolicy(poll_interval_seconds=poll, max_execution_minutes=most,
                                         skip_conditions=skip or None)
        depends = [self.earlier(j) for j in step["depends"] if self.steps]
        return {"name": step["name"], "title": self.text(step["title"]), "description": self.text(step["description"]),
                "policy": policy, "depend_steps": depends or None}

    def operand(self, value: Any) -> Any:
        if isinstance(value, tuple) and value[0] == "metric":
            producer = self.earlier(value[1])
            outputs = getattr(producer, "outputs", None)
            if not outputs:
                return 1
            return wf.steps.MetricInfo(outputs[value[2] % len(outputs)].as_input(), self.text(value[3]))
        return self.value(value)

    def condition(self, plan: tuple) -> Any:
        if plan[0] == "or":
            return wf.steps.Condition(C.OR, self.condition(plan[1]), self.condition(plan[2]))
        return wf.steps.Condition(plan[1], self.operand(plan[2]), self.operand(plan[3]))

    def data(self, plan: tuple, output_class: str) -> Any:
        kind = plan[0]
        if kind == "obs":
            return wf.data.OBSPath(obs_path=plan[1])
        if kind == "storage":
            return wf.data.OBSPath(obs_path=self.value(plan))
        if kind == "obs_ph":
            return wf.data.OBSPlaceholder(name=plan[1], object_type=plan[2], delay=plan[3])
        producer = self.earlier(plan[1])
        outputs = getattr(producer, "outputs", None)
        if not outputs or type(outputs[0]).__name__ != output_class:
            return wf.data.OBSPath(obs_path="obs://bucket/fallback/")
        return outputs[plan[2] % len(outputs)].as_input()

    def job(self, step: dict) -> Any:
        engine_plan = step["engine"]
        engine = wf.steps.JobEngine(image_url=self.value(engine_plan[1])) if engine_plan[0] == "image" else \
            wf.steps.JobEngine(engine_name=self.value(engine_plan[1]), engine_version=self.text(engine_plan[2]))
        outputs = []
        for name, location, metrics in step["outputs"]:
            outputs.append(wf.steps.JobOutput(
                name=name, obs_config=wf.data.OBSOutputConfig(obs_path=self.value(location)) if location else None,
                metrics_config=wf.data.MetricsConfig(metric_files=["metrics.json"]) if metrics else None))
        priority = self.value(step["priority"])
        return wf.steps.JobStep(
            **self.common(step),
            algorithm=wf.BaseAlgorithm(
                code_dir=self.value(step["code"]), boot_file=self.text(step["boot"]), engine=engine,
                parameters=[wf.AlgorithmParameters(name=self.text(n), value=self.value(v))
                            for n, v in step["parameters"]] or None,
                environments={self.text(k if isinstance(k, Text) else Text(k)): self.value(v)
                              for k, v in step["environments"].items()} if step["environments"] else None),
            inputs=[wf.steps.JobInput(name=n, data=self.data(d, "JobOutput")) for n, d in step["inputs"]],
            outputs=outputs,
            spec=wf.steps.JobSpec(resource=wf.steps.JobResource(flavor=self.value(step["flavor"])),
                                  schedule_policy=wf.steps.SchedulePolicy(priority=priority)
                                  if priority is not None else None))

    def model(self, step: dict) -> Any:
        outputs = [wf.steps.ModelOutput(name=name, model_config=wf.steps.ModelConfig(
            model_type=self.value(config["model_type"]), model_name=self.value(config["model_name"]),
            model_version=self.value(config["model_version"]), description=self.text(config["description"])))
            for name, config in step["outputs"]]
        return wf.steps.ModelStep(**self.common(step),
                                  inputs=[wf.steps.ModelInput(name=n, data=self.data(d, "JobOutput"))
                                          for n, d in step["inputs"]] or None,
                                  outputs=outputs)

    def condition_step(self, step: dict) -> Any:
        def target(value: Any) -> str:
            if isinstance(value, int):
                return self.plan["steps"][value % len(self.plan["steps"])]["name"]
            return self.text(value)

        return wf.steps.ConditionStep(**self.common(step), conditions=[self.condition(c) for c in step["conditions"]],
                                      if_then_steps=[target(v) for v in step["if"]] or None,
                                      else_then_steps=[target(v) for v in step["else"]] or None)



def build(plan: dict, benign: bool = False) -> tuple[wf.Workflow, dict]:
    workflow = Builder(plan, benign).workflow()
    return workflow, workflow.to_workflow_template()


def attempt(plan: dict, benign: bool = False) -> tuple[wf.Workflow, dict] | ValidationError:
    try:
        return build(plan, benign)
    except ValidationError as refused:
        return refused


# what a compiled document may hold -------------------------------------------------------------------------


def strings(value: Any) -> list[str]:
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def tags_of(text: str) -> list[str]:
    """The ``{{...}}`` tags of a text as Argo finds them: from a ``{{`` to the next ``}}``."""
    found, at = [], 0
    while (start := text.find("{{", at)) >= 0:
        end = text.find("}}", start + 2)
        assert end >= 0, f"a tag that never ends in {text[:300]!r}"
        content = text[start + 2:end]
        assert "{{" not in content, f"a tag inside a tag: {content[:300]!r}"
        found.append(content)
        at = end + 2
    return found


SIMPLE_TAGS = [
    re.compile(r"workflow\.(?:name|namespace|parameters\.json|status)"),  # status: the run-end hook's
    re.compile(r"workflow\.parameters\.(?P<param>[-A-Za-z0-9_]+)"),
    re.compile(r"inputs\.parameters\.(?P<input>[-A-Za-z0-9_]+)"),
    re.compile(r"tasks\.(?P<task>[-a-z0-9]+)\.status"),
    re.compile(r"tasks\.(?P<task>[-a-z0-9]+)\.outputs\.parameters\.(?P<output>[-A-Za-z0-9_]+)"),
]
#: expr-lang tokens; a string literal is single-quoted with backslash escapes (``expressions.quote``)
TOKEN = re.compile(r"\s+|(?P<string>'(?:[^'\\]|\\.)*')|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
                   r"|(?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
                   r"|\?\?|==|!=|<=|>=|&&|\|\||[-+*/<>!()\[\]{},.:?]", re.S)
#: every name the compiler's expressions use
EXPRESSION_WORDS = {"tasks", "workflow", "parameters", "outputs", "result", "status", "condition", "name",
                    "namespace", "asFloat", "jsonpath", "toJson", "fromJSON", "split", "get", "hasPrefix", "in",
                    "true", "false"}
INT64 = 2 ** 63


def expression_kind(content: str) -> str:
    """An expression tag's shape: its tokens, every string literal (or sum of them) as ``S``. Checks that it
    is made of expr-lang tokens the compiler writes: a user's text can only be inside a string literal."""
    tokens, at = [], 0
    while at < len(content):
        match = TOKEN.match(content, at)
        assert match and match.end() > at, f"not an expression the compiler writes at {content[at:at + 80]!r}"
        at = match.end()
        if match.group("string"):
            tokens.append("S")
        elif match.group("word"):
            assert match.group("word") in EXPRESSION_WORDS, f"unknown name {match.group('word')!r} in {content!r}"
            tokens.append(match.group("word"))
        elif match.group("number"):
            number = match.group("number")
            if re.fullmatch(r"[0-9]+", number):
                assert int(number) < INT64, f"an integer expr-lang cannot read: {number[:40]}"
            tokens.append("N")
        elif match.group().strip():
            tokens.append(match.group())
    shape = " ".join(tokens)
    while "S + S" in shape:
        shape = shape.replace("S + S", "S")
    assert shape.count("(") == shape.count(")") and shape.count("[") == shape.count("]"), content
    return shape


def tag_kinds(document: dict) -> Counter:
    """Every tag of a compiled document, checked against the compiler's forms, counted by kind."""
    spec = document["spec"]
    params = {p["name"] for p in spec.get("arguments", {}).get("parameters", [])}
    tasks = {t["name"] for template in spec["templates"] for t in template.get("dag", {}).get("tasks", [])}
    kinds: Counter = Counter()
    for text in strings(document):
        for content in tags_of(text):
            if content.startswith("="):
                kinds["= " + expression_kind(content[1:])] += 1
                continue
            match = next((m for form in SIMPLE_TAGS if (m := form.fullmatch(content))), None)
            assert match, f"a tag the compiler does not write: {{{{{content[:200]}}}}}"
            found = match.groupdict()
            assert found.get("param") is None or found["param"] in params, content
            assert found.get("task") is None or found["task"] in tasks, content
            kinds[content] += 1
    return kinds


EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)


def check_compiled(workflow: wf.Workflow, document: dict) -> None:
    assert check_document(document) == []
    json.dumps(document, allow_nan=False)  # what kubectl sends: JSON
    tag_kinds(document)
    # task arguments that are JSON stay JSON once Argo fills in its tags, and the runtime reads every spec back
    for template in document["spec"]["templates"]:
        for parameter in template.get("inputs", {}).get("parameters", []):
            if parameter["name"] in ("spec", "pod-spec-patch") and "default" in parameter:
                json.loads(EXPRESSION.sub("null", parameter["default"]))
        for task in template.get("dag", {}).get("tasks", []):
            for parameter in task.get("arguments", {}).get("parameters", []):
                if parameter["name"] in ("spec", "pod-spec-patch"):
                    assert isinstance(json.loads(EXPRESSION.sub("null", parameter["value"])), dict)
    for command, text in phase_specs(document):
        kind = BY_COMMAND[command]
        assert isinstance(contract.load_phase(kind.kind, EXPRESSION.sub("null", text)), kind.contract)
    # what a placeholder's text default became, the runtime reads back as it was written
    given = {p["name"]: p.get("value") for p in document["spec"].get("arguments", {}).get("parameters", [])}
    run = RunContext.from_args("run", "ns", json.dumps(given))
    for param in workflow.graph().params.values():
        if param.source == "placeholder" and param.type == "str" and isinstance(param.default, str) \
                and not param.delay and JOINER not in param.default:
            assert run.resolve(ParamRef(param.name, "str")) == param.default


#: every SDK class an error may start with
LABELS = {cls.__name__ for module in (wf, wf.steps, wf.data, wf.policy) for cls in vars(module).values()
          if isinstance(cls, type)} | {"Storage", "NFS"}
REFUSAL = re.compile(r"(?P<label>[A-Z][A-Za-z]+)(?: (?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"))?"
                     r"(?: path (?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"))?(?P<sep> > |: )")


def check_refusal(refused: ValidationError) -> None:
    message = str(refused)
    assert "\n" not in message and "\r" not in message, message
    match = REFUSAL.match(message)
    assert match and match.group("label") in LABELS, f"no object and field at the start of {message[:300]!r}"
    assert message.startswith(refused.where + ": "), message[:300]


# the properties -----------------------------------------------------------------------------------------------


@settings(max_examples=500, **SETTINGS)
@given(plan=pipelines())
def test_a_random_pipeline_compiles_to_a_valid_template_with_only_the_compilers_tags_or_is_refused(plan):
    outcome = attempt(plan)
    if isinstance(outcome, ValidationError):
        check_refusal(outcome)
        return
    workflow, document = outcome
    check_compiled(workflow, document)
    benign = attempt(plan, benign=True)
    if not isinstance(benign, ValidationError):
        assert tag_kinds(benign[1]) == tag_kinds(document), "a user's text changed the tags of the template"


@st.composite
def one_placeholder_pipelines(draw: st.DrawFn) -> dict:
    """One job reading one random placeholder as a hyperparameter, an environment value and in its skip
    condition, with hostile texts around it."""
    plans = PlanDraw(draw, odd=draw(st.integers(0, 3)) == 0)
    placeholder = plans.placeholder()
    text = draw(texts)
    condition = ("cmp", draw(st.sampled_from([c for c in C if c is not C.OR])), ("ph", 0), draw(scalars))
    step = {"kind": "job", "name": "train", "title": text, "description": None, "depends": [],
            "skip": [condition], "policy": None, "engine": ("image", "team/train:1"), "code": "obs://bucket/code/",
            "boot": "train.py", "parameters": [("p", ("ph", 0)), ("t", text)], "environments": {"E": ("ph", 0)},
            "inputs": [("data", ("obs", "obs://bucket/data/"))], "outputs": [("out", None, False)],
            "flavor": {"cpu": "1"}, "priority": None}
    return {"name": "w", "desc": text, "placeholders": [placeholder], "storages": [], "steps": [step], "scenes": []}


@settings(max_examples=300, **SETTINGS)
@given(plan=one_placeholder_pipelines())
def test_a_placeholder_of_any_type_in_a_hyperparameter_and_a_skip_condition(plan):
    outcome = attempt(plan)
    if isinstance(outcome, ValidationError):
        check_refusal(outcome)
        return
    check_compiled(*outcome)
    benign = attempt(plan, benign=True)
    if not isinstance(benign, ValidationError):
        assert tag_kinds(benign[1]) == tag_kinds(outcome[1])


def test_the_tag_check_sees_a_tag_a_user_text_would_make():
    """The checks above would see a user's text become a tag."""
    assert tag_kinds({"spec": {"templates": [], "x": "a{{workflow.name}}"}}) == Counter({"workflow.name": 1})
    for bad in ("{{=x}}", "{{inputs}}", "{{=toJson('a') + b}}", "{{=1 == inf}}", "{{=9223372036854775808}}",
                "{{= 'a}}' }}"):
        try:
            tag_kinds({"spec": {"templates": []}, "v": bad})
        except AssertionError:
            continue
        raise AssertionError(f"{bad!r} passed the tag check")
