"""A `?` or `#` that the client percent-encoded is part of the path; every
Python host hands it to corsc escaped again, so `/exact%3Fx` is not judged
as `/exact` (which `paths /exact` covers), as the nginx module does."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from starlette.testclient import TestClient
from werkzeug.test import Client

import corsc
from corsc.asgi import CORSMiddleware
from corsc.wsgi import CorsMiddleware

POLICY = corsc.Policy.from_source("policy exact {\n    paths /exact;\n    origins https://app.example.com;\n}\n")
ORIGIN = "https://app.example.com"
COVERED = ["/exact", "/exact/x"]
ENCODED = ["/exact%3Fx", "/exact%3F", "/exact%23x", "/exact%3f%23/y"]


def wsgi_app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


async def asgi_app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_wsgi_keeps_an_encoded_question_mark_in_the_path() -> None:
    client = Client(CorsMiddleware(wsgi_app, policy=POLICY))
    for path in COVERED:
        assert client.get(path, headers={"Origin": ORIGIN}).headers.get("Access-Control-Allow-Origin") == ORIGIN
    for path in ENCODED:
        response = client.get(path, headers={"Origin": ORIGIN})
        assert "Access-Control-Allow-Origin" not in response.headers, path


def test_asgi_keeps_an_encoded_question_mark_in_the_path() -> None:
    client = TestClient(CORSMiddleware(asgi_app, policy=POLICY))
    for path in COVERED:
        assert client.get(path, headers={"Origin": ORIGIN}).headers.get("access-control-allow-origin") == ORIGIN
    for path in ENCODED:
        response = client.get(path, headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in response.headers, path


def test_the_core_alone_cuts_at_a_question_mark() -> None:
    # Why the hosts escape it: the core reads `?` as the start of a query.
    assert POLICY.evaluate("GET", "/exact?x", origin=ORIGIN).allowed
    assert not POLICY.evaluate("GET", "/exact%3Fx", origin=ORIGIN).allowed


# Found in review: a browser sends /files/..%2Fpublic/x as it is; the
# server decodes it to /files/../public/x and the router serves it from
# /files/<path>. Merging the dot segments would have judged it by the
# `public` policy (origins *).
DOT_POLICY = corsc.Policy.from_source(
    "policy public { paths /public; origins *; methods GET; }\n"
    "policy files { paths /files; origins https://app.example.com; methods GET; credentials on; }\n"
)


def test_flask_dot_segments_are_judged_where_the_router_serves_them() -> None:
    from flask import Flask

    app = Flask(__name__)

    @app.get("/files/<path:p>")
    def files(p: str) -> str:
        return "SECRET " + p

    app.wsgi_app = CorsMiddleware(app.wsgi_app, policy=DOT_POLICY)  # type: ignore[method-assign]
    r = app.test_client().get("/files/..%2Fpublic/x", headers={"Origin": "https://evil.example"})
    assert r.data == b"SECRET ../public/x"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_starlette_dot_segments_are_judged_where_the_router_serves_them() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def files(request: Any) -> PlainTextResponse:
        return PlainTextResponse("SECRET " + request.path_params["p"])

    app = CORSMiddleware(Starlette(routes=[Route("/files/{p:path}", files)]), policy=DOT_POLICY)
    r = TestClient(app).get("/files/..%2Fpublic/x", headers={"Origin": "https://evil.example"})
    assert r.text == "SECRET ../public/x"
    assert "access-control-allow-origin" not in r.headers


# Found in review: entries Starlette compared with == (so never matched)
# must not become live patterns, and regex syntax Python reads literally
# must not become a class corsc reads as a set.
@pytest.mark.parametrize(
    "origin", ["https://*.example.com", "http://localhost:*", "https://App.example.com", "https://bücher.example"]
)
def test_starlette_origins_that_never_matched_are_refused(origin: str) -> None:
    with pytest.raises(corsc.PolicyError, match="compares allow_origins with =="):
        CORSMiddleware(asgi_app, allow_origins=[origin], allow_credentials=True)


@pytest.mark.parametrize("regex", [r"https://a[[:digit:]]\.example\.com", r"https://[a-z&&[^x]]+\.example\.com"])
def test_starlette_regex_class_syntax_python_reads_literally_is_refused(regex: str) -> None:
    with pytest.raises(corsc.PolicyError, match="inside a character class"):
        CORSMiddleware(asgi_app, allow_origin_regex=regex)
