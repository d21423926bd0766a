"""corsc.wsgi.CorsMiddleware: a Flask application through Flask's test
client, and the same outcomes as corsc.asgi.CORSMiddleware."""

from __future__ import annotations

import warnings
from typing import Any, Dict, Iterable, List, Optional, Tuple

import pytest
from flask import Flask, Response, stream_with_context
from werkzeug.test import Client

import corsc
from corsc.asgi import CORSMiddleware
from corsc.wsgi import CorsMiddleware

warnings.filterwarnings("ignore", message=".*httpx.*")
from starlette.testclient import TestClient  # noqa: E402

POLICY = """
policy api {
    paths /api/;
    origins https://app.example.com ~"^https://pr-[0-9]+\\.preview\\.example\\.com$";
    methods GET POST PUT;
    allow-headers Content-Type X-Token;
    expose-headers X-Request-Id;
    credentials on;
    max-age 10m;
}
policy public {
    origins *;
    methods GET;
    expose-headers X-Total;
}
"""
APP = "https://app.example.com"


@pytest.fixture(scope="module")
def policy() -> corsc.Policy:
    return corsc.Policy.from_source(POLICY)


def flask_app(policy: corsc.Policy) -> Tuple[Flask, List[str]]:
    """A Flask app with CORS code of its own, behind the middleware; the list
    records the views called."""
    app = Flask(__name__)
    called: List[str] = []

    @app.route("/api/users", methods=["GET", "PUT", "OPTIONS"])
    def users() -> Response:
        called.append("users")
        response = Response("users")
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Methods"] = "DELETE"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    @app.route("/api/stream")
    def stream() -> Response:
        called.append("stream")

        def chunks() -> Iterable[bytes]:
            for i in range(3):
                called.append(f"chunk {i}")
                yield f"chunk {i};".encode()

        return Response(stream_with_context(chunks()), headers={"Vary": "*"})

    @app.route("/public/<name>")
    def public(name: str) -> Response:
        called.append(name)
        return Response(name, headers={"Vary": "Cookie, Origin"})

    app.wsgi_app = CorsMiddleware(app.wsgi_app, policy=policy)  # type: ignore[method-assign]
    return app, called


def test_allowed_denied_and_app_headers_stripped(policy: corsc.Policy) -> None:
    app, called = flask_app(policy)
    client = app.test_client()
    allowed = client.get("/api/users", headers={"Origin": APP})
    assert allowed.status_code == 200 and allowed.text == "users"
    assert allowed.headers.getlist("Access-Control-Allow-Origin") == [APP]
    assert allowed.headers.getlist("Access-Control-Allow-Credentials") == ["true"]
    assert allowed.headers.getlist("Access-Control-Expose-Headers") == ["x-request-id"]
    assert "Access-Control-Allow-Methods" not in allowed.headers
    assert allowed.headers.getlist("Vary") == ["Accept-Encoding, Origin"]

    denied = client.get("/api/users", headers={"Origin": "https://app.example.com.evil.test"})
    assert denied.status_code == 200 and denied.text == "users"
    assert [k for k in denied.headers.keys() if k.lower().startswith("access-control-")] == []
    assert denied.headers.getlist("Vary") == ["Accept-Encoding, Origin"]

    regex = client.put("/api/users", headers={"Origin": "https://pr-42.preview.example.com"})
    assert regex.headers["Access-Control-Allow-Origin"] == "https://pr-42.preview.example.com"

    repeated = client.get("/api/users", headers=[("Origin", APP), ("Origin", APP)])
    assert "Access-Control-Allow-Origin" not in repeated.headers
    assert called == ["users"] * 4


def test_preflight_is_answered_without_the_view(policy: corsc.Policy) -> None:
    app, called = flask_app(policy)
    client = app.test_client()
    r = client.options("/api/users", headers={"Origin": APP, "Access-Control-Request-Method": "PUT",
                                              "Access-Control-Request-Headers": "content-type, x-token"})
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Access-Control-Allow-Origin"] == APP
    assert r.headers["Access-Control-Allow-Methods"] == "GET, POST, PUT"
    assert r.headers["Access-Control-Allow-Headers"] == "content-type, x-token"
    assert r.headers["Access-Control-Max-Age"] == "600"
    denied = client.options("/api/users", headers={"Origin": APP, "Access-Control-Request-Method": "DELETE"})
    assert denied.status_code == 403 and denied.data == b""
    assert [k for k in denied.headers.keys() if k.lower().startswith("access-control-")] == []
    assert called == []
    # An OPTIONS that is not a preflight reaches the view.
    client.options("/api/users", headers={"Origin": APP})
    assert called == ["users"]


def test_vary_merge(policy: corsc.Policy) -> None:
    app, _ = flask_app(policy)
    client = app.test_client()
    # `origins *` sends no Vary: the view's stays as it was.
    assert client.get("/public/a", headers={"Origin": APP}).headers.getlist("Vary") == ["Cookie, Origin"]
    r = client.get("/api/stream", headers={"Origin": "https://evil.test"})
    assert r.headers.getlist("Vary") == ["*"]


def test_streaming_body_is_untouched(policy: corsc.Policy) -> None:
    app, called = flask_app(policy)
    response = app.test_client().get("/api/stream", headers={"Origin": APP}, buffered=False)
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert b"".join(response.response) == b"chunk 0;chunk 1;chunk 2;"
    response.close()
    # The middleware hands back the application's iterable itself: nothing
    # read, nothing buffered, the application's close().
    made: List[str] = []

    class Body:
        def __iter__(self) -> Iterable[bytes]:
            made.append("iter")
            yield b"x"

        def close(self) -> None:
            made.append("close")

    body = Body()

    def inner(environ: Dict[str, Any], start_response: Any) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    out = CorsMiddleware(inner, policy=policy)(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/x", "HTTP_ORIGIN": APP}, lambda s, h, e=None: None)
    assert out is body and made == []


def test_script_name_and_path_info(policy: corsc.Policy) -> None:
    mw = CorsMiddleware(lambda environ, start_response: [], policy=policy)
    base = {"REQUEST_METHOD": "GET", "HTTP_ORIGIN": APP}
    assert mw.evaluate({**base, "SCRIPT_NAME": "/api", "PATH_INFO": "/users"}).policy == "api"
    # As Flask routes it: dot segments are not merged.
    assert mw.evaluate({**base, "SCRIPT_NAME": "", "PATH_INFO": "/public/../api/x"}).policy == "public"
    assert mw.evaluate({**base, "SCRIPT_NAME": "/public", "PATH_INFO": "/x"}).policy == "public"
    # PEP 3333: PATH_INFO is the request's bytes as Latin-1 text.
    path = "/caf\u00c3\u00a9/../api/x"
    assert mw.evaluate({**base, "PATH_INFO": path}).policy == "public"


def test_start_response_exc_info_is_passed_on(policy: corsc.Policy) -> None:
    seen: List[Any] = []

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            import sys
            start_response("500 Internal Server Error",
                           [("Access-Control-Allow-Origin", "*")], sys.exc_info())
        return [b"error"]

    def start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, headers, exc_info))
        return lambda data: None

    body = CorsMiddleware(app, policy=policy)(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/x", "HTTP_ORIGIN": "https://evil.test"}, start_response)
    assert list(body) == [b"error"]
    status, headers, exc_info = seen[0]
    assert status.startswith("500") and exc_info[0] is RuntimeError
    assert headers == [("vary", "Origin")]


# --- WSGI and ASGI give the same answers -----------------------------------

REQUESTS: List[Tuple[str, str, List[Tuple[str, str]]]] = []
# (No dot segments: werkzeug's client and httpx resolve them differently
# before the application sees the path, and each host judges what its
# application routes.)
for path in ("/api/users", "/public/x", "/apix"):
    for origin in (None, APP, "https://evil.test", "https://pr-7.preview.example.com",
                   "https://pr-7.preview.example.com.evil.test", "null", "HTTPS://APP.EXAMPLE.COM"):
        headers = [] if origin is None else [("Origin", origin)]
        for method in ("GET", "PUT", "DELETE"):
            REQUESTS.append((method, path, headers))
        if origin is not None:
            for requested, extra in (("PUT", None), ("DELETE", None), ("GET", "x-token, Content-Type"),
                                     ("POST", "x-other"), ("GET", "x-token,,")):
                h = headers + [("Access-Control-Request-Method", requested)]
                if extra is not None:
                    h.append(("Access-Control-Request-Headers", extra))
                REQUESTS.append(("OPTIONS", path, h))
REQUESTS.append(("GET", "/api/users", [("Origin", APP), ("Origin", "https://evil.test")]))


def wsgi_inner(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "*"),
                              ("Vary", "Accept-Encoding")])
    return [b"ok"]


async def asgi_inner(scope: Dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"access-control-allow-origin", b"*"),
                            (b"vary", b"Accept-Encoding")]})
    await send({"type": "http.response.body", "body": b"ok"})


def cors_fields(status: int, headers: Iterable[Tuple[str, str]], body: bytes) -> Tuple[Any, ...]:
    """Status, body and every Access-Control-* and Vary header, exactly."""
    picked = sorted((k.lower(), v) for k, v in headers
                    if k.lower().startswith("access-control-") or k.lower() in ("vary", "content-length"))
    return (status, body, picked)


def test_wsgi_and_asgi_answer_alike(policy: corsc.Policy) -> None:
    wsgi = Client(CorsMiddleware(wsgi_inner, policy=policy))
    asgi = TestClient(CORSMiddleware(asgi_inner, policy=policy))
    assert len(REQUESTS) > 100
    for method, path, headers in REQUESTS:
        w = wsgi.open(path, method=method, headers=headers)
        a = asgi.request(method, path, headers=headers)
        ours = cors_fields(w.status_code, w.headers.items(), w.get_data())
        theirs = cors_fields(a.status_code, a.headers.multi_items(), a.content)
        assert ours == theirs, (method, path, headers)
