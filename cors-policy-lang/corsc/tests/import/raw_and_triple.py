SECRET_KEY = """not
CORS_ALLOWED_ORIGINS = ["https://inside-a-string.example"]
"""
CORS_ALLOWED_ORIGINS: list[str] = [
    r'https://raw.example.com',
    '''https://triple.example.com''',
    "https://concat" ".example.com",
    "https://\x65scaped.example.com",
]
CORS_ALLOW_HEADERS = [
    "content-type", \
    'x-it\'s-quoted',
]
CORS_ALLOW_CREDENTIALS: bool = True
