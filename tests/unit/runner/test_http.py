"""The proxies of a URL (runner/http.py), read from the step's environment as urllib reads
the process's: which variables, and which hosts ``no_proxy`` takes out."""

from __future__ import annotations

import pytest

from build_push_py.runner import http

PROXY = "http://proxy.test:3128"
BOTH = {"http": PROXY, "https": PROXY}
VARS = {"http_proxy": PROXY, "https_proxy": PROXY}


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        pytest.param("https://a.example", {}, {}, id="none"),
        pytest.param("https://a.example", {"https_proxy": PROXY}, {"https": PROXY}, id="https"),
        pytest.param("https://a.example", {"HTTP_PROXY": PROXY, "HTTPS_PROXY": PROXY}, BOTH,
                     id="capitals"),
        pytest.param("https://a.example", {"https_proxy": PROXY, "HTTPS_PROXY": "http://b:1"},
                     {"https": PROXY}, id="lower-case-first"),
        pytest.param("https://a.example", {"https_proxy": "", "HTTPS_PROXY": PROXY}, {},
                     id="empty-lower-case-turns-it-off"),
        pytest.param("https://a.example", {**VARS, "no_proxy": "b.example,other.test"}, BOTH,
                     id="not-named"),
        pytest.param("https://a.example", {**VARS, "no_proxy": "*"}, {}, id="star"),
        pytest.param("http://ecr.internal:4566", {**VARS, "no_proxy": "ecr.internal"}, {},
                     id="host"),
        pytest.param("http://ecr.internal:4566", {**VARS, "NO_PROXY": " x.test , .internal"}, {},
                     id="domain-capitals"),
        pytest.param("http://ecr.internal:4566", {**VARS, "no_proxy": "internal"}, {},
                     id="domain-without-dot"),
        pytest.param("http://ecr.notinternal", {**VARS, "no_proxy": "internal"}, BOTH,
                     id="a-suffix-is-not-a-domain"),
        pytest.param("http://ECR.Internal/", {**VARS, "no_proxy": "ecr.internal"}, {},
                     id="any-case"),
        pytest.param("http://ecr.internal:4566", {**VARS, "no_proxy": "ecr.internal:4566"}, {},
                     id="host-and-port"),
        pytest.param("http://ecr.internal:4567", {**VARS, "no_proxy": "ecr.internal:4566"}, BOTH,
                     id="another-port"),
        pytest.param("http://user:pw@ecr.internal/", {**VARS, "no_proxy": "ecr.internal"}, {},
                     id="user-info"),
        pytest.param("https://api.ecr.eu-west-3.amazonaws.com",
                     {**VARS, "no_proxy": "no_proxy", "NO_PROXY": ".amazonaws.com"}, BOTH,
                     id="lower-case-no-proxy-first"),
    ],
)  # fmt: skip
def test_proxies(url: str, env: dict[str, str], expected: dict[str, str]) -> None:
    assert http.proxies(url, env) == expected


def test_proxies_read_the_given_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("https_proxy", "http://process.test:1")
    assert http.proxies("https://a.example", {"https_proxy": PROXY}) == {"https": PROXY}
    assert http.proxies("https://a.example", {}) == {}
