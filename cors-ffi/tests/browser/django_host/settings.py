"""The browser suite's Django host: a Django project whose only view
forwards every request to the suite's upstream, behind
corsc.django.CorsMiddleware with CORSC_POLICY (the suite's policy).

Started by harness.mjs as `python -m django runserver` with
DJANGO_SETTINGS_MODULE=settings, CORSC_POLICY and CORSC_UPSTREAM set.
"""

import os

SECRET_KEY = "browser-suite"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list = []
MIDDLEWARE = ["corsc.django.CorsMiddleware"]
ROOT_URLCONF = "urls"
CORSC_POLICY = os.environ["CORSC_POLICY"]
CORSC_UPSTREAM = os.environ["CORSC_UPSTREAM"]
USE_TZ = True
LOGGING_CONFIG = None
