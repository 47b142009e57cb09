"""The metadata inputs, read once into ``MetaInputs`` (upstream ``getInputs`` + the parsers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError
from ..inputs.lists import has_annotation_level, read_list
from .events import ContextSource
from .expr import Template, TemplateError, parse
from .flavor import Flavor, parse_flavor
from .image import Image, parse_images
from .tagrule import TagRule, parse_rules

DEFAULT_BAKE_TARGET = "docker-metadata-action"
_NO_FLAVOR = Flavor()


@dataclass(frozen=True)
class MetaInputs:
    context: ContextSource = ContextSource.WORKFLOW
    images: tuple[Image, ...] = ()
    tags: tuple[TagRule, ...] = ()  # sorted, highest priority first
    flavor: Flavor = _NO_FLAVOR
    labels: tuple[Template, ...] = ()
    # the custom annotations: the items that name no level (those go to buildx as written)
    annotations: tuple[Template, ...] = ()
    # every item of the input as read, for the build (``inputs.build``)
    annotation_items: tuple[str, ...] = ()
    sep_tags: str = "\n"
    sep_labels: str = "\n"
    sep_annotations: str = "\n"
    bake_target: str = DEFAULT_BAKE_TARGET
    github_token: str = field(default="", repr=False)

    def templates(self) -> list[Template]:
        rules = [
            t
            for rule in self.tags
            for t in (rule.enable, rule.pattern, rule.value, rule.prefix, rule.suffix)
            if t is not None
        ]
        return [*rules, self.flavor.prefix, self.flavor.suffix, *self.labels, *self.annotations]

    def needs_commit_date(self) -> bool:
        """Does any expression use ``{{commit_date}}``? Only then is the commit date looked up."""
        return any(t.uses("commit_date") for t in self.templates())


def _templates(name: str, items: list[str]) -> tuple[Template, ...]:
    out: list[Template] = []
    for line in items:
        try:
            out.append(parse(line))
        except TemplateError as exc:
            raise InputError(name, f"{line!r}: {exc}") from None
    return tuple(out)


def parse_inputs(raw: Mapping[str, str]) -> MetaInputs:
    """``raw`` is ``inputs.read_raw(env)``; every metadata input is checked here."""
    source_text = raw.get("meta-context", "").strip() or ContextSource.WORKFLOW.value
    try:
        source = ContextSource(source_text)
    except ValueError:
        raise InputError(
            "meta-context", f"{source_text!r} is not a context source; use workflow or git"
        ) from None
    annotations = read_list("annotations", raw.get("annotations", ""))
    return MetaInputs(
        context=source,
        images=parse_images(read_list("images", raw.get("images", ""))),
        tags=parse_rules(read_list("tags", raw.get("tags", ""))),
        flavor=parse_flavor(read_list("flavor", raw.get("flavor", ""))),
        labels=_templates("labels", read_list("labels", raw.get("labels", ""))),
        annotations=_templates(
            "annotations", [item for item in annotations if not has_annotation_level(item)]
        ),
        annotation_items=tuple(annotations),
        sep_tags=raw.get("sep-tags") or "\n",
        sep_labels=raw.get("sep-labels") or "\n",
        sep_annotations=raw.get("sep-annotations") or "\n",
        bake_target=raw.get("bake-target", "").strip() or DEFAULT_BAKE_TARGET,
        github_token=raw.get("github-token", "").strip(),
    )
