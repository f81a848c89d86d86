"""ConditionStep: evaluate the conditions (AND), write "true" or "false" for the branches."""

from __future__ import annotations

from typing import Any

from wf2k8s.contract.phases import ConditionPhase
from wf2k8s.contract.refs import Cond

from .context import ContractError, RunContext
from .untrusted import decimal_problem, number_problem, shown

ORDERING = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


def number(value: Any) -> float:
    """A side of a comparison as a number: a finite number within the range of a float, or decimal text
    of one (``untrusted``): NaN, Infinity and a 401-digit whole number are refused, not compared."""
    if isinstance(value, bool):
        raise ContractError(f"cannot order a bool ({value})")
    if isinstance(value, str):
        problem = decimal_problem(value)
        if problem:
            raise ContractError(f"{shown(value)} is not a number ({problem})")
        return float(value)
    problem = number_problem(value)
    if problem:
        raise ContractError(f"a side of the comparison {problem}")
    return float(value)


def same_kind(left: Any, right: Any) -> tuple[Any, Any]:
    """Compare numbers as numbers even when one side is text (a STR placeholder holding '0.8')."""
    numeric = (int, float)
    if isinstance(left, numeric) and not isinstance(left, bool) and isinstance(right, str):
        return left, number(right)
    if isinstance(right, numeric) and not isinstance(right, bool) and isinstance(left, str):
        return number(left), right
    return left, right


def evaluate(cond: Cond, trace: list[str], run: RunContext) -> bool:
    op = cond.op
    if op == "or":
        result = evaluate(cond.left, trace, run) or evaluate(cond.right, trace, run)
        trace.append(f"or -> {result}")
        return result
    left, right = run.resolve(cond.left), run.resolve(cond.right)
    if op == "in":
        if not isinstance(right, list):
            raise ContractError(f"the right side of 'in' must be a list, got {right!r}")
        result = any(same_kind(left, item)[0] == same_kind(left, item)[1] for item in right)
    elif op in ORDERING:
        result = ORDERING[op](number(left), number(right))
    elif op in ("==", "!="):
        a, b = same_kind(left, right)
        result = (a == b) if op == "==" else (a != b)
    else:
        raise ContractError(f"unknown operator {op!r}")
    trace.append(f"{left!r} {op} {right!r} -> {result}")
    return result


def run(spec: ConditionPhase, run: RunContext) -> dict:
    trace: list[str] = []
    outcome = all(evaluate(c, trace, run) for c in spec.conditions)
    for line in trace:
        print(line)
    print(f"conditions of {spec.step!r}: {outcome}")
    return {"variables": {"condition": {"result": outcome}}, "files": {"condition": "true" if outcome else "false"}}
