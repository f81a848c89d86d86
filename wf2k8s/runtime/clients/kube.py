"""The few Kubernetes API calls phases make (the deployer, batch services, a distributed job's launcher),
with the pod's service account: its token over ``https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT``,
through ``http.request`` (a GET answered 503 by an API server that restarts is asked again)."""

from __future__ import annotations

import os
import ssl
from typing import IO, Callable

from ..errors import PhaseError
from . import http
from .http import ServiceError

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
TIMEOUT = 30
#: how much of a container's log ``text`` returns (its end)
LOG_TAIL = 2000
#: how long a followed log may stay silent before it is asked for again
STREAM_TIMEOUT = 300


class KubeError(ServiceError):
    """The Kubernetes API answered with an error (``status``) or cannot be reached (``status`` None)."""


class Kube:
    def __init__(self, server: str, token: str, context: ssl.SSLContext | None):
        self.server, self.token, self.context = server.rstrip("/"), token, context

    @classmethod
    def in_cluster(cls) -> "Kube":
        host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        if not host:
            raise PhaseError("not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set")
        try:
            token = open(f"{SA_DIR}/token").read().strip()
        except OSError as problem:
            raise PhaseError(f"no service account token in {SA_DIR}: {problem}") from None
        context = ssl.create_default_context(cafile=f"{SA_DIR}/ca.crt")
        if ":" in host:
            host = f"[{host}]"
        return cls(f"https://{host}:{port}", token, context)

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        """A JSON request to the API path; its answer ({} for an empty one)."""
        return http.request_json("Kubernetes", method, self.server + path, body,
                                 {"Authorization": f"Bearer {self.token}"}, timeout=TIMEOUT, context=self.context,
                                 error=KubeError) or {}

    def get(self, path: str) -> dict | None:
        """The object at ``path``, None when there is none (404)."""
        try:
            return self.call("GET", path)
        except KubeError as error:
            if error.status == 404:
                return None
            raise

    def text(self, path: str) -> str:
        """A plain-text answer (the end of a container's log); empty when it cannot be read."""
        try:
            answer = http.request("Kubernetes", "GET", self.server + path, headers={
                "Authorization": f"Bearer {self.token}"}, timeout=TIMEOUT, context=self.context, error=KubeError)
        except KubeError:
            return ""
        return answer.body[-LOG_TAIL:].decode(errors="replace")

    def stream_lines(self, path: str, on_line: Callable[[str], None], timeout: float = STREAM_TIMEOUT) -> None:
        """Each line of a streamed plain-text answer (a followed log) as it comes, until the server ends it.
        Not retried here (lines already handed over would come twice): a broken stream raises KubeError
        and the caller asks again from where it was."""
        def read(answer: IO[bytes]) -> None:
            for raw in answer:
                on_line(raw.decode(errors="replace").rstrip("\n"))

        http.request("Kubernetes", "GET", self.server + path, headers={"Authorization": f"Bearer {self.token}"},
                     timeout=timeout, context=self.context, error=KubeError, retry=http.NO_RETRY, read=read)
