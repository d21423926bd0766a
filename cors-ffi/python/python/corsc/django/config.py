"""Where ``corsc.django`` gets its policy, and what is wrong with it.

:func:`load_policy` is the one place the configuration is read: the
middleware calls it at startup (and refuses to start on an error), and the
system checks (``manage.py check``) call it to report the same findings
with stable ids. Both therefore always agree.

The configuration, in this order:

1. ``CORSC_POLICY``: the path of a ``.corspolicy`` file, or of a table
   compiled by ``corsc compile``. The ``CORS_*`` settings are then ignored
   (warning ``corsc.W003`` when some are set).
2. Otherwise the django-cors-headers settings (``CORS_ALLOWED_ORIGINS``...,
   and the 3.x names), read from ``django.conf.settings`` and translated by
   the same code as ``corsc import django``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

from django.conf import settings as django_settings

import corsc
from corsc import _corsc

#: The setting naming a ``.corspolicy`` file or a compiled table.
POLICY_SETTING = "CORSC_POLICY"

#: The name given to the policy translated from the ``CORS_*`` settings
#: (what ``Outcome.policy`` reports).
TRANSLATED_POLICY_NAME = "django"

#: The pseudo file name of the translated policy in rendered diagnostics.
TRANSLATED_FILENAME = "<django-cors-headers settings>"

# Stable ids of the findings (the ids of ``manage.py check``). Documented
# in README.md; never renumber them.
E_REFUSED = "corsc.E001"
E_UNREADABLE = "corsc.E002"
E_TWO_MIDDLEWARES = "corsc.E003"
W_TRANSLATION = "corsc.W001"
W_CHECK = "corsc.W002"
W_SETTINGS_IGNORED = "corsc.W003"
W_NOT_IN_MIDDLEWARE = "corsc.W004"
W_ORDER = "corsc.W005"
W_NO_ORIGIN = "corsc.W006"
W_SIGNAL_IGNORED = "corsc.W007"


@dataclass(frozen=True)
class Finding:
    """One problem with the configuration.

    ``id`` is one of the stable ``corsc.E00x`` / ``corsc.W00x`` ids,
    ``code`` the corsc diagnostic code (``CORS0093``...) when there is one,
    ``rendered`` the diagnostic as ``corsc check`` prints it (source line
    and caret) when corsc rendered one.
    """

    id: str
    message: str
    hint: Optional[str] = None
    code: Optional[str] = None
    rendered: Optional[str] = None

    @property
    def is_error(self) -> bool:
        """Whether this finding stops the middleware from starting."""
        return ".E" in self.id

    def render(self) -> str:
        """One finding as text: ``[corsc.E001] error[CORS0093]: ...``."""
        level = "error" if self.is_error else "warning"
        head = f"{level}[{self.code}]" if self.code else level
        text = f"[{self.id}] {head}: {self.message}"
        if self.rendered:
            text += "\n" + _indent(self.rendered.rstrip("\n"))
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


@dataclass
class LoadedPolicy:
    """The result of :func:`load_policy`.

    ``policy`` is ``None`` exactly when some finding is an error. ``source``
    says where the policy came from (``CORSC_POLICY <path>`` or
    ``django-cors-headers settings``); ``text`` is the translated
    ``.corspolicy`` source when it came from the ``CORS_*`` settings (what
    ``corsc import django`` would write), else ``None``.
    """

    policy: Optional[corsc.Policy]
    source: str
    text: Optional[str] = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """The findings that refuse the policy."""
        return [f for f in self.findings if f.is_error]

    def refusal(self) -> str:
        """The message of the ``ImproperlyConfigured`` raised at startup."""
        lines = [
            f"corsc.django.CorsMiddleware: the CORS policy from the {self.source} is refused:",
            "",
        ]
        lines.extend(f.render() for f in self.errors)
        if self.text is not None:
            lines += [
                "",
                "The translated policy (what `corsc import django` writes):",
                _indent(self.text.rstrip("\n")),
            ]
        lines += [
            "",
            "Fix the settings (`python manage.py check` lists every finding), or write "
            f"a .corspolicy file and set {POLICY_SETTING} to its path.",
        ]
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.split("\n"))


def cors_settings(settings: Any = None) -> dict[str, Any]:
    """Every ``CORS_*`` setting Django has, by name, as values.

    Unknown ``CORS_*`` names are included too, so that the translation
    reports them (``CORS_REPLACE_HTTPS_REFERER``, a misspelling...).
    """
    settings = django_settings if settings is None else settings
    return {
        name: getattr(settings, name)
        for name in dir(settings)
        if name.startswith("CORS_") and name.isupper()
    }


def load_policy(settings: Any = None) -> LoadedPolicy:
    """Reads the configuration and compiles the policy, once.

    Never raises for a bad configuration: every problem is a
    :class:`Finding`, and ``policy`` is ``None`` when one is an error.
    """
    settings = django_settings if settings is None else settings
    path = getattr(settings, POLICY_SETTING, None)
    if path is not None:
        return _load_file(path, cors_settings(settings))
    return _load_translated(cors_settings(settings))


def _load_file(path: Any, ignored: dict[str, Any]) -> LoadedPolicy:
    findings: list[Finding] = []
    if ignored:
        findings.append(
            Finding(
                W_SETTINGS_IGNORED,
                f"{POLICY_SETTING} is set, so the django-cors-headers settings "
                f"{', '.join(sorted(ignored))} are ignored.",
                hint=f"Remove them, or remove {POLICY_SETTING} to use them.",
            )
        )
    if not isinstance(path, (str, os.PathLike)):
        findings.append(
            Finding(
                E_UNREADABLE,
                f"{POLICY_SETTING} must be a path (str or pathlib.Path), not "
                f"{type(path).__name__}.",
            )
        )
        return LoadedPolicy(None, f"{POLICY_SETTING} setting", findings=findings)
    source = f"{POLICY_SETTING} {os.fspath(path)}"
    try:
        policy = corsc.Policy.from_file(path)
    except corsc.PolicyError as error:
        diagnostics = list(getattr(error, "diagnostics", []) or [])
        refused = [d for d in diagnostics if d.severity == "error"]
        if not refused:
            # A table that does not load, or a file that is not UTF-8.
            findings.append(Finding(E_UNREADABLE, str(error).strip()))
        for d in diagnostics:
            findings.append(_finding_of_diagnostic(d, os.fspath(path)))
        return LoadedPolicy(None, source, findings=findings)
    except OSError as error:
        findings.append(
            Finding(
                E_UNREADABLE,
                f"cannot read {POLICY_SETTING}: {error}",
                hint="A relative path is relative to the current directory; "
                "use an absolute one, e.g. BASE_DIR / 'cors.corspolicy'.",
            )
        )
        return LoadedPolicy(None, source, findings=findings)
    findings.extend(_warnings(policy, os.fspath(path)))
    if not policy.names:
        findings.append(_no_origin_finding(f"{POLICY_SETTING} {os.fspath(path)} has no policy"))
    return LoadedPolicy(policy, source, findings=findings)


def _finding_of_diagnostic(diagnostic: corsc.Diagnostic, where: str) -> Finding:
    """A ``corsc check`` diagnostic on a policy's source as a finding."""
    error = diagnostic.severity == "error"
    return Finding(
        E_REFUSED if error else W_CHECK,
        f"{where}:{diagnostic.line}:{diagnostic.column}: {diagnostic.message}",
        code=diagnostic.code,
        rendered=diagnostic.rendered,
        hint=None if error else "Run `corsc check` on the policy for the details.",
    )


def _warnings(policy: corsc.Policy, where: str) -> list[Finding]:
    """``corsc check``'s warnings on a compiled policy, but "this file
    defines no policy" (CORS0018), which ``corsc.W006`` says better."""
    return [
        _finding_of_diagnostic(d, where)
        for d in policy.warnings
        if not (d.code == "CORS0018" and not policy.names)
    ]


def _no_origin_finding(why: str) -> Finding:
    return Finding(
        W_NO_ORIGIN,
        f"{why}: corsc.django.CorsMiddleware answers no CORS request (no browser "
        "can read any response cross-origin).",
        hint="List the allowed origins in CORS_ALLOWED_ORIGINS, or in the policy "
        f"named by {POLICY_SETTING}.",
    )


def _load_translated(values: dict[str, Any]) -> LoadedPolicy:
    source = "django-cors-headers settings"
    text, diagnostics = _corsc.translate_django_settings(values, name=TRANSLATED_POLICY_NAME)
    findings: list[Finding] = []
    for severity, code, message in diagnostics:
        error = severity == "error"
        findings.append(
            Finding(
                E_REFUSED if error else W_TRANSLATION,
                message,
                code=code,
                hint=(
                    "Fix the setting, or translate it by hand into a .corspolicy "
                    f"file named by {POLICY_SETTING} (`corsc import django settings.py` "
                    "writes a starting point)."
                    if error
                    else None
                ),
            )
        )
    refused = any(f.is_error for f in findings)
    if refused:
        # The translation's own errors say which setting is at fault; add
        # corsc check's errors on the generated text, rendered with its
        # source line, which say what corsc refuses.
        for d in corsc.check(text, filename=TRANSLATED_FILENAME):
            if d.severity == "error":
                findings.append(_finding_of_diagnostic(d, TRANSLATED_FILENAME))
        return LoadedPolicy(None, source, text, findings)
    try:
        policy = corsc.Policy.from_source(text, filename=TRANSLATED_FILENAME)
    except corsc.PolicyError as error:
        # The translation self-checks, so this is a corsc bug; still refuse
        # with what corsc said rather than start without a policy.
        diagnostics = list(getattr(error, "diagnostics", []) or [])
        findings.extend(_finding_of_diagnostic(d, TRANSLATED_FILENAME) for d in diagnostics)
        if not any(d.severity == "error" for d in diagnostics):
            findings.append(Finding(E_REFUSED, str(error).strip()))
        return LoadedPolicy(None, source, text, findings)
    findings.extend(_warnings(policy, TRANSLATED_FILENAME))
    if not policy.names:
        findings.append(
            _no_origin_finding(
                "the django-cors-headers settings allow no origin (no CORS_ALLOWED_ORIGINS, "
                "CORS_ALLOWED_ORIGIN_REGEXES or CORS_ALLOW_ALL_ORIGINS)"
            )
        )
    return LoadedPolicy(policy, source, text, findings)
