"""The runtime's clients (S3, Kubernetes, MLflow, Label Studio, a model server) on the one HTTP client:
what its retry policy changes for each, and what each still makes of an error status, against a real
loopback HTTP server."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading

import pytest


from wf2k8s.runtime import batch
from wf2k8s.runtime.clients import http
from wf2k8s.runtime.clients import (
    S3, Kube, KubeError, LabelStudio, LabelStudioError, MLflow, MLflowError, S3Error, ServiceError,
)
from wf2k8s.runtime.errors import PhaseError

#: a busy answer that asks to be tried again at once (Retry-After: 0), so the tests do not wait
BUSY = (503, b"busy", {"Retry-After": "0"})


def as_json(value) -> bytes:
    return json.dumps(value).encode()


# S3 -------------------------------------------------------------------------------------------------


def test_an_s3_get_answered_503_then_200_succeeds_signed_each_time(server):
    s = server((503, b"<Error><Code>SlowDown</Code></Error>"), (200, b"data"))  # the policy's own backoff
    assert S3(s.url, "key", "secret").get("b", "dir/file.txt") == b"data"
    assert s.methods == ["GET", "GET"]
    assert all(path == "/b/dir/file.txt" and headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=key/")
               for _, path, headers, _ in s.seen)


def test_s3_list_pages_survive_a_busy_answer(server):
    page = (b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>'
            b"<Contents><Key>p/a</Key></Contents><Contents><Key>p/b</Key></Contents></ListBucketResult>")
    s = server(BUSY, (200, page))
    assert list(S3(s.url, "k", "s").list("b", "p/")) == ["p/a", "p/b"]
    assert s.seen[1][1] == "/b?list-type=2&prefix=p%2F"


def test_s3_allowed_statuses_are_answers_and_not_repeated(server):
    s = server((404, b""), (409, b"<Error><Code>BucketAlreadyOwnedByYou</Code></Error>"))
    client = S3(s.url, "k", "s")
    assert client.exists("b", "missing") is False
    client.create_bucket("b")  # already there: fine
    assert s.methods == ["HEAD", "PUT"]


def test_an_s3_error_is_one_line_with_s3s_code_and_message_and_a_put_body_is_sent_again(server):
    s = server(BUSY, (403, b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Access Denied.</Message>"
                           b"<Resource>/b/k</Resource></Error>"))
    with pytest.raises(S3Error) as caught:
        S3(s.url, "k", "s").put("b", "k", b"payload")
    assert str(caught.value) == f"S3 PUT {s.url}/b/k: HTTP 403 AccessDenied: Access Denied."
    assert caught.value.status == 403 and isinstance(caught.value, ServiceError)
    assert [(m, body) for m, _, _, body in s.seen] == [("PUT", b"payload"), ("PUT", b"payload")]


# Kubernetes -----------------------------------------------------------------------------------------


def test_a_kubernetes_404_is_still_not_found_at_once(server):
    s = server((404, as_json({"kind": "Status", "reason": "NotFound", "message": 'pods "x" not found'})))
    assert Kube(s.url, "token", None).get("/api/v1/namespaces/ns/pods/x") is None
    assert len(s.seen) == 1 and s.seen[0][2]["Authorization"] == "Bearer token"


def test_a_kubernetes_get_answered_503_then_200_succeeds(server):
    s = server(BUSY, (502, b"", {"Retry-After": "0"}), (200, as_json({"metadata": {"name": "svc"}})))
    assert Kube(s.url, "t", None).get("/apis/x/svc") == {"metadata": {"name": "svc"}}
    assert s.methods == ["GET"] * 3


def test_a_kubernetes_post_refused_is_not_repeated_and_keeps_its_status(server):
    s = server((409, as_json({"kind": "Status", "reason": "AlreadyExists", "message": "svc already exists"})),
               (201, b"{}"))
    with pytest.raises(KubeError) as caught:
        Kube(s.url, "t", None).call("POST", "/apis/x", {"metadata": {"name": "svc"}})
    assert str(caught.value) == f"Kubernetes POST {s.url}/apis/x: HTTP 409 svc already exists"
    assert caught.value.status == 409 and s.methods == ["POST"]


def test_a_kubernetes_post_the_server_did_not_take_is_sent_again(server):
    s = server(BUSY, (201, as_json({"metadata": {"uid": "u"}})))
    assert Kube(s.url, "t", None).call("POST", "/apis/x", {"a": 1}) == {"metadata": {"uid": "u"}}
    assert [json.loads(body) for *_, body in s.seen] == [{"a": 1}, {"a": 1}]


def test_a_log_is_its_end_or_empty_when_it_cannot_be_read(server):
    s = server((200, b"x" * 3000 + b"\nthe end\n"), (400, b"previous terminated container not found"))
    kube = Kube(s.url, "t", None)
    log = kube.text("/api/v1/namespaces/ns/pods/p/log?container=c")
    assert len(log) == 2000 and log.endswith("the end\n")
    assert kube.text("/api/v1/namespaces/ns/pods/p/log?previous=true") == ""


# MLflow ---------------------------------------------------------------------------------------------


def test_an_mlflow_model_that_does_not_exist_is_none(server):
    s = server((404, as_json({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model 'm' not found"})))
    assert MLflow(s.url).registered_model("m") is None
    assert s.seen[0][1] == "/api/2.0/mlflow/registered-models/get?name=m"


def test_mlflow_errors_keep_mlflows_error_code(server):
    s = server((400, as_json({"error_code": "INVALID_PARAMETER_VALUE", "message": "bad name"})),
               (400, as_json({"error_code": "RESOURCE_ALREADY_EXISTS", "message": "exists"})))
    client = MLflow(s.url)
    with pytest.raises(MLflowError) as caught:
        client.registered_model("m")
    assert str(caught.value) == (f"MLflow GET {s.url}/api/2.0/mlflow/registered-models/get: HTTP 400 "
                                 "INVALID_PARAMETER_VALUE: bad name")
    assert caught.value.code == "INVALID_PARAMETER_VALUE" and caught.value.status == 400
    client.create_registered_model("m", {})  # created meanwhile by another run: fine


def test_an_mlflow_search_answered_503_then_200_succeeds(server):
    s = server(BUSY, (200, as_json({"model_versions": [{"version": "1"}]})))
    assert list(MLflow(s.url).versions("m")) == [{"version": "1"}]
    assert s.methods == ["GET", "GET"]


def test_an_mlflow_post_that_failed_is_not_repeated(server):
    s = server((500, as_json({"error_code": "INTERNAL_ERROR", "message": "db locked"})), (200, b"{}"))
    with pytest.raises(MLflowError, match="HTTP 500 INTERNAL_ERROR: db locked$"):
        MLflow(s.url).create_version("m", "s3://b/m/", {}, "")
    assert s.methods == ["POST"]


# Label Studio ---------------------------------------------------------------------------------------


def test_label_studio_refusing_the_token_says_which_setting(server):
    s = server((401, as_json({"detail": "Invalid token."})))
    with pytest.raises(LabelStudioError, match=r"^Label Studio at http://127\.0\.0\.1:\d+ refused the API token "
                                               r"\(401\): check LABEL_STUDIO_TOKEN$") as caught:
        LabelStudio(s.url, "tok").projects()
    assert caught.value.status == 401 and isinstance(caught.value, PhaseError)
    assert s.seen[0][2]["Authorization"] == "Token tok"


def test_a_label_studio_project_that_is_gone_is_none_and_a_busy_answer_is_asked_again(server):
    s = server((404, as_json({"detail": "Not found."})), BUSY, (200, as_json({"id": 7, "title": "d/t"})))
    studio = LabelStudio(s.url, "t")
    assert studio.project(3) is None
    assert studio.project(7) == {"id": 7, "title": "d/t"}


def test_a_label_studio_validation_error_keeps_what_was_wrong(server):
    s = server((400, as_json({"status_code": 400, "detail": "Validation error",
                              "validation_errors": {"label_config": ["bad XML"]}})))
    with pytest.raises(LabelStudioError) as caught:
        LabelStudio(s.url, "t").create_project("d/t", "<View/>", "")
    assert str(caught.value) == (f"Label Studio POST {s.url}/api/projects: HTTP 400 Validation error "
                                 '{"label_config":["bad XML"]}')
    assert s.methods == ["POST"]


# the model server of a batch service ----------------------------------------------------------------


def test_a_busy_model_server_is_asked_again_a_failing_one_is_not(server):
    s = server(BUSY, (200, as_json({"predictions": [1]})), (500, b"model crashed"))
    url = f"{s.url}/v1/models/m:predict"
    assert batch.post_json(url, {"instances": [[1, 2]]}) == {"predictions": [1]}
    with pytest.raises(PhaseError) as caught:
        batch.predict_file("s3://b/in/a.csv", [[1, 2]], url, 10)
    assert str(caught.value) == f"batch input s3://b/in/a.csv, rows 1-1: model server POST {url}: HTTP 500 " \
                                "model crashed"
    assert s.methods == ["POST"] * 3


# the one client ---------------------------------------------------------------------------------------


def test_an_answer_cut_short_is_asked_again_then_a_service_error():
    """A server that closes the connection in the middle of its answer: no traceback, the step's one line."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        for _ in range(2):
            connection, _ = listener.accept()
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    delays: list[float] = []
    try:
        with pytest.raises(ServiceError, match=r"^S3 GET http://127\.0\.0\.1:\d+/b/k: cannot reach .*IncompleteRead"):
            http.request("S3", "GET", f"http://127.0.0.1:{port}/b/k", retry=http.Retry(attempts=2), sleep=delays.append)
    finally:
        listener.close()
    assert delays == [0.5]


def test_a_key_meant_for_someone_else_never_falls_back_to_the_phases_own(monkeypatch):
    own = S3("http://s3.test:7070", "root", "root-secret")
    monkeypatch.delenv("LABEL_STUDIO_S3_ACCESS_KEY_ID", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_S3_SECRET_ACCESS_KEY", "ls-secret")
    with pytest.raises(S3Error, match="LABEL_STUDIO_S3_ACCESS_KEY_ID and .* are not set: Label Studio's key"):
        own.with_key("LABEL_STUDIO_S3_", "Label Studio's key")
    monkeypatch.setenv("LABEL_STUDIO_S3_ACCESS_KEY_ID", "wf2k8s-label-studio")
    reader = own.with_key("LABEL_STUDIO_S3_", "Label Studio's key")
    assert (reader.endpoint, reader.access_key, reader.secret_key) == ("http://s3.test:7070", "wf2k8s-label-studio",
                                                                       "ls-secret")


# --- streaming transfers (wf2k8s/runtime/clients/s3.py) ------------------------------------------------

def small_parts(monkeypatch, size: int = 4):
    """Parts of ``size`` bytes, read a byte at a time: a few bytes exercise the multipart and range paths."""
    from wf2k8s.runtime.clients import s3 as s3_module
    monkeypatch.setattr(s3_module, "PART_SIZE", size)
    monkeypatch.setattr(s3_module, "MiB", 1)
    monkeypatch.setattr(s3_module, "CHUNK", 1)


def test_a_download_cut_short_is_asked_again_and_the_file_is_whole(server, tmp_path):
    from wf2k8s.runtime.clients.s3 import Stored
    body = b"abcdef"
    s = server((200, body[:3]), (200, body))
    target = tmp_path / "out" / "f.bin"
    S3(s.url, "k", "s").fetch("b", Stored("f.bin", len(body), hashlib.md5(body).hexdigest()), target)
    assert target.read_bytes() == body and s.methods == ["GET", "GET"]
    assert [p.name for p in target.parent.iterdir()] == ["f.bin"]  # no partial file left


def test_a_download_that_does_not_match_its_etag_is_refused_and_leaves_no_file(server, tmp_path):
    from wf2k8s.runtime.clients.s3 import Stored
    s = server((200, b"abcxyz"))
    target = tmp_path / "f.bin"
    with pytest.raises(S3Error, match=r"s3://b/f.bin: the data received does not match its ETag"):
        S3(s.url, "k", "s").fetch("b", Stored("f.bin", 6, hashlib.md5(b"abcdef").hexdigest()), target)
    assert list(tmp_path.iterdir()) == []


def test_a_large_download_is_fetched_in_ranges_written_at_their_offsets(server, tmp_path, monkeypatch):
    from wf2k8s.runtime.clients.s3 import Stored
    small_parts(monkeypatch)
    body = b"0123456789"
    ranges: dict[str, bytes] = {"bytes=0-3": body[0:4], "bytes=4-7": body[4:8], "bytes=8-9": body[8:10]}
    s = server(*[(200, b"")] * 3)  # answers are replaced below by the range each request asks for
    s.answers = []
    handler = s.httpd.RequestHandlerClass

    def answer(self):
        part = ranges[self.headers["Range"]]
        self.send_response(206)
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)

    handler.do_GET = answer
    target = tmp_path / "f.bin"
    S3(s.url, "k", "s").fetch("b", Stored("f.bin", len(body), "etag-of-a-multipart-upload-3"), target)
    assert target.read_bytes() == body


def test_a_large_file_is_uploaded_in_parts_streamed_and_completed_in_order(server, tmp_path, monkeypatch):
    small_parts(monkeypatch)
    source = tmp_path / "f.bin"
    source.write_bytes(b"0123456789")
    s = server((200, CREATED), *[(200, b"", {"ETag": '"p"'})] * 3, (200, b"<CompleteMultipartUploadResult/>"))
    S3(s.url, "k", "s").store(source, "b", "out/f.bin")
    assert s.methods == ["POST", "PUT", "PUT", "PUT", "POST"]
    parts = {}
    for _, path, sent, body in s.seen[1:4]:
        headers = {k.lower(): v for k, v in sent.items()}
        assert "uploadId=up-1" in path and headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
        assert headers["content-length"] == str(len(body))
        parts[int(path.split("partNumber=")[1].split("&")[0])] = body
    assert b"".join(parts[n] for n in sorted(parts)) == source.read_bytes()
    completed = s.seen[4][3].decode()
    assert completed.count("<Part>") == 3 and completed.index("<PartNumber>1<") < completed.index("<PartNumber>3<")


CREATED = b"<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>"


@pytest.mark.parametrize("part_answer, error", [
    ((400, b"<Error><Code>BadDigest</Code><Message>no</Message></Error>"), "BadDigest"),
    # a part's MD5, computed as it is sent, must be the ETag the server answers
    ((200, b"", {"ETag": f'"{hashlib.md5(b"not what was sent").hexdigest()}"'}),
     "part 1: the server stored other bytes than were sent"),
])
def test_a_failed_part_aborts_the_upload(server, tmp_path, monkeypatch, part_answer, error):
    small_parts(monkeypatch)
    monkeypatch.setattr("wf2k8s.runtime.clients.s3.WORKERS", 1)
    source = tmp_path / "f.bin"
    source.write_bytes(b"0123456789")
    s = server((200, CREATED), part_answer, (204, b""))
    with pytest.raises(S3Error, match=error):
        S3(s.url, "k", "s").store(source, "b", "out/f.bin")
    assert s.methods == ["POST", "PUT", "DELETE"] and "uploadId=up-1" in s.seen[2][1]


def test_a_small_file_is_one_put_with_its_content_md5(server, tmp_path):
    source = tmp_path / "f.bin"
    source.write_bytes(b"small")
    s = server((200, b""))
    S3(s.url, "k", "s").store(source, "b", "out/f.bin")
    (method, path, sent, body), = s.seen
    headers = {k.lower(): v for k, v in sent.items()}
    assert (method, path, body) == ("PUT", "/b/out/f.bin", b"small")
    assert headers["content-md5"] == base64.b64encode(hashlib.md5(b"small").digest()).decode()
