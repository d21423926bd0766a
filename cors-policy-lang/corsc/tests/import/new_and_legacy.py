CORS_ALLOWED_ORIGINS = ["https://new.example.com"]
CORS_ORIGIN_WHITELIST = ["https://old.example.com"]
CORS_ALLOW_ALL_ORIGINS = False
CORS_ORIGIN_ALLOW_ALL = True
