"""``corsc.django.CorsMiddleware``: a drop-in for django-cors-headers'.

Semantics are those of the other corsc hosts (the nginx module, the wasm
worker): the policy is the whole truth.

- A preflight the policy covers is answered here, without calling the
  view, with the outcome's status (204 allowed, 403 denied), headers and an
  empty body.
- Every other response gets the outcome's headers: each
  ``Access-Control-Allow-*``, ``Access-Control-Expose-Headers`` and
  ``Access-Control-Max-Age`` header the view (or a middleware below this
  one) set is removed first, so a view cannot grant what the policy
  denies; ``Vary`` is merged (``django.utils.cache.patch_vary_headers``),
  never duplicated, and ``Vary: *`` stays ``*``.
- The request is judged on ``request.path_info`` (the path without the
  script prefix, what ``urls.py`` and django-cors-headers'
  ``CORS_URLS_REGEX`` see), the method as the client sent it, and the
  ``Origin`` and ``Access-Control-Request-*`` headers from ``request.META``
  as the bytes the client sent.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, Union

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

import corsc

from .config import POLICY_SETTING, LoadedPolicy, load_policy

logger = logging.getLogger("corsc.django")

GetResponse = Union[
    Callable[[HttpRequest], HttpResponseBase],
    Callable[[HttpRequest], Awaitable[HttpResponseBase]],
]

#: Bumped whenever a setting the policy is made of changes
#: (``override_settings`` in tests; never in production), so that running
#: middlewares reload it on their next request.
_generation = 0


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    global _generation
    if setting.startswith("CORS_") or setting == POLICY_SETTING:
        _generation += 1


def is_owned_header(name: str) -> bool:
    """Whether the policy owns response header ``name`` (any case): the
    view's value is removed, whatever the outcome."""
    name = name.lower()
    return (
        name.startswith("access-control-allow-")
        or name == "access-control-expose-headers"
        or name == "access-control-max-age"
    )


def request_method(request: HttpRequest) -> str:
    """The method as the client sent it. Django upper-cases
    ``request.method``; corsc compares methods case-sensitively, as
    browsers do (a page's ``fetch(url, {method: "patch"})`` sends
    ``patch``)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and isinstance(scope.get("method"), str):
        return scope["method"]
    method = request.META.get("REQUEST_METHOD")
    return method if isinstance(method, str) and method else (request.method or "GET")


def request_path(request: HttpRequest) -> bytes:
    """``request.path_info`` as the UTF-8 bytes corsc matches ``paths``
    against. Django has already percent-decoded it; a ``?`` or ``#`` in it
    came from ``%3F`` / ``%23`` and is written back that way, so that corsc
    does not take it for the start of a query."""
    path = request.path_info.encode("utf-8", "surrogateescape")
    return path.replace(b"?", b"%3F").replace(b"#", b"%23")


def evaluate(policy: corsc.Policy, request: HttpRequest) -> corsc.Outcome:
    """The policy's outcome for ``request``."""
    meta = request.META
    return policy.evaluate(
        request_method(request),
        request_path(request),
        origin=meta.get("HTTP_ORIGIN"),
        request_method=meta.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
        request_headers=meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        request_private_network=meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
    )


def preflight_response(outcome: corsc.Outcome) -> HttpResponse:
    """The answer to a preflight: the outcome's status and headers, an
    empty body, no ``Content-Type``."""
    status = outcome.status or 204
    response = HttpResponse(status=status)
    del response.headers["Content-Type"]
    if status != 204:
        response.headers["Content-Length"] = "0"
    for name, value in outcome.headers:
        response.headers[name] = value
    return response


def apply_outcome(response: HttpResponseBase, outcome: corsc.Outcome) -> HttpResponseBase:
    """Replaces the CORS headers of ``response`` with the outcome's and
    merges its ``Vary`` (as ``patch_vary_headers`` does, without its cost
    in the usual case of a response with no ``Vary`` yet)."""
    headers = response.headers
    owned = [name for name in headers if is_owned_header(name)]
    for name in owned:
        del headers[name]
    for name, value in outcome.headers:
        if name != "vary":
            headers[name] = value
        elif "Vary" not in headers:
            headers["Vary"] = value
        else:
            patch_vary_headers(response, [t.strip() for t in value.split(",") if t.strip()])
    return response


class CorsMiddleware:
    """CORS for Django, decided by a compiled corsc policy.

    Put it in ``MIDDLEWARE`` where django-cors-headers' was: as high as
    possible, above every middleware that can answer a request itself
    (``CommonMiddleware``, WhiteNoise). Configuration: ``CORSC_POLICY``, or
    the django-cors-headers settings, read once when the middleware is
    built; a policy corsc refuses raises ``ImproperlyConfigured`` then.

    The outcome of each request is available to views as
    ``request.corsc_outcome``.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        self.loaded: LoadedPolicy
        self.policy: corsc.Policy
        self._generation = -1
        self._load()

    def _load(self) -> None:
        """(Re)reads the configuration; raises ``ImproperlyConfigured`` when
        the policy is refused."""
        generation = _generation
        loaded = load_policy()
        if loaded.policy is None:
            raise ImproperlyConfigured(loaded.refusal())
        self.loaded = loaded
        self.policy = loaded.policy
        self._generation = generation

    def _outcome(self, request: HttpRequest) -> corsc.Outcome:
        if self._generation != _generation:
            self._load()
        outcome = evaluate(self.policy, request)
        request.corsc_outcome = outcome  # type: ignore[attr-defined]
        if outcome.reason is not None and not outcome.allowed and outcome.decision != "pass":
            logger.debug(
                "%s %s: %s %s (policy %s, origin %r)",
                request.method,
                request.path_info,
                outcome.decision,
                outcome.reason,
                outcome.policy,
                request.META.get("HTTP_ORIGIN"),
            )
        return outcome

    def __call__(
        self, request: HttpRequest
    ) -> Union[HttpResponseBase, Awaitable[HttpResponseBase]]:
        if self.async_mode:
            return self.__acall__(request)
        outcome = self._outcome(request)
        if outcome.is_preflight:
            return preflight_response(outcome)
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return apply_outcome(response, outcome)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """The async path: the same, awaiting the view."""
        outcome = self._outcome(request)
        if outcome.is_preflight:
            return preflight_response(outcome)
        response = await self.get_response(request)  # type: ignore[misc]
        return apply_outcome(response, outcome)


__all__ = [
    "CorsMiddleware",
    "apply_outcome",
    "evaluate",
    "is_owned_header",
    "preflight_response",
    "request_method",
    "request_path",
]
