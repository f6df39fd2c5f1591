"""`make run HTTPS=1` as a phone meets it (issue 15): the stack makes a local CA and a server
certificate for this machine's names and addresses, serves the gateway over HTTPS on every
address, and gives browsers an HTTPS address of the object store, for which presigned URLs are
signed. A client trusting the generated CA alone (no system roots) opens the app, calls the
API and uploads a photo through its presigned URL; plain HTTP is not served.
"""

from __future__ import annotations

import io
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from PIL import Image

from deploy.local.ports import free_port
from tests.e2e.test_make_run import data_dir, run_until_ready, stop

__all__ = ["data_dir"]  # the fixture, shared with `make run`'s own test


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def first_order(client: httpx.Client, headers: dict[str, str]) -> str:
    """A seeded demo order, once the board (a read model) shows one."""
    deadline = time.monotonic() + 30
    while True:
        board = client.get("/api/v1/board", headers=headers).json()
        cards = [card["id"] for col in board["columns"] for card in col["cards"]]
        if cards:
            return str(cards[0])
        assert time.monotonic() < deadline, "no demo order reached the board"
        time.sleep(0.3)


def test_make_run_https_serves_the_app_the_api_and_uploads_over_tls(data_dir: Path) -> None:
    port = free_port()
    proc, output = run_until_ready(data_dir, port, https=True)
    try:
        ca = data_dir / "tls" / "ca.pem"
        assert ca.is_file(), output
        assert str(ca) in output  # the banner says which file to install on a phone
        assert f"https://127.0.0.1:{port}" in output
        names = x509.load_pem_x509_certificate((data_dir / "tls" / "server.pem").read_bytes())
        san = names.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = set(san.get_values_for_type(x509.DNSName))
        ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
        assert "localhost" in dns
        assert {"127.0.0.1", "::1"} <= ips
        assert ((data_dir / "tls" / "server-key.pem").stat().st_mode & 0o077) == 0

        # The generated CA is the only root this client trusts (given a cafile, the context
        # loads no system roots).
        only_ours = ssl.create_default_context(cafile=str(ca))
        assert len(only_ours.get_ca_certs()) == 1
        base = f"https://127.0.0.1:{port}"
        with httpx.Client(base_url=base, verify=only_ours, timeout=30) as client:
            page = client.get("/")
            assert page.status_code == 200
            assert 'rel="manifest"' in page.text
            worker = client.get("/app/sw.js")
            assert worker.status_code == 200
            assert worker.headers["service-worker-allowed"] == "/"

            signed_in = client.post(
                "/api/v1/auth/token", data={"username": "manager", "password": "demo"}
            )
            assert signed_in.status_code == 200, signed_in.text
            headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            assert client.get("/api/v1/me", headers=headers).json()["username"] == "manager"
            oid = first_order(client, headers)

            photo = jpeg()
            declared = {
                "kind": "photo",
                "purpose": "other",
                "filename": "site.jpg",
                "content_type": "image/jpeg",
                "size": len(photo),
            }
            started = client.post(f"/api/v1/orders/{oid}/media", headers=headers, json=declared)
            assert started.status_code == 201, started.text
            upload_url = started.json()["upload_url"]
            parts = urlsplit(upload_url)
            assert parts.scheme == "https", upload_url  # no mixed content on an HTTPS page
            assert parts.port != port
            put = httpx.put(
                upload_url,
                content=photo,
                headers={"Content-Type": "image/jpeg"},
                verify=only_ours,
                timeout=30,
            )
            assert put.status_code == 200, put.text
            done = client.post(
                f"/api/v1/media/{started.json()['media_id']}/complete", headers=headers
            )
            assert done.status_code == 200, done.text

        # Plain HTTP on the same port is not the app.
        try:
            plain = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        except httpx.HTTPError:
            pass
        else:
            assert plain.status_code >= 400
    finally:
        assert stop(proc) == set(), "no process outlives the stack"
