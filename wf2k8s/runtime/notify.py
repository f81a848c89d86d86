"""Notifications (seed 3.1.5): one event of a run, POSTed to each webhook subscribed to it.

The body is one JSON object::

    {"event": "Awaiting input" | "Executed" | "Abnormal", "workflow": "<pipeline>", "run": "<run>",
     "namespace": "<namespace>", "step": "<phase>" | null, "status": "<Argo's status>", "time": "<UTC ISO 8601>"}

``step`` is null for an event of the whole run. At the end of a run the run's status picks the event:
Succeeded is Executed, Failed and Error are Abnormal. A webhook that cannot be reached or answers an
error is reported in the hook's log and never fails the run: this phase always ends well.
"""

from __future__ import annotations

import datetime
import json

from wf2k8s.contract.phases import NotifyPhase

from .clients import ServiceError, request
from .clients.http import Retry
from .context import RunContext

#: a webhook gets a few quick tries: a notification must not hold the run's end back long
WEBHOOK_RETRY = Retry(attempts=3, first_delay=1.0)


def event_of(spec: NotifyPhase) -> str | None:
    if spec.event is not None:
        return spec.event
    return {"Succeeded": "Executed", "Failed": "Abnormal", "Error": "Abnormal"}.get(spec.status)


def body(spec: NotifyPhase, run: RunContext, event: str, now: datetime.datetime) -> dict:
    return {"event": event, "workflow": spec.workflow, "run": run.name, "namespace": run.namespace,
            "step": spec.for_step, "status": spec.status, "time": now.strftime("%Y-%m-%dT%H:%M:%SZ")}


def run(spec: NotifyPhase, run: RunContext) -> dict:
    event = event_of(spec)
    about = f"step {spec.for_step!r}" if spec.for_step else f"run {run.name}"
    sent: list[str] = []
    for target in spec.targets:
        if event is None or event not in target.events:
            continue
        payload = json.dumps(body(spec, run, event, datetime.datetime.now(datetime.timezone.utc))).encode()
        try:
            request("Webhook", "POST", target.url, payload, {"Content-Type": "application/json"}, timeout=10,
                    retry=WEBHOOK_RETRY, idempotent=True)
            sent.append(target.url)
            print(f"{event} of {about}: sent to {target.url}", flush=True)
        except ServiceError as problem:  # never the run's failure
            print(f"{event} of {about}: not delivered: {problem}", flush=True)
    return {"outputs": {}, "notified": sent}
