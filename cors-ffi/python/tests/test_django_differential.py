"""corsc.django against the real django-cors-headers, in the same process.

Every configuration of ``django_settings.matrix`` x every request below is
sent through two Django stacks, one with
``corsheaders.middleware.CorsMiddleware`` and one with
``corsc.django.CorsMiddleware``, and the status, whether the view ran,
every ``Access-Control-*`` header and ``Vary`` are compared.

A difference is accepted only when it is *exactly* one or more of the
documented "behaviours that differ on purpose" (README.md): the
:func:`classify` function derives, from django-cors-headers' answer and the
documented rules, the answer corsc must give, and names the categories
that changed it. Anything else fails the test, with both answers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import pytest

from django_support import CORSC, CORSHEADERS, Req, Result, run
from django_settings.matrix import APP, CONFIGS, Config

EVIL = "https://evil.test"
PREFLIGHT_VARY = frozenset(
    {"origin", "access-control-request-method", "access-control-request-headers"}
)
SAFELISTED_METHODS = ("GET", "HEAD", "POST")

# django-cors-headers 4's defaults (corsheaders.defaults).
DEFAULT_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
DEFAULT_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)


def _pre(origin: Optional[str], method: str, headers: Optional[str] = None, **extra: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if origin is not None:
        out["Origin"] = origin
    out["Access-Control-Request-Method"] = method
    if headers is not None:
        out["Access-Control-Request-Headers"] = headers
    out.update(extra)
    return out


REQUESTS: list[Req] = [
    Req("no-origin", "GET", "/api/items"),
    Req("allowed", "GET", "/api/items", {"Origin": APP}),
    Req("denied", "GET", "/api/items", {"Origin": EVIL}),
    Req("suffix-attack", "GET", "/api/items", {"Origin": "https://app.example.com.evil.test"}),
    Req("prefix-attack", "GET", "/api/items", {"Origin": "https://evilapp.example.com"}),
    Req("trailing-slash", "GET", "/api/items", {"Origin": APP + "/"}),
    Req("with-path", "GET", "/api/items", {"Origin": APP + "/path"}),
    Req("userinfo", "GET", "/api/items", {"Origin": "https://user@app.example.com"}),
    Req("upper-case", "GET", "/api/items", {"Origin": "https://APP.EXAMPLE.COM"}),
    Req("upper-case-label", "GET", "/api/items", {"Origin": "https://APP.example.com"}),
    Req("default-port", "GET", "/api/items", {"Origin": APP + ":443"}),
    Req("port", "GET", "/api/items", {"Origin": APP + ":8443"}),
    Req("http-scheme", "GET", "/api/items", {"Origin": "http://app.example.com"}),
    Req("null", "GET", "/api/items", {"Origin": "null"}),
    Req("localhost", "GET", "/api/items", {"Origin": "http://localhost:3000"}),
    Req("loopback-ip", "GET", "/api/items", {"Origin": "http://127.0.0.1:8000"}),
    Req("subdomain", "GET", "/api/items", {"Origin": "https://admin.example.com"}),
    Req("underscore-host", "GET", "/api/items", {"Origin": "https://a_b.example.com"}),
    Req("other-domain", "GET", "/api/items", {"Origin": "https://x.example.org"}),
    Req("two-origins", "GET", "/api/items", {"Origin": f"{APP}, {EVIL}"}),
    Req("huge-origin", "GET", "/api/items", {"Origin": "https://" + "a" * 8000 + ".example.com"}),
    Req("post", "POST", "/api/items", {"Origin": APP}),
    Req("put", "PUT", "/api/items", {"Origin": APP}),
    Req("delete", "DELETE", "/api/items", {"Origin": APP}),
    Req("head", "HEAD", "/api/items", {"Origin": APP}),
    Req("patch-lower-case", "patch", "/api/items", {"Origin": APP}),
    Req("options-actual", "OPTIONS", "/api/items", {"Origin": APP}),
    Req("preflight-put", "OPTIONS", "/api/items", _pre(APP, "PUT", "content-type")),
    Req("preflight-delete", "OPTIONS", "/api/items", _pre(APP, "DELETE")),
    Req("preflight-post", "OPTIONS", "/api/items", _pre(APP, "POST", "x-api-key")),
    Req("preflight-custom-header", "OPTIONS", "/api/items", _pre(APP, "GET", "x-custom")),
    Req("preflight-header-case", "OPTIONS", "/api/items", _pre(APP, "PUT", "Content-Type, Authorization")),
    Req("preflight-patch-lower-case", "OPTIONS", "/api/items", _pre(APP, "patch")),
    Req("preflight-denied-origin", "OPTIONS", "/api/items", _pre(EVIL, "PUT")),
    Req("preflight-null", "OPTIONS", "/api/items", _pre("null", "GET", "content-type")),
    Req("preflight-no-origin", "OPTIONS", "/api/items", _pre(None, "PUT")),
    Req("preflight-trailing-slash", "OPTIONS", "/api/items", _pre(APP + "/", "PUT")),
    Req(
        "preflight-huge-headers",
        "OPTIONS",
        "/api/items",
        _pre(APP, "PUT", ", ".join(["content-type"] * 2000)),
    ),
    Req(
        "preflight-private-network",
        "OPTIONS",
        "/api/items",
        _pre(APP, "GET", None, **{"Access-Control-Request-Private-Network": "true"}),
    ),
    Req("actual-private-network", "GET", "/api/items", {"Origin": APP, "Access-Control-Request-Private-Network": "true"}),
    Req("public-path", "GET", "/public/page", {"Origin": APP}),
    Req("public-preflight", "OPTIONS", "/public/page", _pre(APP, "PUT")),
    Req("apix", "GET", "/apix", {"Origin": APP}),
    Req("apix-preflight", "OPTIONS", "/apix", _pre(APP, "PUT")),
    Req("api-bare", "GET", "/api", {"Origin": APP}),
    Req("trailing-slash-path", "GET", "/api/items/", {"Origin": APP}),
    Req("view-cors-denied", "GET", "/api/items", {"Origin": EVIL, "X-Set-Cors": "1"}),
    Req("view-cors-allowed", "GET", "/api/items", {"Origin": APP, "X-Set-Cors": "1"}),
    Req("view-cors-public", "GET", "/public/page", {"Origin": EVIL, "X-Set-Cors": "1"}),
    Req("view-cors-no-origin", "GET", "/api/items", {"X-Set-Cors": "1"}),
]


# ---------------------------------------------------------------------------
# The documented differences, as rules on the configuration and the request.


@dataclass(frozen=True)
class Ctx:
    """The django-cors-headers settings in effect and the request."""

    settings: dict[str, Any]
    req: Req

    def get(self, name: str, legacy: Optional[str], default: Any) -> Any:
        if name in self.settings:
            return self.settings[name]
        if legacy and legacy in self.settings:
            return self.settings[legacy]
        return default

    @property
    def origin(self) -> Optional[str]:
        return self.req.header("Origin")

    @property
    def enabled(self) -> bool:
        """django-cors-headers' ``is_enabled`` (the test client has no
        script prefix: path_info is the path)."""
        pattern = self.settings.get("CORS_URLS_REGEX", r"^.*$")
        return re.match(pattern, self.req.path) is not None

    @property
    def allow_all(self) -> bool:
        return bool(self.get("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False))

    @property
    def origins(self) -> list[str]:
        return list(self.get("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ()))

    @property
    def regexes(self) -> list[Any]:
        return list(self.get("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ()))

    @property
    def no_origin_configured(self) -> bool:
        return not self.allow_all and not self.origins and not self.regexes

    @property
    def methods(self) -> list[str]:
        return list(self.settings.get("CORS_ALLOW_METHODS", DEFAULT_METHODS))

    @property
    def allow_headers(self) -> set[str]:
        return {h.lower() for h in self.settings.get("CORS_ALLOW_HEADERS", DEFAULT_HEADERS)}

    @property
    def private_network(self) -> bool:
        return bool(self.settings.get("CORS_ALLOW_PRIVATE_NETWORK", False))

    @property
    def method(self) -> str:
        """The method as sent (Django upper-cases ``request.method``)."""
        return self.req.method

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.req.header("Access-Control-Request-Method") is not None

    def method_listed(self, method: str) -> bool:
        """corsc: a method is allowed when listed (byte for byte) or
        CORS-safelisted."""
        return method in SAFELISTED_METHODS or method in self.methods

    def requested_headers_listed(self) -> bool:
        value = self.req.header("Access-Control-Request-Headers") or ""
        names = {n.strip().lower() for n in value.split(",") if n.strip()}
        return names <= self.allow_headers

    def allowed_by_list_exactly(self) -> bool:
        """The origin is allowed by django other than through urlsplit()
        equality: allow-all, a listed origin byte for byte, ``null``, or a
        regex."""
        origin = self.origin or ""
        return (
            self.allow_all
            or origin in self.origins
            or any(re.match(p, origin) for p in self.regexes)
        )


def denied_rendering(r: Result) -> Result:
    """What django-cors-headers sends when it does not allow the origin:
    the same, without any Access-Control-* header it set."""
    out = r.copy()
    out.cors = {}
    return out


Rule = Callable[[Ctx, Result], Optional[Result]]


def no_policy(ctx: Ctx, r: Result) -> Optional[Result]:
    """``no-policy``: the settings allow no origin, so the translation has
    no policy: corsc touches nothing (no ``Vary: Origin``, preflights go to
    the view), where django-cors-headers still added ``Vary: origin`` and
    answered preflights itself (200, no CORS header)."""
    if not (ctx.no_origin_configured and ctx.enabled):
        return None
    out = r.copy()
    out.vary = r.vary - {"origin"}
    if ctx.is_preflight and not r.view_called:
        out.view_called = True
    return out


def origin_byte_exact(ctx: Ctx, r: Result) -> Optional[Result]:
    """``origin-byte-exact``: django compared the urlsplit() scheme and
    netloc, so an Origin with a trailing slash or a path matched a listed
    origin; corsc compares the Origin byte for byte."""
    if ctx.enabled and ctx.origin and r.allowed() and not ctx.allowed_by_list_exactly():
        split = urlsplit(ctx.origin)
        if f"{split.scheme}://{split.netloc}" in ctx.origins:
            return denied_rendering(r)
    return None


def malformed_origin(ctx: Ctx, r: Result) -> Optional[Result]:
    """``malformed-origin``: an Origin no browser can send (longer than
    2048 bytes, or with a byte that is not visible ASCII, or a comma: two
    origins) is denied by corsc whatever the policy, ``origins *``
    included; django matched it like any other string."""
    origin = ctx.origin
    if origin is None or not r.allowed() or ctx.allow_all:
        return None
    if len(origin.encode("latin-1")) > 2048 or any(not (0x21 <= ord(ch) <= 0x7E) or ch == "," for ch in origin):
        return denied_rendering(r)
    return None


def allow_all_constant(ctx: Ctx, r: Result) -> Optional[Result]:
    """``allow-all-constant``: with ``origins *`` (allow-all; never with
    credentials, which corsc refuses) corsc's answer to every request the
    view answers is the same: ``Access-Control-Allow-Origin: *`` (and the
    expose list), with or without an Origin, a malformed one included,
    and no ``Vary: Origin``. django sent them only with an Origin, and
    always varied on Origin."""
    if not (ctx.allow_all and ctx.enabled and r.view_called):
        return None
    out = r.copy()
    out.vary = r.vary - {"origin"}
    out.cors = {}
    if not ctx.method_listed(ctx.method):
        return out  # actual-method-checked, without Vary either
    out.cors["access-control-allow-origin"] = "*"
    expose = ctx.settings.get("CORS_EXPOSE_HEADERS", ())
    if expose:
        out.cors["access-control-expose-headers"] = ", ".join(expose)
    return out


def empty_allow_headers(ctx: Ctx, r: Result) -> Optional[Result]:
    """``empty-allow-headers``: with ``CORS_ALLOW_HEADERS = []`` django sent
    an empty ``Access-Control-Allow-Headers``; corsc sends none (the same
    to a browser: no header allowed)."""
    if r.cors.get("access-control-allow-headers") == "":
        out = r.copy()
        del out.cors["access-control-allow-headers"]
        return out
    return None


def actual_method_checked(ctx: Ctx, r: Result) -> Optional[Result]:
    """``actual-method-checked``: an actual (not preflight) request whose
    method is neither listed (byte for byte) nor safelisted is denied by
    corsc; django allowed any method."""
    if ctx.enabled and not ctx.is_preflight and r.allowed() and not ctx.method_listed(ctx.method):
        return denied_rendering(r)
    return None


def options_actual_request(ctx: Ctx, r: Result) -> Optional[Result]:
    """``options-actual-request``: django added the preflight headers
    (Allow-Methods, -Headers, Max-Age) to every OPTIONS request, also one
    that is not a preflight; corsc answers it as the actual request it
    is."""
    if ctx.method == "OPTIONS" and not ctx.is_preflight and r.allowed():
        out = r.copy()
        for name in ("access-control-allow-methods", "access-control-allow-headers", "access-control-max-age"):
            out.cors.pop(name, None)
        return out
    return None


def private_network_preflight_only(ctx: Ctx, r: Result) -> Optional[Result]:
    """``private-network-preflight-only``: django answered
    ``Access-Control-Request-Private-Network: true`` on any request; corsc
    only on the preflight, the only place browsers read it."""
    if not ctx.is_preflight and "access-control-allow-private-network" in r.cors:
        out = r.copy()
        del out.cors["access-control-allow-private-network"]
        return out
    return None


def preflight_checked(ctx: Ctx, r: Result) -> Optional[Result]:
    """``preflight-checked``: corsc checks the requested method, headers and
    private-network access itself and denies the preflight (403, below);
    django answered 200 with its lists and left the check to the
    browser."""
    if not (ctx.enabled and ctx.is_preflight and ctx.origin and r.allowed()):
        return None
    method = ctx.req.header("Access-Control-Request-Method") or ""
    pna = (ctx.req.header("Access-Control-Request-Private-Network") or "").strip(" \t").lower() == "true"
    if ctx.method_listed(method) and ctx.requested_headers_listed() and (ctx.private_network or not pna):
        return None
    return denied_rendering(r)


def preflight_denied_403(ctx: Ctx, r: Result) -> Optional[Result]:
    """``preflight-denied-403``: a preflight corsc denies is answered 403
    (no CORS header); django answered 200 without CORS headers."""
    if ctx.enabled and ctx.is_preflight and ctx.origin and not r.view_called and not r.allowed():
        out = r.copy()
        out.status = 403
        return out
    return None


def preflight_204(ctx: Ctx, r: Result) -> Optional[Result]:
    """``preflight-204``: an allowed preflight is answered 204 No Content;
    django answered 200 with an empty body."""
    if ctx.enabled and ctx.is_preflight and not r.view_called and r.allowed() and r.status == 200:
        out = r.copy()
        out.status = 204
        return out
    return None


def preflight_no_expose_headers(ctx: Ctx, r: Result) -> Optional[Result]:
    """``preflight-no-expose-headers``: django sent
    Access-Control-Expose-Headers on preflights too, where browsers ignore
    it; corsc sends it on actual responses only."""
    if ctx.is_preflight and not r.view_called and "access-control-expose-headers" in r.cors:
        out = r.copy()
        del out.cors["access-control-expose-headers"]
        return out
    return None


def preflight_vary(ctx: Ctx, r: Result) -> Optional[Result]:
    """``preflight-vary``: a preflight answer varies on
    Access-Control-Request-Method and -Headers too (and
    -Private-Network when the policy answers it), so that a cache keeps
    one answer per requested method and headers; django's varied on
    Origin only."""
    if ctx.enabled and ctx.is_preflight and ctx.origin and not r.view_called:
        out = r.copy()
        extra = set(PREFLIGHT_VARY)
        if ctx.private_network:
            extra.add("access-control-request-private-network")
        out.vary = r.vary | extra
        return out
    return None


def preflight_without_origin(ctx: Ctx, r: Result) -> Optional[Result]:
    """``preflight-without-origin``: an OPTIONS request with
    Access-Control-Request-Method but no Origin is not a CORS request (no
    browser sends it); corsc lets the view answer it, django answered it
    itself (200, empty)."""
    if ctx.enabled and ctx.is_preflight and ctx.origin is None and not r.view_called:
        out = r.copy()
        out.view_called = True
        return out
    return None


#: In order: decisions first, then how corsc renders them.
RULES: list[tuple[str, Rule]] = [
    ("no-policy", no_policy),
    ("malformed-origin", malformed_origin),
    ("origin-byte-exact", origin_byte_exact),
    ("actual-method-checked", actual_method_checked),
    ("options-actual-request", options_actual_request),
    ("private-network-preflight-only", private_network_preflight_only),
    ("preflight-checked", preflight_checked),
    ("preflight-without-origin", preflight_without_origin),
    ("preflight-no-expose-headers", preflight_no_expose_headers),
    ("preflight-denied-403", preflight_denied_403),
    ("preflight-204", preflight_204),
    ("empty-allow-headers", empty_allow_headers),
    ("allow-all-constant", allow_all_constant),
    ("preflight-vary", preflight_vary),
]

#: Every category the classifier can name, with the config corrections
#: (``django_settings.matrix``) and ``view-headers-replaced``.
CATEGORIES = {name for name, _ in RULES} | {
    "view-headers-replaced",
    "max-age-capped",
    "regex-anchored",
    "regex-lowercase",
    "urls-regex-segment",
    "method-case",
    "listed-origin-corrected",
}


def expected(ctx: Ctx, django: Result) -> tuple[Result, list[str]]:
    """corsc's answer derived from django-cors-headers' by the rules, with
    the names of the rules that changed it."""
    result, names = django, []
    for name, rule in RULES:
        if name != "no-policy" and "no-policy" in names:
            break
        changed = rule(ctx, result)
        if changed is not None and changed != result:
            result, names = changed, names + [name]
    return result, names


@dataclass
class Verdict:
    categories: list[str]
    django: Result
    corsc: Result
    expected: Optional[Result]


def classify(config: Config, req: Req, django: Result, corsc: Result, rerun: Callable[[dict[str, Any], Req], Result]) -> Verdict:
    """Explains corsc's answer from django-cors-headers'. Tries, in order:
    django's answer itself; django's answer with the configuration's
    documented correction; django's answer to the request without the
    view's own CORS headers (``view-headers-replaced``). Returns the
    categories ([] when equal); ``expected`` is ``None`` when nothing
    explains the difference (a bug)."""
    if django == corsc:
        return Verdict([], django, corsc, corsc)
    bases: list[tuple[list[str], dict[str, Any], Result]] = [([], config.settings, django)]
    if config.correction is not None:
        name, overrides = config.correction
        corrected = {**config.settings, **overrides}
        bases.append(([name], corrected, rerun(corrected, req)))
    if req.header("X-Set-Cors") == "1":
        plain = req.without("X-Set-Cors")
        for names, cfg, _ in list(bases):
            base = rerun(cfg, plain)
            base.vary = base.vary | {"accept-encoding"}  # the view's own Vary stays
            base.view_called = True
            bases.append((names + ["view-headers-replaced"], cfg, base))
    for names, cfg, base in bases:
        want, rules = expected(Ctx(cfg, req), base)
        if want == corsc:
            return Verdict(names + rules, django, corsc, want)
    return Verdict(["UNEXPLAINED"], django, corsc, None)


# ---------------------------------------------------------------------------


def _rerun(cfg: dict[str, Any], req: Req) -> Result:
    return run(CORSHEADERS, cfg, [req])[0]


@pytest.fixture(scope="module")
def matrix() -> list[tuple[Config, Req, Verdict]]:
    rows = []
    for config in CONFIGS:
        django = run(CORSHEADERS, config.settings, REQUESTS)
        ours = run(CORSC, config.settings, REQUESTS)
        for req, d, c in zip(REQUESTS, django, ours):
            rows.append((config, req, classify(config, req, d, c, _rerun)))
    return rows


def _short(r: Result) -> str:
    text = repr(r)
    return re.sub(r"([^'\s]{40})[^'\s]{40,}", r"\1...", text)


def test_matrix_size() -> None:
    assert len(CONFIGS) >= 20
    assert len(REQUESTS) >= 30
    assert len({c.name for c in CONFIGS}) == len(CONFIGS)
    assert len({r.name for r in REQUESTS}) == len(REQUESTS)


def test_every_difference_is_documented(matrix: list[tuple[Config, Req, Verdict]]) -> None:
    unexplained = [
        f"{config.name} / {req.name}:\n  django-cors-headers: {_short(v.django)}\n  corsc:               {_short(v.corsc)}"
        for config, req, v in matrix
        if v.expected is None
    ]
    assert not unexplained, f"{len(unexplained)} unexplained difference(s):\n" + "\n".join(unexplained)


def test_categories_are_documented(matrix: list[tuple[Config, Req, Verdict]]) -> None:
    """Every category found is in README.md, and every documented
    category is found somewhere in the matrix (none is dead)."""
    import pathlib

    doc = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    found = Counter(c for _, _, v in matrix for c in v.categories)
    for name in found:
        assert name in CATEGORIES
        assert f"`{name}`" in doc, f"category {name} is not documented in README.md"
    assert set(found) == CATEGORIES, f"never observed: {sorted(CATEGORIES - set(found))}"


def test_most_answers_are_identical(matrix: list[tuple[Config, Req, Verdict]]) -> None:
    """A floor, so that a rule cannot quietly start explaining everything:
    about half the pairs are byte-identical (the rest are mostly
    preflights, which always differ in status and Vary)."""
    same = sum(1 for _, _, v in matrix if not v.categories)
    assert same >= 0.45 * len(matrix), f"only {same} of {len(matrix)} identical"


def test_never_allows_what_django_denies_unless_corrected(matrix: list[tuple[Config, Req, Verdict]]) -> None:
    """corsc only ever allows an origin django-cors-headers denied when the
    listed origin was corrected (django could never match it)."""
    for config, req, v in matrix:
        granted = v.corsc.cors.get("access-control-allow-origin")
        if req.header("Origin") and granted not in (None, "*") and not v.django.allowed():
            assert "listed-origin-corrected" in v.categories, (config.name, req.name, v)


def test_hostile_origins_denied(matrix: list[tuple[Config, Req, Verdict]]) -> None:
    for config, req, v in matrix:
        if req.name in ("suffix-attack", "two-origins", "trailing-slash", "with-path", "userinfo") and not (
            config.name.startswith("allow-all")
        ):
            assert not v.corsc.allowed(), (config.name, req.name, v.corsc)


def print_summary(matrix: list[tuple[Config, Req, Verdict]]) -> str:
    """A table of categories and counts (``pytest -s`` shows it)."""
    counts = Counter(c for _, _, v in matrix for c in v.categories)
    lines = [f"{len(CONFIGS)} configurations x {len(REQUESTS)} requests = {len(matrix)} pairs"]
    lines += [f"  {name}: {n}" for name, n in sorted(counts.items())]
    return "\n".join(lines)


def test_summary(matrix: list[tuple[Config, Req, Verdict]]) -> None:
    print("\n" + print_summary(matrix))
