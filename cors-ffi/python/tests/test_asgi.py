"""corsc.asgi.CORSMiddleware: preflights, owned headers, Vary, scopes,
paths, policy arguments and Starlette's keyword arguments."""

from __future__ import annotations

import asyncio
import os
import pathlib
from typing import Any, Dict, List, Optional, Tuple

import httpx
import pytest

import corsc
from corsc.asgi import CORSMiddleware, merge_vary, translate_starlette

POLICY = """
policy api {
    paths /api/;
    origins https://app.example.com;
    methods GET POST PUT;
    allow-headers Content-Type X-Token;
    expose-headers X-Request-Id;
    credentials on;
    max-age 10m;
}
policy public {
    origins *;
    methods GET;
}
"""

APP = "https://app.example.com"
Headers = List[Tuple[bytes, bytes]]


class Recorder:
    """An ASGI app that records its calls and answers with ``headers``."""

    def __init__(self, headers: Optional[Headers] = None, chunks: Tuple[bytes, ...] = (b"ok",)) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.headers = headers or []
        self.chunks = chunks

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        self.calls.append(scope)
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept", "headers": [(b"access-control-allow-origin", b"*")]})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")] + self.headers})
        for i, chunk in enumerate(self.chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(self.chunks) - 1})


@pytest.fixture(scope="module")
def policy() -> corsc.Policy:
    return corsc.Policy.from_source(POLICY, filename="test.corspolicy")


def request(app: Any, method: str, path: str, headers: Optional[List[Tuple[str, str]]] = None) -> httpx.Response:
    """One request through httpx's ASGI transport: the async path."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, headers=headers or [])

    return asyncio.run(go())


async def call(app: Any, scope: Dict[str, Any], inbound: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    """Calls an ASGI app with ``scope``; returns the messages it sent."""
    queue = list(inbound or [{"type": "http.request", "body": b"", "more_body": False}])
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def http_scope(path: str, headers: Headers, method: str = "GET", **extra: Any) -> Dict[str, Any]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "https", "path": path, "raw_path": path.encode("utf-8", "surrogatepass"), "query_string": b"",
             "root_path": "", "headers": headers, "server": ("testserver", 443), "client": ("1.2.3.4", 5)}
    scope.update(extra)
    return scope


def test_preflight_is_answered_without_the_app(policy: corsc.Policy) -> None:
    app = Recorder()
    r = request(CORSMiddleware(app, policy=policy), "OPTIONS", "/api/users",
                [("Origin", APP), ("Access-Control-Request-Method", "PUT"),
                 ("Access-Control-Request-Headers", "x-token")])
    assert app.calls == []
    assert r.status_code == 204 and r.content == b""
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-allow-methods"] == "GET, POST, PUT"
    assert r.headers["access-control-max-age"] == "600"
    assert "content-length" not in r.headers  # a 204 has none

    denied = request(CORSMiddleware(app, policy=policy), "OPTIONS", "/api/users",
                     [("Origin", "https://evil.test"), ("Access-Control-Request-Method", "PUT")])
    assert app.calls == []
    assert denied.status_code == 403 and denied.content == b""
    assert [k for k in denied.headers if k.startswith("access-control-")] == []
    assert denied.headers["vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def test_preflight_with_a_2xx_status_has_an_empty_body() -> None:
    p = corsc.Policy.from_source("policy p { origins https://a.example; methods PUT; preflight-status 200; }")
    r = request(CORSMiddleware(Recorder(), policy=p), "OPTIONS", "/",
                [("Origin", "https://a.example"), ("Access-Control-Request-Method", "PUT")])
    assert r.status_code == 200 and r.content == b"" and r.headers["content-length"] == "0"


def test_app_set_cors_headers_do_not_leak(policy: corsc.Policy) -> None:
    reflecting = [(b"Access-Control-Allow-Origin", b"*"), (b"access-control-allow-credentials", b"true"),
                  (b"Access-Control-Allow-Methods", b"DELETE"), (b"access-control-max-age", b"86400"),
                  (b"Access-Control-Expose-Headers", b"X-Secret"), (b"x-app", b"kept")]
    mw = CORSMiddleware(Recorder(reflecting), policy=policy)
    denied = request(mw, "GET", "/api/users", [("Origin", "https://evil.test")])
    assert denied.status_code == 200 and denied.text == "ok"
    assert [k for k in denied.headers if k.startswith("access-control-")] == []
    assert denied.headers["x-app"] == "kept" and denied.headers["vary"] == "Origin"

    allowed = request(mw, "GET", "/api/users", [("Origin", APP)])
    assert allowed.headers.get_list("access-control-allow-origin") == [APP]
    assert allowed.headers.get_list("access-control-allow-credentials") == ["true"]
    assert allowed.headers.get_list("access-control-expose-headers") == ["x-request-id"]
    assert "access-control-allow-methods" not in allowed.headers
    assert "access-control-max-age" not in allowed.headers

    no_origin = request(mw, "GET", "/api/users")
    assert [k for k in no_origin.headers if k.startswith("access-control-")] == []


@pytest.mark.parametrize("app_vary, expected", [
    ([b"Accept-Encoding"], ["Accept-Encoding, Origin"]),
    ([b"origin"], ["origin"]),
    ([b"Accept-Encoding", b"Cookie, ORIGIN"], ["Accept-Encoding, Cookie, ORIGIN"]),
    ([b"*"], ["*"]),
    ([], ["Origin"]),
])
def test_vary_is_merged(policy: corsc.Policy, app_vary: List[bytes], expected: List[str]) -> None:
    app = Recorder([(b"Vary", v) for v in app_vary])
    r = request(CORSMiddleware(app, policy=policy), "GET", "/api/users", [("Origin", "https://evil.test")])
    assert r.headers.get_list("vary") == expected


def test_merge_vary() -> None:
    assert merge_vary([], "Origin") == "Origin"
    assert merge_vary(["Accept-Encoding,  ,Cookie"], "Origin") == "Accept-Encoding, Cookie, Origin"
    assert merge_vary(["Accept, *"], "Origin") is None
    assert merge_vary(["origin"], "Origin, Access-Control-Request-Method") == "origin, Access-Control-Request-Method"


def test_streamed_body_is_untouched(policy: corsc.Policy) -> None:
    chunks = (b"first ", b"", b"second ", b"third")
    sent = asyncio.run(call(CORSMiddleware(Recorder(chunks=chunks), policy=policy),
                            http_scope("/api/x", [(b"origin", APP.encode())])))
    assert sent[0]["type"] == "http.response.start"
    assert (b"access-control-allow-origin", APP.encode()) in sent[0]["headers"]
    assert [m["body"] for m in sent[1:]] == list(chunks)
    assert [m["more_body"] for m in sent[1:]] == [True, True, True, False]


def test_response_without_cors_changes_is_passed_as_is() -> None:
    # No policy covers the path: the app's messages go out unchanged.
    p = corsc.Policy.from_source("policy p { paths /api/; origins https://a.example; }")
    app = Recorder([(b"vary", b"Cookie")])
    sent = asyncio.run(call(CORSMiddleware(app, policy=p), http_scope("/static/x", [(b"origin", b"https://b.example")])))
    assert sent[0]["headers"] == [(b"content-type", b"text/plain"), (b"vary", b"Cookie")]


def test_raw_header_names_any_case_and_repeated_origin(policy: corsc.Policy) -> None:
    mw = CORSMiddleware(Recorder(), policy=policy)
    sent = asyncio.run(call(mw, http_scope("/api/x", [(b"ORIGIN", APP.encode())])))
    assert (b"access-control-allow-origin", APP.encode()) in sent[0]["headers"]
    # Two Origin lines are joined with "," (as nginx does): malformed, denied.
    two = [(b"origin", APP.encode()), (b"origin", APP.encode())]
    assert mw.evaluate(http_scope("/api/x", two)).reason == "malformed-origin"
    sent = asyncio.run(call(mw, http_scope("/api/x", two)))
    assert not any(n.startswith(b"access-control-") for n, _ in sent[0]["headers"])
    # Request-Headers lines are joined too: both lists are checked.
    pre = [(b"origin", APP.encode()), (b"access-control-request-method", b"PUT"),
           (b"access-control-request-headers", b"x-token"), (b"access-control-request-headers", b"x-evil")]
    assert mw.evaluate(http_scope("/api/x", pre, "OPTIONS")).reason == "header-not-allowed"


@pytest.mark.parametrize("path, policy_name", [
    ("/api/users", "api"),
    # As the application routes them: dot segments are not merged (the
    # router serves /api/../public from its /api/{path} route).
    ("/public/../api/users", "public"),
    ("/api/./users", "api"),
    ("/api/../public", "api"),
    ("/apix", "public"),
    ("/caf\u00e9/../api/x", "public"),
    ("/api\ud800", "public"),  # a lone surrogate: judged like /apix, no crash
])
def test_path_is_judged_as_routed(policy: corsc.Policy, path: str, policy_name: str) -> None:
    mw = CORSMiddleware(Recorder(), policy=policy)
    assert mw.evaluate(http_scope(path, [(b"origin", APP.encode())])).policy == policy_name


def test_headers_given_as_a_generator_are_all_kept(policy: corsc.Policy) -> None:
    async def app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
        def headers() -> Any:
            yield (b"content-type", b"text/plain")
            yield (b"set-cookie", b"a=1")
            yield (b"access-control-allow-origin", b"*")
            yield (b"x-after", b"1")

        await send({"type": "http.response.start", "status": 200, "headers": headers()})
        await send({"type": "http.response.body", "body": b"ok"})

    sent = asyncio.run(call(CORSMiddleware(app, policy=policy), http_scope("/api/x", [(b"origin", b"https://evil.test")])))
    names = [n for n, _ in sent[0]["headers"]]
    assert names[:2] == [b"content-type", b"set-cookie"] and b"x-after" in names, names
    assert b"access-control-allow-origin" not in names, names
    # No Origin: nothing added, nothing owned removed... and nothing lost.
    sent = asyncio.run(call(CORSMiddleware(app, policy=policy), http_scope("/elsewhere", [])))
    names = [n for n, _ in sent[0]["headers"]]
    assert names[:2] == [b"content-type", b"set-cookie"] and b"x-after" in names, names


def test_path_is_percent_decoded_by_the_server(policy: corsc.Policy) -> None:
    # httpx's ASGI transport, like uvicorn, puts the decoded path in
    # scope["path"]: /%61pi/ is /api/.
    app = Recorder()
    r = request(CORSMiddleware(app, policy=policy), "GET", "/%61pi/users", [("Origin", APP)])
    assert app.calls[0]["path"] == "/api/users"
    assert r.headers["access-control-allow-credentials"] == "true"


def test_lifespan_passes_through(policy: corsc.Policy) -> None:
    app = Recorder()
    inbound = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = asyncio.run(call(CORSMiddleware(app, policy=policy), {"type": "lifespan", "asgi": {"version": "3.0"}}, inbound))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert app.calls[0]["type"] == "lifespan"


def test_websocket_passes_through_untouched(policy: corsc.Policy) -> None:
    app = Recorder()
    scope = http_scope("/api/socket", [(b"origin", b"https://evil.test")], type="websocket")
    sent = asyncio.run(call(CORSMiddleware(app, policy=policy), scope, [{"type": "websocket.connect"}]))
    assert app.calls == [scope]
    assert sent == [{"type": "websocket.accept", "headers": [(b"access-control-allow-origin", b"*")]}]


def test_policy_arguments(tmp_path: pathlib.Path, policy: corsc.Policy) -> None:
    source = tmp_path / "api.corspolicy"
    source.write_text(POLICY)
    table = tmp_path / "api.corstable"
    table.write_bytes(policy.table)
    for given in (policy, str(source), source, table, os.fspath(table)):
        mw = CORSMiddleware(Recorder(), policy=given)
        assert mw.policy.names == ["api", "public"]
        assert mw.evaluate(http_scope("/api/x", [(b"origin", APP.encode())])).allowed
    with pytest.raises(TypeError, match="from_table"):
        CORSMiddleware(Recorder(), policy=policy.table)
    with pytest.raises(TypeError, match="not both"):
        CORSMiddleware(Recorder(), policy=policy, allow_origins=[APP])
    with pytest.raises(TypeError, match="allow_orgins"):
        CORSMiddleware(Recorder(), allow_orgins=[APP])
    broken = tmp_path / "broken.corspolicy"
    broken.write_text("policy p { origins https://a.example:443; }")
    with pytest.raises(corsc.PolicyError) as error:
        CORSMiddleware(Recorder(), policy=broken)
    assert [d.code for d in error.value.diagnostics] == ["CORS0033"]


def test_policy_warnings_are_logged(tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "warn.corspolicy"
    path.write_text("policy p { origins null https://a.example; }")
    with caplog.at_level("WARNING", logger="corsc"):
        CORSMiddleware(Recorder(), policy=path)
    assert "CORS0040" in caplog.text


# --- Starlette's keyword arguments -----------------------------------------

def test_starlette_star_with_credentials_is_refused() -> None:
    with pytest.raises(corsc.PolicyError) as error:
        CORSMiddleware(Recorder(), allow_origins=["*"], allow_credentials=True)
    message = str(error.value)
    assert "allow_origins=['*'] with allow_credentials=True" in message
    assert "any web site can read your users' responses" in message
    assert [d.code for d in error.value.diagnostics if d.severity == "error"] == ["CORS0041"]
    assert "error[CORS0041]" in error.value.rendered


@pytest.mark.parametrize("kwargs, code, named", [
    (dict(allow_origins=[APP], allow_headers=["*"], allow_credentials=True), "CORS0063", "allow_headers=['*']"),
    (dict(allow_origins=[APP], expose_headers=["*"], allow_credentials=True), "CORS0063", "expose_headers=['*']"),
    (dict(allow_origins=["null"], allow_credentials=True), "CORS0040", "allow_origins[0]='null'"),
    (dict(allow_origins=["http://app.example.com"], allow_credentials=True), "CORS0042", "allow_origins[0]"),
    (dict(allow_origins=[APP + "/"]), "CORS0031", "allow_origins[0]='https://app.example.com/'"),
    (dict(allow_origins=[APP + ":443"]), "CORS0033", "allow_origins[0]"),
    (dict(allow_origin_regex=r"https://.*\.example\.com"), "CORS0047", "allow_origin_regex="),
    (dict(allow_origin_regex=r"https://.*\.vercel\.app"), "CORS0046", "allow_origin_regex="),
    (dict(allow_origin_regex=r"(?i)https://app\.example\.com"), "CORS0047", "allow_origin_regex="),
    (dict(allow_origins=[APP], allow_methods=["get"]), "CORS0051", "allow_methods=['get']"),
    (dict(allow_origins=[APP], max_age=100000), "CORS0071", "max_age=100000"),
])
def test_starlette_arguments_corsc_refuses(kwargs: Dict[str, Any], code: str, named: str) -> None:
    with pytest.raises(corsc.PolicyError) as error:
        CORSMiddleware(Recorder(), **kwargs)
    assert code in [d.code for d in error.value.diagnostics]
    assert named in str(error.value)


def test_starlette_arguments_corsc_cannot_take() -> None:
    with pytest.raises(corsc.PolicyError, match="neither allow_origins nor allow_origin_regex"):
        CORSMiddleware(Recorder())
    with pytest.raises(TypeError, match="character by character"):
        CORSMiddleware(Recorder(), allow_origins=APP)
    with pytest.raises(corsc.PolicyError, match="control character"):
        CORSMiddleware(Recorder(), allow_origins=["https://a.example\n"])


def test_starlette_translation_is_commented() -> None:
    source = translate_starlette(allow_origins=[APP], allow_origin_regex=r"https://\w+\.example\.com",
                                 allow_methods=["*"], allow_credentials=True)
    assert f"{APP}" in source and "# allow_origins[0]='https://app.example.com'" in source
    assert '~"https://[a-z0-9_]+\\.example\\.com"' in source
    assert "methods DELETE GET HEAD OPTIONS PATCH POST PUT" in source
    assert "# allow_methods=['*']: '*' is Starlette's ALL_METHODS" in source
    assert "allow-headers Accept Accept-Language Content-Language Content-Type;" in source
    assert "credentials on;" in source and "max-age 600;" in source and "preflight-status 200;" in source
    assert corsc.check(source) == []


def test_starlette_add_middleware_changes_one_import() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("home", headers={"Access-Control-Allow-Origin": "*"})

    app = Starlette(routes=[Route("/", home, methods=["GET", "PUT"])])
    app.add_middleware(CORSMiddleware, allow_origins=[APP], allow_methods=["PUT"], allow_credentials=True)
    allowed = request(app, "GET", "/", [("Origin", APP)])
    assert allowed.text == "home"
    assert allowed.headers.get_list("access-control-allow-origin") == [APP]
    denied = request(app, "GET", "/", [("Origin", "https://evil.test")])
    assert "access-control-allow-origin" not in denied.headers
    preflight = request(app, "OPTIONS", "/", [("Origin", APP), ("Access-Control-Request-Method", "PUT")])
    assert preflight.status_code == 200 and preflight.content == b""


def test_a_header_starlette_always_allows_is_not_listed_twice() -> None:
    from corsc.asgi import translate_starlette

    source = translate_starlette(allow_origins=["https://a.test"], allow_headers=["content-type", "X-A"])
    assert "allow-headers Accept Accept-Language Content-Language Content-Type X-A;" in source
    assert not [d for d in corsc.check(source) if d.code == "CORS0061"]
