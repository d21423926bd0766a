"""corsc.django: the sync and async paths, header ownership, startup
refusal, the system checks and the request's path."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from django_support import CORSC, CORSHEADERS, HERE  # noqa: F401 (configures Django)

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import AsyncClient, Client, RequestFactory
from django.test.utils import override_settings
from django.http import HttpResponse

import corsc
from corsc.django import CorsMiddleware, load_policy
from corsc.django.middleware import request_path

APP = "https://app.example.com"
LIST = {"CORS_ALLOWED_ORIGINS": [APP]}
PREFLIGHT = {"Origin": APP, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}


def cors_headers(response: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in response.items() if k.lower().startswith("access-control-") or k.lower() == "vary"}


# --- sync and async paths ----------------------------------------------------


def test_sync_preflight_answered_without_the_view() -> None:
    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        response = Client().options("/api/items", headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.get("X-View") is None
    assert response.content == b""
    assert "Content-Type" not in response
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Allow-Methods"] == "DELETE, GET, OPTIONS, PATCH, POST, PUT"


def test_sync_denied_preflight_is_403_without_cors_headers() -> None:
    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        response = Client().options("/api/items", headers={**PREFLIGHT, "Origin": "https://evil.test"})
    assert response.status_code == 403
    assert response.get("X-View") is None
    assert response["Content-Length"] == "0"
    assert not [h for h in cors_headers(response) if h.startswith("access-control-")]
    assert response["Vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


@pytest.mark.parametrize("path", ["/api/items", "/async/items"])
def test_async_path(path: str) -> None:
    """AsyncClient runs the ASGI handler: the middleware is in async mode
    (a sync view and a coroutine view)."""

    async def go() -> tuple[Any, Any, Any]:
        client = AsyncClient()
        return (
            await client.options(path, headers=PREFLIGHT),
            await client.get(path, headers={"Origin": APP}),
            await client.get(path, headers={"Origin": "https://evil.test", "X-Set-Cors": "1"}),
        )

    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        preflight, allowed, denied = asyncio.run(go())
    assert preflight.status_code == 204 and preflight.get("X-View") is None
    assert allowed.status_code == 200 and allowed["X-View"] == "called"
    assert cors_headers(allowed) == {"access-control-allow-origin": APP, "vary": "Origin"}
    assert cors_headers(denied) == {"vary": "Accept-Encoding, Origin"}


def test_async_mode_is_chosen_from_get_response() -> None:
    async def async_view(request: Any) -> HttpResponse:
        return HttpResponse("x")

    def sync_view(request: Any) -> HttpResponse:
        return HttpResponse("x")

    with override_settings(**LIST):
        assert CorsMiddleware(async_view).async_mode is True
        assert asyncio.iscoroutinefunction(CorsMiddleware(async_view))
        assert CorsMiddleware(sync_view).async_mode is False
        middleware = CorsMiddleware(async_view)
        request = RequestFactory().get("/api/items", headers={"Origin": APP})
        response = asyncio.run(middleware(request))
        assert response["Access-Control-Allow-Origin"] == APP
        assert request.corsc_outcome.decision == "actual-allowed"


def test_asgi_handler_end_to_end() -> None:
    """The real ASGIHandler, driven by hand (what uvicorn would do)."""

    async def go() -> list[dict[str, Any]]:
        handler = ASGIHandler()
        sent: list[dict[str, Any]] = []
        received = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            return received.pop(0) if received else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "OPTIONS",
            "scheme": "https",
            "path": "/api/items",
            "raw_path": b"/api/items",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"origin", APP.encode()), (b"access-control-request-method", b"DELETE")],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 443),
        }
        await handler(scope, receive, send)
        return sent

    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        sent = asyncio.run(go())
    start = sent[0]
    assert start["status"] == 204
    headers = dict(start["headers"])
    assert headers[b"access-control-allow-origin"] == APP.encode()
    assert b"x-view" not in headers


# --- the view's own CORS headers ---------------------------------------------


@pytest.mark.parametrize("origin", [None, APP, "https://evil.test"])
def test_view_cors_headers_do_not_leak(origin: str | None) -> None:
    """A view that sets ``Access-Control-Allow-Origin: *`` (and
    credentials, methods, max-age) never gets them to the client: only the
    policy's answer does."""
    headers = {"X-Set-Cors": "1"}
    if origin:
        headers["Origin"] = origin
    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        response = Client().get("/api/items", headers=headers)
    got = cors_headers(response)
    if origin == APP:
        assert got == {"access-control-allow-origin": APP, "vary": "Accept-Encoding, Origin"}
    else:
        assert got == {"vary": "Accept-Encoding, Origin"}


def test_view_cors_headers_removed_outside_the_policy_paths() -> None:
    with override_settings(MIDDLEWARE=[CORSC], CORS_URLS_REGEX=r"^/api/", **LIST):
        response = Client().get("/public/x", headers={"Origin": "https://evil.test", "X-Set-Cors": "1"})
    assert cors_headers(response) == {"vary": "Accept-Encoding"}


def test_vary_star_stays() -> None:
    def view(request: Any) -> HttpResponse:
        response = HttpResponse("x")
        response["Vary"] = "*"
        return response

    with override_settings(**LIST):
        response = CorsMiddleware(view)(RequestFactory().get("/", headers={"Origin": APP}))
    assert response["Vary"] == "*"


def test_vary_origin_not_repeated() -> None:
    def view(request: Any) -> HttpResponse:
        response = HttpResponse("x")
        response["Vary"] = "origin, Cookie"
        return response

    with override_settings(**LIST):
        response = CorsMiddleware(view)(RequestFactory().get("/", headers={"Origin": APP}))
    assert response["Vary"] == "origin, Cookie"


# --- startup refusal and the system checks -----------------------------------

REFUSED = {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True}


def test_refused_at_startup_with_rendered_diagnostics() -> None:
    with override_settings(**REFUSED):
        with pytest.raises(ImproperlyConfigured) as raised:
            CorsMiddleware(lambda request: HttpResponse())
    text = str(raised.value)
    assert "[corsc.E001] error[CORS0093]: refusing CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True" in text
    # corsc check's own diagnostic on the translated policy, rendered
    # with its source line and caret.
    assert "error[CORS0016]: policy `django` has no `origins`" in text
    assert "policy django {" in text and "^^^^^^" in text
    assert "# origins *;" in text  # the translated policy is shown
    assert "CORSC_POLICY" in text


def test_refused_when_the_stack_is_built() -> None:
    with override_settings(MIDDLEWARE=[CORSC], **REFUSED):
        with pytest.raises(ImproperlyConfigured):
            Client().get("/api/items")


def test_refused_regex_that_escapes_the_domain() -> None:
    with override_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://.*example\.com$"]):
        loaded = load_policy()
    assert loaded.policy is None
    assert loaded.errors and all(f.id == "corsc.E001" for f in loaded.errors)


def _corsc_checks() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if (m.id or "").startswith("corsc.")]


def test_check_ids_for_a_refused_policy() -> None:
    with override_settings(MIDDLEWARE=[CORSC], **REFUSED):
        messages = _corsc_checks()
    ids = [m.id for m in messages]
    assert ids.count("corsc.E001") >= 2
    refusal = next(m for m in messages if "CORS0093" in m.msg)
    assert isinstance(refusal, checks.Error)
    assert refusal.hint and "CORSC_POLICY" in refusal.hint


def test_manage_py_check_fails_with_stable_ids() -> None:
    out = io.StringIO()
    with override_settings(MIDDLEWARE=[CORSC], **REFUSED):
        with pytest.raises(SystemCheckError) as raised:
            call_command("check", stdout=out, stderr=out)
    assert "corsc.E001" in str(raised.value)
    assert "CORS0093" in str(raised.value)


def test_check_warnings() -> None:
    settings = {
        "CORS_ALLOWED_ORIGINS": ["https://App.example.com", "null"],
        "CORS_REPLACE_HTTPS_REFERER": True,
    }
    with override_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware", CORSC, CORSHEADERS], **settings):
        ids = sorted({m.id for m in _corsc_checks()})
    # W001 translation adjusted; W002 corsc check (null, max-age); E003
    # both middlewares; W005 below CommonMiddleware.
    assert ids == ["corsc.E003", "corsc.W001", "corsc.W002", "corsc.W005"]


def test_check_no_origin_and_missing_middleware() -> None:
    with override_settings(MIDDLEWARE=[]):
        ids = sorted({m.id for m in _corsc_checks()})
    assert ids == ["corsc.W004", "corsc.W006"]


def test_clean_settings_only_warn_about_max_age() -> None:
    with override_settings(MIDDLEWARE=[CORSC], CORS_PREFLIGHT_MAX_AGE=7200, **LIST):
        assert _corsc_checks() == []
    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        messages = _corsc_checks()
    assert [m.id for m in messages] == ["corsc.W002"] and "CORS0072" in messages[0].msg


def test_check_request_enabled_receivers_are_reported() -> None:
    from corsheaders.signals import check_request_enabled

    def receiver(sender: Any, request: Any, **kwargs: Any) -> bool:
        return True

    check_request_enabled.connect(receiver)
    try:
        with override_settings(MIDDLEWARE=[CORSC], CORS_PREFLIGHT_MAX_AGE=7200, **LIST):
            assert [m.id for m in _corsc_checks()] == ["corsc.W007"]
    finally:
        check_request_enabled.disconnect(receiver)


def test_django_admin_check_subprocess(tmp_path: Path) -> None:
    """The real command line, in a project whose settings only name the
    app and the middleware."""
    (tmp_path / "proj_settings.py").write_text(
        "from django_settings.base import *\n"
        "MIDDLEWARE = ['corsc.django.CorsMiddleware']\n"
        "CORS_ALLOW_ALL_ORIGINS = True\n"
        "CORS_ALLOW_CREDENTIALS = True\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), HERE]), DJANGO_SETTINGS_MODULE="proj_settings")
    done = subprocess.run(
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "(corsc.E001)" in done.stderr
    assert "CORS0093" in done.stderr


# --- CORSC_POLICY ------------------------------------------------------------

POLICY = """policy api {
    paths /api/;
    origins https://app.example.com;
    methods GET PUT;
    credentials on;
}
"""


def test_corsc_policy_file_and_table(tmp_path: Path) -> None:
    source = tmp_path / "cors.corspolicy"
    source.write_text(POLICY)
    table = tmp_path / "cors.table"
    table.write_bytes(corsc.Policy.from_source(POLICY).table)
    for path in (source, str(table)):
        with override_settings(MIDDLEWARE=[CORSC], CORSC_POLICY=path, CORS_ALLOW_ALL_ORIGINS=True):
            client = Client()
            allowed = client.get("/api/items", headers={"Origin": APP})
            other = client.get("/public", headers={"Origin": APP})
            ids = [m.id for m in _corsc_checks()]
        assert allowed["Access-Control-Allow-Origin"] == APP
        assert allowed["Access-Control-Allow-Credentials"] == "true"
        assert "Access-Control-Allow-Origin" not in other
        assert ids == ["corsc.W003"]  # CORS_ALLOW_ALL_ORIGINS is ignored


def test_corsc_policy_refused_and_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.corspolicy"
    bad.write_text("policy api {\n    origins *;\n    credentials on;\n}\n")
    with override_settings(CORSC_POLICY=bad):
        with pytest.raises(ImproperlyConfigured) as raised:
            CorsMiddleware(lambda r: HttpResponse())
        assert "CORS0041" in str(raised.value) and "bad.corspolicy:2" in str(raised.value)
    with override_settings(CORSC_POLICY=tmp_path / "missing.corspolicy"):
        assert [f.id for f in load_policy().findings] == ["corsc.E002"]
    with override_settings(CORSC_POLICY=42):
        assert [f.id for f in load_policy().findings] == ["corsc.E002"]


def test_settings_change_reloads_the_policy() -> None:
    with override_settings(MIDDLEWARE=[CORSC], **LIST):
        client = Client()
        assert client.get("/a", headers={"Origin": APP}).has_header("Access-Control-Allow-Origin")
        with override_settings(CORS_ALLOWED_ORIGINS=["https://other.example.com"]):
            assert not client.get("/a", headers={"Origin": APP}).has_header("Access-Control-Allow-Origin")


# --- the request's path and method --------------------------------------------


def test_path_info_without_script_prefix() -> None:
    """``CORS_URLS_REGEX`` (and ``paths``) match ``request.path_info``, as
    django-cors-headers did: an app mounted at /mount keeps its policy."""
    with override_settings(MIDDLEWARE=[CORSC], CORS_URLS_REGEX=r"^/api/", **LIST):
        response = Client().get("/api/items", SCRIPT_NAME="/mount", headers={"Origin": APP})
        assert response.wsgi_request.path == "/mount/api/items"
        assert response["Access-Control-Allow-Origin"] == APP
        outside = Client().get("/mount/api/items", headers={"Origin": APP})
        assert not outside.has_header("Access-Control-Allow-Origin")
    for which in (CORSHEADERS,):
        with override_settings(MIDDLEWARE=[which], CORS_URLS_REGEX=r"^/api/", **LIST):
            response = Client().get("/api/items", SCRIPT_NAME="/mount", headers={"Origin": APP})
            assert response["Access-Control-Allow-Origin"] == APP


def test_request_path_escapes_query_characters() -> None:
    request = RequestFactory().get("/api%3Fx/caf%C3%A9%23")
    assert request.path_info == "/api?x/café#"
    assert request_path(request) == "/api%3Fx/café%23".encode()
    with override_settings(MIDDLEWARE=[CORSC], CORS_URLS_REGEX=r"^/api/", **LIST):
        response = Client().get("/api%3Fx", headers={"Origin": APP})
    assert not response.has_header("Access-Control-Allow-Origin")


def test_method_as_sent() -> None:
    """Django upper-cases ``request.method``; corsc sees ``patch`` as sent,
    so a policy listing ``patch`` allows the browser's ``patch``."""
    settings = {"CORS_ALLOWED_ORIGINS": [APP], "CORS_ALLOW_METHODS": ["GET", "patch"]}
    with override_settings(MIDDLEWARE=[CORSC], **settings):
        client = Client()
        lower = client.generic("patch", "/api/items", headers={"Origin": APP})
        upper = client.generic("PATCH", "/api/items", headers={"Origin": APP})
    assert lower["Access-Control-Allow-Origin"] == APP
    assert not upper.has_header("Access-Control-Allow-Origin")
