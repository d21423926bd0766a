"""The views of the corsc.django tests.

Every path is served by :func:`echo` (200, ``X-View: called``), so a test
can tell a response the view made from one a middleware answered itself.
A request with ``X-Set-Cors: 1`` gets a view that sets its own CORS
headers (a permissive ``Access-Control-Allow-Origin: *`` and friends) and
``Vary: Accept-Encoding``.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import re_path

#: What the "own CORS headers" view sets.
VIEW_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, PATCH",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "x-secret",
    "Access-Control-Max-Age": "999999",
}


def echo(request: HttpRequest) -> HttpResponse:
    """200 for any method and path."""
    response = HttpResponse(b"ok", content_type="text/plain")
    response["X-View"] = "called"
    if request.headers.get("X-Set-Cors") == "1":
        for name, value in VIEW_CORS_HEADERS.items():
            response[name] = value
        response["Vary"] = "Accept-Encoding"
    return response


async def async_echo(request: HttpRequest) -> HttpResponse:
    """The same, as a coroutine view."""
    return echo(request)


urlpatterns = [
    re_path(r"^async/", async_echo),
    re_path(r"^.*$", echo),
]
