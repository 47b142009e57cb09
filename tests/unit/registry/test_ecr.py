"""Amazon ECR: login-action's rules (its aws.test.ts rows), and the token through botocore."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.session
import pytest
from botocore.stub import Stubber
from support.http import reply_json, running

from build_push_py.errors import InputError, LoginError
from build_push_py.registry import ecr
from build_push_py.registry.login import parse_logins
from build_push_py.registry.method import Credential, RegistryLogin, Where

REGISTRIES = [
    ("registry.gitlab.com", False, False),
    ("gcr.io", False, False),
    ("012345678901.dkr.ecr.eu-west-3.amazonaws.com", True, False),
    ("876820548815.dkr.ecr.cn-north-1.amazonaws.com.cn", True, False),
    ("390948362332.dkr.ecr.cn-northwest-1.amazonaws.com.cn", True, False),
    ("012345678901.dkr-ecr.eu-north-1.on.aws", True, False),
    ("012345678901.dkr.ecr.eusc-de-east-1.amazonaws.eu", True, False),
    ("public.ecr.aws", True, True),
    ("ecr-public.aws.com", True, True),
    # ours: a path is allowed, a newline at the end is not (JavaScript's $)
    ("012345678901.dkr.ecr.eu-west-3.amazonaws.com/team/app", True, False),
    ("012345678901.dkr.ecr.eu-west-3.amazonaws.com\n", False, False),
    ("12345678901.dkr.ecr.eu-west-3.amazonaws.com", False, False),
]


@pytest.mark.parametrize(("registry", "is_ecr", "is_public"), REGISTRIES, ids=repr)
def test_which_registries_are_ecr(registry: str, is_ecr: bool, is_public: bool) -> None:
    assert ecr.is_ecr(registry) is is_ecr
    assert ecr.is_public(registry) is is_public


@pytest.mark.parametrize(
    ("registry", "env", "expected"),
    [
        ("012345678901.dkr.ecr.eu-west-3.amazonaws.com", {}, "eu-west-3"),
        ("876820548815.dkr.ecr.cn-north-1.amazonaws.com.cn", {}, "cn-north-1"),
        ("390948362332.dkr.ecr.cn-northwest-1.amazonaws.com.cn", {}, "cn-northwest-1"),
        ("012345678901.dkr-ecr.eu-north-1.on.aws", {}, "eu-north-1"),
        ("012345678901.dkr.ecr.eusc-de-east-1.amazonaws.eu", {}, "eusc-de-east-1"),
        ("public.ecr.aws", {}, "us-east-1"),
        ("public.ecr.aws", {"AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),
        ("public.ecr.aws", {"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "x"}, "ap-south-1"),
        ("ghcr.io", {}, ""),
    ],
    ids=repr,
)  # fmt: skip
def test_region(registry: str, env: dict[str, str], expected: str) -> None:
    assert ecr.region(registry, env) == expected


@pytest.mark.parametrize(
    ("registry", "ids", "expected"),
    [
        ("012345678901.dkr.ecr.eu-west-3.amazonaws.com", None, ["012345678901"]),
        ("012345678901.dkr.ecr.eu-west-3.amazonaws.com", "012345678910,023456789012",
         ["012345678901", "012345678910", "023456789012"]),
        ("012345678901.dkr.ecr.eu-west-3.amazonaws.com", "012345678901,012345678910,023456789012",
         ["012345678901", "012345678910", "023456789012"]),
        ("390948362332.dkr.ecr.cn-northwest-1.amazonaws.com.cn", "012345678910,023456789012",
         ["390948362332", "012345678910", "023456789012"]),
        ("876820548815.dkr-ecr.eu-north-1.on.aws", "012345678910,023456789012",
         ["876820548815", "012345678910", "023456789012"]),
        ("012345678901.dkr.ecr.eusc-de-east-1.amazonaws.eu", "012345678910,023456789012",
         ["012345678901", "012345678910", "023456789012"]),
        ("public.ecr.aws", None, []),
        ("public.ecr.aws", "012345678910", []),
    ],
    ids=repr,
)  # fmt: skip
def test_account_ids(registry: str, ids: str | None, expected: list[str]) -> None:
    env = {"AWS_ACCOUNT_IDS": ids} if ids else {}
    assert ecr.account_ids(registry, env) == expected


ECR = "012345678901.dkr.ecr.eu-west-3.amazonaws.com"


@pytest.mark.parametrize(
    ("raw", "method"),
    [
        pytest.param({"registry": ECR, "username": "AKIA", "password": "secret"}, "ecr",
                     id="auto-on-ecr-with-keys"),
        pytest.param({"registry": ECR}, "ecr", id="auto-on-ecr-sdk-chain"),
        pytest.param({"registry": "public.ecr.aws"}, "ecr", id="public"),
        pytest.param({"registry": ECR, "username": "u", "password": "p", "ecr": "false"},
                     "static", id="false-is-a-plain-login"),
        pytest.param({"registry": ECR, "ecr": "TRUE"}, "ecr", id="true-in-any-case"),
        pytest.param({"registry": "ghcr.io", "username": "u", "password": "p", "ecr": "auto"},
                     "static", id="auto-elsewhere"),
        pytest.param({"registry-auth": f"- registry: {ECR}\n  ecr: false\n  username: u\n"
                                       "  password: p"}, "static", id="yaml-false-stays-false"),
        pytest.param({"registry-auth": f"- registry: {ECR}\n  ecr: true"}, "ecr",
                     id="yaml-true"),
        pytest.param({"registry-auth": f"- registry: {ECR}"}, "ecr", id="yaml-auto"),
    ],
)  # fmt: skip
def test_the_method_chosen(raw: dict[str, str], method: str) -> None:
    [login] = parse_logins(raw)
    assert login.method == method


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param({"registry": "ghcr.io", "ecr": "true"},
                     r"'registry'.*'ghcr.io' is not an Amazon ECR registry", id="true-elsewhere"),
        pytest.param({"registry": ECR, "ecr": "maybe"},
                     r"'ecr': ecr must be auto, true or false", id="unknown-word"),
        pytest.param({"registry-auth": f"- registry: {ECR}\n  ecr: 1"},
                     r"'registry-auth': ecr of entry 1 must be", id="yaml-number"),
        pytest.param({"registry-auth": f"- registry: {ECR}", "ecr": "auto"},
                     r"Cannot use registry-auth with other inputs \(ecr set", id="with-top-ecr"),
        pytest.param({"registry-auth": f"- registry: {ECR}", "scope": "@push"},
                     r"Cannot use registry-auth with other inputs \(scope set", id="with-scope"),
    ],
)  # fmt: skip
def test_invalid_ecr_logins(raw: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_logins(raw)


def test_registry_auth_with_a_default_ecr_is_fine() -> None:
    """A declared default of ``ecr`` (the table's is empty) does not count as given."""
    [login] = parse_logins({"registry-auth": f"- registry: {ECR}", "ecr": ""})
    assert login.method == "ecr"


def token(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@contextmanager
def stubbed(service: str, response: dict[str, Any], params: dict[str, Any]) -> Iterator[list[Any]]:
    """botocore's own Stubber on every client the login makes; yields the clients."""
    made: list[Any] = []
    real = botocore.session.Session.create_client

    def create_client(self: Any, name: str, **kwargs: Any) -> Any:
        assert name == service
        client = real(self, name, **kwargs)
        stub = Stubber(client)
        stub.add_response("get_authorization_token", response, params)
        stub.activate()
        made.append((client, kwargs))
        return client

    with mock.patch.object(botocore.session.Session, "create_client", create_client):
        yield made


def obtain(login: RegistryLogin, env: dict[str, str]) -> tuple[list[Credential], list[str]]:
    masked: list[str] = []
    creds = list(ecr.METHOD.obtain(login, env, masked.append, lambda line: None))
    return creds, masked


def test_private_ecr_token_for_every_account() -> None:
    response = {"authorizationData": [
        {"authorizationToken": token("AWS:pw-one"),
         "proxyEndpoint": f"https://{ECR}"},
        {"authorizationToken": token("AWS:pw-two"),
         "proxyEndpoint": "https://012345678910.dkr.ecr.eu-west-3.amazonaws.com"},
    ]}  # fmt: skip
    login = RegistryLogin(ECR, "AKIAEXAMPLE", "secret-key", method="ecr")
    env = {"AWS_ACCOUNT_IDS": "012345678910"}
    params = {"registryIds": ["012345678901", "012345678910"]}
    with stubbed("ecr", response, params) as made:
        creds, masked = obtain(login, env)
    assert creds == [
        Credential(f"https://{ECR}", "AWS", "pw-one", show_username=False),
        Credential("https://012345678910.dkr.ecr.eu-west-3.amazonaws.com", "AWS", "pw-two",
                   show_username=False),
    ]  # fmt: skip
    assert masked == ["AWS", "pw-one", "AWS", "pw-two"]
    [(_client, kwargs)] = made
    assert kwargs["region_name"] == "eu-west-3"
    assert kwargs["aws_access_key_id"] == "AKIAEXAMPLE"
    assert kwargs["aws_secret_access_key"] == "secret-key"
    # none given: botocore reads the proxies itself, and only then honours no_proxy
    assert kwargs["config"].proxies is None


# What botocore reads from the process's environment besides the keys.
_SDK_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR", "AWS_PROFILE", "AWS_CONFIG_FILE",
                  "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                  "NO_PROXY")  # fmt: skip


@pytest.mark.parametrize(
    ("no_proxy", "direct"),
    [
        pytest.param("127.0.0.1", True, id="no-proxy-names-the-endpoint"),
        pytest.param("registry.internal", False, id="no-proxy-names-another-host"),
    ],
)
def test_the_proxy_unless_no_proxy_names_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_proxy: str, direct: bool
) -> None:
    """The whole way through botocore, to a local stand-in of the ECR API, with the step's
    environment (the process's); the proxy refuses every connection."""
    asked: list[tuple[str, object]] = []

    class Api(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            asked.append(
                (self.headers.get("X-Amz-Target", ""), json.loads(self.rfile.read(length)))
            )
            answer = {"authorizationData": [{"authorizationToken": token("AWS:direct"),
                                             "proxyEndpoint": f"https://{ECR}"}]}  # fmt: skip
            reply_json(self, answer, headers={"Content-Type": "application/x-amz-json-1.1"})

        def log_message(self, format: str, *args: object) -> None:
            pass

    refused = "http://127.0.0.1:9"
    (tmp_path / "aws-config").write_text("")
    with running(ThreadingHTTPServer(("127.0.0.1", 0), Api)) as server:
        env = {"http_proxy": refused, "https_proxy": refused, "no_proxy": no_proxy,
               "AWS_ENDPOINT_URL_ECR": f"http://127.0.0.1:{server.server_port}",
               "AWS_MAX_ATTEMPTS": "1",
               "AWS_CONFIG_FILE": str(tmp_path / "aws-config")}  # fmt: skip
        for name in _SDK_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        login = RegistryLogin(ECR, "AKIAEXAMPLE", "secret-key", method="ecr")
        if direct:
            creds, _ = obtain(login, env)
        else:
            with pytest.raises(LoginError, match="proxy"):
                obtain(login, env)
    if direct:
        assert creds == [Credential(f"https://{ECR}", "AWS", "direct", show_username=False)]
        assert asked == [("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
                          {"registryIds": ["012345678901"]})]  # fmt: skip
    else:
        assert asked == []


def test_without_both_keys_the_sdk_chain_is_used() -> None:
    response = {"authorizationData": [{"authorizationToken": token("AWS:pw"),
                                       "proxyEndpoint": f"https://{ECR}"}]}  # fmt: skip
    with stubbed("ecr", response, {"registryIds": ["012345678901"]}) as made:
        obtain(RegistryLogin(ECR, "only-a-username", "", method="ecr"), {})
    [(_, kwargs)] = made
    assert kwargs["aws_access_key_id"] is None
    assert kwargs["aws_secret_access_key"] is None


def test_public_ecr() -> None:
    response = {"authorizationData": {"authorizationToken": token("AWS:world")}}
    with stubbed("ecr-public", response, {}) as made:
        creds, masked = obtain(RegistryLogin("public.ecr.aws", "", "", method="ecr"), {})
    assert creds == [Credential("public.ecr.aws", "AWS", "world", show_username=False)]
    assert masked == ["AWS", "world"]
    assert made[0][1]["region_name"] == "us-east-1"


@pytest.mark.parametrize(
    ("response", "match"),
    [
        pytest.param({"authorizationData": []},
                     "Could not retrieve an authorization token from AWS ECR", id="empty"),
        pytest.param({"authorizationData": [{"authorizationToken": token("no-colon"),
                                             "proxyEndpoint": "https://x"}]},
                     "not user:password", id="no-colon"),
    ],
)  # fmt: skip
def test_unusable_answers(response: dict[str, Any], match: str) -> None:
    with (
        stubbed("ecr", response, {"registryIds": ["012345678901"]}),
        pytest.raises(LoginError, match=match),
    ):
        obtain(RegistryLogin(ECR, "", "", method="ecr"), {})


def test_a_refusal_names_the_registry_and_never_the_secret() -> None:
    real = botocore.session.Session.create_client

    def create_client(self: Any, name: str, **kwargs: Any) -> Any:
        client = real(self, name, **kwargs)
        stub = Stubber(client)
        stub.add_client_error("get_authorization_token", "UnrecognizedClientException",
                              "The security token included in the request is invalid.")  # fmt: skip
        stub.activate()
        return client

    refused = rf"AWS ECR refused .* {ECR}: UnrecognizedClientException: The security token"
    with (
        mock.patch.object(botocore.session.Session, "create_client", create_client),
        pytest.raises(LoginError, match=refused) as caught,
    ):
        obtain(RegistryLogin(ECR, "AKIAEXAMPLE", "very-secret-key", method="ecr"), {})
    assert "very-secret-key" not in str(caught.value) + caught.value.hint


def test_no_credentials_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(LoginError, match=r"no AWS credentials for .*configure-aws-credentials"):
        obtain(RegistryLogin(ECR, "", "", method="ecr"), {})


def test_the_access_key_is_masked_with_the_secret() -> None:
    [login] = parse_logins({"registry": ECR, "username": "AKIAEXAMPLE", "password": "s3"})
    assert list(ecr.METHOD.secrets(login)) == ["AKIAEXAMPLE", "s3"]


def test_check_needs_a_region() -> None:
    with pytest.raises(InputError, match="not an Amazon ECR registry"):
        ecr.METHOD.check(RegistryLogin("ghcr.io", "", "", ecr="true"), {}, Where("username"))
