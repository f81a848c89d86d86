"""A small S3 client (Signature V4, path-style) on the standard library.

The runtime runs inside arbitrary engine images that have python3 and nothing else, so it
cannot count on boto3. Every request goes through ``http.request`` (its retry policy: a connection
error or a 503 "SlowDown" is asked again; transfers with ``TRANSFER_RETRY``, long enough to outlive a
restart of the server).

Files move as streams, whatever their size, with memory bounded by a small constant:
- downloads are written to disk as they arrive, 1 MiB at a time; an object larger than ``PART_SIZE``
  is fetched in ranges, ``WORKERS`` at once, each written at its offset; the size is checked, and the
  MD5 when the ETag is one (objects put in one piece);
- uploads larger than ``PART_SIZE`` are multipart (S3's single PUT stops at 5 GiB), ``WORKERS`` parts in
  flight, each streamed from its file (never held in memory) with its MD5 computed as it is sent and
  compared with the part's ETag; a failed upload is aborted; a file up to ``PART_SIZE`` is one PUT,
  streamed as well, with its Content-MD5, which the server checks;
- a directory's objects move ``WORKERS`` at a time.
"""

from __future__ import annotations

import base64
import builtins
import datetime
import hashlib
import hmac
import os
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Mapping, TypeVar

from ..untrusted import TooLarge, local_path, size_text
from . import http
from .http import TRANSFER_RETRY, Retry, ServiceError

MiB = 1024 * 1024
#: the unit of a transfer: objects up to this size move in one request, larger ones in parts of it
PART_SIZE = 16 * MiB
#: what is read or written at once (the memory one stream holds)
CHUNK = MiB
#: objects, parts or ranges in flight at once, each holding one CHUNK (a directory of large files moves
#: WORKERS files of WORKERS parts each: at most WORKERS * WORKERS chunks, 64 MiB, whatever the sizes)
WORKERS = 8
#: S3's limit on the parts of one upload
MAX_PARTS = 10_000
UNSIGNED = "UNSIGNED-PAYLOAD"
T = TypeVar("T")

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


@dataclass(frozen=True)
class Stored:
    """An object as a listing or a HEAD shows it."""
    key: str
    size: int
    etag: str = ""


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
    def signed(self, method: str, bucket: str, key: str, query: Mapping[str, str] | None,
               payload_hash: str) -> tuple[str, dict[str, str]]:
        """The request's URL and its Signature V4 headers."""
        url = urllib.parse.urlsplit(self.endpoint)
        path = "/" + bucket + ("/" + urllib.parse.quote(key, safe="/~") if key else "")
        canonical_query = "&".join(f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}"
                                   for k, v in sorted((query or {}).items()))
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        headers = {"host": url.netloc, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
        signed_names = ";".join(sorted(headers))
        canonical = "\n".join([method, path, canonical_query,
                               "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed_names, payload_hash])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key_bytes = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                    f"SignedHeaders={signed_names}, Signature={signature}")
        full = f"{url.scheme}://{url.netloc}{path}" + (f"?{canonical_query}" if canonical_query else "")
        return full, {k: v for k, v in headers.items() if k != "host"}

    def request(self, method: str, bucket: str, key: str = "", query: dict[str, str] | None = None,
                body: http.Body = b"", allow: tuple[int, ...] = (), limit: int | None = None,
                headers: Mapping[str, str] | None = None, read: Callable[[IO[bytes]], None] | None = None,
                retry: Retry = http.RETRY) -> http.Response:
        """One signed request. ``body`` as bytes is signed with its hash; as a stream factory (a file or a
        part of one), it is sent unsigned (``UNSIGNED-PAYLOAD``) with the ``content-length`` the caller
        gives, and the ``content-md5`` where it gives one (the server checks it)."""
        if callable(body):
            payload_hash = UNSIGNED
        else:
            payload_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        url, sent = self.signed(method, bucket, key, query, payload_hash)
        sent.update(headers or {})
        if method in ("PUT", "POST"):  # urllib would say form data, and form-parsing servers would eat the body
            sent.setdefault("content-type", "application/octet-stream")
        answer = http.request("S3", method, url, body if method in ("PUT", "POST") else None, sent, timeout=60,
                              allow=allow, error=S3Error, max_bytes=limit, read=read, retry=retry,
                              idempotent=True)  # S3's POSTs (multipart calls) may be repeated
        if limit is not None and len(answer.body) > limit:
            raise S3TooLarge(f"S3 {method} s3://{bucket}/{key}: larger than {size_text(limit)}", answer.status)
        return answer

    # operations ---------------------------------------------------------------------------------
    def get(self, bucket: str, key: str, limit: int | None = None) -> bytes:
        """The object's bytes; with ``limit``, an object larger than that raises ``S3TooLarge`` (read no
        further than the limit)."""
        return self.request("GET", bucket, key, limit=limit).body

    def exists(self, bucket: str, key: str) -> bool:
        return self.stat(bucket, key) is not None

    def stat(self, bucket: str, key: str) -> Stored | None:
        """The object's size and ETag, None when there is none."""
        answer = self.request("HEAD", bucket, key, allow=(404, 403))
        if answer.status != 200:
            return None
        headers = {k.lower(): v for k, v in answer.headers.items()}
        return Stored(key, int(headers.get("content-length") or 0), headers.get("etag", "").strip('"'))

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.request("PUT", bucket, key, body=body, headers={"content-md5": md5_base64([body])})

    def create_bucket(self, bucket: str) -> None:
        self.request("PUT", bucket, allow=(409,))

    def listing(self, bucket: str, prefix: str) -> Iterator[Stored]:
        """Every object under ``prefix`` with its size and ETag, a page (1,000 keys) at a time."""
        token = None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            root = ET.fromstring(self.request("GET", bucket, query=query).body)
            ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
            for item in root.iter(f"{ns}Contents"):
                yield Stored(item.findtext(f"{ns}Key") or "", int(item.findtext(f"{ns}Size") or 0),
                             (item.findtext(f"{ns}ETag") or "").strip('"'))
            if root.findtext(f"{ns}IsTruncated") == "true":
                token = root.findtext(f"{ns}NextContinuationToken")
            else:
                return

    def list(self, bucket: str, prefix: str) -> Iterator[str]:
        return (stored.key for stored in self.listing(bucket, prefix))

    def stored(self, bucket: str, key: str) -> builtins.list[Stored]:  # ``list`` is a method here
        """What an OBS path names: the object ``key`` when there is one, else every object under it as a
        prefix (sorted; directory markers left out)."""
        if key and not key.endswith("/"):
            found = self.stat(bucket, key)
            if found is not None:
                return [found]
        prefix = key if key.endswith("/") or not key else key + "/"
        return sorted((s for s in self.listing(bucket, prefix) if not s.key.endswith("/")), key=lambda s: s.key)

    def objects(self, bucket: str, key: str) -> builtins.list[str]:
        return [stored.key for stored in self.stored(bucket, key)]

    # streams ----------------------------------------------------------------------------------------
    def fetch(self, bucket: str, stored: Stored, target: Path) -> None:
        """The object into the file ``target``, streamed (ranges in parallel when it is large); written to
        a temporary name first, so that ``target`` is never a partial file."""
        where = f"s3://{bucket}/{stored.key}"
        partial = target.with_name(target.name + ".wf2k8s-partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:
                out.truncate(stored.size)
                descriptor = out.fileno()
                ranges = [(start, min(start + PART_SIZE, stored.size) - 1)
                          for start in range(0, stored.size, PART_SIZE)]
                # an object in one range is one PUT's, whose ETag is its MD5: the one that can be checked
                digest = is_md5(stored.etag) and len(ranges) == 1
                digests = in_parallel(lambda span: self._fetch_range(bucket, stored, descriptor, span, len(ranges),
                                                                     digest), ranges)
            if digest and digests[0] != stored.etag:
                raise S3Error(f"{where}: the data received does not match its ETag (MD5 {digests[0]}, "
                              f"expected {stored.etag})")
            os.replace(partial, target)  # its size is right: each range checked its own length
        except OSError as problem:
            raise S3Error(f"{where}: cannot be written to {target} ({problem.strerror or problem})") from None
        finally:
            partial.unlink(missing_ok=True)

    def _fetch_range(self, bucket: str, stored: Stored, descriptor: int, span: tuple[int, int], count: int,
                     digest: bool) -> str:
        """One range of the object written at its offset; with ``digest``, the MD5 of what was written."""
        start, end = span
        md5 = hashlib.md5(usedforsecurity=False)

        def write(answer: IO[bytes]) -> None:
            nonlocal md5
            md5, offset = hashlib.md5(usedforsecurity=False), start  # an attempt starts over
            while chunk := answer.read(CHUNK):
                os.pwrite(descriptor, chunk, offset)
                if digest:
                    md5.update(chunk)
                offset += len(chunk)
            if offset != end + 1:  # cut short: raised as a broken connection, so it is asked again
                raise ConnectionError(f"{offset - start} of {end + 1 - start} bytes received")

        headers = {"range": f"bytes={start}-{end}"} if count > 1 else {}
        if stored.size:
            self.request("GET", bucket, stored.key, headers=headers, read=write, retry=TRANSFER_RETRY)
        return md5.hexdigest()

    def store(self, source: Path, bucket: str, key: str) -> None:
        """The file ``source`` as one object: one PUT up to ``PART_SIZE``, else a multipart upload."""
        size = source.stat().st_size
        if size <= PART_SIZE:  # streamed too: WORKERS files in flight hold WORKERS chunks, not WORKERS files
            self.request("PUT", bucket, key, body=lambda: file_range(source, 0, size), retry=TRANSFER_RETRY,
                         headers={"content-length": str(size), "content-md5": md5_base64(file_range(source, 0, size))})
            return
        part_size = max(PART_SIZE, -(-size // MAX_PARTS // MiB) * MiB)  # no more than S3's 10,000 parts
        created = self.request("POST", bucket, key, query={"uploads": ""}, retry=TRANSFER_RETRY)
        upload_id = xml_text(created.body, "UploadId")
        parts = [(number, offset, min(part_size, size - offset))
                 for number, offset in enumerate(range(0, size, part_size), start=1)]
        try:
            etags = in_parallel(lambda part: self._store_part(source, bucket, key, upload_id, *part), parts)
            done = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"
                           for (n, _, _), etag in zip(parts, etags, strict=True))
            answer = self.request("POST", bucket, key, query={"uploadId": upload_id}, retry=TRANSFER_RETRY,
                                  body=f"<CompleteMultipartUpload>{done}</CompleteMultipartUpload>".encode())
            if b"<Error>" in answer.body:  # S3 may answer 200 and report a failure in the body
                raise S3Error(f"S3 POST s3://{bucket}/{key}: {http.detail(answer.body)}")
        except BaseException:
            try:
                self.request("DELETE", bucket, key, query={"uploadId": upload_id}, allow=(404,))
            except S3Error:
                pass  # the upload's error is the one to report; the server expires abandoned parts
            raise

    def _store_part(self, source: Path, bucket: str, key: str, upload_id: str, number: int, offset: int,
                    length: int) -> str:
        """One part, streamed from the file; its MD5, computed as it is sent, must be the ETag the server
        gives it (S3's part ETag), so that the file is read once."""
        digest = hashlib.md5(usedforsecurity=False)

        def body() -> Iterable[bytes]:
            nonlocal digest
            digest = hashlib.md5(usedforsecurity=False)  # an attempt starts over
            for chunk in file_range(source, offset, length):
                digest.update(chunk)
                yield chunk

        answer = self.request("PUT", bucket, key, query={"partNumber": str(number), "uploadId": upload_id},
                              body=body, retry=TRANSFER_RETRY, headers={"content-length": str(length)})
        etag = {k.lower(): v for k, v in answer.headers.items()}.get("etag", "")
        stored_md5 = etag.strip('"')
        if is_md5(stored_md5) and stored_md5 != digest.hexdigest():
            raise S3Error(f"S3 PUT s3://{bucket}/{key} part {number}: the server stored other bytes than were sent "
                          f"(ETag {stored_md5}, MD5 {digest.hexdigest()})")
        return etag

    # files and directories ----------------------------------------------------------------------------
    def download(self, uri: str, destination: Path) -> Path:
        """A file to ``destination``, or every object under a prefix into the directory ``destination``.

        Keys are untrusted: each object's path under the prefix becomes a file inside ``destination``
        or the download is refused (``untrusted.local_path``: no empty, ``.`` or ``..`` segment, nothing
        out of the directory), before anything is written."""
        bucket, key = split_uri(uri)
        found = self.stored(bucket, key)
        if [s.key for s in found] == [key]:
            self.fetch(bucket, found[0], destination)
            return destination
        if not found:
            raise S3Error(f"nothing at {uri}")
        prefix = key if key.endswith("/") or not key else key + "/"
        targets = [(stored, local_path(destination, stored.key[len(prefix):],
                                       f"S3 object s3://{bucket}/{stored.key} (key {stored.key!r})", S3Error))
                   for stored in found]
        in_parallel(lambda item: self.fetch(bucket, *item), targets)
        destination.mkdir(parents=True, exist_ok=True)
        return destination

    def upload(self, source: Path, uri: str) -> int:
        """A file, or a directory's files under the prefix ``uri``; returns the number of objects."""
        bucket, key = split_uri(uri)
        if source.is_file():
            self.store(source, bucket, key.rstrip("/") if not key.endswith("/") else key + source.name)
            return 1
        prefix = key if key.endswith("/") or not key else key + "/"
        files = [path for path in sorted(source.rglob("*")) if path.is_file()]
        in_parallel(lambda path: self.store(path, bucket, prefix + path.relative_to(source).as_posix()), files)
        if not files:  # an empty output directory still exists afterwards
            self.put(bucket, prefix, b"")
        return len(files)


def in_parallel(work: Callable[[T], object], items: builtins.list[T]) -> builtins.list:
    """``work`` on each item, ``WORKERS`` at a time, results in the items' order; the first error raised
    is raised here (no new work starts after it)."""
    if len(items) <= 1 or WORKERS <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(work, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def file_range(path: Path, offset: int, length: int) -> Iterable[bytes]:
    """``length`` bytes of ``path`` from ``offset``, ``CHUNK`` at a time."""
    with open(path, "rb") as source:
        source.seek(offset)
        while length > 0:
            chunk = source.read(min(CHUNK, length))
            if not chunk:
                raise S3Error(f"{path}: shorter than expected (changed while it was uploaded?)")
            length -= len(chunk)
            yield chunk


def md5_base64(chunks: Iterable[bytes]) -> str:
    """A Content-MD5 header's value for a body given as chunks (read once, not kept)."""
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def is_md5(etag: str) -> bool:
    """An ETag that is the object's MD5 (one PUT; a multipart upload's ends in ``-<parts>``)."""
    return len(etag) == 32 and all(c in "0123456789abcdef" for c in etag.lower())


def xml_text(body: bytes, tag: str) -> str:
    root = ET.fromstring(body)
    found = next((e.text for e in root.iter() if e.tag.rpartition("}")[2] == tag), None)
    if not found:
        raise S3Error(f"S3 answered without {tag}: {body[:200]!r}")
    return found
