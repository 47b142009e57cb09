"""Compute the version, tags, labels and annotations: upstream ``meta.ts``, as a pure function.

Everything comes in as arguments (inputs, context, repository facts, ``now``, the
``DOCKER_METADATA_*`` environment), so the same arguments always give the same ``Meta``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..context import GitHubContext
from ..errors import InputError
from .config import MetaInputs
from .dateformat import EARLIEST, LATEST, format_moment, zone
from .events import commit_date_from_payload, effective_context, get
from .expr import Template, TemplateError, parse
from .flavor import Latest
from .jsnum import js_number
from .repo import RepoFacts
from .tagrule import MatchTimeout, RefEvent, ShaFormat, TagRule, TagType, parse_rule, rule_error
from .versions import parse_pep440, parse_semver

DEFAULT_SHORT_SHA_LENGTH = 7
DEFAULT_ANNOTATION_LEVELS = "manifest"
BAKE_FILE_NAMES = {
    "bake-file-tags": "docker-metadata-action-bake-tags.json",
    "bake-file-labels": "docker-metadata-action-bake-labels.json",
    "bake-file-annotations": "docker-metadata-action-bake-annotations.json",
    "bake-file": "docker-metadata-action-bake.json",
}
_VERSION = parse("{{version}}")
_NOT_TAG_CHARS = re.compile(r"[^a-zA-Z0-9._-]+")
_DEFAULT_BRANCH_EVENTS = re.compile("create|discussion|issues|schedule")
_REF_PREFIX = {
    RefEvent.BRANCH: "refs/heads/",
    RefEvent.TAG: "refs/tags/",
    RefEvent.PR: "refs/pull/",
}


@dataclass(frozen=True)
class Meta:
    version: str  # '' when no rule produced one
    partial: tuple[str, ...]
    latest: bool
    images: tuple[str, ...]  # enabled image names, lower-cased
    tags: tuple[str, ...]  # full references, ``image:tag``
    tag_names: tuple[str, ...]  # the same tags without image
    labels: tuple[str, ...]  # ``key=value``, sorted by key
    annotations: tuple[str, ...]  # ``level:key=value``, as the ``annotations`` output
    annotation_levels: tuple[str, ...]
    warnings: tuple[str, ...]  # while computing (upstream's ``new Meta``), in order

    @property
    def label_map(self) -> dict[str, str]:
        return _as_object(self.labels)


def sanitize_tag(value: str) -> str:
    return _NOT_TAG_CHARS.sub("-", value)


def _strip(text: str, prefix: str) -> str:
    return text[len(prefix) :] if text.startswith(prefix) else text


def _iso_z(moment: datetime) -> str:
    """``Date.prototype.toISOString``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_SHORT_SHA_LENGTH = "DOCKER_METADATA_SHORT_SHA_LENGTH"


def short_sha(sha: str, env: Mapping[str, str]) -> str:
    """``sha`` cut to ``DOCKER_METADATA_SHORT_SHA_LENGTH`` (``Number()``, default 7).

    Upstream checks the variable each time a short sha is made (``type=sha`` with a sha,
    ``{{sha}}`` rendered) and only then: an invalid value that nothing uses is no error."""
    text = env.get(_SHORT_SHA_LENGTH, "")
    length = js_number(text) if text else DEFAULT_SHORT_SHA_LENGTH
    if math.isnan(length):
        raise InputError(
            _SHORT_SHA_LENGTH,
            f"{_SHORT_SHA_LENGTH} is not a valid number: {text}",
            hint=f"env:\n  {_SHORT_SHA_LENGTH}: 12",
        )
    if length >= len(sha):  # Infinity too
        return sha
    return sha[: int(length)] if length > 0 else ""  # String.prototype.substring; -Infinity too


def commit_date(ctx: GitHubContext, now: datetime) -> tuple[datetime, str]:
    """The moment ``{{commit_date}}`` renders (the caller's, else the push payload's, else
    ``now``, as upstream) and a warning when the known date could not be used."""
    text = ctx.commit_date or commit_date_from_payload(ctx)
    if not text:
        return now, ""
    try:
        moment = _aware(datetime.fromisoformat(text))
    except ValueError:
        return now, f"Commit date {text!r} is not a date; using the current time"
    # the commit's author chooses its date: 9999-12-31T23:59:59-12:00 is a valid one
    if not EARLIEST <= moment <= LATEST:
        return now, (
            f"Commit date {text!r} is out of range (years {EARLIEST.year} to"
            f" {LATEST.year}); using the current time"
        )
    return moment, ""


def _date_helper(moment: datetime, name: str) -> Callable[[Sequence[Any], Mapping[str, Any]], str]:
    def helper(params: Sequence[Any], options: Mapping[str, Any]) -> str:
        if not params:
            raise TemplateError(f"{{{{{name}}}}} needs a format, e.g. {{{{{name} 'YYYYMMDD'}}}}")
        fmt = params[0]
        if fmt is not None and not isinstance(fmt, str):
            raise TemplateError(f"the {name} format must be a quoted string")
        tz: Any = "UTC"
        for key, value in options.items():
            if key != "tz":
                raise TemplateError(f"unknown {key} attribute of {name}; only tz= is known")
            tz = value
        if not isinstance(tz, str):
            raise TemplateError(f"the tz of {name} must be a quoted string, e.g. tz='Asia/Tokyo'")
        try:
            where = zone(tz)
        except ValueError as exc:
            raise TemplateError(str(exc)) from None
        return format_moment(moment.astimezone(where), fmt)

    return helper


def _value(value: Any) -> Callable[[Sequence[Any], Mapping[str, Any]], Any]:
    return lambda _params, _options: value


class _Run:
    def __init__(
        self,
        inp: MetaInputs,
        ctx: GitHubContext,
        repo: RepoFacts,
        now: datetime,
        env: Mapping[str, str],
    ) -> None:
        self.inp = inp
        self.ctx = ctx
        self.repo = repo
        self.now = now
        self.flavor = inp.flavor
        self.env = env
        self.warnings: list[str] = []
        commit_moment, problem = commit_date(ctx, now)
        if problem:
            self.warnings.append(problem)
        self.date_context = {
            "date": _date_helper(now, "date"),
            "commit_date": _date_helper(commit_moment, "commit_date"),
        }
        self.global_context: dict[str, Any] = {
            "branch": _value(self._ref_name("refs/heads/")),
            "tag": _value(self._ref_name("refs/tags/")),
            "sha": lambda _params, _options: short_sha(ctx.sha, env),  # rendered: checked
            "base_ref": _value(self._base_ref()),
            "is_default_branch": _value(self._is_default_branch()),
            "is_not_default_branch": _value(
                "true" if self._is_default_branch() == "false" else "false"
            ),
            **self.date_context,
        }

    # -- context values ------------------------------------------------------------------
    def _ref_name(self, prefix: str) -> str:
        return _strip(self.ctx.ref, prefix) if self.ctx.ref.startswith(prefix) else ""

    def _base_ref(self) -> Any:
        ref, payload = self.ctx.ref, self.ctx.payload
        if ref.startswith("refs/tags/") and get(payload, "base_ref") is not None:
            return _strip(str(get(payload, "base_ref")), "refs/heads/")
        if ref.startswith("refs/pull/") and get(payload, "pull_request", "base", "ref") is not None:
            return get(payload, "pull_request", "base", "ref")
        return ""

    def _is_default_branch(self) -> str:
        branch = _strip(self.ctx.ref, "refs/heads/")
        if not branch:
            return "false"
        if get(self.ctx.payload, "repository", "default_branch") == branch:
            return "true"
        # these events always run on the default branch's last commit
        if _DEFAULT_BRANCH_EVENTS.search(self.ctx.event_name):
            return "true"
        return "false"

    # -- rendering -----------------------------------------------------------------------
    def render(self, template: Template, context: Mapping[str, Any], name: str, line: str) -> str:
        try:
            return template.render(context)
        except TemplateError as exc:
            raise InputError(name, f"{line!r}: {exc}") from None

    def expand(self, template: Template, name: str = "tags", line: str = "") -> str:
        return self.render(template, self.global_context, name, line or template.source)

    def with_affixes(self, value: str, rule: TagRule) -> str:
        if rule.prefix is not None:
            value = self.expand(rule.prefix, line=rule.source) + value
        elif self.flavor.prefix.source:
            value = self.expand(self.flavor.prefix, "flavor") + value
        if rule.suffix is not None:
            value += self.expand(rule.suffix, line=rule.source)
        elif self.flavor.suffix.source:
            value += self.expand(self.flavor.suffix, "flavor")
        return value

    def latest(self, auto: bool) -> bool:
        if self.flavor.latest is Latest.AUTO:
            return auto
        return self.flavor.latest is Latest.TRUE

    # -- one rule ------------------------------------------------------------------------
    def process(self, rule: TagRule) -> tuple[str, bool] | None:  # noqa: PLR0911, PLR0912
        # one branch per tag type, as upstream's switch in getVersion
        """The tag value of one enabled rule and its ``latest`` wish, or None."""
        ctx = self.ctx
        ref = ctx.ref
        kind = rule.type
        if kind is TagType.SCHEDULE:
            if "schedule" not in ctx.event_name:
                return None
            pattern = self.render(rule.pattern, self.date_context, "tags", rule.source)
            return self.with_affixes(pattern, rule), False
        if kind in (TagType.SEMVER, TagType.PEP440, TagType.MATCH):
            if not ref.startswith("refs/tags/") and not rule.value.source:
                return None
            raw = self.expand(rule.value, line=rule.source) if rule.value.source else ref[10:]
            if kind is TagType.MATCH:
                return self._match(rule, raw)
            if rule.regex is not None:
                groups = self.regex_groups(rule, raw)
                if groups and len(groups) > 1 and groups[1] is not None:
                    raw = groups[1]
                else:
                    self.warnings.append(f"{rule.regex.source} does not match {raw}.")
            raw = raw.replace("/", "-")
            return self._semver(rule, raw) if kind is TagType.SEMVER else self._pep440(rule, raw)
        if kind is TagType.REF:
            prefix = _REF_PREFIX[rule.event]
            if not ref.startswith(prefix):
                return None
            name = ref[len(prefix) :]
            if rule.event is RefEvent.PR:
                name = name.removesuffix("/merge")
            return self.with_affixes(name, rule), rule.event is RefEvent.TAG
        if kind is TagType.EDGE:
            if not ref.startswith("refs/heads/"):
                return None
            if (rule.branch or self.repo.default_branch) != ref[11:]:
                return None
            return self.with_affixes("edge", rule), False
        if kind is TagType.RAW:
            return self.with_affixes(self.expand(rule.value, line=rule.source), rule), False
        # TagType.SHA
        if not ctx.sha:
            return None
        sha = short_sha(ctx.sha, self.env) if rule.format is ShaFormat.SHORT else ctx.sha
        return self.with_affixes(sha, rule), False

    def _semver(self, rule: TagRule, raw: str) -> tuple[str, bool] | None:
        version = parse_semver(raw)
        if version is None:
            self.warnings.append(f"{raw} is not a valid semver. More info: https://semver.org/")
            return None
        pattern = rule.pattern
        if version.prerelease and not pattern.is_raw_statement():
            pattern = _VERSION
        value = self.render(pattern, version.context(), "tags", rule.source)
        return self.with_affixes(value, rule), not version.prerelease

    def _pep440(self, rule: TagRule, raw: str) -> tuple[str, bool] | None:
        version = parse_pep440(raw)
        if version is None:
            self.warnings.append(
                f"{raw} does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440"
            )
            return None
        if version.is_prerelease or version.is_postrelease or version.is_devrelease:
            value = raw if rule.pattern.is_raw_statement() else version.clean()
            return self.with_affixes(value, rule), False
        context = {
            "raw": _value(raw),
            "version": _value(version.clean()),
            "major": _value(version.major),
            "minor": _value(version.minor),
            "patch": _value(version.patch),
        }
        value = self.render(rule.pattern, context, "tags", rule.source)
        return self.with_affixes(value, rule), True

    def regex_groups(self, rule: TagRule, raw: str) -> list[str | None] | None:
        if rule.regex is None:
            return None
        try:
            return rule.regex.groups(raw)
        except MatchTimeout as exc:
            raise rule_error(rule.source, str(exc)) from None

    def _match(self, rule: TagRule, raw: str) -> tuple[str, bool] | None:
        groups = self.regex_groups(rule, raw)
        if not groups:
            self.warnings.append(f"{rule.pattern.source} does not match {raw}.")
            return None
        if rule.group >= len(groups) or groups[rule.group] is None:
            self.warnings.append(
                f"Group {rule.group} does not exist for {rule.pattern.source} pattern."
            )
            return None
        return self.with_affixes(groups[rule.group] or "", rule), True

    # -- everything ----------------------------------------------------------------------
    def version(self) -> tuple[str, tuple[str, ...], bool]:
        main = ""
        partial: list[str] = []
        latest: bool | None = None
        for rule in self.inp.tags:
            enabled = self.expand(rule.enable, line=rule.source)
            if enabled not in ("true", "false"):
                raise InputError(
                    "tags", f"{rule.source!r}: enable must be true or false, got {enabled!r}"
                )
            if enabled != "true":
                continue
            result = self.process(rule)
            if result is None or not result[0]:
                continue
            value = sanitize_tag(result[0])
            if not main:
                main = value
            elif value != main:
                partial.append(value)
            if latest is None:
                latest = self.latest(result[1])
        return main, tuple(dict.fromkeys(partial)), bool(latest)

    def annotations_like(self, version: str, extra: Sequence[Template], name: str) -> list[str]:
        repo = self.repo
        lines = [
            f"org.opencontainers.image.title={repo.name}",
            f"org.opencontainers.image.description={repo.description}",
            f"org.opencontainers.image.url={repo.html_url}",
            f"org.opencontainers.image.source={repo.html_url}",
            f"org.opencontainers.image.version={version}",
            f"org.opencontainers.image.created={_iso_z(self.now)}",
            f"org.opencontainers.image.revision={self.ctx.sha}",
            f"org.opencontainers.image.licenses={repo.license_spdx_id}",
            *(self.expand(template, name) for template in extra),
        ]
        merged: dict[str, str] = {}
        for line in lines:
            key, *values = line.split("=")
            if values:
                merged[key] = "=".join(values)
        return [f"{k}={merged[k]}" for k in sorted(merged, key=collation_key)]


def compute(
    inp: MetaInputs,
    ctx: GitHubContext,
    repo: RepoFacts,
    now: datetime,
    env: Mapping[str, str],
) -> Meta:
    ctx = effective_context(ctx, env, inp.context)
    run = _Run(inp, ctx, repo, _aware(now), env)
    main, partial, latest = run.version()
    images = tuple(image.name for image in inp.images if image.enable)
    names: list[str] = []
    if main:
        names = [main, *partial]
        if latest:
            flavor = inp.flavor
            prefix = flavor.prefix.source if flavor.prefix_latest else ""
            suffix = flavor.suffix.source if flavor.suffix_latest else ""
            names.append(sanitize_tag(f"{prefix}latest{suffix}"))
    tags = [f"{image}:{name}" for image in images for name in names] if images else names
    labels = run.annotations_like(main, inp.labels, "labels")
    levels = tuple(
        (env.get("DOCKER_METADATA_ANNOTATIONS_LEVELS") or DEFAULT_ANNOTATION_LEVELS).split(",")
    )
    raw_annotations = run.annotations_like(main, inp.annotations, "annotations")
    return Meta(
        version=main,
        partial=partial,
        latest=latest,
        images=images,
        tags=tuple(tags),
        tag_names=tuple(names),
        labels=tuple(labels),
        annotations=tuple(f"{level}:{a}" for level in levels for a in raw_annotations),
        annotation_levels=levels,
        warnings=tuple(run.warnings),
    )


def sha_tag(
    inp: MetaInputs, ctx: GitHubContext, repo: RepoFacts, now: datetime, env: Mapping[str, str]
) -> str:
    """The tag name the first ``type=sha`` rule gives this commit, whether or not the rule is
    enabled on this event (``enable={{is_default_branch}}`` is common); without such a rule,
    that of plain ``type=sha``. '' when there is no commit."""
    rule = next((r for r in inp.tags if r.type is TagType.SHA), None) or parse_rule("type=sha")
    ctx = effective_context(ctx, env, inp.context)
    found = _Run(inp, ctx, repo, _aware(now), env).process(rule)
    return sanitize_tag(found[0]) if found else ""


# -- outputs ---------------------------------------------------------------------------------

# Unicode root collation (what ``localeCompare`` uses) for ASCII, simplified: blanks,
# punctuation and symbols in this order, digits, then letters ignoring case, and only then
# lower case before upper case. Control characters are ignored.
_PRIMARY_ORDER = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz"
_PRIMARY = {char: index for index, char in enumerate(_PRIMARY_ORDER)}


def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    primary: list[int] = []
    tertiary: list[int] = []
    for char in text:
        lower = char.lower() if char.isascii() else char
        weight = _PRIMARY.get(lower)
        if weight is None:
            if char.isascii():  # an ASCII control character: ignorable
                continue
            weight = len(_PRIMARY_ORDER) + ord(char)
        primary.append(weight)
        tertiary.append(1 if char.isascii() and char.isupper() else 0)
    return tuple(primary), tuple(tertiary), text


_LABEL = re.compile(r"([^=]*)=([^\n\r\u2028\u2029]*)")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def _as_object(labels: Sequence[str]) -> dict[str, str]:
    """``key=value`` lines as the JavaScript object upstream builds (and prints) from them."""
    found: dict[str, str] = {}
    for label in labels:
        match = _LABEL.search(label)
        if match:
            found[match.group(1)] = match.group(2)
    return js_object(found)


def js_object(found: Mapping[str, Any]) -> dict[str, Any]:
    """The keys in the order a JavaScript object lists them: array-index keys first, in
    numeric order, then the others as they were added."""
    indexes = sorted(
        (k for k in found if _ARRAY_INDEX.fullmatch(k) and len(k) <= 10 and int(k) < 2**32 - 1),
        key=int,
    )
    return {**{k: found[k] for k in indexes}, **found}


def json_output(meta: Meta) -> dict[str, Any]:
    return {
        "tags": list(meta.tags),
        "tag-names": list(meta.tag_names),
        "labels": meta.label_map,
        "annotations": list(meta.annotations),
    }


def meta_outputs(meta: Meta, inp: MetaInputs) -> dict[str, str]:
    """The step outputs other than the bake files, exactly as upstream writes them."""
    return {
        "version": meta.version,
        "tags": inp.sep_tags.join(meta.tags),
        "tag-names": inp.sep_tags.join(meta.tag_names),
        "labels": inp.sep_labels.join(meta.labels),
        "annotations": inp.sep_annotations.join(meta.annotations),
        "json": json.dumps(json_output(meta), ensure_ascii=False, separators=(",", ":")),
    }


def bake_files(meta: Meta, inp: MetaInputs) -> dict[str, dict[str, Any]]:
    """Content of each bake file, keyed by its output name (file names: ``BAKE_FILE_NAMES``)."""
    args: dict[str, str] = {"DOCKER_META_IMAGES": ",".join(meta.images)}
    if meta.version:  # upstream's value is undefined then, and JSON drops the key
        args["DOCKER_META_VERSION"] = meta.version

    def target(definition: dict[str, Any]) -> dict[str, Any]:
        return {"target": {inp.bake_target: definition}}

    return {
        "bake-file-tags": target({"tags": list(meta.tags), "args": args}),
        "bake-file-labels": target({"labels": meta.label_map}),
        "bake-file-annotations": target({"annotations": list(meta.annotations)}),
        "bake-file": target({"tags": list(meta.tags), "labels": meta.label_map, "args": args}),
    }


def bake_file_text(content: Mapping[str, Any]) -> str:
    """A bake file as upstream writes it (``JSON.stringify(..., null, 2)``)."""
    return json.dumps(content, ensure_ascii=False, indent=2)


def env_exports(outputs: Mapping[str, str]) -> dict[str, str]:
    """``DOCKER_METADATA_OUTPUT_<NAME>`` per output, for ``DOCKER_METADATA_SET_OUTPUT_ENV``."""
    return {
        "DOCKER_METADATA_OUTPUT_" + re.sub(r"\W", "_", name, flags=re.ASCII).upper(): value
        for name, value in outputs.items()
    }
