#!/usr/bin/env python3
"""The reference edge with many idle connections: holds IDLE connections that sent
nothing and HALF connections that sent a request head without its final empty line, measures the
latency of fresh requests (a new connection each) before and while they are held, then waits for
the edge's head timeout and reports when it closed the half-sent heads. Loopback only, bounded:
it gives up TIMEOUT + 30 s after the half heads were sent.

    scripts/bench-idle.py --addr 127.0.0.1:PORT --host d111111abcdef8.cloudfront.net \\
        --idle 10000 --half 500 --timeout 10

Prints, among others:
    latency of a fresh GET (new connection) while 10000 idle + 500 half heads are held: p50 0.31 ms, p99 0.9 ms, max 1.2 ms (50 requests)
    half heads: 500 of 500 closed by the edge, after 10.00-10.05 s (head timeout 10 s)
Exit 1 when a half head outlived the timeout by 5 s or was closed long before it, or when a
fresh request failed while the connections were held.
"""

import argparse
import asyncio
import resource
import statistics
import sys
import time


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def fresh_get(host, port, vhost):
    """Seconds for connect + GET + the whole 301 head, on a new connection."""
    start = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    writer.write(f"GET /images/a.jpg HTTP/1.1\r\nHost: {vhost}\r\nConnection: close\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    elapsed = time.perf_counter() - start
    writer.close()
    if not head.startswith(b"HTTP/1.1 301"):
        raise RuntimeError(f"unexpected answer {head[:40]!r}")
    return elapsed


async def latencies(host, port, vhost, n):
    out, errors = [], []
    for _ in range(n):
        try:
            out.append(await fresh_get(host, port, vhost))
        except (OSError, asyncio.TimeoutError, RuntimeError, asyncio.IncompleteReadError) as e:
            errors.append(repr(e))
    return out, errors


def summary(samples):
    if not samples:
        return "no sample"
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms ({len(ms)} requests)"


async def open_many(host, port, n, parallel=256):
    """n connections (fewer if the machine refuses); the (reader, writer) pairs."""
    conns, failures = [], 0
    gate = asyncio.Semaphore(parallel)

    async def one():
        nonlocal failures
        async with gate:
            try:
                conns.append(await asyncio.wait_for(asyncio.open_connection(host, port), 10))
            except (OSError, asyncio.TimeoutError):
                failures += 1

    await asyncio.gather(*(one() for _ in range(n)))
    return conns, failures


async def closed_at(reader, started):
    """Seconds after `started` when the edge ended the connection, or None if it stayed open."""
    try:
        while await reader.read(4096):
            pass
    except OSError:
        pass
    return time.monotonic() - started


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--half", type=int, default=500)
    ap.add_argument("--timeout", type=float, required=True, help="the edge's --header-timeout")
    ap.add_argument("--samples", type=int, default=50)
    a = ap.parse_args()
    host, port = a.addr.rsplit(":", 1)
    port = int(port)
    limit = raise_fd_limit(a.idle + a.half + 256)
    if limit < a.idle + a.half + 256:
        a.idle = max(0, limit - a.half - 256)
        print(f"open files limited to {limit}: holding {a.idle} idle connections instead")

    before, errs = await latencies(host, port, a.host, a.samples)
    print(f"latency of a fresh GET (new connection), nothing held: {summary(before)}")
    failed = bool(errs)

    t0 = time.monotonic()
    half, half_failures = await open_many(host, port, a.half)
    started = time.monotonic()
    head = f"GET /images/a.jpg HTTP/1.1\r\nHost: {a.host}\r\n".encode()  # no empty line
    for _, w in half:
        w.write(head)
    watchers = [asyncio.ensure_future(closed_at(r, started)) for r, _ in half]
    idle, idle_failures = await open_many(host, port, a.idle)
    opened = time.monotonic() - t0
    print(f"opened {len(idle)} idle + {len(half)} half-head connections in {opened:.1f} s "
          f"({idle_failures + half_failures} failed to connect)")

    during, errs = await latencies(host, port, a.host, a.samples)
    held = sum(1 for w in watchers if not w.done())
    print(f"latency of a fresh GET (new connection) while {len(idle)} idle + {held} half heads are "
          f"held: {summary(during)}" + (f"; {len(errs)} failed: {errs[0]}" if errs else ""))
    failed |= bool(errs)
    if time.monotonic() - started > a.timeout:
        print("  (the measurement outlasted the head timeout: raise --timeout for a cleaner figure)")

    done, pending = await asyncio.wait(watchers, timeout=max(0.0, a.timeout + 5 - (time.monotonic() - started)))
    times = sorted(w.result() for w in done)
    for w in pending:
        w.cancel()
    for _, w in idle + half:
        w.close()
    if times:
        span = f"after {times[0]:.2f}-{times[-1]:.2f} s"
    else:
        span = "none"
    print(f"half heads: {len(times)} of {len(half)} closed by the edge, {span} (head timeout {a.timeout:g} s)")
    early = [t for t in times if t < a.timeout - 1]
    if pending or early or (a.half and not half):
        print(f"half heads: FAILED: {len(pending)} still open at timeout + 5 s, {len(early)} closed "
              f"more than 1 s early")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
