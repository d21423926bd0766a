"""Differential tests: corsc.asgi.CORSMiddleware against Starlette's own
CORSMiddleware, same keyword arguments, same requests, same process."""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*httpx.*")

from starlette.middleware.cors import CORSMiddleware as StarletteCORS  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from corsc.asgi import CORSMiddleware  # noqa: E402

APP = "https://app.example.com"


async def inner_app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
    """The application both middlewares wrap: 200 ``ok`` to everything."""
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"x-app", b"1")]})
    await send({"type": "http.response.body", "body": b"ok"})


#: Starlette keyword arguments: (name, kwargs).
CONFIGS: List[Tuple[str, Dict[str, Any]]] = [
    ("list", dict(allow_origins=[APP, "http://localhost:8000"])),
    ("list-credentials", dict(allow_origins=[APP, "http://localhost:8000"], allow_credentials=True)),
    ("star", dict(allow_origins=["*"])),
    ("star-everything", dict(allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                             expose_headers=["X-Id", "X-Total"])),
    ("regex-credentials", dict(allow_origin_regex=r"https://[a-z0-9-]+\.example\.com",
                               allow_credentials=True, allow_methods=["GET", "PUT"])),
    ("regex-and-list", dict(allow_origins=["https://partner.test"],
                            allow_origin_regex=r"https://pr-\d+\.preview\.example\.com",
                            allow_methods=["PUT", "DELETE"], allow_headers=["X-Token"],
                            expose_headers=["X-Id"], max_age=60)),
    ("null", dict(allow_origins=["null", APP], allow_methods=["POST", "PATCH"])),
    ("credentials-all-methods", dict(allow_origins=[APP], allow_credentials=True, allow_methods=["*"],
                                     allow_headers=["X-Token", "Authorization"],
                                     expose_headers=["X-Id"])),
    ("ports", dict(allow_origins=["https://app.example.com:8443", "http://127.0.0.1:3000"],
                   allow_methods=["GET", "POST", "PUT"], max_age=0)),
    ("headers-star", dict(allow_origins=[APP], allow_headers=["*"], allow_methods=["GET", "DELETE"])),
    ("private-network", dict(allow_origins=[APP], allow_private_network=True, allow_methods=["PUT"])),
    ("word-regex", dict(allow_origin_regex=r"https://\w+\.example\.com", allow_headers=["x-token"])),
]

PREFLIGHT = "access-control-request-method"
REQ_HEADERS = "access-control-request-headers"


def pf(origin: str, method: str, headers: Optional[str] = None, **extra: str) -> Tuple[str, List[Tuple[str, str]]]:
    """A preflight request."""
    h = [("origin", origin), (PREFLIGHT, method)]
    if headers is not None:
        h.append((REQ_HEADERS, headers))
    h += [(k.replace("_", "-"), v) for k, v in extra.items()]
    return ("OPTIONS", h)


def get(origin: Optional[str], method: str = "GET") -> Tuple[str, List[Tuple[str, str]]]:
    """An actual request."""
    return (method, [] if origin is None else [("origin", origin)])


#: Requests: (method, header list).
REQUESTS: List[Tuple[str, List[Tuple[str, str]]]] = [
    get(None),
    get(None, "DELETE"),
    get(APP),
    get(APP, "POST"),
    get(APP, "PUT"),
    get(APP, "DELETE"),
    get("https://evil.test"),
    get("https://app.example.com.evil.test"),
    get("https://evilapp.example.com"),
    get("HTTPS://APP.EXAMPLE.COM"),
    get("https://app.example.com:443"),
    get("https://app.example.com/"),
    get("https://app.example.com:8443"),
    get("http://127.0.0.1:3000"),
    get("http://localhost:8000"),
    get("http://localhost:9000"),
    get("null"),
    get("https://pr-12.preview.example.com"),
    get("https://pr-x.preview.example.com"),
    get("https://tenant.example.com"),
    get("https://partner.test"),
    ("GET", [("origin", APP), ("origin", "https://evil.test")]),
    ("OPTIONS", [("origin", APP)]),
    ("OPTIONS", [(PREFLIGHT, "PUT")]),
    pf(APP, "GET"),
    pf(APP, "POST"),
    pf(APP, "PUT"),
    pf(APP, "DELETE"),
    pf(APP, "PATCH"),
    pf(APP, "put"),
    pf(APP, "PUT", "content-type"),
    pf(APP, "PUT", "X-Token, Content-Type"),
    pf(APP, "PUT", "x-token,content-type"),
    pf(APP, "GET", "X-TOKEN"),
    pf(APP, "GET", "authorization"),
    pf(APP, "GET", "x-other"),
    pf(APP, "GET", "x-token, , content-type"),
    pf(APP, "GET", "x-token,"),
    pf(APP, "GET", ""),
    pf("https://evil.test", "PUT"),
    pf("https://evil.test", "GET", "x-token"),
    pf("https://app.example.com.evil.test", "GET"),
    pf("null", "POST"),
    pf("null", "PATCH"),
    pf("https://pr-7.preview.example.com", "PUT", "x-token"),
    pf("https://pr-7.preview.example.com.evil.test", "PUT"),
    pf("https://tenant.example.com", "PUT"),
    pf("https://app.example.com:8443", "PUT"),
    pf("http://localhost:8000", "GET"),
    pf(APP, "PUT", access_control_request_private_network="true"),
    pf(APP, "GET", access_control_request_private_network="true"),
]

ListHeaders = {"access-control-allow-methods", "access-control-allow-headers",
               "access-control-expose-headers", "vary"}


def fields(response: Any) -> Dict[str, Any]:
    """Status and every Access-Control-* and Vary header, normalized: list
    headers as sets of tokens (header names and Vary case-insensitively)."""
    out: Dict[str, Any] = {"status": response.status_code}
    for name in {k.lower() for k in response.headers.keys()}:
        if not (name.startswith("access-control-") or name == "vary"):
            continue
        value = ", ".join(response.headers.get_list(name))
        if name in ListHeaders:
            tokens = [t.strip() for t in value.split(",") if t.strip()]
            if name != "access-control-allow-methods":
                tokens = [t.lower() for t in tokens]
            out[name] = frozenset(tokens)
        else:
            out[name] = value
    return out


# --------------------------------------------------------------------------
# The behaviours that differ on purpose (README.md lists each one).

SAFELISTED_METHODS = {"GET", "HEAD", "POST"}
ACRPN = "access-control-request-private-network"
#: The response fields an actual request's outcome may carry.
ACTUAL_FIELDS = {"access-control-allow-origin", "access-control-allow-credentials",
                 "access-control-expose-headers"}

#: Category name -> one line; each is a section of README.md.
CATEGORIES: Dict[str, str] = {
    "denied-preflight-403": "a denied preflight is 403 (Starlette: 400)",
    "denied-preflight-no-cors-headers": "a denied preflight carries only Vary (Starlette: all its preflight headers)",
    "preflight-vary": "a preflight's Vary does not name Access-Control-Request-Private-Network",
    "safelisted-method-preflight": "a preflight for GET, HEAD or POST is allowed whatever allow_methods says",
    "empty-header-list-element": "empty elements of Access-Control-Request-Headers are ignored (Starlette denies)",
    "allow-headers-wildcard": "allow_headers=['*'] answers `*, authorization` (Starlette echoes the request)",
    "actual-method-not-allowed": "an actual request with a method allow_methods does not list gets no CORS headers",
    "denied-actual-no-leftovers": "a denied actual request gets no Allow-Credentials / Expose-Headers",
    "repeated-origin": "several Origin lines are malformed and denied (Starlette reads the first)",
    "wildcard-no-vary": "allow_origins=['*']: no Vary: Origin on actual responses",
    "wildcard-without-origin": "allow_origins=['*']: requests without Origin get Access-Control-Allow-Origin: * too",
}


class Request:
    """A request of the matrix, read the way Starlette reads it."""

    def __init__(self, method: str, headers: Sequence[Tuple[str, str]]) -> None:
        self.method = method
        self.headers = list(headers)
        self.origins = [v for k, v in headers if k == "origin"]
        self.origin = self.origins[0] if self.origins else None
        self.acrm = next((v for k, v in headers if k == PREFLIGHT), None)
        self.acrh = next((v for k, v in headers if k == REQ_HEADERS), None)
        self.acrpn = next((v for k, v in headers if k == ACRPN), None)
        self.is_preflight = method == "OPTIONS" and self.origin is not None and self.acrm is not None

    def __repr__(self) -> str:
        return f"{self.method} {self.headers}"


def starlette_header_failures(sm: StarletteCORS, acrh: Optional[str]) -> Tuple[bool, bool]:
    """(whether Starlette refuses the requested headers, whether it would
    accept them with empty elements dropped)."""
    if sm.allow_all_headers or acrh is None:
        return False, True
    names = [h.strip().lower() for h in acrh.split(",")]
    refused = any(n not in sm.allow_headers for n in names)
    without_empty = all(n in sm.allow_headers for n in names if n)
    return refused, without_empty


def classify(cfg: Dict[str, Any], sm: StarletteCORS, req: Request,
             s: Dict[str, Any], c: Dict[str, Any]) -> Dict[str, set]:
    """The documented categories explaining the differences between
    Starlette's answer ``s`` and corsc's ``c``: category -> the fields it
    explains. Each category asserts the exact shape of its difference; a
    difference no category explains is left for the caller to report."""
    differing = {k for k in set(s) | set(c) if s.get(k) != c.get(k)}
    found: Dict[str, set] = {}

    def claim(category: str, fields: set) -> None:
        fields = fields & differing
        if fields:
            found.setdefault(category, set()).update(fields)

    star = "*" in cfg.get("allow_origins", ())
    if req.is_preflight:
        assert c["status"] in (200, 403), c
        vary_s, vary_c = s.get("vary", frozenset()), c.get("vary", frozenset())
        if vary_s - vary_c == {ACRPN} and vary_c < vary_s:
            claim("preflight-vary", {"vary"})
        s_denied, c_denied = s["status"] == 400, c["status"] == 403
        if s_denied and c_denied:
            claim("denied-preflight-403", {"status"})
            assert set(c) == {"status", "vary"}, c
            claim("denied-preflight-no-cors-headers", {k for k in s if k.startswith("access-control-")})
        elif s_denied and not c_denied:
            origin_ok = sm.is_allowed_origin(req.origin)
            pn_ok = req.acrpn is None or sm.allow_private_network
            method_ok = req.acrm in sm.allow_methods
            headers_refused, headers_ok_without_empty = starlette_header_failures(sm, req.acrh)
            if origin_ok and pn_ok and not method_ok and req.acrm in SAFELISTED_METHODS \
                    and not headers_refused:
                claim("safelisted-method-preflight", {"status"})
            if origin_ok and pn_ok and (method_ok or req.acrm in SAFELISTED_METHODS) \
                    and headers_refused and headers_ok_without_empty:
                claim("empty-header-list-element", {"status"})
        if not c_denied and "*" in cfg.get("allow_headers", ()):
            assert c.get("access-control-allow-headers") == frozenset({"*", "authorization"}), c
            claim("allow-headers-wildcard", {"access-control-allow-headers"})
        return found

    # Actual requests (and OPTIONS that are not preflights).
    if star and s.get("vary") == frozenset({"origin"}) and "vary" not in c:
        claim("wildcard-no-vary", {"vary"})
    if req.origin is None:
        if star and req.method in set(sm.allow_methods) | SAFELISTED_METHODS:
            assert c.get("access-control-allow-origin") == "*", c
            assert set(c) <= {"status"} | ACTUAL_FIELDS, c
            claim("wildcard-without-origin", ACTUAL_FIELDS)
        return found
    if set(c) & ACTUAL_FIELDS:
        return found  # corsc allowed: nothing to excuse (any difference is reported)
    if len(req.origins) > 1:
        claim("repeated-origin", ACTUAL_FIELDS)
    elif req.method not in SAFELISTED_METHODS and req.method not in sm.allow_methods:
        claim("actual-method-not-allowed", ACTUAL_FIELDS)
    elif not sm.is_allowed_origin(req.origin):
        assert "access-control-allow-origin" not in s, s
        claim("denied-actual-no-leftovers", ACTUAL_FIELDS)
    return found


def run_config(name: str, cfg: Dict[str, Any]) -> List[Tuple[Request, Dict[str, Any], Dict[str, Any], Dict[str, set], set]]:
    """Every request of the matrix through both middlewares: (request,
    Starlette's fields, corsc's fields, categories, unexplained fields)."""
    sm = StarletteCORS(inner_app, **cfg)
    starlette, ours = TestClient(sm), TestClient(CORSMiddleware(inner_app, **cfg))
    results = []
    for method, headers in REQUESTS:
        req = Request(method, headers)
        s = fields(starlette.request(method, "/x", headers=headers))
        c = fields(ours.request(method, "/x", headers=headers))
        categories = classify(cfg, sm, req, s, c)
        differing = {k for k in set(s) | set(c) if s.get(k) != c.get(k)}
        explained = set().union(*categories.values()) if categories else set()
        results.append((req, s, c, categories, differing - explained))
    return results


_RESULTS: Dict[str, Any] = {}


def results_of(name: str) -> Any:
    """``run_config`` for a configuration, once per session."""
    if name not in _RESULTS:
        _RESULTS[name] = run_config(name, dict(CONFIGS)[name])
    return _RESULTS[name]


@pytest.mark.parametrize("name", [name for name, _ in CONFIGS])
def test_every_difference_is_documented(name: str) -> None:
    """Each configuration x every request: each difference in status,
    Access-Control-* or Vary is one of the documented categories."""
    problems = []
    for req, s, c, _, unexplained in results_of(name):
        if unexplained:
            problems.append(
                f"{req}: " + "; ".join(f"{k}: starlette {s.get(k)!r} corsc {c.get(k)!r}" for k in sorted(unexplained))
            )
    assert not problems, "\n".join(problems)


def test_every_category_occurs() -> None:
    """Each documented category is seen in the matrix (the list is not
    stale), and the matrix is at least 10 configurations x 30 requests."""
    seen: Dict[str, int] = {}
    same = 0
    total = 0
    for name, _ in CONFIGS:
        for _, s, c, categories, _ in results_of(name):
            total += 1
            same += s == c
            for category in categories:
                seen[category] = seen.get(category, 0) + 1
    assert total == len(CONFIGS) * len(REQUESTS) and len(CONFIGS) >= 10 and len(REQUESTS) >= 30
    assert set(seen) == set(CATEGORIES), (sorted(seen), sorted(CATEGORIES))
    print(f"{total} requests, {same} identical; categories: {sorted(seen.items())}")
