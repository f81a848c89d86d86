"""Graph references as Argo expressions.

Two renderings:

* `argo_ref` writes the references of a phase spec (the typed contract, ``wf2k8s.contract``)
  as the runtime reads them. Values known only at run time are spliced in as Argo expression
  tags that render JSON, e.g. ``{{=toJson(tasks['input-x'].outputs.parameters['x'])}}``, so no
  user value is ever quoted by hand.
* `condition_expr` writes a condition as an expr-lang boolean, for ``when``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable

from wf2k8s.backends.splice import Raw
from wf2k8s.contract.refs import Fallback, dump_ref
from wf2k8s.contract.values import protect
from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import Cond, MetricRef, OutputRef, Param, ParamRef, SelectRef, SystemRef, VariableRef


def quote(text: str) -> str:
    """An expr-lang string literal. It stands inside an Argo tag (``{{=...}}``), which a ``}}`` in it would
    end and a ``{{`` would confuse: those are split into two literals joined with ``+``."""
    literal = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return BRACES.sub(lambda m: m.group(0) + "' + '", literal)


#: a brace followed by the same brace
BRACES = re.compile(r"\{(?=\{)|\}(?=\})")


def json_path_part(key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return "." + key
    return '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'


class Scope:
    """How a compiled workflow names things: task names, delayed parameters' input nodes."""

    def __init__(self, params: dict[str, Param], task_name: Callable[[str], str],
                 input_task: Callable[[str], str], template_name: str):
        self.params = params
        self.task_name = task_name
        self.input_task = input_task
        self.template_name = template_name

    # expr-lang pieces -----------------------------------------------------------------------------
    def task(self, step: str) -> str:
        return f"tasks[{quote(self.task_name(step))}]"

    def param(self, name: str) -> str:
        param = self.params[name]
        if param.delay:
            return f"tasks[{quote(self.input_task(name))}].outputs.parameters[{quote(name)}]"
        return f"workflow.parameters[{quote(name)}]"

    def result(self, step: str) -> str:
        return f"{self.task(step)}.outputs.parameters.result"

    def succeeded(self, step: str) -> str:
        return f"{self.task(step)}.status == 'Succeeded'"

    def metric(self, ref: MetricRef) -> str:
        path = "$.metrics" + "".join(json_path_part(k) for k in (ref.output, ref.key))
        return f"asFloat(jsonpath({self.result(ref.step)}, {quote(path)}))"

    def system(self, name: str) -> str:
        return {"EXECUTION_ID": "workflow.name", "NAMESPACE": "workflow.namespace",
                "WORKFLOW_NAME": quote(self.template_name)}[name]


# spec JSON ----------------------------------------------------------------------------------------


def tag(expression: str) -> Raw:
    return Raw("{{=" + expression + "}}")


def argo_ref(scope: Scope, declared: Callable[[OutputRef], Any],
             fallback: Callable[[OutputRef], Fallback | None] = lambda ref: None,
             ) -> Callable[[Any, Callable[[Any], Any]], Any]:
    """How a reference is written in a phase spec on Argo (a ``ref_hook`` of ``contract.dump``).

    Values of workflow parameters are not repeated here: the runtime gets them all at once
    (``--parameters``); only delayed ones, which come from input nodes, are spliced in, and the
    results of other steps, as expression tags that render JSON. ``declared`` and ``fallback`` say
    where an output is when its producer writes no result / did not run.
    """
    def output(ref: OutputRef) -> OutputRef:
        return dataclasses.replace(ref, result=produced(ref.step, scope), declared=declared(ref),
                                   fallback=fallback(ref))

    def write(ref: Any, dump: Callable[[Any], Any]) -> Any:
        if isinstance(ref, ParamRef) and scope.params[ref.name].delay:
            ref = dataclasses.replace(ref, value=tag(f"toJson({scope.param(ref.name)})"))
        elif isinstance(ref, OutputRef):
            ref = output(ref)
        elif isinstance(ref, (VariableRef, MetricRef)):
            ref = dataclasses.replace(ref, result=produced(ref.step, scope))
        elif isinstance(ref, SelectRef):
            ref = SelectRef(tuple(output(o) for o in ref.options))
        return dump_ref(ref, dump)

    return write


def produced(step: str, scope: Scope) -> Raw:
    # only a step that succeeded has outputs; for a skipped one Argo gives nil, rendered as null
    return tag(f"{scope.result(step)} ?? 'null'")


# conditions as expr-lang --------------------------------------------------------------------------

NUMERIC_TYPES = ("int", "float")
#: expr-lang's integers are 64-bit: a wider literal is written as a float
INT64 = 2 ** 63


def condition_expr(cond: Cond, scope: Scope, where: str) -> str:
    if cond.op == "or":
        return f"({condition_expr(cond.left, scope, where)} || {condition_expr(cond.right, scope, where)})"
    numeric = cond.op in ("<", "<=", ">", ">=") or any(
        isinstance(side, (int, float)) and not isinstance(side, bool) for side in (cond.left, cond.right))
    for param_side, literal in ((cond.left, cond.right), (cond.right, cond.left)):
        # a BOOL placeholder against True/False: compare its text, not a comparison with a bool
        if cond.op in ("==", "!=") and isinstance(literal, bool) and isinstance(param_side, ParamRef) \
                and scope.params[param_side.name].type == "bool":
            equal = (cond.op == "==") == literal
            return f"({scope.param(param_side.name)} {'==' if equal else '!='} 'true')"
    left = operand(cond.left, scope, numeric, where)
    right = operand(cond.right, scope, numeric and cond.op != "in", where)
    if cond.op == "in":
        if isinstance(cond.right, ParamRef):
            right = f"fromJSON({scope.param(cond.right.name)})"
        return f"({left} in {right})"
    return f"({left} {cond.op} {right})"


def operand(value: Any, scope: Scope, numeric: bool, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not -INT64 <= value < INT64:
        return repr(float(value))  # expr-lang reads no wider integer; compared as a float either way
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):  # compared with a run value, which is protected (wf2k8s.contract.values)
        return f"asFloat({quote(value)})" if numeric else quote(protect(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(operand(v, scope, numeric, where) for v in value) + "]"
    if isinstance(value, MetricRef):
        return scope.metric(value)
    if isinstance(value, ParamRef):
        param = scope.params[value.name]
        text = scope.param(value.name)
        if param.type == "bool":
            return f"({text} == 'true')"
        if numeric or param.type in NUMERIC_TYPES:
            return f"asFloat({text})"
        return text
    if isinstance(value, SystemRef):
        return scope.system(value.name)
    if isinstance(value, Cond):
        return condition_expr(value, scope, where)
    raise ValidationError(where, f"cannot compare a {type(value).__name__}")
