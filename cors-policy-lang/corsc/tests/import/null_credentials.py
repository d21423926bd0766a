CORS_ALLOWED_ORIGINS = ["https://app.example.com", "null"]
CORS_ALLOW_CREDENTIALS = True
