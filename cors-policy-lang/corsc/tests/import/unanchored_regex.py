import re

CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://\w+\.example\.com$",
    r"^https://pr-\d+\.preview\.example\.com",
    r"https://static\.example\.net\Z",
    re.compile(r"^https://(www|shop)\.example\.org$", re.IGNORECASE),
    r"^https://a\.example\.com$|^https://b\.example\.com",
    r"^https://(?!admin)[a-z]+\.example\.io$",
]
