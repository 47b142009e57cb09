"""An item of an attribute input (``outputs``, ``cache-from``, ``cache-to``, ``attests``, and
``provenance``/``sbom`` when given): ``key=value`` fields such as
``type=registry,ref=user/app:cache``, read once.

The text goes to buildx as written; the decisions (which exporter, which cache, which
attestation) read the fields, split as actions-toolkit's ``Build`` helpers split them
(``lists.records``: csv-parse with ``trim`` and ``relax_column_count``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .lists import input_records


@dataclass(frozen=True)
class Attributes:
    text: str  # as given: what buildx gets
    records: tuple[tuple[str, ...], ...]  # its lines, each a tuple of trimmed fields

    @classmethod
    def read(cls, name: str, text: str) -> Attributes:
        """``text``, an item of the input ``name``; a quote out of place is an InputError."""
        return cls(text, tuple(tuple(record) for record in input_records(name, text)))

    @classmethod
    def of(cls, *fields: str) -> Attributes:
        """An item made here (``type=gha,scope=...``), of fields that need no quotes."""
        return cls(",".join(fields), (fields,))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for record in self.records for field in record)

    def get(self, key: str) -> str | None:
        """The value of the first ``key=`` field, None when there is none."""
        for field in self.fields:
            name, sep, value = field.partition("=")
            if sep and name.strip() == key:
                return value.strip()
        return None
