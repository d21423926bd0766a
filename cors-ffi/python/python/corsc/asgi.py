"""CORS for any ASGI application (Starlette, FastAPI, Quart, Django's ASGI
handler...), from a corsc policy.

::

    from corsc.asgi import CORSMiddleware

    app = CORSMiddleware(app, policy="api.corspolicy")
    # or, in place of Starlette's middleware, with its keyword arguments:
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])

The middleware behaves as corsc's other hosts (the nginx module, the wasm
worker):

- a preflight (``OPTIONS`` with ``Origin`` and
  ``Access-Control-Request-Method``) that a policy covers is answered
  without calling the application: the outcome's status, its headers and an
  empty body;
- every other ``http`` request goes to the application, and the
  ``http.response.start`` message it sends loses every
  ``Access-Control-Allow-*``, ``Access-Control-Expose-Headers`` and
  ``Access-Control-Max-Age`` header the application set, and gets the
  outcome's instead; ``Vary`` is merged into one line (an ``Origin``
  already there is not repeated, ``Vary: *`` is left alone);
- ``lifespan`` and ``websocket`` scopes pass through untouched (browsers
  apply no CORS to WebSockets: check a handshake's ``Origin`` in the
  application).

The path evaluated is ``scope["path"]`` (percent-decoded, the full path
including any ``root_path``), UTF-8 encoded, as the application routes it
(dot segments not merged), with a decoded ``?`` or ``#`` escaped again. Repeated
request headers are joined with ``,``, so a repeated ``Origin`` is
malformed and denied.
"""

from __future__ import annotations

import logging
import os
from typing import (
    Any,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    List,
    MutableMapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ._corsc import Outcome, Policy
from ._starlette import ARGUMENT_NAMES, StarletteArguments, policy_from_starlette, translate

__all__ = ["CORSMiddleware", "load_policy", "translate_starlette", "merge_vary"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PolicyLike = Union[Policy, str, "os.PathLike[str]"]

logger = logging.getLogger("corsc")

# The request headers the policy reads, as ASGI spells them.
_ORIGIN = b"origin"
_REQUEST_METHOD = b"access-control-request-method"
_REQUEST_HEADERS = b"access-control-request-headers"
_REQUEST_PRIVATE_NETWORK = b"access-control-request-private-network"
_READ = (_ORIGIN, _REQUEST_METHOD, _REQUEST_HEADERS, _REQUEST_PRIVATE_NETWORK)


def load_policy(policy: PolicyLike) -> Policy:
    """A :class:`corsc.Policy` as given, or read from a ``.corspolicy`` file
    or a table compiled by ``corsc compile`` (``str`` or ``os.PathLike``).

    The warnings ``corsc check`` reports on a source are logged (logger
    ``corsc``); errors raise :class:`corsc.PolicyError`.
    """
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, (str, os.PathLike)):
        loaded = Policy.from_file(os.fspath(policy))
        for warning in loaded.warnings:
            logger.warning("%s: %s", os.fspath(policy), warning)
        return loaded
    raise TypeError(
        "policy must be a corsc.Policy or the path of a .corspolicy file or table, "
        f"not {type(policy).__name__} (table bytes: corsc.Policy.from_table(data))"
    )


def translate_starlette(**kwargs: Any) -> str:
    """The ``.corspolicy`` source that ``CORSMiddleware(app, **kwargs)``
    compiles for Starlette's keyword arguments (to review it, or to save it
    as a policy file)."""
    return translate(StarletteArguments(**kwargs)).source


def is_owned_header(name: str) -> bool:
    """Whether a response header (lower-case name) is one the policy owns:
    ``Access-Control-Allow-*``, ``-Expose-Headers``, ``-Max-Age``."""
    return (
        name.startswith("access-control-allow-")
        or name == "access-control-expose-headers"
        or name == "access-control-max-age"
    )


def merge_vary(existing: Sequence[str], added: str) -> Optional[str]:
    """One ``Vary`` value: the tokens of the ``existing`` values followed by
    those of ``added`` not already there (compared case-insensitively).
    ``None`` when an existing value holds ``*``: leave ``Vary`` alone."""
    tokens: List[str] = []
    seen = set()
    for values, may_be_star in ((existing, True), ((added,), False)):
        for value in values:
            for token in value.split(","):
                token = token.strip()
                if not token:
                    continue
                if token == "*" and may_be_star:
                    return None
                if token.lower() not in seen:
                    seen.add(token.lower())
                    tokens.append(token)
    return ", ".join(tokens)


def apply_outcome(
    headers: Iterable[Tuple[str, str]], outcome_headers: Sequence[Tuple[str, str]]
) -> List[Tuple[str, str]]:
    """A response's headers with the outcome's applied: owned headers
    removed, the outcome's added, ``Vary`` merged. Names are compared
    case-insensitively and kept as the application wrote them."""
    kept: List[Tuple[str, str]] = []
    vary: List[str] = []
    vary_at: Optional[int] = None
    vary_name = "vary"
    for name, value in headers:
        lower = name.lower()
        if is_owned_header(lower):
            continue
        if lower == "vary":
            if vary_at is None:
                vary_at, vary_name = len(kept), name
            vary.append(value)
            continue
        kept.append((name, value))
    added_vary: Optional[str] = None
    for name, value in outcome_headers:
        if name == "vary":
            added_vary = value
        else:
            kept.append((name, value))
    merged = merge_vary(vary, added_vary) if added_vary is not None else None
    if merged is not None:
        vary_lines = [(vary_name, merged)]
    else:  # no Vary to add, or `Vary: *`: the application's lines as they were
        vary_lines = [(vary_name, value) for value in vary]
    at = len(kept) if vary_at is None else vary_at
    return kept[:at] + vary_lines + kept[at:]


def encode_path(path: str) -> bytes:
    """A decoded ASGI path as bytes: UTF-8, bytes a server could not decode
    (surrogate-escaped) restored, and any other lone surrogate kept rather
    than raising."""
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogatepass")


def evaluated_path(decoded: bytes) -> bytes:
    """The bytes corsc judges for a percent-decoded path: the path the
    application routes on, as it is (dot segments are not merged: Starlette
    and Flask route ``/files/../public/x``, which a browser sends as
    ``/files/..%2Fpublic/x``, to ``/files/{path}``, so corsc must judge it
    as a path under ``/files``), with a ``?`` or ``#`` (which the client
    sent as ``%3F`` or ``%23``) written back escaped, since corsc takes a
    ``?`` for the start of a query. The Django middleware does the same."""
    return decoded.replace(b"?", b"%3F").replace(b"#", b"%23")


def remove_dot_segments(path: bytes) -> bytes:
    """``path`` with ``.`` and ``..`` segments merged (RFC 3986, 5.2.4), as
    nginx normalizes the URI it serves. A path that ``..`` would take above
    the root stays at the root."""
    if b"." not in path:
        return path
    segments = path.split(b"/")
    out: List[bytes] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == b".":
            if last:
                out.append(b"")
        elif segment == b"..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append(b"")
        else:
            out.append(segment)
    result = b"/".join(out)
    if path.startswith(b"/") and not result.startswith(b"/"):
        result = b"/" + result
    return result


def _request_fields(raw_headers: Iterable[Tuple[bytes, bytes]]) -> List[Optional[bytes]]:
    """The four request headers the policy reads, repeated lines joined
    with ``,``; ``None`` for an absent one."""
    found: List[Optional[bytes]] = [None, None, None, None]
    for name, value in raw_headers:
        name = name.lower()
        if name in _READ:
            i = _READ.index(name)
            found[i] = value if found[i] is None else found[i] + b"," + value
    return found


class CORSMiddleware:
    """ASGI middleware answering CORS from a corsc policy.

    ``policy`` is a :class:`corsc.Policy` or the path (``str``,
    ``os.PathLike``) of a ``.corspolicy`` file or compiled table. In its
    place, the keyword arguments of Starlette's ``CORSMiddleware``
    (``allow_origins``, ``allow_origin_regex``, ``allow_methods``,
    ``allow_headers``, ``allow_credentials``, ``expose_headers``,
    ``max_age``, ``allow_private_network``, with Starlette's defaults) are
    translated into a policy (see :func:`translate_starlette`) and checked
    like any other: what corsc refuses (``allow_origins=["*"]`` with
    ``allow_credentials=True``...) raises :class:`corsc.PolicyError` here,
    naming the argument.
    """

    def __init__(self, app: ASGIApp, policy: Optional[PolicyLike] = None, **starlette: Any) -> None:
        unknown = sorted(set(starlette) - set(ARGUMENT_NAMES))
        if unknown:
            raise TypeError(
                f"CORSMiddleware got unexpected keyword arguments {', '.join(unknown)} "
                f"(it takes policy=, or Starlette's {', '.join(ARGUMENT_NAMES)})"
            )
        if policy is not None and starlette:
            raise TypeError(
                "give either policy= or Starlette's keyword arguments "
                f"({', '.join(sorted(starlette))}), not both"
            )
        if policy is None:
            self.policy = policy_from_starlette(StarletteArguments(**starlette))
            for warning in self.policy.warnings:
                logger.warning("Starlette CORSMiddleware arguments: %s", warning)
        else:
            self.policy = load_policy(policy)
        self.app = app

    def evaluate(self, scope: Scope) -> Outcome:
        """The outcome of an ``http`` scope's request."""
        origin, request_method, request_headers, private_network = _request_fields(
            scope.get("headers") or ()
        )
        path = evaluated_path(encode_path(scope.get("path", "/")))
        return self.policy.evaluate(
            scope["method"],
            path,
            origin=origin,
            request_method=request_method,
            request_headers=request_headers,
            request_private_network=private_network,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        outcome = self.evaluate(scope)
        if outcome.is_preflight:
            await self._preflight(outcome, send)
            return
        added = outcome.headers

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Any iterable of pairs is allowed; read it once.
                headers = list(message.get("headers") or ())
                if headers is not message.get("headers"):
                    message = dict(message, headers=headers)
                if added or any(is_owned_header(name.lower().decode("latin-1")) for name, _ in headers):
                    decoded = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]
                    message = dict(message)
                    message["headers"] = [
                        (n.encode("latin-1"), v.encode("latin-1")) for n, v in apply_outcome(decoded, added)
                    ]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    async def _preflight(outcome: Outcome, send: Send) -> None:
        """Answers a preflight: the outcome's status and headers, no body."""
        status = outcome.status or 204
        headers = list(outcome.raw_headers)
        if status != 204:
            headers.append((b"content-length", b"0"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
