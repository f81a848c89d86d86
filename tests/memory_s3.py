"""S3 in a dict, for unit tests of the runtime: the real client's files and directories (download,
upload, objects) over get/put/stat/listing and the file streams (fetch, store), with the limit the real
``get`` puts on what it reads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterator

from wf2k8s.runtime.clients.s3 import S3, S3Error, S3TooLarge, Stored, split_uri


class MemoryS3(S3):
    def __init__(self, objects: dict[str, bytes] | None = None):
        super().__init__("memory", "", "")
        self.data: dict[tuple[str, str], bytes] = {split_uri(uri): body for uri, body in (objects or {}).items()}

    def get(self, bucket: str, key: str, limit: int | None = None) -> bytes:
        body = self.data[(bucket, key)]
        if limit is not None and len(body) > limit:
            raise S3TooLarge(f"S3 GET s3://{bucket}/{key}: larger than {limit} bytes")
        return body

    def exists(self, bucket: str, key: str) -> bool:
        return (bucket, key) in self.data

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.data[(bucket, key)] = body

    def stat(self, bucket: str, key: str) -> Stored | None:
        body = self.data.get((bucket, key))
        return None if body is None else Stored(key, len(body), hashlib.md5(body).hexdigest())

    def listing(self, bucket: str, prefix: str) -> Iterator[Stored]:
        found = (Stored(k, len(v)) for (b, k), v in self.data.items() if b == bucket and k.startswith(prefix))
        return iter(sorted(found, key=lambda s: s.key))

    def fetch(self, bucket: str, stored: Stored, target: Path) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.data[(bucket, stored.key)])
        except OSError as problem:  # as the real fetch says it
            raise S3Error(f"s3://{bucket}/{stored.key}: cannot be written to {target} ({problem.strerror})") from None

    def store(self, source: Path, bucket: str, key: str) -> None:
        self.data[(bucket, key)] = source.read_bytes()
