# django-cors-headers 3.x names, still read by 4.x.
CORS_ORIGIN_ALLOW_ALL = False
CORS_ORIGIN_WHITELIST = (
    "https://www.example.org",
    "https://shop.example.org",
)
CORS_ALLOW_CREDENTIALS = False
