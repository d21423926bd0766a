"""Base settings of the corsc.django tests: no CORS_* setting, no
middleware; each test overrides what it needs."""

SECRET_KEY = "corsc-tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "django_settings.urls"
INSTALLED_APPS = ["corsc.django"]
MIDDLEWARE: list[str] = []
USE_TZ = True
DATABASES: dict[str, dict[str, str]] = {}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGGING_CONFIG = None
