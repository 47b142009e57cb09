"""Amazon ECR and ECR Public: a token from the AWS API, as docker/login-action v4 gets it.

The rules (which registries are ECR, their region and accounts) are login-action's
``aws.ts``; the token comes from the AWS SDK for Python (botocore), imported only when an
ECR registry is logged in to. ``username``/``password`` are an access key id and its secret
when both are given; otherwise the SDK's own chain finds credentials in the step's
environment (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``, as
aws-actions/configure-aws-credentials leaves them, a web identity token file with a role,
a profile, the instance's role), and its endpoint variables (``AWS_ENDPOINT_URL_ECR``).
The step's proxy applies unless its ``no_proxy`` names the endpoint reached (botocore's
reading of the proxy variables).
https://github.com/docker/login-action/blob/v4.1.0/src/aws.ts
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InputError, LoginError
from .method import Credential, Log, LoginMethod, Mask, RegistryLogin, Where

# login-action's patterns; \Z where JavaScript's $ ends the text (Python's $ also matches
# before a final newline).
_PRIVATE = re.compile(
    r"^(([0-9]{12})\.(dkr\.ecr|dkr-ecr)\.(.+)\.(on\.aws|amazonaws\.(com(.cn)?|eu)))"
    r"(\/([^:]+)(:.+)?)?\Z"
)
_PUBLIC = re.compile(r"public\.ecr\.aws|ecr-public\.aws\.com")
PUBLIC_REGISTRY = "public.ecr.aws"
USER_AGENT = "build-push-py"
HINT = """\
permissions:
  id-token: write  # for the role below
steps:
  - uses: aws-actions/configure-aws-credentials@v6
    with:
      role-to-assume: arn:aws:iam::123456789012:role/github-push
      aws-region: us-east-1
  - uses: org/build-push-py@v1
    with:
      registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com"""


def is_public(registry: str) -> bool:
    return _PUBLIC.search(registry) is not None


def is_ecr(registry: str) -> bool:
    return _PRIVATE.search(registry) is not None or is_public(registry)


def region(registry: str, env: Mapping[str, str]) -> str:
    if is_public(registry):
        return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    match = _PRIVATE.search(registry)
    return match.group(4) if match else ""


def account_ids(registry: str, env: Mapping[str, str]) -> list[str]:
    """The registry's account and those of ``AWS_ACCOUNT_IDS`` (split on commas as given),
    each once; none for ECR Public."""
    match = None if is_public(registry) else _PRIVATE.search(registry)
    if match is None:
        return []
    ids = [match.group(2)]
    if env.get("AWS_ACCOUNT_IDS"):
        ids += env["AWS_ACCOUNT_IDS"].split(",")
    return list(dict.fromkeys(ids))


def parse_mode(value: object, where: Where) -> str:
    """login-action's ``ecr``: ``true`` when the text holds "true" in any case, ``auto`` when
    empty or ``auto``; anything else but ``false`` is refused (login-action would take it as
    false). A YAML boolean of registry-auth is taken as it reads (login-action turns a
    ``false`` into ``auto``)."""
    if value is None or value == "":
        return "auto"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if re.search("true", value, re.IGNORECASE):
            return "true"
        if value in ("auto", "false"):
            return value
    raise InputError(
        where.input("ecr"),
        f"ecr{f' of entry {where.entry}' if where.entry else ''} must be auto, true or false",
    )


def applies(mode: str, registry: str) -> bool:
    return mode == "true" or (mode == "auto" and is_ecr(registry))


def _check(login: RegistryLogin, env: Mapping[str, str], where: Where) -> None:
    if not region(login.registry, env):
        raise InputError(
            where.input("registry"),
            f"{where.describe(login.registry)} is not an Amazon ECR registry, so no region"
            " can be read from it: <account>.dkr.ecr.<region>.amazonaws.com or public.ecr.aws",
        )


def _secrets(login: RegistryLogin) -> Sequence[str]:
    # an access key id and its secret, when given
    return (login.username, login.password) if login.username and login.password else ()


def _credentials(token: str, registry: str, mask: Mask) -> Credential:
    try:
        text = base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    username, colon, password = text.partition(":")
    if not colon:
        raise LoginError(
            f"AWS returned an authorization token for {registry} that is not user:password"
        )
    password = password.split(":", 1)[0]  # JavaScript's split(':', 2) keeps two parts
    mask(username)
    mask(password)
    return Credential(registry, username, password, show_username=False)


def _client(service: str, login: RegistryLogin, env: Mapping[str, str]) -> Any:
    """The SDK's client. botocore reads the proxies (``no_proxy`` included), the endpoint
    variables and its credential chain from the process's environment, the step's."""
    import botocore.config  # noqa: PLC0415 - botocore only when an ECR registry is used
    import botocore.session  # noqa: PLC0415

    keys = login.username and login.password  # else the SDK's own chain
    return botocore.session.Session().create_client(
        service,
        region_name=region(login.registry, env),
        config=botocore.config.Config(user_agent_extra=USER_AGENT),
        aws_access_key_id=login.username if keys else None,
        aws_secret_access_key=login.password if keys else None,
    )


def _obtain(
    login: RegistryLogin, env: Mapping[str, str], mask: Mask, log: Log
) -> Sequence[Credential]:
    import botocore.exceptions  # noqa: PLC0415

    public = is_public(login.registry)
    kind = "AWS Public ECR" if public else "AWS ECR"
    ids = account_ids(login.registry, env)
    # login-action's lines
    log("Retrieving registries data through AWS SDK...")
    log(f"{kind} detected with {region(login.registry, env)} region")
    try:
        if public:
            data = _client("ecr-public", login, env).get_authorization_token()
            token = (data.get("authorizationData") or {}).get("authorizationToken")
            if not token:
                raise LoginError(f"Could not retrieve an authorization token from {kind}")
            return [_credentials(token, PUBLIC_REGISTRY, mask)]
        request = {"registryIds": ids} if ids else {}
        data = _client("ecr", login, env).get_authorization_token(**request)
    except botocore.exceptions.NoCredentialsError:
        raise LoginError(
            f"no AWS credentials for {login.registry}: give username and password (an access"
            " key id and its secret), or let aws-actions/configure-aws-credentials set them",
            hint=HINT,
        ) from None
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise LoginError(
            f"{kind} refused the authorization token request for {login.registry}:"
            f" {error.get('Code', '')}: {error.get('Message', '')}".rstrip(": "),
            hint=HINT,
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise LoginError(f"{kind} could not be asked for {login.registry}: {exc}") from None
    entries = data.get("authorizationData")
    if not isinstance(entries, list) or not entries:
        raise LoginError(f"Could not retrieve an authorization token from {kind}")
    return [
        _credentials(entry.get("authorizationToken") or "", entry.get("proxyEndpoint") or "", mask)
        for entry in entries
    ]


METHOD = LoginMethod(
    "ecr", lambda login, env: applies(login.ecr, login.registry), _check, _obtain, _secrets
)
