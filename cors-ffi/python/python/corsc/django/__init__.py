"""Django integration of corsc.

Switching from django-cors-headers: in ``MIDDLEWARE`` replace
``"corsheaders.middleware.CorsMiddleware"`` with
``"corsc.django.CorsMiddleware"``, and in ``INSTALLED_APPS`` replace
``"corsheaders"`` with ``"corsc.django"`` (for ``manage.py check``). The
``CORS_*`` settings are read as they are, or ``CORSC_POLICY`` names a
``.corspolicy`` file. See README.md.

This is a package (not a module) because Django needs an app config
(``apps.py``) for the system checks.
"""

from .config import Finding, LoadedPolicy, load_policy
from .middleware import CorsMiddleware

__all__ = ["CorsMiddleware", "Finding", "LoadedPolicy", "load_policy"]
