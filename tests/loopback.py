"""A loopback HTTP server for unit tests of the runtime's clients: real HTTP on 127.0.0.1, no mocks of
urllib."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Server:
    """A loopback HTTP server answering from a script, one (status, body[, headers]) a request; it
    records each request as (method, path, headers, body)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen: list[tuple[str, str, dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.seen.append((self.command, self.path, dict(self.headers.items()), self.rfile.read(length)))
                status, body, *headers = outer.answers.pop(0) if outer.answers else (500, b"no more answers")
                self.send_response(status)
                for key, value in (headers[0] if headers else {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def methods(self) -> list[str]:
        return [method for method, *_ in self.seen]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    """``server(*answers)`` starts a Server; every one started is closed after the test."""
    made = []

    def make(*answers):
        made.append(Server(answers))
        return made[-1]

    yield make
    for s in made:
        s.close()
