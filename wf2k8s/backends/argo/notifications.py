"""Notifications (seed 3.1.5) as Argo lifecycle hooks of a released WorkflowTemplate.

A subscription is a webhook URL, the events it wants (Awaiting input, Executed, Abnormal) and what they are
of: the whole run, or one phase. They are kept with the WorkflowTemplate (annotation
``wf2k8s.io/notifications``) and turned into hooks here, the one place, from the compiled template itself:

* the run's end (Executed when it Succeeded, Abnormal when it Failed or Errored): the targets of the run-end
  phase, the ``exit`` hook every compiled pipeline has (``run_end.py``);
* a phase executed or abnormal: a hook of its task on ``tasks["<task>"].status`` becoming Succeeded, or
  Failed or Error;
* awaiting input: a hook on the task that waits (a value given while the run runs, the debug pause before a
  phase, a labeling phase waiting for people) becoming Running; of the run: every such task; of a phase:
  those before it, and the phase itself if it labels.

Each hook runs the runtime's ``notify`` phase (``wf2k8s/runtime/notify.py``: the JSON body it POSTs), which
never fails the run. Re-rendering drops the hooks made before, so a changed list, or a new version of the
pipeline released by wf2k8s, always carries exactly its subscriptions.
"""

from __future__ import annotations

import copy
import json
import re
import urllib.parse
from dataclasses import asdict, dataclass

from wf2k8s import contract
from wf2k8s.backends.argo import templates as t
from wf2k8s.backends.argo.compiler import pipeline_info
from wf2k8s.contract.phases import NOTIFY_EVENTS, NotifyPhase, NotifyTarget
from wf2k8s.errors import ValidationError

ANNOTATION = "wf2k8s.io/notifications"
HOOK_PREFIX = "wf2k8s-notify-"
TEMPLATE = "notify"
RUN_END = "run-end"
#: the CLI's names of the seed's events
EVENT_NAMES = {"awaiting-input": "Awaiting input", "executed": "Executed", "abnormal": "Abnormal"}
STATUS = {"Awaiting input": ("Running", 'tasks["{t}"].status == "Running"'),
          "Executed": ("Succeeded", 'tasks["{t}"].status == "Succeeded"'),
          "Abnormal": ("Failed", 'tasks["{t}"].status == "Failed" || tasks["{t}"].status == "Error"')}
#: a hook's pod ends soon: a webhook that hangs must not hold the run
HOOK_SECONDS = "120"


@dataclass(frozen=True)
class Subscription:
    url: str
    events: tuple[str, ...]
    #: the phase (the seed's step name); None: the whole run
    step: str | None = None


def events_of(text: str) -> tuple[str, ...]:
    """``awaiting-input,executed,abnormal`` (or the seed's names) as the seed's event names."""
    found = []
    for item in (part.strip() for part in text.split(",")):
        event = EVENT_NAMES.get(item.lower(), item)
        if event not in NOTIFY_EVENTS:
            raise ValidationError("notification > events", f"{item!r} is not one of "
                                  f"{', '.join(EVENT_NAMES)} (the seed's {', '.join(NOTIFY_EVENTS)})")
        if event not in found:
            found.append(event)
    return tuple(found)


def check_url(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationError("notification > url", f"must be an http:// or https:// URL, got {url!r}")
    if "{{" in url or re.search(r"\s", url):  # Argo would read {{ as its own; a URL has no spaces
        raise ValidationError("notification > url", f"must not hold '{{{{' or spaces, got {url!r}")
    return url


def stored(template: dict) -> list[Subscription]:
    """The subscriptions kept with a WorkflowTemplate."""
    text = ((template.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION)
    if not text:
        return []
    return [Subscription(s["url"], tuple(s["events"]), s.get("step")) for s in json.loads(text)["subscriptions"]]


def with_notifications(template: dict, subscriptions: list[Subscription]) -> dict:
    """``template`` (a compiled WorkflowTemplate) with the hooks of ``subscriptions`` and nothing else of ours."""
    result = copy.deepcopy(template)
    spec = result["spec"]
    info = pipeline_info(spec)
    tasks_of = {entry["step"]: task for task, entry in (info.get("steps") or {}).items()}
    for subscription in subscriptions:
        check_url(subscription.url)
        if subscription.step is not None and subscription.step not in tasks_of:
            raise ValidationError(f"notification > step {subscription.step!r}",
                                  f"the pipeline has no such step (its steps: {', '.join(sorted(tasks_of))})")
    annotations = result["metadata"].setdefault("annotations", {})
    annotations[ANNOTATION] = json.dumps({"subscriptions": [
        {**asdict(s), "events": list(s.events)} for s in subscriptions]}, separators=(",", ":"))
    if not subscriptions:
        annotations.pop(ANNOTATION)
    spec["templates"] = [x for x in spec["templates"] if x["name"] != TEMPLATE]
    run_end = (spec.get("hooks") or {}).get("exit") or {}
    if run_end.get("template") != RUN_END:
        raise ValidationError("notification", "the released workflow has no run-end hook (it was released by an "
                                              "older wf2k8s): release it again")
    main = next(x for x in spec["templates"] if x["name"] == spec.get("entrypoint", "main"))
    for task in main["dag"]["tasks"]:
        own = {k: v for k, v in (task.get("hooks") or {}).items() if not k.startswith(HOOK_PREFIX)}
        set_or_drop(task, "hooks", own)
    # the run's end: the run-end phase notifies the webhooks subscribed to the run
    run_wide = [s for s in subscriptions if s.step is None]
    set_run_end_targets(run_end, targets(run_wide, ("Executed", "Abnormal")))
    if not subscriptions:
        return result

    workflow = json.loads(next(p["value"] for p in run_end["arguments"]["parameters"] if p["name"] == "spec"))[
        "workflow"]
    steps = {task: entry["step"] for task, entry in (info.get("steps") or {}).items()}
    kinds = {task: entry.get("kind") for task, entry in (info.get("steps") or {}).items()}
    waits_before = waiting_tasks(main, spec["templates"], info)
    for task in main["dag"]["tasks"]:
        name = task["name"]
        wanted: dict[str, list[Subscription]] = {}
        for s in subscriptions:
            for event in s.events:
                if event == "Awaiting input":
                    applies = (name in waits_before and (s.step is None or s.step in waits_before[name])) or \
                        (kinds.get(name) == "labeling" and s.step in (None, steps.get(name)))
                else:
                    applies = s.step is not None and s.step == steps.get(name)
                if applies:
                    wanted.setdefault(event, []).append(s)
        for event, subscribed in wanted.items():
            status, expression = STATUS[event]
            step = steps.get(name) or next(iter(sorted(waits_before.get(name, []))), None)
            spec_ = NotifyPhase(step=f"notify-{name}", workflow=workflow, for_step=step, event=event, status=status,
                                targets=targets(subscribed, (event,)))
            task.setdefault("hooks", {})[HOOK_PREFIX + event.lower().replace(" ", "-")] = {
                **hook(spec_), "expression": expression.format(t=name)}
    if any(k.startswith(HOOK_PREFIX) for task in main["dag"]["tasks"] for k in task.get("hooks") or {}):
        # the hooks run the runtime image the pipeline was compiled with, as its run-end phase does
        image = next(x for x in spec["templates"] if x["name"] == RUN_END)["container"]["image"]
        spec["templates"].append(notify_template(image, bool((spec.get("arguments") or {}).get("parameters"))))
    return result


def set_run_end_targets(hook: dict, found: list[NotifyTarget]) -> None:
    parameter = next(p for p in hook["arguments"]["parameters"] if p["name"] == "spec")
    spec = json.loads(parameter["value"])  # written by the compiler; its only "{{" is the run's status
    spec["targets"] = [asdict(t) for t in found]
    parameter["value"] = json.dumps(spec, separators=(",", ":"), ensure_ascii=False)


def set_or_drop(owner: dict, key: str, value: dict) -> None:
    if value:
        owner[key] = value
    else:
        owner.pop(key, None)


def targets(subscriptions: list[Subscription], events: tuple[str, ...]) -> list[NotifyTarget]:
    """One target per URL, with the events of ``events`` its subscriptions want."""
    found: dict[str, list[str]] = {}
    for s in subscriptions:
        found.setdefault(s.url, [])
        found[s.url] += [e for e in s.events if e in events and e not in found[s.url]]
    return [NotifyTarget(url=url, events=events_) for url, events_ in found.items() if events_]


def hook(spec: NotifyPhase) -> dict:
    return {"template": TEMPLATE, "arguments": {"parameters": [
        {"name": "spec", "value": json.dumps(contract.dump(spec), separators=(",", ":"), ensure_ascii=False)},
        {"name": "timeout-seconds", "value": HOOK_SECONDS}]}}


def waiting_tasks(main: dict, templates: list[dict], info: dict) -> dict[str, set[str]]:
    """Each task that waits for people (an input given while the run runs, a debug pause) -> the steps it
    holds back."""
    suspends = {x["name"]: x for x in templates if "suspend" in x}
    steps = {task: entry["step"] for task, entry in (info.get("steps") or {}).items()}
    found: dict[str, set[str]] = {}
    for task in main["dag"]["tasks"]:
        template = suspends.get(task.get("template", ""))
        if template is None:
            continue
        if task["name"].startswith("debug-"):
            held = {steps.get(task["name"][len("debug-"):], task["name"][len("debug-"):])}
        else:
            parameter = ((template.get("inputs") or {}).get("parameters") or [{}])[0].get("name")
            held = {steps.get(x, x) for x in ((info.get("inputs") or {}).get(parameter) or {}).get("tasks", [])}
        found[task["name"]] = held
    return found


def notify_template(image: str, parameters: bool) -> dict:
    template = t.runtime_template(TEMPLATE, TEMPLATE, t.Images(), image=image, parameters=parameters, s3_key=None)
    return t.plain(template)
