"""Object listings of the broker's bucket, answered by the guard from an index it keeps.

Tansu lists a partition's `records/` prefix on every fetch, and rclone answers a listing by
reading the folder and hashing every file in it: about 50 µs of CPU an object, so the cost of
a fetch grew with the log (a partition of 2,000 batches: 100 ms of rclone CPU per listing, and
consumers fell behind for good under the fault run's load). Every write to this bucket passes
through the guard (one broker per bucket), so the guard can keep the listing itself: a prefix
is read from disk once, then kept current from the PUTs and DELETEs it forwards. A listing is
then a join of ready-made XML fragments.

Only the plain form Tansu sends is answered here (`list-type=2&prefix=...`, signed with the
bucket's key pair and fresh); anything else goes on to rclone, which answers as before. So a
mistake here can cost speed, never a wrong refusal: a request the guard cannot vouch for is
rclone's to judge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from xml.sax.saxutils import escape

_SAFE = "-_.~"  # RFC 3986 unreserved: what SigV4's canonical query leaves unencoded
_MAX_SKEW = dt.timedelta(minutes=15)  # as S3 and rclone allow
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
)


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str


def signed_by(
    credentials: Credentials,
    method: str,
    raw_path: str,
    sent: Message | Mapping[str, str],
    now: dt.datetime | None = None,
) -> bool:
    """Whether an AWS SigV4 header signature of this request is the key pair's, and fresh."""
    headers = {name.lower(): value for name, value in sent.items()}  # names are in any case
    auth = headers.get("authorization") or ""
    algorithm, _, fields = auth.partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        return False
    parts = dict(p.strip().split("=", 1) for p in fields.split(",") if "=" in p)
    try:
        access_key, date, region, service, terminal = parts["Credential"].split("/")
        signed, signature = parts["SignedHeaders"].split(";"), parts["Signature"]
        stamp = headers.get("x-amz-date") or ""
        at = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except (KeyError, ValueError):
        return False
    if access_key != credentials.access_key or terminal != "aws4_request":
        return False
    if abs((now or dt.datetime.now(dt.UTC)) - at) > _MAX_SKEW or not stamp.startswith(date):
        return False
    path, _, query = raw_path.partition("?")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    canonical_query = "&".join(
        sorted(
            f"{urllib.parse.quote(k, safe=_SAFE)}={urllib.parse.quote(v, safe=_SAFE)}"
            for k, v in pairs
        )
    )
    canonical_headers = "".join(
        f"{name}:{' '.join((headers.get(name) or '').split())}\n" for name in signed
    )
    payload = headers.get("x-amz-content-sha256") or "UNSIGNED-PAYLOAD"
    request = "\n".join(
        [method, path, canonical_query, canonical_headers, ";".join(signed), payload]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(request.encode()).hexdigest()]
    )
    key = f"AWS4{credentials.secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def plain_listing(raw_path: str) -> tuple[str, str] | None:
    """(bucket, prefix) of a `GET /bucket?list-type=2&prefix=P` listing, or None for any
    other request (another parameter, a paged or delimited listing: rclone's)."""
    path, _, query = raw_path.partition("?")
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    bucket = urllib.parse.unquote(path).strip("/")
    if not bucket or "/" in bucket or set(params) != {"list-type", "prefix"}:
        return None
    if params["list-type"] != "2":
        return None
    return bucket, params["prefix"]


def _in_flight(name: str) -> bool:
    """A file rclone is still writing: an upload goes to `.rclone_temp_put_<uuid>` beside its
    key and is renamed when its body is complete (a VFS write cache's `.partial` likewise).
    Neither is an object, and the rename reaches the guard as no request, so a scan that
    took one in would list it for good: Tansu reads the first 20 characters of every name
    under `records/` as an offset and failed each fetch of that partition with
    ParseInt(InvalidDigit), the fault run's stall after kill -9 of the broker."""
    return name.startswith(".rclone_temp") or name.endswith(".partial")


def _fragment(key: str, size: int, etag: str, modified: dt.datetime) -> str:
    stamp = modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return (
        f"<Contents><Key>{escape(key)}</Key><LastModified>{stamp}</LastModified>"
        f"<ETag>&quot;{etag}&quot;</ETag><Size>{size}</Size>"
        "<StorageClass>STANDARD</StorageClass></Contents>"
    )


class ListingIndex:
    """The objects under each prefix listed so far, as XML fragments, kept current by the
    writes the guard forwards. Thread-safe: the guard serves each request on a thread."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        # (bucket, prefix) -> key -> fragment; dicts keep no order, keys are sorted on listing
        self._prefixes: dict[tuple[str, str], dict[str, str]] = {}

    def forget(self) -> None:
        """Drop everything: the bucket changed behind the guard (emptied to lose data)."""
        with self._lock:
            self._prefixes.clear()

    def listing(self, bucket: str, prefix: str) -> bytes:
        with self._lock:
            known = self._prefixes.get((bucket, prefix))
            if known is None:
                known = self._prefixes[(bucket, prefix)] = self._scan(bucket, prefix)
            contents = [known[k] for k in sorted(known)]
        return (
            f"{_HEAD}<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
            f"<KeyCount>{len(contents)}</KeyCount><MaxKeys>{max(1000, len(contents))}</MaxKeys>"
            f"<IsTruncated>false</IsTruncated>{''.join(contents)}</ListBucketResult>"
        ).encode()

    def put(self, bucket: str, key: str, body: bytes) -> None:
        """An object rclone has stored (its ETag is the MD5 of its content, as rclone's)."""
        with self._lock:
            prefixes = [p for (b, p) in self._prefixes if b == bucket and key.startswith(p)]
            if not prefixes:
                return
            etag = hashlib.md5(body).hexdigest()  # noqa: S324 - S3's ETag, not security
            fragment = _fragment(key, len(body), etag, dt.datetime.now(dt.UTC))
            for prefix in prefixes:
                self._prefixes[(bucket, prefix)][key] = fragment

    def delete(self, bucket: str, key: str) -> None:
        with self._lock:
            for (b, p), known in self._prefixes.items():
                if b == bucket and key.startswith(p):
                    known.pop(key, None)

    def _scan(self, bucket: str, prefix: str) -> dict[str, str]:
        """The prefix's objects as rclone would list them, read from its folder once."""
        base = self._root / bucket
        folder = base / prefix.rpartition("/")[0]
        found: dict[str, str] = {}
        for directory, _, files in os.walk(folder):
            for name in files:
                file = Path(directory) / name
                key = file.relative_to(base).as_posix()
                if not key.startswith(prefix) or _in_flight(name):
                    continue
                try:
                    data = file.read_bytes()
                    modified = dt.datetime.fromtimestamp(file.stat().st_mtime, dt.UTC)
                except FileNotFoundError:  # deleted (or an upload renamed) since the walk
                    continue
                etag = hashlib.md5(data).hexdigest()  # noqa: S324 - S3's ETag, not security
                found[key] = _fragment(key, len(data), etag, modified)
        return found
