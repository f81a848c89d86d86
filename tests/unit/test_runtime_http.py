"""The runtime's one HTTP client: its retry policy and its error, against a real local HTTP server."""

from __future__ import annotations

import json

import pytest


from wf2k8s.runtime.clients import http
from wf2k8s.runtime.errors import PhaseError


def no_wait(delays):
    return delays.append


def test_a_get_is_tried_again_after_a_server_error_then_succeeds(server):
    s = server((503, b"busy"), (502, b""), (200, b'{"ok": true}'))
    delays: list[float] = []
    assert http.request_json("MLflow", "GET", s.url + "/x", sleep=no_wait(delays)) == {"ok": True}
    assert len(s.seen) == 3
    assert delays == [0.5, 1.0]  # backoff doubles


def test_the_error_names_the_service_the_request_and_the_answer(server):
    s = server((404, json.dumps({"message": "no such model"}).encode()))
    with pytest.raises(http.ServiceError, match=r"^MLflow GET http://127.0.0.1:\d+/m: HTTP 404 no such model$") as e:
        http.request("MLflow", "GET", s.url + "/m?token=secret")
    assert e.value.status == 404
    assert isinstance(e.value, PhaseError)  # the runtime's one error type


def test_a_get_cut_off_by_a_restarting_s3_server_is_tried_again(server):
    s = server((500, b"<Error><Code>InternalError</Code><Message>please try again</Message></Error>"), (206, b"part"))
    assert http.request("S3", "GET", s.url + "/b/k", sleep=no_wait([])).body == b"part"
    assert len(s.seen) == 2


def test_a_post_is_not_repeated_after_a_500_that_may_have_been_taken(server):
    s = server((500, b"boom"), (200, b"{}"))
    with pytest.raises(http.ServiceError, match="HTTP 500"):
        http.request("Label Studio", "POST", s.url + "/p", b"{}", sleep=no_wait([]))
    assert len(s.seen) == 1


def test_a_post_is_repeated_when_the_server_says_it_did_not_take_it(server):
    s = server((429, b""), (200, b"done"))
    assert http.request("Kubernetes", "POST", s.url, b"x", sleep=no_wait([])).body == b"done"
    assert s.methods == ["POST", "POST"]


def test_the_policy_gives_up_after_its_attempts(server):
    s = server(*[(503, b"busy")] * 10)
    delays: list[float] = []
    with pytest.raises(http.ServiceError, match="HTTP 503 busy"):
        http.request("S3", "GET", s.url, sleep=no_wait(delays))
    assert len(s.seen) == http.RETRY.attempts
    assert max(delays) <= http.RETRY.max_delay


def test_allowed_statuses_are_answers_not_errors(server):
    s = server((404, b"missing"))
    assert http.request("S3", "HEAD", s.url, allow=(404,)).status == 404


def test_an_unreachable_service_is_one_line_after_retries():
    delays: list[float] = []
    with pytest.raises(http.ServiceError, match=r"^S3 GET http://127.0.0.1:9/x: cannot reach http://127.0.0.1:9: "):
        http.request("S3", "GET", "http://127.0.0.1:9/x", timeout=2, sleep=no_wait(delays))
    assert len(delays) == http.RETRY.attempts - 1


def test_an_answer_that_is_not_json_is_a_service_error(server):
    s = server((200, b"<html>"))
    with pytest.raises(http.ServiceError, match="not JSON"):
        http.request_json("MLflow", "GET", s.url)
