"""`make soak` (`python -m load.soak`): the load run's mix at one moderate rate for an hour, on
a stack of its own, watching that nothing creeps:

- every process's RSS (and its own, anonymous memory) and open connections (load/procs.py), as a
  minute's median, at minute 10 and at the end: each differs by less than 10 % (the stack
  has settled by minute 10: pools filled, caches warm);
- live streams resume across token renewals with `Last-Event-ID` and miss nothing: a
  watcher's stream lives through every renewal (a `reauth` when its token runs out, then a
  reconnect from its cursor), and what it got is compared with a fresh stream replayed from
  its first cursor once the load has stopped;
- a forgetful user fails to sign in now and then, and no table keeps rows past its retention
  (load/tables.py); every table's growth per hour is printed.

SOAK_MINUTES=5 make soak checks it in five minutes (the first figures then at minute 2, and
tokens renewed every minute so streams still go through renewals).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from deploy.local.stack import Stack
from load import procs, report, tables
from load.mix import streams_for
from load.own_stack import own_stack
from load.run import Load, client
from load.session import Session
from load.stats import Drift, Recorder, Step, drifts
from load.streams import PATH, Stream, frames, key_of

log = logging.getLogger("load")

STEP_S = 30.0  # figures are logged per half minute
SAMPLE_EVERY_S = 10.0  # processes are sampled this often; a minute's median is reported
FAILED_LOGIN_EVERY_S = 60.0
QUIET_S = 10.0  # after the load: the watcher has had every frame when none came for this long


@dataclass
class Soak:
    minutes: float
    first_minute: float
    rate: float
    streams: int
    steps: list[Step] = field(default_factory=list)
    first: dict[str, procs.Usage] = field(default_factory=dict)
    last: dict[str, procs.Usage] = field(default_factory=dict)
    rows_first: dict[str, int] = field(default_factory=dict)
    rows_last: dict[str, int] = field(default_factory=dict)
    past_retention: dict[str, int] = field(default_factory=dict)
    watched: list[tuple[str, str]] = field(default_factory=list)
    replayed: list[tuple[str, str]] = field(default_factory=list)
    reauths: int = 0
    renewals: int = 0
    failed_logins: int = 0

    @property
    def drifts(self) -> list[Drift]:
        return drifts(self.first, self.last)

    @property
    def missed(self) -> list[tuple[str, str]]:
        got = set(self.watched)
        return [k for k in self.replayed if k not in got]

    @property
    def ok(self) -> bool:
        return (
            all(d.ok for d in self.drifts)
            and not self.missed
            and bool(self.replayed)
            and self.reauths > 0
            and not any(self.past_retention.values())
        )


async def run(soak: Soak, token_minutes: float, keep_data: bool) -> Soak:
    recorder = Recorder()
    gateway_env = {"ACCESS_TOKEN_MINUTES": str(token_minutes)}
    async with (
        own_stack("oms-soak-", keep_data=keep_data, gateway_environ=gateway_env) as stack,
        client(stack, recorder) as api,
    ):
        load = Load(stack, api, recorder)
        await load.start()
        watcher = await load.watcher()
        forgetful = asyncio.create_task(_forgetful(stack.urls["gateway"], soak))
        samples: list[tuple[float, dict[str, procs.Usage]]] = []
        sampler = asyncio.create_task(_sampler(stack, samples))
        try:
            await load.hold(soak.streams)
            started = time.monotonic()
            end = started + soak.minutes * 60
            first_at = started + soak.first_minute * 60
            while time.monotonic() < end:
                left = end - time.monotonic()
                step = await load.offer(soak.rate, min(STEP_S, left), _at(started), verdict=False)
                soak.steps.append(step)
                if not soak.first and time.monotonic() >= first_at:
                    soak.first = _minute_before(samples, time.monotonic())
                    soak.rows_first = await tables.rows(stack.urls["database"])
                    sys.stdout.write(_usage(soak.first, f"minute {soak.first_minute:g}"))
            soak.last = _minute_before(samples, time.monotonic())
            soak.rows_last = await tables.rows(stack.urls["database"])
            soak.past_retention = await tables.past_retention(stack.urls["database"])
        finally:
            forgetful.cancel()
            sampler.cancel()
        await _quiet(watcher)
        soak.watched = list(watcher.seen)
        soak.reauths = watcher.reauths
        soak.renewals = sum(s.renewals for group in load.sessions.values() for s in group)
        soak.replayed = await _replay(api, watcher)
        await load.stop()
    return soak


async def _sampler(stack: Stack, samples: list[tuple[float, dict[str, procs.Usage]]]) -> None:
    while True:
        samples.append((time.monotonic(), await asyncio.to_thread(procs.sample, stack)))
        await asyncio.sleep(SAMPLE_EVERY_S)


def _minute_before(
    samples: list[tuple[float, dict[str, procs.Usage]]], now: float
) -> dict[str, procs.Usage]:
    """The median of the last minute's samples (a minute's figure, not an instant's)."""
    recent = [found for at, found in samples if at >= now - 60]
    return procs.median(recent or [samples[-1][1]])


def _at(started: float) -> str:
    return f"minute {(time.monotonic() - started) / 60:.1f}: "


async def _forgetful(gateway: str, soak: Soak) -> None:
    """Someone who cannot remember their password, once a minute: login_failures gets rows,
    which must be gone once the throttle's window is past. A client of its own: these 401s
    are meant, not the system's errors."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as api:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                await api.post(
                    "/api/v1/auth/token",
                    data={"username": f"forgetful{soak.failed_logins % 7}", "password": "wrong"},
                )
                soak.failed_logins += 1
            await asyncio.sleep(FAILED_LOGIN_EVERY_S)


async def _quiet(watcher: Stream) -> None:
    """Until the watcher has had no frame for QUIET_S (the load has stopped offering)."""
    seen, since = len(watcher.seen), time.monotonic()
    while time.monotonic() - since < QUIET_S:
        await asyncio.sleep(1.0)
        if len(watcher.seen) != seen:
            seen, since = len(watcher.seen), time.monotonic()


async def _replay(api: httpx.AsyncClient, watcher: Stream) -> list[tuple[str, str]]:
    """Everything the watcher should have had: a fresh stream of the same user from the
    watcher's first cursor, read until it goes quiet."""
    session = Session(api, "manager")
    await session.sign_in()
    headers = {**await session.headers(), "Accept": "text/event-stream"}
    if watcher.first_id is None:
        return []
    headers["Last-Event-ID"] = watcher.first_id
    keys: list[tuple[str, str]] = []
    timeout = httpx.Timeout(30.0, read=QUIET_S)
    with contextlib.suppress(httpx.ReadTimeout):
        async with api.stream("GET", PATH, headers=headers, timeout=timeout) as r:
            r.raise_for_status()
            async for frame in frames(r.aiter_lines()):
                key = key_of(frame)
                if key is not None:
                    keys.append(key)
                if frame.event == "reauth":
                    break
    return keys


def _usage(found: dict[str, procs.Usage], label: str) -> str:
    lines = [f"\nProcesses at {label}:"]
    for name, usage in sorted(found.items()):
        lines.append(
            f"  {name}: {usage['rss_mb']:.1f} MB RSS ({usage['own_mb']:.1f} MB its own), "
            f"{usage['connections']:.0f} connections opened, "
            f"{usage.get('accepted', 0):.0f} accepted, "
            f"{usage['processes']:.0f} processes"
        )
    return "\n".join(lines) + "\n"


def summary(soak: Soak) -> str:
    minutes = f"minute {soak.first_minute:g}", f"minute {soak.minutes:g}"
    out = [
        "",
        f"Soak: {soak.rate:g} requests/s for {soak.minutes:g} minutes with {soak.streams} "
        f"live streams",
    ]
    if soak.steps:
        worst = max(soak.steps, key=lambda s: s.p99)
        requests = sum(s.requests for s in soak.steps)
        errors = sum(sum(s.errors.values()) for s in soak.steps)
        kinds: Counter[str] = Counter()
        where: Counter[str] = Counter()
        for step in soak.steps:
            kinds.update(step.errors)
            where.update({r.endpoint: r.errors for r in step.rows if r.errors})
        by_kind = ", ".join(f"{k}×{n}" for k, n in sorted(kinds.items())) or "none"
        if where:
            by_kind += "; at " + ", ".join(f"{k} ×{n}" for k, n in where.most_common(5))
        out.append(
            f"{requests} requests, errors {errors} ({100 * errors / max(requests, 1):.2f} %: "
            f"{by_kind}), worst half-minute p99 {worst.p99 * 1000:.0f} ms"
        )
    out += ["", "Memory and connections:", report.drift_table(soak.drifts, *minutes), ""]
    hours = (soak.minutes - soak.first_minute) / 60
    grown = [
        (name, soak.rows_first.get(name, 0), n)
        for name, n in sorted(soak.rows_last.items())
        if n != soak.rows_first.get(name, 0)
    ]
    out.append(f"Tables that grew between {minutes[0]} and {minutes[1]} (rows, per hour):")
    out.extend(
        f"  {name}: {before} → {after} ({(after - before) / hours:+.0f}/h)"
        for name, before, after in grown
    )
    out.append(
        f"Rows past retention ({soak.failed_logins} failed sign-ins made): "
        + ", ".join(f"{t} {n}" for t, n in soak.past_retention.items())
    )
    out.append(
        f"Live streams: the watcher went through {soak.reauths} token renewals (reauth, "
        f"then Last-Event-ID); {len(soak.watched)} frames kept, {len(soak.replayed)} in the "
        f"replay, missed {len(soak.missed)}" + (f": {soak.missed[:5]}" if soak.missed else "")
    )
    out.append("PASS" if soak.ok else "FAIL")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--rate", type=float, default=4, help="requests/s offered")
    parser.add_argument("--streams", type=int, default=0, help="default: as `make load` holds")
    parser.add_argument("--keep-data", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%X")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    short = args.minutes < 20
    soak = Soak(
        minutes=args.minutes,
        first_minute=min(10.0, args.minutes / 2.5),
        rate=args.rate,
        streams=args.streams or streams_for(args.rate),
    )
    token_minutes = 1.0 if short else 10.0  # the gateway's default: renewals as in the office
    result = asyncio.run(run(soak, token_minutes, args.keep_data))
    sys.stdout.write(summary(result) + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
