CORS_ALLOWED_ORIGINS = ("https://one.example.com",)
CORS_ALLOW_METHODS = ("GET", "POST",)
CORS_ALLOW_HEADERS = "content-type", "x-custom"
CORS_EXPOSE_HEADERS = (
    "x-total-count",
    # a comment inside the tuple
    "x-page",
)
CORS_PREFLIGHT_MAX_AGE = (3600)
