DEBUG = False
if DEBUG:
    CORS_ALLOW_ALL_ORIGINS = True

CORS_ALLOWED_ORIGINS = [
    "https://App.Example.com",
    "https://secure.example.com:443",
    "https://docs.example.com/path/",
    "example.com",
    "file://",
]
CORS_ALLOW_METHODS = ["get", "post", "PURGE", "TRACE"]
CORS_PREFLIGHT_MAX_AGE = 7 * 24 * 3600
CORS_REPLACE_HTTPS_REFERER = True
CORS_ALLOW_CREDENTIAL = True
CORS_ALLOW_PRIVATE_NETWORK = 1
CORS_ALLOWED_ORIGINS = [
    "https://App.Example.com",
    "https://secure.example.com:443",
    "https://docs.example.com/path/",
    "example.com",
    "file://",
]
