"""S3 in a dict, for unit tests of the runtime: the real client's files and directories (download,
upload, objects) over get/put/exists/list, with the limit the real ``get`` puts on what it reads."""

from __future__ import annotations

from typing import Iterator

from wf2k8s.runtime.clients.s3 import S3, S3TooLarge, split_uri


class MemoryS3(S3):
    def __init__(self, objects: dict[str, bytes] | None = None):
        super().__init__("memory", "", "")
        self.store: dict[tuple[str, str], bytes] = {split_uri(uri): body for uri, body in (objects or {}).items()}

    def get(self, bucket: str, key: str, limit: int | None = None) -> bytes:
        body = self.store[(bucket, key)]
        if limit is not None and len(body) > limit:
            raise S3TooLarge(f"S3 GET s3://{bucket}/{key}: larger than {limit} bytes")
        return body

    def exists(self, bucket: str, key: str) -> bool:
        return (bucket, key) in self.store

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.store[(bucket, key)] = body

    def list(self, bucket: str, prefix: str) -> Iterator[str]:  # type: ignore[override]
        return iter(sorted(k for b, k in self.store if b == bucket and k.startswith(prefix)))
