"""System checks of ``corsc.django`` (``python manage.py check``).

Registered by the app config (``"corsc.django"`` in ``INSTALLED_APPS``).
Each finding of :func:`corsc.django.config.load_policy` becomes a check
message with its stable id; the checks below add what only the project's
settings can tell (the middleware's place in ``MIDDLEWARE``, a second CORS
middleware, signal receivers corsc cannot run). The ids are listed in
README.md.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from . import config
from .config import Finding

#: How the middleware is named in ``MIDDLEWARE``.
MIDDLEWARE_PATHS = ("corsc.django.CorsMiddleware", "corsc.django.middleware.CorsMiddleware")

#: django-cors-headers' middleware.
CORSHEADERS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"

#: Middlewares that answer some requests themselves: above corsc's, their
#: answers get no CORS headers and preflights reach them.
ANSWERING_MIDDLEWARES = (
    "django.middleware.common.CommonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
)


def _message(finding: Finding) -> CheckMessage:
    text = f"[{finding.code}] {finding.message}" if finding.code else finding.message
    hint = finding.hint
    if finding.rendered:
        hint = finding.rendered.rstrip("\n") + (f"\n{hint}" if hint else "")
    cls = Error if finding.is_error else Warning
    return cls(text, hint=hint, id=finding.id)


def check_policy(app_configs: Optional[Sequence[AppConfig]] = None, **kwargs: Any) -> list[CheckMessage]:
    """The findings of loading the policy: ``corsc.E001``, ``E002``,
    ``W001``, ``W002``, ``W003``, ``W006``."""
    loaded = config.load_policy()
    return [_message(f) for f in loaded.findings]


def check_middleware(app_configs: Optional[Sequence[AppConfig]] = None, **kwargs: Any) -> list[CheckMessage]:
    """The middleware's place: ``corsc.E003``, ``W004``, ``W005``."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    ours = [i for i, path in enumerate(middleware) if path in MIDDLEWARE_PATHS]
    messages: list[CheckMessage] = []
    if not ours:
        messages.append(
            Warning(
                "corsc.django is in INSTALLED_APPS but corsc.django.CorsMiddleware is not in "
                "MIDDLEWARE, so no response gets CORS headers from corsc.",
                hint="Add 'corsc.django.CorsMiddleware' to MIDDLEWARE, as high as possible.",
                id=config.W_NOT_IN_MIDDLEWARE,
            )
        )
        return messages
    if CORSHEADERS_MIDDLEWARE in middleware:
        messages.append(
            Error(
                f"{CORSHEADERS_MIDDLEWARE} is in MIDDLEWARE too: both set CORS headers, so the "
                "corsc policy is not what browsers get.",
                hint=f"Remove {CORSHEADERS_MIDDLEWARE}; corsc reads its settings.",
                id=config.E_TWO_MIDDLEWARES,
            )
        )
    first = ours[0]
    for path in middleware[:first]:
        if path in ANSWERING_MIDDLEWARES:
            messages.append(
                Warning(
                    f"corsc.django.CorsMiddleware is below {path}, which answers some requests "
                    "itself: those answers get no CORS headers, and preflights can reach it.",
                    hint=f"Move 'corsc.django.CorsMiddleware' above {path}.",
                    id=config.W_ORDER,
                )
            )
    return messages


def check_signal(app_configs: Optional[Sequence[AppConfig]] = None, **kwargs: Any) -> list[CheckMessage]:
    """Receivers of django-cors-headers' ``check_request_enabled`` signal,
    which corsc never sends: ``corsc.W007``."""
    try:
        from corsheaders.signals import check_request_enabled
    except ImportError:
        return []
    if not check_request_enabled.has_listeners():
        return []
    return [
        Warning(
            "corsheaders.signals.check_request_enabled has receivers; corsc.django never sends "
            "it, so what they enabled is no longer enabled.",
            hint="Express their rule in the policy (a .corspolicy file named by CORSC_POLICY "
            "can have several policies, by path and origin).",
            id=config.W_SIGNAL_IGNORED,
        )
    ]
