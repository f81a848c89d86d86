"""Notifications (seed 3.1.5): the lifecycle hooks rendered from subscriptions, and the runtime's POST."""

from __future__ import annotations

import json

import pytest

from argo_schema import check_document
from modelarts import workflow as mwf
from specs import phase
from wf2k8s.backends.argo.notifications import Subscription, events_of, stored, with_notifications
from wf2k8s.contract import load_phase
from wf2k8s.errors import ValidationError
from wf2k8s.runtime import notify
from wf2k8s.runtime.context import RunContext

IMAGE = "wf2k8s/runtime:0.1.0"  # what the template below is compiled with
ALL = ("Awaiting input", "Executed", "Abnormal")


def job(name: str, parameters=None, depend_steps=None) -> mwf.steps.JobStep:
    return mwf.steps.JobStep(
        name=name, depend_steps=depend_steps,
        algorithm=mwf.BaseAlgorithm(code_dir="obs://b/code/", boot_file="train.py", parameters=parameters,
                                    engine=mwf.steps.JobEngine(image_url="team/train:1")),
        inputs=mwf.steps.JobInput(name="data_url", data=mwf.data.OBSPath(obs_path="obs://b/data/")),
        outputs=mwf.steps.JobOutput(name="train_url", obs_config=mwf.data.OBSOutputConfig(obs_path="obs://b/o/")),
        spec=mwf.steps.JobSpec(resource=mwf.steps.JobResource(flavor={"cpu": "1"})))


@pytest.fixture(scope="module")
def template() -> dict:
    lr = mwf.Placeholder(name="lr", placeholder_type=mwf.PlaceholderType.FLOAT, default=0.1, delay=True)
    prepare = job("prepare")
    train = job("train", parameters=[mwf.AlgorithmParameters(name="lr", value=lr)], depend_steps=[prepare])
    return mwf.Workflow(name="notified", desc="d", steps=[prepare, train]).to_workflow_template()


def tasks(document: dict) -> dict[str, dict]:
    main = next(t for t in document["spec"]["templates"] if t["name"] == "main")
    return {t["name"]: t for t in main["dag"]["tasks"]}


def hook_spec(hook: dict) -> tuple:
    spec = load_phase("notify", next(p["value"] for p in hook["arguments"]["parameters"] if p["name"] == "spec"))
    return spec.for_step, spec.event, spec.status, [(t.url, tuple(t.events)) for t in spec.targets]


def run_end_spec(document: dict) -> dict:
    hook = document["spec"]["hooks"]["exit"]
    assert hook["template"] == "run-end"
    return json.loads(next(p["value"] for p in hook["arguments"]["parameters"] if p["name"] == "spec"))


def test_every_run_ends_with_the_run_end_phase(template):
    spec = run_end_spec(template)
    assert (spec["workflow"], spec["status"], spec["tasks"], spec["targets"]) == (
        "notified", "{{workflow.status}}", {"prepare": "prepare", "train": "train"}, [])
    run_end = next(t for t in template["spec"]["templates"] if t["name"] == "run-end")
    assert run_end["serviceAccountName"] == "wf2k8s-recorder"
    assert [e["configMapRef"]["name"] for e in run_end["container"]["envFrom"]] == ["wf2k8s-config"]  # no S3 key


def test_a_subscription_to_the_run_is_a_target_of_its_end_and_a_hook_on_each_wait(template):
    rendered = with_notifications(template, [Subscription("http://hooks.example/run", ALL)])
    assert check_document(rendered) == []
    assert run_end_spec(rendered)["targets"] == [{"url": "http://hooks.example/run",
                                                  "events": ["Executed", "Abnormal"]}]
    waiting = tasks(rendered)["input-lr"]["hooks"]["wf2k8s-notify-awaiting-input"]
    assert waiting["expression"] == 'tasks["input-lr"].status == "Running"'
    assert hook_spec(waiting) == ("train", "Awaiting input", "Running",
                                  [("http://hooks.example/run", ("Awaiting input",))])
    assert "hooks" not in tasks(rendered)["train"]  # a phase's own events are for subscriptions to that phase
    notify_template = next(t for t in rendered["spec"]["templates"] if t["name"] == "notify")
    assert notify_template["container"]["image"] == IMAGE and "serviceAccountName" not in notify_template
    assert stored(rendered) == [Subscription("http://hooks.example/run", ALL)]


def test_a_subscription_to_a_phase_hooks_its_task_and_the_waits_before_it(template):
    rendered = with_notifications(template, [Subscription("https://h.example/p", ("Executed", "Abnormal"), "prepare"),
                                             Subscription("https://h.example/t", ("Awaiting input",), "train")])
    assert check_document(rendered) == []
    hooks = tasks(rendered)["prepare"]["hooks"]
    assert hooks["wf2k8s-notify-executed"]["expression"] == 'tasks["prepare"].status == "Succeeded"'
    assert hooks["wf2k8s-notify-abnormal"]["expression"] == \
        'tasks["prepare"].status == "Failed" || tasks["prepare"].status == "Error"'
    assert hook_spec(hooks["wf2k8s-notify-abnormal"])[:2] == ("prepare", "Abnormal")
    assert list(tasks(rendered)["input-lr"]["hooks"]) == ["wf2k8s-notify-awaiting-input"]
    assert run_end_spec(rendered)["targets"] == []  # nobody subscribed to the run's end


def test_rendering_again_keeps_exactly_the_subscriptions_given(template):
    once = with_notifications(template, [Subscription("http://a.example/", ALL, "train")])
    assert with_notifications(once, []) == template
    twice = with_notifications(once, [Subscription("http://b.example/", ("Executed",))])
    assert "hooks" not in tasks(twice)["train"] and list(twice["spec"]["hooks"]) == ["exit"]
    assert run_end_spec(twice)["targets"] == [{"url": "http://b.example/", "events": ["Executed"]}]
    assert "notify" not in [t["name"] for t in twice["spec"]["templates"]]  # no phase hook needs it


@pytest.mark.parametrize("subscription, message", [
    (Subscription("ftp://h/x", ALL), "notification > url: must be an http:// or https:// URL"),
    (Subscription("http://h/{{workflow.name}}", ALL), "notification > url: must not hold '{{'"),
    (Subscription("http://h/", ALL, "nope"), "notification > step 'nope': the pipeline has no such step"),
])
def test_bad_subscriptions_are_refused_naming_the_field(template, subscription, message):
    with pytest.raises(ValidationError) as refused:
        with_notifications(template, [subscription])
    assert str(refused.value).startswith(message)


def test_events_take_the_clis_names_or_the_seeds():
    assert events_of("awaiting-input, Executed,abnormal") == ALL
    with pytest.raises(ValidationError, match="'done' is not one of awaiting-input, executed, abnormal"):
        events_of("done")


def run_context() -> RunContext:
    return RunContext.from_args("notified-20261130-000000-abcd", "wf2k8s", "{}")


def notify_spec(url: str, **fields) -> object:
    return phase("notify", step="notify-run", workflow="notified",
                 targets=[{"url": url, "events": ["Executed", "Abnormal"]}], **fields)


@pytest.mark.parametrize("status, event", [("Succeeded", "Executed"), ("Failed", "Abnormal"), ("Error", "Abnormal")])
def test_the_end_of_a_run_posts_the_event_its_status_gives(server, status, event):
    hook = server((200, b"ok"))
    result = notify.run(notify_spec(hook.url + "/in", status=status), run_context())
    assert result["notified"] == [hook.url + "/in"]
    body = json.loads(hook.seen[0][3])
    assert {k: body[k] for k in ("event", "workflow", "run", "namespace", "step", "status")} == {
        "event": event, "workflow": "notified", "run": "notified-20261130-000000-abcd", "namespace": "wf2k8s",
        "step": None, "status": status}


def test_a_webhook_that_fails_never_fails_the_run(server, capsys):
    hook = server(*[(500, b"down")] * 5)
    assert notify.run(notify_spec(hook.url, status="Failed"), run_context())["notified"] == []
    assert "Abnormal of run notified-20261130-000000-abcd: not delivered: Webhook POST" in capsys.readouterr().out
    assert notify.run(notify_spec(hook.url, status="Running"), run_context())["notified"] == []  # no event


def test_the_cli_subscribes_through_the_running_state(monkeypatch, template, capsys):
    from wf2k8s import cli, running

    template = {**template, "metadata": {**template["metadata"],
                                         "labels": {**template["metadata"]["labels"],
                                                    "app.kubernetes.io/managed-by": "wf2k8s"}}}
    applied: list[dict] = []
    monkeypatch.setattr(running, "released", lambda name, namespace: applied[-1] if applied else template)
    monkeypatch.setattr(running, "apply_template_version", lambda manifest, current: applied.append(manifest))
    assert cli.main(["notify", "notified", "--url", "http://h.example/x", "--events", "executed", "--step",
                     "train"]) == 0
    assert capsys.readouterr().out.split()[-4:] == ["http://h.example/x", "Executed", "step", "train"]
    assert stored(applied[-1]) == [Subscription("http://h.example/x", ("Executed",), "train")]
    assert cli.main(["notify", "notified", "--url", "http://h.example/{{x}}"]) == 2
    assert cli.main(["notify", "notified", "--remove", "http://h.example/x"]) == 0
    assert stored(applied[-1]) == []
    assert "hooks" not in tasks(applied[-1])["train"]
