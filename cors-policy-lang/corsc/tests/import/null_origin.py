CORS_ALLOWED_ORIGINS = ["null", "https://app.example.com"]
