"""The django-cors-headers configurations of the differential test.

Each :class:`Config` is a set of ``CORS_*`` settings, as a project would
write them. ``correction``, when set, is the one documented change the
translation makes to these settings (a category of README.md, and the same
settings with the change applied): corsc must then answer as
django-cors-headers does *with the corrected settings*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

APP = "https://app.example.com"


@dataclass(frozen=True)
class Config:
    """One row of the matrix."""

    name: str
    settings: dict[str, Any]
    correction: Optional[tuple[str, dict[str, Any]]] = None


CONFIGS: list[Config] = [
    Config("list", {"CORS_ALLOWED_ORIGINS": [APP, "http://localhost:3000"]}),
    Config(
        "list-credentials",
        {"CORS_ALLOWED_ORIGINS": [APP, "http://localhost:3000"], "CORS_ALLOW_CREDENTIALS": True},
    ),
    Config(
        "expose-max-age",
        {
            "CORS_ALLOWED_ORIGINS": (APP,),
            "CORS_EXPOSE_HEADERS": ["x-request-id", "x-total"],
            "CORS_PREFLIGHT_MAX_AGE": 600,
        },
    ),
    Config("max-age-zero", {"CORS_ALLOWED_ORIGINS": [APP], "CORS_PREFLIGHT_MAX_AGE": 0}),
    Config(
        "max-age-capped",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_PREFLIGHT_MAX_AGE": 172800},
        ("max-age-capped", {"CORS_PREFLIGHT_MAX_AGE": 86400}),
    ),
    Config("allow-all", {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_EXPOSE_HEADERS": ["x-request-id"]}),
    Config("allow-all-legacy", {"CORS_ORIGIN_ALLOW_ALL": True}),
    Config(
        "legacy-names",
        {
            "CORS_ORIGIN_WHITELIST": [APP],
            "CORS_ORIGIN_REGEX_WHITELIST": [r"^https://[a-z0-9-]+\.example\.org$"],
        },
    ),
    Config(
        "both-names",
        {"CORS_ALLOWED_ORIGINS": ["https://admin.example.com"], "CORS_ORIGIN_WHITELIST": [APP]},
    ),
    Config("regex", {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://[a-z0-9-]+\.example\.com$"]}),
    Config(
        "regex-unanchored",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com"]},
        ("regex-anchored", {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com$"]}),
    ),
    Config(
        "regex-word",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+\.example\.com$"]},
        ("regex-lowercase", {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://[a-z0-9_]+\.example\.com$"]}),
    ),
    Config(
        "regex-compiled",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [re.compile(r"^https://(app|admin)\.example\.com$")]},
    ),
    Config(
        "urls-regex",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_URLS_REGEX": r"^/api/.*$"},
    ),
    Config(
        "urls-regex-prefix",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_URLS_REGEX": r"^/api"},
        ("urls-regex-segment", {"CORS_URLS_REGEX": r"^/api(/|$)"}),
    ),
    Config(
        "methods-headers",
        {
            "CORS_ALLOWED_ORIGINS": [APP],
            "CORS_ALLOW_METHODS": ["GET", "POST", "PUT"],
            "CORS_ALLOW_HEADERS": ["content-type", "x-api-key"],
        },
    ),
    Config(
        "methods-lower-case",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_ALLOW_METHODS": ["get", "post", "patch"]},
        ("method-case", {"CORS_ALLOW_METHODS": ["GET", "POST", "patch"]}),
    ),
    Config("null", {"CORS_ALLOWED_ORIGINS": ["null", APP]}),
    Config(
        "listed-upper-case",
        {"CORS_ALLOWED_ORIGINS": ["https://App.Example.com"]},
        ("listed-origin-corrected", {"CORS_ALLOWED_ORIGINS": [APP]}),
    ),
    Config(
        "listed-default-port",
        {"CORS_ALLOWED_ORIGINS": ["https://app.example.com:443"]},
        ("listed-origin-corrected", {"CORS_ALLOWED_ORIGINS": [APP]}),
    ),
    Config("ports", {"CORS_ALLOWED_ORIGINS": ["https://app.example.com:8443", "http://127.0.0.1:8000"]}),
    Config(
        "private-network",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_ALLOW_PRIVATE_NETWORK": True},
    ),
    Config("nothing", {}),
    Config(
        "empty-lists",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_ALLOW_HEADERS": [], "CORS_EXPOSE_HEADERS": []},
    ),
    Config(
        "everything",
        {
            "CORS_ALLOWED_ORIGINS": [APP, "http://localhost:3000"],
            "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://[a-z0-9-]+\.example\.org$"],
            "CORS_ALLOW_CREDENTIALS": True,
            "CORS_EXPOSE_HEADERS": ["x-request-id"],
            "CORS_ALLOW_HEADERS": ["accept", "content-type", "authorization", "x-api-key"],
            "CORS_ALLOW_METHODS": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            "CORS_PREFLIGHT_MAX_AGE": 3600,
            "CORS_URLS_REGEX": r"^/api/",
        },
    ),
]
