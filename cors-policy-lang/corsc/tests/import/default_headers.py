from corsheaders.defaults import default_headers, default_methods

CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_HEADERS = (
    *default_headers,
    "x-api-key",
)
CORS_ALLOW_METHODS = [*default_methods, "PURGE"]
CORS_EXPOSE_HEADERS = list(default_headers) + ["x-extra"]
