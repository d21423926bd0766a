CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOWED_ORIGINS = ["https://ignored.example.com"]
CORS_URLS_REGEX = r"^/public/"
