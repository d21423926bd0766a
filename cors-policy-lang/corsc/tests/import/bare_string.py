CORS_ALLOWED_ORIGINS = "https://app.example.com"
CORS_ALLOWED_ORIGIN_REGEXES = r"^https://\w+\.example\.com$"
CORS_ALLOW_METHODS = "GET"
