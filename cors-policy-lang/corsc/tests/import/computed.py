import os
import environ

env = environ.Env()
TRUSTED = ["https://a.example.com"]

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ORIGIN_WHITELIST = os.environ["ORIGINS"].split(",")
CORS_ALLOW_HEADERS = [f"x-{name}" for name in ("a", "b")]
CORS_EXPOSE_HEADERS = TRUSTED
CORS_ALLOW_CREDENTIALS = os.environ.get("CREDS") == "1"
CORS_PREFLIGHT_MAX_AGE = int(os.environ.get("MAX_AGE", "600"))
CORS_ALLOW_METHODS = [f"GET"]
CORS_ALLOWED_ORIGIN_REGEXES = TRUSTED + [r"^https://x\.com$"]
