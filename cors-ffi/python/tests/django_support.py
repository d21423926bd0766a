"""Helpers of the corsc.django tests (not a conftest: ``tests/conftest.py``
is shared). Importing it configures Django once, from
``django_settings.base``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

CORSC = "corsc.django.CorsMiddleware"
CORSHEADERS = "corsheaders.middleware.CorsMiddleware"


def setup_django() -> None:
    """Configures Django from ``django_settings.base`` unless it already is."""
    if not settings.configured:
        from django_settings import base

        settings.configure(
            **{name: getattr(base, name) for name in dir(base) if name.isupper()}
        )
        django.setup()


setup_django()


@dataclass(frozen=True)
class Req:
    """One request of the matrix: ``headers`` are HTTP header names."""

    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> Optional[str]:
        """A request header, any case."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def without(self, name: str) -> "Req":
        """The same request without header ``name``."""
        return Req(
            self.name,
            self.method,
            self.path,
            {k: v for k, v in self.headers.items() if k.lower() != name.lower()},
        )


@dataclass
class Result:
    """What the comparison looks at: the status, whether the view ran,
    every ``Access-Control-*`` header (lower-case names) and ``Vary`` as a
    set of lower-case tokens (field names in ``Vary`` are
    case-insensitive, and their order carries no meaning)."""

    status: int
    view_called: bool
    cors: dict[str, str]
    vary: frozenset[str]

    def copy(self) -> "Result":
        return Result(self.status, self.view_called, dict(self.cors), self.vary)

    def allowed(self) -> bool:
        return "access-control-allow-origin" in self.cors


def capture(response: Any) -> Result:
    """The :class:`Result` of a Django test client response."""
    cors = {}
    vary: set[str] = set()
    for name, value in response.items():
        lower = name.lower()
        if lower.startswith("access-control-"):
            assert lower not in cors, f"{name} sent twice"
            cors[lower] = value
        elif lower == "vary":
            tokens = [t.strip().lower() for t in value.split(",") if t.strip()]
            assert len(tokens) == len(set(tokens)), f"Vary repeats a token: {value!r}"
            vary.update(tokens)
    return Result(response.status_code, response.get("X-View") == "called", cors, frozenset(vary))


def run(middleware: str, cors_settings: dict[str, Any], requests: Iterable[Req]) -> list[Result]:
    """Sends ``requests`` through a Django stack with ``middleware`` and
    ``cors_settings`` (a fresh handler: the middleware is built with them)."""
    with override_settings(MIDDLEWARE=[middleware], **cors_settings):
        client = Client()
        return [
            capture(client.generic(r.method, r.path, headers=r.headers)) for r in requests
        ]
