"""CORS for any WSGI application (Flask, Django's WSGI handler, Pyramid,
Bottle...), from a corsc policy.

::

    from corsc.wsgi import CorsMiddleware

    app.wsgi_app = CorsMiddleware(app.wsgi_app, policy="api.corspolicy")  # Flask

It does what :mod:`corsc.asgi` does, the WSGI way:

- a preflight a policy covers is answered without calling the application
  (the outcome's status, headers, an empty body);
- for every other request, ``start_response`` is wrapped: the
  application's ``Access-Control-Allow-*``, ``Access-Control-Expose-Headers``
  and ``Access-Control-Max-Age`` headers are removed, the outcome's set, and
  ``Vary`` merged; the body iterable is returned as the application made it
  (streamed, never read or buffered; its ``close()`` is the application's).

The path evaluated is ``SCRIPT_NAME + PATH_INFO`` (the full path the client
asked for, percent-decoded by the server; WSGI hands it over as Latin-1
text, so its bytes are exactly those), with ``.`` and ``..`` segments
merged. Request headers come from the ``HTTP_*`` environ keys, as the server
joined repeated lines (with ``,``: a repeated ``Origin`` is malformed).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Iterable, List, Optional, Tuple

from ._corsc import Outcome
from .asgi import PolicyLike, apply_outcome, is_owned_header, load_policy, evaluated_path

__all__ = ["CorsMiddleware"]

Environ = dict
StartResponse = Callable[..., Callable[[bytes], Any]]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _status_line(status: int) -> str:
    """``"204 No Content"``: a status code with its reason phrase."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Status {status}"


class CorsMiddleware:
    """WSGI middleware answering CORS from a corsc policy.

    ``policy`` is a :class:`corsc.Policy` or the path (``str``,
    ``os.PathLike``) of a ``.corspolicy`` file or compiled table.
    """

    def __init__(self, app: WSGIApp, policy: PolicyLike) -> None:
        self.app = app
        self.policy = load_policy(policy)

    def evaluate(self, environ: Environ) -> Outcome:
        """The outcome of the request in ``environ``."""
        path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
        return self.policy.evaluate(
            environ.get("REQUEST_METHOD", "GET"),
            evaluated_path(path.encode("latin-1", "replace")),
            origin=environ.get("HTTP_ORIGIN"),
            request_method=environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            request_headers=environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            request_private_network=environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        outcome = self.evaluate(environ)
        if outcome.is_preflight:
            status = outcome.status or 204
            headers = list(outcome.headers)
            if status != 204:
                headers.append(("content-length", "0"))
            start_response(_status_line(status), headers)
            return []
        added = outcome.headers

        def start_response_with_cors(
            status: str, headers: List[Tuple[str, str]], exc_info: Optional[Any] = None
        ) -> Callable[[bytes], Any]:
            if added or any(is_owned_header(name.lower()) for name, _ in headers):
                headers = apply_outcome(headers, added)
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        return self.app(environ, start_response_with_cors)
