"""The app config of ``corsc.django``: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class CorscConfig(AppConfig):
    """``"corsc.django"`` in ``INSTALLED_APPS`` makes ``manage.py check``
    report the policy's findings (``corsc.E001``...). The middleware works
    without it; the checks need it, as django-cors-headers' need
    ``"corsheaders"``."""

    name = "corsc.django"
    label = "corsc"
    verbose_name = "corsc"
    default = True

    def ready(self) -> None:
        from .checks import check_middleware, check_policy, check_signal

        for check in (check_policy, check_middleware, check_signal):
            checks.register(check, checks.Tags.security)
