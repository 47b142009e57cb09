"""Every input of the action, parsed and checked once into ``Inputs``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..inputs.build import BuildInputs, parse_build_inputs
from ..inputs.digests import DigestInputs, parse_digest_inputs
from ..inputs.driver import BuilderSpec, parse_builder_spec
from ..inputs.grammar import input_bool
from ..inputs.report import ReportInputs, parse_report_inputs
from ..inputs.retry import parse_policy
from ..inputs.sign import SignInputs, parse_sign_inputs
from ..metadata import MetaInputs, parse_inputs
from ..registry.login import NO_ENV, method_of, parse_logins
from ..registry.method import RegistryLogin
from ..retry import RetryPolicy


@dataclass(frozen=True)
class Inputs:
    meta: MetaInputs
    build: BuildInputs
    logins: tuple[RegistryLogin, ...]
    dry_run: bool
    logout: bool
    digests: DigestInputs = field(default_factory=DigestInputs)
    driver: BuilderSpec | None = None  # a builder to create for the job
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sign: SignInputs = field(default_factory=SignInputs)
    report: ReportInputs = field(default_factory=ReportInputs)
    promote: bool = False

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Every secret the parsed inputs carry, for masking and redaction."""
        tls_pem = self.driver.secret_values if self.driver else ()
        logins = (text for login in self.logins for text in method_of(login).secrets(login))
        return (*logins, *self.build.secret_values, *tls_pem, *self.sign.secret_values)


def parse(raw: Mapping[str, str], env: Mapping[str, str] = NO_ENV) -> Inputs:
    """Every input (``inputs.table.read_raw``), checked: the first bad one raises
    ``InputError``. ``env``: the step's environment, which some logins read."""
    meta = parse_inputs(raw)
    build = parse_build_inputs(
        raw, annotations=meta.annotation_items, github_token=meta.github_token
    )
    return Inputs(
        meta=meta,
        build=build,
        logins=tuple(parse_logins(raw, env)),
        dry_run=input_bool("dry-run", raw["dry-run"]),
        logout=input_bool("logout", raw["logout"], default=True),
        digests=parse_digest_inputs(raw, build),
        driver=parse_builder_spec(raw, build),
        retry=parse_policy(raw),
        sign=parse_sign_inputs(raw),
        report=parse_report_inputs(raw),
        promote=input_bool("promote", raw.get("promote", "")),
    )
