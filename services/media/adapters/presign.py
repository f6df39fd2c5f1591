"""Presigned S3 URLs (Signature Version 4, query form) that sign more headers than `host`.

minio-py's `presigned_put_object` signs only `host`, so its URL accepts a body of any size:
a 50 MB allowance could carry 50 GB. Signing `content-length` binds the URL to the declared
size — S3, MinIO and the local rclone server recompute the signature from the request's
Content-Length and answer 403 to any other length, or to a chunked body that has none. The
store refuses the bytes itself, before they are kept (verified against `rclone serve s3` in
tests/integration/test_media_limits.py; AWS and MinIO document the same).

Written out here (AWS SigV4, "Authenticating requests: using query parameters") because it is
small and minio-py's signer is private; a test checks that with only `host` signed it gives
minio-py's own URL, character for character.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"  # the body is unknown when the URL is made


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def presigned_url(
    method: str,
    endpoint: str,
    bucket: str,
    key: str,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    expires: timedelta,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> str:
    """A path-style URL, valid for `expires` from `now`, that only a request carrying exactly
    `headers` (besides `host`) may use. `query` is signed too (a multipart part's `uploadId`
    and `partNumber`: the URL cannot be turned into a plain PUT of the whole key)."""
    parts = urlsplit(endpoint)
    signed = {name.lower(): value.strip() for name, value in (headers or {}).items()}
    signed["host"] = parts.netloc
    names = ";".join(sorted(signed))
    day, stamp = now.strftime("%Y%m%d"), now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{day}/{region}/s3/aws4_request"
    params = {
        **(query or {}),
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{access_key}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(int(expires.total_seconds())),
        "X-Amz-SignedHeaders": names,
    }
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    path = quote(f"/{bucket}/{key}", safe="/-_.~")
    canonical_request = "\n".join(
        [
            method,
            path,
            canonical_query,
            "".join(f"{name}:{signed[name]}\n" for name in sorted(signed)),
            names,
            UNSIGNED_PAYLOAD,
        ]
    )
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{stamp}\n{scope}\n{digest}"
    signing_key = f"AWS4{secret_key}".encode()
    for part in (day, region, "s3", "aws4_request"):
        signing_key = _hmac(signing_key, part)
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{parts.scheme}://{parts.netloc}{path}?{canonical_query}&X-Amz-Signature={signature}"
