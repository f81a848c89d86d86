"""Notifications (seed 3.1.5): one event of a run, POSTed to each webhook subscribed to it.

The body is one JSON object::

    {"event": "Awaiting input" | "Executed" | "Abnormal", "workflow": "<pipeline>", "run": "<run>",
     "namespace": "<namespace>", "step": "<phase>" | null, "status": "<Argo's status>", "time": "<UTC ISO 8601>"}

``step`` is null for an event of the whole run (sent by the run-end phase, ``run_end.py``: Succeeded is
Executed, Failed and Error are Abnormal). A webhook that cannot be reached or answers an error is reported in
the phase's log and never fails the run: these phases always end well.
"""

from __future__ import annotations

import datetime
import json
from typing import Sequence

from wf2k8s.contract.phases import NotifyPhase, NotifyTarget

from .clients import ServiceError, request
from .clients.http import Retry
from .context import RunContext

#: a webhook gets a few quick tries: a notification must not hold the run's end back long
WEBHOOK_RETRY = Retry(attempts=3, first_delay=1.0)


def run_event(status: str) -> str | None:
    """The event of a run's (or a phase's) end."""
    return {"Succeeded": "Executed", "Failed": "Abnormal", "Error": "Abnormal"}.get(status)


def deliver(targets: Sequence[NotifyTarget], event: str | None, body: dict, about: str) -> list[str]:
    """``body`` with its event POSTed to each target subscribed to the event; the URLs that took it."""
    sent: list[str] = []
    for target in targets:
        if event is None or event not in target.events:
            continue
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = json.dumps({"event": event, **body, "time": now}).encode()
        try:
            request("Webhook", "POST", target.url, payload, {"Content-Type": "application/json"}, timeout=10,
                    retry=WEBHOOK_RETRY, idempotent=True)
            sent.append(target.url)
            print(f"{event} of {about}: sent to {target.url}", flush=True)
        except ServiceError as problem:  # never the run's failure
            print(f"{event} of {about}: not delivered: {problem}", flush=True)
    return sent


def run(spec: NotifyPhase, run: RunContext) -> dict:
    event = spec.event if spec.event is not None else run_event(spec.status)
    body = {"workflow": spec.workflow, "run": run.name, "namespace": run.namespace, "step": spec.for_step,
            "status": spec.status}
    about = f"step {spec.for_step!r}" if spec.for_step else f"run {run.name}"
    return {"outputs": {}, "notified": deliver(spec.targets, event, body, about)}
