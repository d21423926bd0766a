from corsheaders.defaults import default_headers

CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_HEADERS = default_headers + ("x-tenant",)
CORS_EXPOSE_HEADERS = default_headers + ["x-mixed"]
