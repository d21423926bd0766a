"""The cost of the CORS middleware layer, corsc against the middleware it
replaces, measured side by side in one process.

    scripts/python-bench            # writes benches/python-middleware.md

For 1, 100 and 10,000 allowed origins and two requests (an allowed
preflight, an allowed GET), each pair is called directly with a prepared
request, so the framework's own cost is the same on both sides:

- Django: corsc.django.CorsMiddleware vs django-cors-headers'
  CorsMiddleware, from the same settings (corsc translates them at
  startup), with a get_response that builds a fresh HttpResponse;
- ASGI: corsc.asgi.CORSMiddleware vs Starlette's CORSMiddleware, from the
  same keyword arguments, around an ASGI app that sends a fixed response.

The allowed origin is the middle one of the list (a linear scan's average
case, not its best). Rounds alternate between the two sides, so a drift in
the machine's speed hits both; each number is the median over rounds of
the mean over a batch. Flatness is measured the same way, corsc at 1
origin against corsc at 10,000. Goals: at 100 origins, corsc's layer costs at most
a fifth of django-cors-headers'; from 1 to 10,000 origins corsc's cost
grows at most 1.3x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from typing import Awaitable, Callable

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    SECRET_KEY="bench",
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=[],
    ROOT_URLCONF=__name__,
    CORS_ALLOWED_ORIGINS=["https://app0.example.com"],
    CORS_ALLOW_CREDENTIALS=True,
)
django.setup()
urlpatterns: list = []

from corsheaders.middleware import CorsMiddleware as DjangoCorsHeaders  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from starlette.middleware.cors import CORSMiddleware as StarletteCors  # noqa: E402

import corsc  # noqa: E402
import corsc.asgi  # noqa: E402
import corsc.django  # noqa: E402

SIZES = (1, 100, 10_000)


def origins(n: int) -> list[str]:
    return [f"https://app{i}.example.com" for i in range(n)]


def middle(n: int) -> str:
    return f"https://app{n // 2}.example.com"


def paired(a: Callable[[], object], b: Callable[[], object], rounds: int, batch: int) -> tuple[float, float]:
    """Median over `rounds` of the mean ns per call of `a` and of `b`, the
    two alternating round by round (and which goes first alternating too)."""
    for f in (a, b):
        for _ in range(batch):
            f()
    samples: tuple[list[float], list[float]] = ([], [])
    for r in range(rounds):
        order = ((0, a), (1, b)) if r % 2 == 0 else ((1, b), (0, a))
        for side, f in order:
            start = time.perf_counter_ns()
            for _ in range(batch):
                f()
            samples[side].append((time.perf_counter_ns() - start) / batch)
    return statistics.median(samples[0]), statistics.median(samples[1])


def django_pair(n: int, preflight: bool) -> tuple[Callable[[], object], Callable[[], object]]:
    settings.CORS_ALLOWED_ORIGINS = origins(n)
    factory = RequestFactory()
    headers = {"HTTP_ORIGIN": middle(n)}
    if preflight:
        headers |= {
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
            "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "content-type",
        }
        request = factory.options("/api/users", **headers)
    else:
        request = factory.get("/api/users", **headers)

    def view(_request: object) -> HttpResponse:
        return HttpResponse(b"ok")

    theirs = DjangoCorsHeaders(view)
    ours = corsc.django.CorsMiddleware(view)
    expected = theirs(request)
    got = ours(request)
    origin_header = "Access-Control-Allow-Origin"
    assert got[origin_header] == expected[origin_header] == middle(n), (got, expected)
    return (lambda: ours(request)), (lambda: theirs(request))


def asgi_pair(n: int, preflight: bool) -> tuple[Callable[[], object], Callable[[], object]]:
    kwargs = dict(
        allow_origins=origins(n),
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["content-type"],
        allow_credentials=True,
    )

    async def app(scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    headers = [(b"host", b"api.test"), (b"origin", middle(n).encode())]
    method = "GET"
    if preflight:
        method = "OPTIONS"
        headers += [(b"access-control-request-method", b"PUT"), (b"access-control-request-headers", b"content-type")]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": "/api/users",
        "raw_path": b"/api/users",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 443),
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    theirs = StarletteCors(app, **kwargs)
    ours = corsc.asgi.CORSMiddleware(app, **kwargs)
    loop = asyncio.new_event_loop()

    def call(middleware: Callable) -> Callable[[], object]:
        # One coroutine driven to completion without the event loop's
        # scheduling: both middlewares await only the stubs above.
        def run() -> object:
            sent.clear()
            coroutine = middleware(dict(scope), receive, send)
            try:
                coroutine.send(None)
            except StopIteration:
                return sent
            raise RuntimeError("the middleware suspended")

        return run

    for middleware in (ours, theirs):
        loop.run_until_complete(middleware(dict(scope), receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        got = dict((k.lower(), v) for k, v in start["headers"])
        assert got[b"access-control-allow-origin"] == middle(n).encode(), got
        sent.clear()
    loop.close()
    return call(ours), call(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds (a smoke run)")
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()
    rounds, batch = (5, 200) if args.quick else (41, 2_000)
    rows: list[dict] = []
    flat: list[dict] = []
    for stack, pair, peer in (
        ("Django", django_pair, "django-cors-headers 4"),
        ("ASGI", asgi_pair, "Starlette CORSMiddleware"),
    ):
        for kind in ("preflight", "get"):
            for n in SIZES:
                ours, theirs = pair(n, kind == "preflight")
                b = batch if n < 10_000 or stack == "ASGI" else 20
                ns_ours, ns_theirs = paired(ours, theirs, rounds, b)
                rows.append(dict(stack=stack, peer=peer, request=kind, origins=n, corsc_ns=ns_ours, peer_ns=ns_theirs))
                print(f"{stack:6} {kind:9} {n:6} origins: corsc {ns_ours / 1000:8.2f} us, {peer} {ns_theirs / 1000:9.2f} us", file=sys.stderr)
    goals = []
    for stack, pair in (("Django", django_pair), ("ASGI", asgi_pair)):
        for kind in ("preflight", "get"):
            at = {r["origins"]: r for r in rows if r["stack"] == stack and r["request"] == kind}
            # Flatness is corsc against itself, 1 vs 10,000 origins side by
            # side: interleaved with a peer that takes milliseconds a call
            # at 10,000 origins, corsc's calls would start with cold caches.
            one, _ = pair(1, kind == "preflight")
            many, _ = pair(10_000, kind == "preflight")
            ns_one, ns_many = paired(one, many, rounds, batch)
            growth = ns_many / ns_one
            flat.append(dict(stack=stack, request=kind, one_ns=ns_one, many_ns=ns_many))
            goals.append(dict(goal=f"{stack} {kind}: corsc flat from 1 to 10,000 origins", value=f"{growth:.2f}x", passed=growth <= 1.3))
            if stack == "Django":
                share = at[100]["corsc_ns"] / at[100]["peer_ns"]
                goals.append(
                    dict(goal=f"Django {kind}: corsc at most 1/5 of django-cors-headers at 100 origins", value=f"{share:.2f}x", passed=share <= 0.2)
                )
    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "corsc": corsc.__version__,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(rows=rows, flat=flat, goals=goals, versions=versions, rounds=rounds, batch=batch), f, indent=1)
    print(markdown(rows, flat, goals, versions, rounds, batch))


def markdown(rows: list[dict], flat: list[dict], goals: list[dict], versions: dict, rounds: int, batch: int) -> str:
    out = [
        "### Python middleware: corsc vs the middleware it replaces",
        "",
        f"`scripts/python-bench` (cors-ffi/python/benches/middleware.py): CPython {versions['python']}, "
        f"Django {versions['django']}, corsc {versions['corsc']}; median of {rounds} alternating rounds, "
        f"a batch of {batch} calls each (20 for the peer pair of Django at 10,000 origins). Per call, in microseconds; "
        "the allowed origin is the middle one of the list.",
        "",
        "| stack | request | origins | corsc | peer | corsc / peer |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['stack']} | {r['request']} | {r['origins']:,} | {r['corsc_ns'] / 1000:.2f} | "
            f"{r['peer_ns'] / 1000:.2f} ({r['peer']}) | {r['corsc_ns'] / r['peer_ns']:.3f} |"
        )
    out += [
        "",
        "corsc against itself, 1 and 10,000 origins side by side (the flatness goals):",
        "",
        "| stack | request | 1 origin | 10,000 origins | ratio |",
        "|---|---|---|---|---|",
    ]
    for r in flat:
        out.append(
            f"| {r['stack']} | {r['request']} | {r['one_ns'] / 1000:.2f} | {r['many_ns'] / 1000:.2f} | "
            f"{r['many_ns'] / r['one_ns']:.2f} |"
        )
    out += ["", "| goal | measured | |", "|---|---|---|"]
    for g in goals:
        out.append(f"| {g['goal']} | {g['value']} | {'PASS' if g['passed'] else 'MISS'} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
