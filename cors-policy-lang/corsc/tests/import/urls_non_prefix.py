CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_URLS_REGEX = r'^/api/v[12]/.*$'
