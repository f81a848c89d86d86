"""A small S3 client (Signature V4, path-style) on the standard library.

The runtime runs inside arbitrary engine images that have python3 and nothing else, so it
cannot count on boto3. It needs get, put, list and a few helpers, nothing more. Every request goes
through ``http.request`` (its retry policy: a GET answered 503 "SlowDown" is asked again).
"""

from __future__ import annotations

import builtins
import datetime
import hashlib
import hmac
import os
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..untrusted import TooLarge, local_path, size_text
from . import http
from .http import ServiceError

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class S3Error(ServiceError):
    """S3 answered with an error or cannot be reached, or a path names no S3 object (``status`` None)."""


class S3TooLarge(S3Error, TooLarge):
    """An object is larger than the limit its reader gave (``get(..., limit=)``)."""


def split_uri(uri: str) -> tuple[str, str]:
    """``obs://b/k``, ``s3://b/k`` or ``/b/k`` -> (bucket, key)."""
    for scheme in ("obs://", "s3://", "s3a://"):
        if uri.startswith(scheme):
            uri = uri[len(scheme):]
            break
    else:
        if not uri.startswith("/"):
            raise S3Error(f"{uri!r} is not an OBS path (obs://bucket/key or /bucket/key)")
    bucket, _, key = uri.lstrip("/").partition("/")
    if not bucket:
        raise S3Error(f"{uri!r} names no bucket")
    return bucket, key


@dataclass
class S3:
    endpoint: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    @classmethod
    def from_env(cls) -> "S3":
        endpoint = os.environ.get("WF2K8S_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
        if not endpoint:
            raise S3Error("no S3 endpoint: set WF2K8S_S3_ENDPOINT (the cluster's wf2k8s-config ConfigMap does)")
        return cls(endpoint.rstrip("/"), os.environ.get("AWS_ACCESS_KEY_ID", ""),
                   os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_REGION", "us-east-1"))

    def with_key(self, prefix: str, where: str) -> "S3":
        """The same server with another key, from ``<prefix>ACCESS_KEY_ID`` and ``<prefix>SECRET_ACCESS_KEY``
        (a key meant for someone else, such as Label Studio's, which never falls back to this one)."""
        access, secret = os.environ.get(f"{prefix}ACCESS_KEY_ID"), os.environ.get(f"{prefix}SECRET_ACCESS_KEY")
        if not access or not secret:
            raise S3Error(f"{prefix}ACCESS_KEY_ID and {prefix}SECRET_ACCESS_KEY are not set: {where}")
        return S3(self.endpoint, access, secret, self.region)

    # signing ------------------------------------------------------------------------------------
    def request(self, method: str, bucket: str, key: str = "", query: dict[str, str] | None = None,
                body: bytes = b"", allow: tuple[int, ...] = (), limit: int | None = None) -> tuple[int, bytes]:
        url = urllib.parse.urlsplit(self.endpoint)
        path = "/" + bucket + ("/" + urllib.parse.quote(key, safe="/~") if key else "")
        canonical_query = "&".join(f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}"
                                   for k, v in sorted((query or {}).items()))
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        payload_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        headers = {"host": url.netloc, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
        signed = ";".join(sorted(headers))
        canonical = "\n".join([method, path, canonical_query,
                               "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed, payload_hash])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key_bytes = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={signature}")
        full = f"{url.scheme}://{url.netloc}{path}" + (f"?{canonical_query}" if canonical_query else "")
        sent = {k: v for k, v in headers.items() if k != "host"}
        if method in ("PUT", "POST"):  # urllib would say form data, and form-parsing servers would eat the body
            sent["content-type"] = "application/octet-stream"
        answer = http.request("S3", method, full, body if method in ("PUT", "POST") else None, sent, timeout=60,
                              allow=allow, error=S3Error, max_bytes=limit)
        if limit is not None and len(answer.body) > limit:
            raise S3TooLarge(f"S3 {method} s3://{bucket}/{key}: larger than {size_text(limit)}", answer.status)
        return answer.status, answer.body

    # operations ---------------------------------------------------------------------------------
    def get(self, bucket: str, key: str, limit: int | None = None) -> bytes:
        """The object's bytes; with ``limit``, an object larger than that raises ``S3TooLarge`` (read no
        further than the limit)."""
        return self.request("GET", bucket, key, limit=limit)[1]

    def exists(self, bucket: str, key: str) -> bool:
        return self.request("HEAD", bucket, key, allow=(404, 403))[0] == 200

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.request("PUT", bucket, key, body=body)

    def create_bucket(self, bucket: str) -> None:
        self.request("PUT", bucket, allow=(409,))

    def list(self, bucket: str, prefix: str) -> Iterator[str]:
        token = None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            _, body = self.request("GET", bucket, query=query)
            root = ET.fromstring(body)
            ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
            for item in root.iter(f"{ns}Contents"):
                yield item.findtext(f"{ns}Key") or ""
            if root.findtext(f"{ns}IsTruncated") == "true":
                token = root.findtext(f"{ns}NextContinuationToken")
            else:
                return

    def objects(self, bucket: str, key: str) -> builtins.list[str]:  # ``list`` is a method here
        """What an OBS path names: the object ``key`` when there is one, else every object under it as a
        prefix (sorted; directory markers left out)."""
        if key and not key.endswith("/") and self.exists(bucket, key):
            return [key]
        prefix = key if key.endswith("/") or not key else key + "/"
        return sorted(k for k in self.list(bucket, prefix) if not k.endswith("/"))

    # files and directories ----------------------------------------------------------------------------
    def download(self, uri: str, destination: Path) -> Path:
        """A file to ``destination``, or every object under a prefix into the directory ``destination``.

        Keys are untrusted: each object's path under the prefix becomes a file inside ``destination``
        or the download is refused (``untrusted.local_path``: no empty, ``.`` or ``..`` segment, nothing
        out of the directory), before anything is written."""
        bucket, key = split_uri(uri)
        keys = self.objects(bucket, key)
        if keys == [key]:
            write(destination, self.get(bucket, key), f"s3://{bucket}/{key}")
            return destination
        if not keys:
            raise S3Error(f"nothing at {uri}")
        prefix = key if key.endswith("/") or not key else key + "/"
        targets = [(object_key, local_path(destination, object_key[len(prefix):],
                                           f"S3 object s3://{bucket}/{object_key} (key {object_key!r})", S3Error))
                   for object_key in keys]
        for object_key, target in targets:
            write(target, self.get(bucket, object_key), f"s3://{bucket}/{object_key}")
        destination.mkdir(parents=True, exist_ok=True)
        return destination

    def upload(self, source: Path, uri: str) -> int:
        """A file, or a directory's files under the prefix ``uri``; returns the number of objects."""
        bucket, key = split_uri(uri)
        if source.is_file():
            self.put(bucket, key.rstrip("/") if not key.endswith("/") else key + source.name, source.read_bytes())
            return 1
        count = 0
        prefix = key if key.endswith("/") or not key else key + "/"
        for path in sorted(source.rglob("*")):
            if path.is_file():
                self.put(bucket, prefix + path.relative_to(source).as_posix(), path.read_bytes())
                count += 1
        if count == 0:  # an empty output directory still exists afterwards
            self.put(bucket, prefix, b"")
        return count


def write(target: Path, body: bytes, source: str) -> None:
    """An object's bytes as a local file; a path the keys make impossible (``a`` and ``a/b``, a name too
    long) is the download's one-line error."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    except OSError as problem:
        raise S3Error(f"{source}: cannot be written to {target} ({problem.strerror or problem})") from None
