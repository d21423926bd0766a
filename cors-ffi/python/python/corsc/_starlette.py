"""Starlette's ``CORSMiddleware`` arguments as a ``.corspolicy`` policy.

``corsc.asgi.CORSMiddleware`` takes the keyword arguments of
``starlette.middleware.cors.CORSMiddleware`` so that a Starlette or FastAPI
application changes one import. This module writes them as ``.corspolicy``
source, one line per argument (and one per origin), each with a comment
naming the argument it came from; the source is then checked and compiled
like any other policy. When corsc refuses it, :func:`policy_from_starlette`
raises :class:`corsc.PolicyError` whose message names the Starlette argument
that caused each error and explains what Starlette did with it.

The translation keeps Starlette's meaning wherever corsc can express it:

- ``allow_origins``: each origin as written (Starlette compares the Origin
  header with ``==``; so does corsc, byte for byte). ``"*"`` becomes
  ``origins *``. An entry that never matched in Starlette (a ``*`` in it,
  upper case, a non-ASCII host) is refused: corsc would read it as a
  pattern or normalize it, and allow what Starlette did not.
- ``allow_origin_regex``: ``~"..."``. Starlette calls ``re.fullmatch``; a
  corsc regex is anchored at both ends too. ``\\w`` becomes ``[a-z0-9_]``
  (browsers send lower-case ASCII origins; corsc refuses classes that match
  upper case), ``\\A`` and ``\\Z`` become ``^`` and ``$``.
- ``allow_methods``: as listed; ``"*"`` is Starlette's ``ALL_METHODS``, the
  list Starlette itself substitutes for it.
- ``allow_headers``: the listed names plus the four Starlette always allows
  (``Accept``, ``Accept-Language``, ``Content-Language``, ``Content-Type``),
  sorted as Starlette sorts them; ``"*"`` becomes ``allow-headers *
  Authorization`` (Starlette echoes any requested list, ``Authorization``
  included; a bare ``*`` does not cover ``Authorization`` in browsers).
- ``allow_credentials``, ``expose_headers``, ``max_age``,
  ``allow_private_network``: ``credentials``, ``expose-headers``,
  ``max-age``, ``private-network``.
- ``preflight-status 200``: Starlette answers an allowed preflight ``200
  OK``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Collection, Dict, List, Optional, Sequence, Tuple

from ._corsc import Policy, PolicyError, policy_argument

try:  # The installed Starlette's list, if there is one (1.x added QUERY).
    from starlette.middleware.cors import ALL_METHODS as _STARLETTE_ALL_METHODS

    ALL_METHODS: Tuple[str, ...] = tuple(_STARLETTE_ALL_METHODS)
except Exception:  # pragma: no cover - Starlette is optional
    ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")

#: The request headers Starlette's preflight always allows.
SAFELISTED_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type")

#: The name of the translated policy.
POLICY_NAME = "starlette"

#: The file name diagnostics of a translated policy are reported against.
FILENAME = "<starlette CORSMiddleware arguments>"


@dataclass
class StarletteArguments:
    """Starlette's ``CORSMiddleware`` keyword arguments, with its defaults."""

    allow_origins: Collection[str] = ()
    allow_methods: Collection[str] = ("GET",)
    allow_headers: Collection[str] = ()
    allow_credentials: bool = False
    allow_origin_regex: Optional[str] = None
    allow_private_network: bool = False
    expose_headers: Collection[str] = ()
    max_age: int = 600


#: The names of the keyword arguments :class:`StarletteArguments` takes.
ARGUMENT_NAMES = tuple(StarletteArguments.__dataclass_fields__)


@dataclass
class Translation:
    """``.corspolicy`` source, and for each of its lines the argument (as
    ``name=value``) that produced it, or ``None``."""

    source: str
    origin_of_line: Dict[int, str] = field(default_factory=dict)


def _seq(value: Collection[str], name: str) -> List[str]:
    """A Starlette collection argument as a list of strings.

    A bare string is refused: Starlette would take it character by
    character (``allow_origins="https://a.com"`` is ``"h"``, ``"t"``...).
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"{name} must be a list of strings, not a string ({name}={value!r}); "
            f"Starlette would take it character by character: write {name}=[{value!r}]"
        )
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold strings, not {type(item).__name__} ({item!r})")
    return items


def _argument(text: str, what: str) -> str:
    """``text`` as one ``.corspolicy`` argument; ``PolicyError`` if it cannot
    be written (a control character)."""
    written = policy_argument(text)
    if written is None:
        raise _error(f"{what}: {text!r} holds a control character, which no browser sends "
                     "and a .corspolicy cannot hold")
    return written


def _comment(text: str) -> str:
    """A ``#`` comment holding ``text`` on one line."""
    return "# " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def translate_regex(pattern: str) -> str:
    """A Starlette ``allow_origin_regex`` (``re.fullmatch``) as the text of a
    corsc ``~"..."`` regex (anchored at both ends as well).

    ``\\w`` becomes ``[a-z0-9_]`` (``a-z0-9_`` in a class), ``\\A`` ``^`` and
    ``\\Z`` ``$``; everything else is kept, for corsc to parse and prove
    safe. Raises ``PolicyError`` for a ``"`` or a line break, which a corsc
    regex cannot hold (and an origin never contains).
    """
    out: List[str] = []
    i = 0
    in_class = False
    class_start = False
    while i < len(pattern):
        c = pattern[i]
        at_class_start = class_start
        class_start = False
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            i += 2
            if nxt == "w":
                out.append("a-z0-9_" if in_class else "[a-z0-9_]")
            elif nxt == "A" and not in_class:
                out.append("^")
            elif nxt == "Z" and not in_class:
                out.append("$")
            else:
                out.append("\\" + nxt)
            continue
        if in_class and (pattern.startswith(("[:", "&&", "--", "~~"), i)):
            # Set operations and POSIX classes: corsc's regex dialect reads
            # them, Python's `re` takes them literally, so the two would
            # match different origins.
            raise _error(
                f"allow_origin_regex={pattern!r}: {pattern[i:i + 2]!r} inside a character "
                "class means something else to corsc than to Python's re (a POSIX class or "
                "a set operation there, literal characters here); write the class out"
            )
        if c == "[" and not in_class:
            in_class = True
            class_start = True
            out.append(c)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
        elif c == "]" and in_class and not at_class_start:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    text = "".join(out)
    if '"' in text or any(not ch.isprintable() for ch in text):
        raise _error(
            f"allow_origin_regex={pattern!r}: a `\"` or a control character cannot be "
            "written in a corsc regex (and no browser sends one in an Origin)"
        )
    return text


def translate(args: StarletteArguments) -> Translation:
    """Writes Starlette's arguments as ``.corspolicy`` source.

    Raises ``TypeError`` for arguments Starlette would misread (a bare
    string for a list) and ``PolicyError`` for those corsc cannot write (no
    origin at all, a control character).
    """
    origins = _seq(args.allow_origins, "allow_origins")
    methods = _seq(args.allow_methods, "allow_methods")
    headers = _seq(args.allow_headers, "allow_headers")
    exposed = _seq(args.expose_headers, "expose_headers")
    if args.allow_origin_regex is not None:
        if not isinstance(args.allow_origin_regex, str):
            raise TypeError("allow_origin_regex must be a string")
        re.compile(args.allow_origin_regex)  # re.error, as Starlette raises
    if not origins and args.allow_origin_regex is None:
        raise _error(
            "neither allow_origins nor allow_origin_regex is given: Starlette's "
            "CORSMiddleware would then allow no origin at all; a corsc policy "
            "needs at least one (give allow_origins, or a policy= file)"
        )
    if isinstance(args.max_age, bool) or not isinstance(args.max_age, int):
        raise TypeError(f"max_age must be an int, not {args.max_age!r}")

    lines: List[str] = []
    origin_of_line: Dict[int, str] = {}

    def add(text: str, origin: Optional[str] = None, note: Optional[str] = None) -> None:
        """Appends a line, commented with ``note`` (else ``origin``), and
        records the argument it came from."""
        comment = note if note is not None else origin
        if comment:
            text = f"{text:<44} {_comment(comment)}"
        lines.append(text)
        if origin is not None:
            origin_of_line[len(lines)] = origin

    add("# Translated by corsc.asgi.CORSMiddleware from Starlette's CORSMiddleware")
    add("# keyword arguments; each line names the argument it came from.")
    add(f"policy {POLICY_NAME} {{")
    add("    origins")
    for index, origin in enumerate(origins):
        where = f"allow_origins[{index}]={origin!r}"
        if origin != "*" and ("*" in origin or origin != origin.lower() or not origin.isascii()):
            # Starlette compares with ==: such an entry never matched what a
            # browser sends (lower case, punycode, no wildcard); corsc would
            # read it as a pattern or normalize it, and allow origins
            # Starlette never did.
            raise _error(
                f"{where}: Starlette compares allow_origins with ==, so this entry never "
                "matched an Origin a browser sends (browsers send lower-case, punycode host "
                "names and no wildcard); corsc would read it as a pattern and allow origins "
                "Starlette did not. Write each origin exactly as the browser sends it, or "
                "use allow_origin_regex, or a policy= file with `https://*.example.com`."
            )
        add("        " + ("*" if origin == "*" else _argument(origin, where)), where)
    if args.allow_origin_regex is not None:
        where = f"allow_origin_regex={args.allow_origin_regex!r}"
        text = translate_regex(args.allow_origin_regex)
        note = where
        if text != args.allow_origin_regex:
            note += " (\\w as [a-z0-9_], \\A \\Z as ^ $)"
        add(f'        ~"{text}"', where, note)
    add("    ;")

    if "*" in methods:
        listed: Sequence[str] = ALL_METHODS
        where = f"allow_methods={methods!r}"
        note = f"{where}: '*' is Starlette's ALL_METHODS"
    else:
        listed = methods
        where = f"allow_methods={methods!r}"
        note = where + (" (Starlette's default)" if tuple(methods) == ("GET",) else "")
    if listed:
        add("    methods " + " ".join(_argument(m, where) for m in listed) + ";", where, note)

    where = f"allow_headers={headers!r}"
    if "*" in headers:
        add("    allow-headers * Authorization;", where,
            f"{where}: Starlette echoes any requested list, Authorization included")
    else:
        # Header names are case-insensitive: `content-type` is one of the
        # four, not a fifth (Starlette lower-cases them too).
        by_name = {}
        for name in (*SAFELISTED_HEADERS, *headers):
            by_name.setdefault(name.lower(), name)
        names = sorted(by_name.values(), key=str.lower)
        add("    allow-headers " + " ".join(_argument(h, where) for h in names) + ";", where,
            f"{where} and the four Starlette always allows")

    if exposed:
        where = f"expose_headers={exposed!r}"
        add("    expose-headers " + " ".join(_argument(h, where) for h in exposed) + ";", where)
    if args.allow_credentials:
        add("    credentials on;", "allow_credentials=True")
    where = f"max_age={args.max_age!r}"
    add(f"    max-age {args.max_age};", where,
        where + (" (Starlette's default)" if args.max_age == 600 else ""))
    if args.allow_private_network:
        add("    private-network on;", "allow_private_network=True")
    add("    preflight-status 200;", None, "Starlette answers an allowed preflight 200 OK")
    add("}")
    return Translation("\n".join(lines) + "\n", origin_of_line)


#: What Starlette did with the arguments behind the diagnostics corsc
#: refuses most often, by code.
_EXPLANATIONS = {
    "CORS0041": (
        "allow_origins=['*'] with allow_credentials=True: Starlette then answers "
        "every origin with that origin itself and `Access-Control-Allow-Credentials: "
        "true`, so any web site can read your users' responses with their cookies. "
        "corsc refuses `origins *` with credentials: list the origins of your pages "
        "in allow_origins (or a safe allow_origin_regex), or drop allow_credentials."
    ),
    "CORS0063": (
        "allow_headers=['*'] or expose_headers=['*'] with allow_credentials=True: "
        "with credentials, browsers read `*` in these headers as a header named `*` "
        "(Starlette echoes the requested list for allow_headers, which corsc does "
        "not do). List the header names, e.g. allow_headers=['Content-Type', "
        "'Authorization']."
    ),
    "CORS0040": (
        "the origin 'null' (sandboxed frames, file: pages, redirects: any site can "
        "send it) with allow_credentials=True. Remove 'null'."
    ),
    "CORS0042": (
        "a plain http:// origin with allow_credentials=True: anyone on the network "
        "path can act as that origin. Use its https:// origin (http://localhost "
        "and loopback addresses are accepted), or write a policy file with "
        "`allow-insecure-origins on`."
    ),
}


def _error(message: str, diagnostics: Sequence[object] = (), rendered: str = "") -> PolicyError:
    """A ``PolicyError`` with ``diagnostics`` and ``rendered`` set."""
    error = PolicyError(message)
    error.diagnostics = list(diagnostics)
    error.rendered = rendered
    return error


def policy_from_starlette(args: StarletteArguments) -> Policy:
    """Translates, checks and compiles Starlette's arguments.

    Raises ``PolicyError`` naming, for each error corsc reports, the
    Starlette argument it came from, with the translated source and corsc's
    rendered diagnostics.
    """
    translation = translate(args)
    try:
        return Policy.from_source(translation.source, filename=FILENAME)
    except PolicyError as refused:
        diagnostics = list(getattr(refused, "diagnostics", []))
        lines = []
        for d in diagnostics:
            if d.severity != "error":
                continue
            where = translation.origin_of_line.get(d.line, "the translated policy")
            why = _EXPLANATIONS.get(d.code)
            if why is not None:
                lines.append(f"- {why} ({d.code}, from {where})")
            else:
                lines.append(f"- {where}: {d.message} ({d.code})")
        rendered = getattr(refused, "rendered", "")
        message = (
            "corsc refuses these Starlette CORSMiddleware arguments:\n"
            + "\n".join(lines)
            + "\n\nThe policy they translate to:\n"
            + translation.source
            + "\n"
            + rendered
        )
        raise _error(message, diagnostics, rendered) from None
