# A Django project's settings.py, reduced to what the quickstart touches.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "quickstart"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"

INSTALLED_APPS = [
    "corsc.django",  # `manage.py check` reports the policy's problems
]
MIDDLEWARE = [
    "corsc.django.CorsMiddleware",  # first, before CommonMiddleware
    "django.middleware.common.CommonMiddleware",
]
CORSC_POLICY = BASE_DIR / "cors.corspolicy"
