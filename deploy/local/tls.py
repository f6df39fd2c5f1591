"""`make run HTTPS=1`: a local certificate authority and a server certificate for this machine.

A phone on the office Wi-Fi reaches the app at https://<this machine's LAN address>:8000; a
service worker (the installable app, issue 15) runs only in a secure context, and the
presigned uploads must be HTTPS too, or the browser blocks them as mixed content. So the
stack makes, once, in the data folder (`.data/tls/`):

- `ca.pem` / `ca-key.pem`: a CA of its own (ten years), the one file to install on a phone;
- `server.pem` / `server-key.pem`: a certificate it signs for localhost, 127.0.0.1, ::1, the
  host name and every LAN address of this machine (remade whenever those change, and a month
  before it expires, which phones require to be within 398 days).

Made with `cryptography` (the library pyca keeps, which trustme and mkcert-like tools wrap);
the keys never leave the data folder and are readable by their owner only.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 397  # Apple's and Chrome's ceiling for a server certificate is 398 days
RENEW_BEFORE = dt.timedelta(days=30)
ORG = "OMS local development"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # install this on a phone (README, "Opening the app from a phone")
    cert: Path
    key: Path
    hosts: tuple[str, ...]  # what the server certificate names (DNS names and addresses)


def lan_addresses() -> list[str]:
    """This machine's addresses on its networks (not loopback), best first: the one the
    default route leaves from, then whatever the host name resolves to."""
    found: list[str] = []
    # A UDP "connect" sends nothing; it only asks the kernel which local address would be used.
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.append(str(s.getsockname()[0]))
        except OSError:
            continue  # no route of that family: nothing to add
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        infos = []
    found += [str(info[4][0]) for info in infos]
    usable: list[str] = []
    for text in found:
        address = ipaddress.ip_address(text.split("%")[0])
        if address.is_loopback or address.is_link_local or address.is_unspecified:
            continue
        if str(address) not in usable:
            usable.append(str(address))
    return usable


def server_hosts() -> tuple[str, ...]:
    names = ["localhost", "127.0.0.1", "::1"]
    hostname = socket.gethostname()
    if hostname and hostname != "localhost":
        names += [hostname, f"{hostname}.local"]  # .local: mDNS, as phones see a Mac or Linux box
    names += lan_addresses()
    return tuple(dict.fromkeys(names))


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _make_ca(folder: Path, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, f"OMS local CA ({socket.gethostname()})"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / "ca-key.pem", _key_pem(key))
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _load_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
        key = serialization.load_pem_private_key((folder / "ca-key.pem").read_bytes(), None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    return cert, key


def _names_of(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    dns = san.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return {*dns, *ips}


def _server_is_current(folder: Path, ca: x509.Certificate, hosts: tuple[str, ...]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate((folder / "server.pem").read_bytes())
        (folder / "server-key.pem").stat()
    except (OSError, ValueError):
        return False
    now = dt.datetime.now(dt.UTC)
    return (
        cert.issuer == ca.subject
        and cert.not_valid_after_utc - RENEW_BEFORE > now
        and _names_of(cert) == set(hosts)
    )


def _make_server(
    folder: Path,
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    hosts: tuple[str, ...],
    now: dt.datetime,
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        ip = _ip(host)
        names.append(x509.IPAddress(ip) if ip is not None else x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
                    x509.NameAttribute(NameOID.COMMON_NAME, hosts[0]),
                ]
            )
        )
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(folder / "server-key.pem", _key_pem(key))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure_tls(folder: Path, hosts: tuple[str, ...] | None = None) -> TlsFiles:
    """The CA (made once, kept) and a server certificate for `hosts` (default: this machine's
    names and addresses), remade when the names changed or it is close to expiring."""
    folder.mkdir(parents=True, exist_ok=True)
    hosts = hosts or server_hosts()
    now = dt.datetime.now(dt.UTC)
    loaded = _load_ca(folder)
    ca, ca_key = loaded if loaded is not None else _make_ca(folder, now)
    if not _server_is_current(folder, ca, hosts):
        _make_server(folder, ca, ca_key, hosts, now)
    return TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem", hosts)
