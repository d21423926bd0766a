"""The package's own API: Policy, Outcome, check, PolicyError.

Outcomes are compared with `corsc explain --json` (the CLI built from the
same workspace) for every decision and every reason, so the binding cannot
drift from the tool.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

import corsc

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "api.corspolicy"

POLICY = """
policy api {
    paths /api/;
    origins https://app.example.com https://*.example.com http://localhost:*;
    methods GET POST PUT DELETE;
    allow-headers Content-Type Authorization;
    expose-headers X-Request-Id;
    credentials on;
    max-age 10m;
}
policy public {
    paths /public/;
    origins *;
}
"""

# (method, path, origin, request_method, request_headers, private_network)
REQUESTS = [
    ("GET", "/api/users", "https://app.example.com", None, None, None),
    ("GET", "/api/users?q=1", "https://a.b.example.com", None, None, None),
    ("GET", "/api/users", "https://evil.test", None, None, None),
    ("GET", "/api/users", None, None, None, None),
    ("GET", "/elsewhere", "https://app.example.com", None, None, None),
    ("OPTIONS", "/api/users", "https://app.example.com", "PUT", "content-type,authorization", None),
    ("OPTIONS", "/api/users", "https://app.example.com", "PATCH", None, None),
    ("OPTIONS", "/api/users", "https://app.example.com", "PUT", "x-other", None),
    ("OPTIONS", "/api/users", "http://localhost:5173", "DELETE", None, "true"),
    ("OPTIONS", "/api/users", "https://evil.test", "PUT", None, None),
    ("GET", "/api/users", "https://app.example.com/", None, None, None),
    ("GET", "/api/users", "https://app.example.com, https://evil.test", None, None, None),
    ("OPTIONS", "/api/users", "https://app.example.com", "PU T", None, None),
    ("GET", "/public/x", "null", None, None, None),
    ("POST", "/public/x", "https://anyone.test", None, None, None),
    ("OPTIONS", "/public/x", "https://anyone.test", "GET", "Content-Type, X-Custom", None),
]


def corsc_binary() -> Path:
    built = ROOT / "target" / "debug" / "corsc"
    if not built.exists():
        subprocess.run(["cargo", "build", "--quiet", "-p", "corsc"], cwd=ROOT, check=True)
    return built


def explain(policy_file: Path, request: tuple) -> dict:
    method, path, origin, request_method, request_headers, private_network = request
    args = [str(corsc_binary()), "explain", str(policy_file), "--json", "--method", method, "--path", path]
    if origin is not None:
        args += ["--origin", origin]
    if request_method is not None:
        args += ["--request-method", request_method]
    if request_headers is not None:
        args += ["--request-headers", request_headers]
    if private_network is not None:
        args += ["--private-network"]
    return json.loads(subprocess.run(args, check=True, capture_output=True).stdout)


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "api.corspolicy"
    path.write_text(POLICY)
    return path


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: " ".join(str(x) for x in r if x))
def test_evaluate_agrees_with_corsc_explain(policy_file: Path, request_: tuple) -> None:
    policy = corsc.Policy.from_file(policy_file)
    method, path, origin, request_method, request_headers, private_network = request_
    outcome = policy.evaluate(method, path, origin, request_method, request_headers, private_network)
    expected = explain(policy_file, request_)
    assert outcome.decision == expected["decision"]
    assert outcome.reason == expected["reason"]
    assert outcome.policy == expected["policy"]
    assert outcome.status == expected["status"]
    assert [list(h) for h in outcome.headers] == expected["headers"]
    assert outcome.is_preflight == expected["decision"].startswith("preflight")
    assert outcome.allowed == expected["decision"].endswith("-allowed")


def test_every_decision_and_reason_is_reached(policy_file: Path) -> None:
    policy = corsc.Policy.from_file(policy_file)
    outcomes = [policy.evaluate(*r) for r in REQUESTS]
    assert {o.decision for o in outcomes} == {
        "pass",
        "preflight-allowed",
        "preflight-denied",
        "actual-allowed",
        "actual-denied",
    }
    assert {o.reason for o in outcomes} == {
        None,
        "not-cors",
        "no-policy",
        "origin-not-allowed",
        "method-not-allowed",
        "header-not-allowed",
        "private-network-not-allowed",
        "malformed-origin",
        "malformed-request",
    }


def test_str_and_bytes_are_the_same_request() -> None:
    policy = corsc.Policy.from_source(POLICY)
    as_str = policy.evaluate("GET", "/api/x", origin="https://app.example.com")
    as_bytes = policy.evaluate(b"GET", b"/api/x", origin=b"https://app.example.com")
    assert as_str.headers == as_bytes.headers
    assert as_bytes.raw_headers[0] == (b"access-control-allow-origin", b"https://app.example.com")


def test_header_bytes_are_latin1_and_never_reflected_when_denied() -> None:
    policy = corsc.Policy.from_source(POLICY)
    # A byte no browser sends in an origin: malformed, and nothing echoed.
    outcome = policy.evaluate(b"GET", b"/api/x", origin=b"https://app.example.com\xff")
    assert outcome.decision == "actual-denied"
    assert outcome.reason == "malformed-origin"
    assert all(name == "vary" for name, _ in outcome.headers)
    # An allowed origin with every byte of its value intact.
    allowed = corsc.Policy.from_source('policy p { origins "https://xn--bcher-kva.example"; }')
    outcome = allowed.evaluate("GET", "/", origin="https://xn--bcher-kva.example")
    assert outcome.headers[0] == ("access-control-allow-origin", "https://xn--bcher-kva.example")
    # A str with characters beyond Latin-1 cannot come from the wire; it is
    # denied, not an exception.
    assert policy.evaluate("GET", "/api/x", origin="https://app.example.com\u2603").decision == "actual-denied"


def test_wrong_argument_types_raise() -> None:
    policy = corsc.Policy.from_source(POLICY)
    with pytest.raises(ValueError, match="origin must be str or bytes"):
        policy.evaluate("GET", "/api/x", origin=42)
    with pytest.raises(TypeError):
        policy.evaluate("GET")  # type: ignore[call-arg]


def test_from_file_reads_source_and_tables(tmp_path: Path) -> None:
    from_source = corsc.Policy.from_file(EXAMPLE)
    assert from_source.names == ["api", "assets"]
    table = tmp_path / "api.table"
    table.write_bytes(from_source.table)
    from_table = corsc.Policy.from_file(table)
    assert from_table.names == ["api", "assets"]
    assert corsc.Policy.from_table(from_source.table).names == ["api", "assets"]
    request = ("OPTIONS", "/api/users", "https://app.example.com", "PUT", "content-type")
    assert from_table.evaluate(*request).headers == from_source.evaluate(*request).headers
    with pytest.raises(OSError, match="missing.corspolicy"):
        corsc.Policy.from_file(tmp_path / "missing.corspolicy")


def test_a_refused_policy_raises_with_every_diagnostic() -> None:
    source = "policy a {\n    origins *;\n    credentials on;\n    methods get;\n}\n"
    with pytest.raises(corsc.PolicyError) as raised:
        corsc.Policy.from_source(source, filename="a.corspolicy")
    error = raised.value
    assert isinstance(error, ValueError)
    codes = [(d.code, d.severity, d.line, d.column) for d in error.diagnostics]
    assert ("CORS0041", "error", 2, 13) in codes
    assert any(code == "CORS0051" for code, *_ in codes)
    assert "--> a.corspolicy:2:13" in error.rendered
    assert "a.corspolicy: 2 error(s)" in str(error)


def test_corrupt_tables_raise_policy_error() -> None:
    table = corsc.Policy.from_file(EXAMPLE).table
    for bad in (b"", table[:-1], table[:8], b"\x00" * 64, table[:16] + b"\xff" * (len(table) - 16)):
        with pytest.raises(corsc.PolicyError, match="cannot load the table"):
            corsc.Policy.from_table(bad)


def test_check_lists_warnings_and_errors_with_places() -> None:
    assert corsc.check(EXAMPLE.read_text()) == []
    diagnostics = corsc.check("policy a {\n  origins https://A.example.com;\n  methods patch;\n}\n", "x.corspolicy")
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("CORS0039", "warning", 2, 11),
        ("CORS0052", "warning", 3, 11),
    ]
    for d in diagnostics:
        assert d.rendered.startswith(f"{d.severity}[{d.code}]")
        assert f"x.corspolicy:{d.line}:{d.column}" in d.rendered
    policy = corsc.Policy.from_source("policy a {\n  origins https://a.example.com;\n  methods patch;\n}\n")
    assert [d.code for d in policy.warnings] == ["CORS0052"]


def test_one_policy_shared_by_threads() -> None:
    policy = corsc.Policy.from_source(POLICY)
    expected = [policy.evaluate(*r) for r in REQUESTS]
    expected = [(o.decision, o.reason, o.headers) for o in expected]
    failures: list[str] = []

    def work() -> None:
        for _ in range(300):
            for request, want in zip(REQUESTS, expected):
                got = policy.evaluate(*request)
                if (got.decision, got.reason, got.headers) != want:
                    failures.append(repr(request))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_version_and_repr() -> None:
    assert corsc.__version__ == "0.1.0"
    policy = corsc.Policy.from_file(EXAMPLE)
    assert repr(policy) == "<corsc.Policy api, assets>"
    outcome = policy.evaluate("GET", "/api/x", origin="https://evil.test")
    assert repr(outcome) == "<Outcome actual-denied reason='origin-not-allowed' policy=\"api\" status=None>"


def test_the_environment_does_not_leak_into_evaluation() -> None:
    # No global state: two policies answer independently.
    a = corsc.Policy.from_source('policy a { origins https://a.test; }')
    b = corsc.Policy.from_source('policy b { origins https://b.test; }')
    assert a.evaluate("GET", "/", origin="https://a.test").allowed
    assert not b.evaluate("GET", "/", origin="https://a.test").allowed


def test_an_endless_file_is_refused() -> None:
    with pytest.raises(OSError, match="larger than 64 MiB"):
        corsc.Policy.from_file("/dev/zero")


def test_settings_nested_without_end_are_refused_not_a_crash() -> None:
    from corsc import _corsc

    loop: list = []
    loop.append(loop)
    source, diagnostics = _corsc.translate_django_settings({"CORS_ALLOWED_ORIGINS": loop})
    assert any("nested more than 8 lists deep" in message for _, _, message in diagnostics)
    deep: list = ["https://a.test"]
    for _ in range(100_000):
        deep = [deep]
    _, diagnostics = _corsc.translate_django_settings({"CORS_ALLOWED_ORIGINS": deep})
    assert any("nested more than 8 lists deep" in message for _, _, message in diagnostics)
