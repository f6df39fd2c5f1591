"""The object store's HTTPS address for browsers in `make run HTTPS=1`: TLS on the outside
(0.0.0.0, the local CA's certificate), the local S3 server (`rclone serve s3`, plain HTTP on
127.0.0.1) inside.

Why a relay and not rclone's own `--cert/--key`: rclone serves one scheme on all its
addresses, and the broker and the media service talk to the same server over 127.0.0.1; each
would then have to trust the local CA (minio's client verifies against certifi's roots only).
The relay passes bytes unchanged, so a presigned URL signed for the public address (media's
`S3_PUBLIC_ENDPOINT`, Host included) is checked by rclone as it was signed. It is a dozen
lines of asyncio rather than a dependency (a TLS-terminating proxy such as stunnel or
hitch is not in the wheel set `make run` relies on).

    python -m deploy.local.tls_relay --listen 0.0.0.0:9443 --to 127.0.0.1:9000 \
        --cert server.pem --key server-key.pem
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

from deploy.local.layout import REPO_ROOT
from deploy.local.process import ChildProcess, ProcessComponent

CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _relay(listen: tuple[str, int], upstream: tuple[str, int], tls: ssl.SSLContext) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*upstream)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))

    server = await asyncio.start_server(handle, listen[0], listen[1], ssl=tls)
    async with server:
        await server.serve_forever()


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, type=_address)
    parser.add_argument("--to", required=True, type=_address)
    parser.add_argument("--cert", required=True, type=Path)
    parser.add_argument("--key", required=True, type=Path)
    args = parser.parse_args(argv)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_relay(args.listen, args.to, tls))
    return 0


class TlsRelay(ProcessComponent):
    """The relay as a supervised component of the stack."""

    stop_timeout = 5.0

    def __init__(
        self,
        name: str,
        listen: tuple[str, int],
        upstream: tuple[str, int],
        cert: Path,
        key: Path,
        ca: Path,
        log_dir: Path,
    ) -> None:
        super().__init__(log_dir)
        self.name = name
        self.listen = listen
        self.upstream = upstream
        self.cert, self.key, self.ca = cert, key, ca

    def _command(self) -> ChildProcess:
        argv = [sys.executable, "-m", "deploy.local.tls_relay"]
        argv += ["--listen", f"{self.listen[0]}:{self.listen[1]}"]
        argv += ["--to", f"{self.upstream[0]}:{self.upstream[1]}"]
        argv += ["--cert", str(self.cert), "--key", str(self.key)]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        return ChildProcess(argv, self.log_path, env=env, cwd=REPO_ROOT)

    def _ready(self) -> bool:
        # Through the relay to the store: any HTTP answer (403 unsigned) proves both serve.
        context = ssl.create_default_context(cafile=str(self.ca))
        url = f"https://127.0.0.1:{self.listen[1]}/"
        try:
            with urllib.request.urlopen(url, timeout=2, context=context):
                return True
        except urllib.error.HTTPError:
            return True
        except (TimeoutError, OSError):
            return False


if __name__ == "__main__":
    sys.exit(main())
