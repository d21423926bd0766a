"""The README's quickstart is true: its blocks are the files of
examples/quickstart/, and that project answers as the README shows.
(The browser suite runs the same project in Chromium: the console error
without the middleware, the page reading the users with it.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
QUICKSTART = HERE / "examples" / "quickstart"


def readme_block(after: str) -> str:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    start = readme.index(after)
    match = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(readme, start)
    assert match, after
    return textwrap.dedent(match.group(1))


def test_the_policy_block_is_the_example_file() -> None:
    assert readme_block("2. Write the policy") == (QUICKSTART / "cors.corspolicy").read_text()


def test_the_settings_block_is_in_the_example_settings() -> None:
    settings = (QUICKSTART / "settings.py").read_text()
    assert readme_block("3. Point Django at it") in settings


def test_the_project_answers_as_the_readme_shows() -> None:
    # A process of its own: Django's settings are global.
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.test import Client
        from django.core.management import call_command
        call_command("check", fail_level="WARNING")
        client = Client(HTTP_HOST="127.0.0.1:8000")
        r = client.get("/users", HTTP_ORIGIN="http://127.0.0.1:5000")
        print(r.status_code, r["Access-Control-Allow-Origin"], r["Vary"], r.content.decode())
        r = client.get("/users", HTTP_ORIGIN="http://127.0.0.1:5001")
        print(r.status_code, r.get("Access-Control-Allow-Origin"))
        """
    )
    env = dict(os.environ, PYTHONPATH=str(QUICKSTART), DJANGO_SETTINGS_MODULE="settings")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=QUICKSTART)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "System check identified no issues (0 silenced).",
        '200 http://127.0.0.1:5000 Origin [{"name": "ada"}]',
        "200 None",
    ]
    curl = readme_block("4. Check and restart")
    assert "Access-Control-Allow-Origin: http://127.0.0.1:5000\nVary: Origin\n" in curl
