"""The runtime's one HTTP client: every service a phase talks to (S3, Kubernetes, MLflow, Label
Studio, a model server) is reached through ``request``, with one error type and one retry policy.

Standard library only: the runtime also runs inside users' engine images.

Retry policy: a connection that fails or an answer 429, 500, 502, 503 or 504 is tried again, up to
``Retry.attempts`` times in all, waiting ``first_delay`` seconds, then twice as long each time (at
most ``max_delay``), or what a ``Retry-After`` header asks for. A POST, which may not be idempotent,
is tried again only when the server said it did not take the request (429, 503). A 500 is retried
as the AWS SDKs retry it: S3 answers ``InternalError ... please try again`` for a request cut off by
its own restart.

Errors: ``ServiceError`` (a ``PhaseError``), one line: ``<service> <METHOD> <url without query>: HTTP
<status> <the answer's message>`` or ``...: cannot reach <scheme://host:port>: <reason>``. A client
raises its own subclass (``error=``) and may say where to look when its service cannot be reached
(``hint=``).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Mapping

from ..errors import PhaseError


class ServiceError(PhaseError):
    """A service answered with an error, or could not be reached; ``status`` is the HTTP status (None
    when there was no answer)."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Retry:
    attempts: int = 5
    first_delay: float = 0.5
    max_delay: float = 8.0
    #: answers worth asking again for; for a POST only those that say the request was not taken
    statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    post_statuses: tuple[int, ...] = (429, 503)

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and re.fullmatch(r"[0-9]{1,9}", retry_after.strip()):  # not "²", which isdigit() accepts
            return min(float(retry_after), self.max_delay)
        return min(self.first_delay * (2 ** attempt), self.max_delay)


#: the one retry policy of the runtime
RETRY = Retry()
NO_RETRY = Retry(attempts=1)
#: for moving data: longer, so that a transfer outlives a restart of its server (about 30 s)
TRANSFER_RETRY = Retry(attempts=8)

#: a request body: bytes, or a function giving a fresh stream of it for each attempt (a large upload
#: is read from its file again rather than held in memory)
Body = bytes | Callable[[], Iterable[bytes]] | None


@dataclass
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    #: the request, for messages ("S3 GET http://..."), and the error a bad answer raises
    where: str = field(default="", repr=False)
    error: type[ServiceError] = field(default=ServiceError, repr=False)

    def json(self) -> Any:
        """The answer as JSON (None for an empty one)."""
        try:
            return json.loads(self.body.strip() or b"null")
        except (ValueError, RecursionError):  # RecursionError: an answer nested too deeply
            where = f"{self.where}: " if self.where else ""
            raise self.error(f"{where}the answer is not JSON: {self.body[:200]!r}", self.status, self.body) from None


def request(service: str, method: str, url: str, body: Body = None, headers: Mapping[str, str] | None = None,
            timeout: float = 60, context: ssl.SSLContext | None = None, allow: tuple[int, ...] = (),
            retry: Retry = RETRY, sleep: Callable[[float], None] = time.sleep, *,
            error: type[ServiceError] = ServiceError, hint: str = "", max_bytes: int | None = None,
            read: Callable[[IO[bytes]], None] | None = None, idempotent: bool = False) -> Response:
    """One request to ``service`` (its name for messages, "S3", "MLflow", ...); an error status not in
    ``allow`` raises ``error`` (a ``ServiceError``) after the retries the policy gives. ``hint`` ends the
    message when the service cannot be reached ("check MLFLOW_TRACKING_URI"). With ``max_bytes``, at
    most ``max_bytes + 1`` bytes of the answer are read: a longer body tells the caller the answer is
    over its limit, without reading it all. With ``read``, a successful answer's body is streamed to it
    (the Response then has none); an answer cut short is asked for again and ``read`` starts over.
    ``idempotent``: a POST that may be repeated (S3's multipart calls) is retried like a PUT."""
    repeatable = method != "POST" or idempotent
    statuses = retry.statuses if repeatable else retry.post_statuses
    where = f"{service} {method} {shorten(url)}"
    for attempt in range(retry.attempts):
        last = attempt == retry.attempts - 1
        sent = body() if callable(body) else body
        req = urllib.request.Request(url, data=sent, method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=context) as answer:
                if read is not None:
                    read(answer)
                    return Response(answer.status, b"", dict(answer.headers.items()), where, error)
                data = answer.read() if max_bytes is None else answer.read(max_bytes + 1)
                return Response(answer.status, data, dict(answer.headers.items()), where, error)
        except urllib.error.HTTPError as problem:
            data = problem.read()
            if problem.code in allow:
                return Response(problem.code, data, dict(problem.headers.items()) if problem.headers else {},
                                where, error)
            if problem.code in statuses and not last:
                sleep(retry.delay(attempt, problem.headers.get("Retry-After") if problem.headers else None))
                continue
            raise error(f"{where}: HTTP {problem.code} {detail(data)}".rstrip(), problem.code, data) from None
        except (urllib.error.URLError, socket.timeout, OSError, http.client.HTTPException) as problem:
            # no answer, or one cut short; a POST whose connection broke may have been taken: not repeated
            if repeatable and not last:
                sleep(retry.delay(attempt))
                continue
            reason = getattr(problem, "reason", problem)
            raise error(f"{where}: cannot reach {host_of(url)}: {reason}" + (f" ({hint})" if hint else "")) \
                from None
    raise AssertionError("unreachable")  # the loop returns or raises


def request_json(service: str, method: str, url: str, payload: Any = None, headers: Mapping[str, str] | None = None,
                 **options: Any) -> Any:
    """A JSON request and its JSON answer (None for an empty one)."""
    sent = {"Accept": "application/json", **(headers or {})}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        sent["Content-Type"] = "application/json"
    return request(service, method, url, data, sent, **options).json()


def detail(body: bytes) -> str:
    """The useful part of an error answer: a JSON message (MLflow's with its error code, Label Studio's
    with its validation errors), an S3 error's code and message, else its first bytes."""
    try:
        found = json.loads(body)
    except (ValueError, RecursionError):
        found = None
    if isinstance(found, dict):
        for key in ("message", "detail", "error", "error_code"):
            if isinstance(found.get(key), str) and found[key]:
                text = found[key]
                if key == "message" and isinstance(found.get("error_code"), str):
                    text = f"{found['error_code']}: {text}"
                if found.get("validation_errors"):
                    text += " " + json.dumps(found["validation_errors"], separators=(",", ":"))
                return text[:300]
    if body.lstrip().startswith(b"<"):
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            root = None
        if root is not None and root.tag.rpartition("}")[2] == "Error":  # S3's <Error><Code>...<Message>...
            parts = [root.findtext(tag) for tag in ("Code", "Message")]
            if any(parts):
                return ": ".join(p for p in parts if p)[:300]
    return body[:300].decode(errors="replace").strip()


def host_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def shorten(url: str) -> str:
    """The URL without its query (which may hold signatures or tokens)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
