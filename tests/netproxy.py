"""The proxy in front of the gateway and the object store, for tests of a phone losing signal.

Playwright's offline switch does not cover a service worker's traffic, and a cut upload needs
a connection broken halfway through a body, which no browser switch does. So the page talks to
the gateway and to S3 (the stack's S3_PUBLIC_ENDPOINT) through two fault proxies
(deploy/local/faultproxy.py), and a test turns the network off (`offline()`: open connections
are cut, new ones are closed at once) or cuts the next upload after n bytes
(`cut_upload_after`). Both ports are known before the stack starts, so its media service can
sign URLs for `s3_url`.
"""

from __future__ import annotations

from deploy.local.faultproxy import FaultProxy


class NetProxy:
    def __init__(self) -> None:
        self._routes = {name: FaultProxy(name) for name in ("gateway", "s3")}

    @property
    def gateway_url(self) -> str:
        return self._routes["gateway"].url

    @property
    def s3_url(self) -> str:
        return self._routes["s3"].url

    @property
    def s3_bytes_up(self) -> int:
        return self._routes["s3"].bytes_up

    def start(self) -> None:
        for route in self._routes.values():
            route.start()

    def point(self, name: str, upstream_url: str) -> None:
        self._routes[name].point(upstream_url)

    def offline(self) -> None:
        for route in self._routes.values():
            route.offline()

    def online(self) -> None:
        for route in self._routes.values():
            route.online()

    def cut_upload_after(self, n: int) -> None:
        """One-shot: once n more bytes went from a client to S3, that connection is cut."""
        self._routes["s3"].cut_upload_after(n)

    def stop(self) -> None:
        for route in self._routes.values():
            route.stop()
