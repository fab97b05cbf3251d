"""Which source field fills which article field (JSON Lines, CSV and TREC tags).

The aliases are the built-in mapping: they cover the ANT corpus (`text` is the
body, `cat` the category, `src` the source, `time` the date, `abstract` the lead)
and the usual names of other exports. `--field NAME=SOURCE_FIELD` overrides them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from indexer.errors import ArabicSearchError
from indexer.index.fields import READ_FIELDS

ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "href"),
    "title": ("title", "headline"),
    "lead": ("lead", "abstract", "summary", "description"),
    "body": ("body", "text", "content", "article"),
    "category": ("category", "cat", "section"),
    "source": ("source", "src", "publisher", "site"),
    "author": ("author", "byline", "writer"),
    "published_at": ("published_at", "date", "time", "published", "pubdate", "datetime"),
}
assert set(ALIASES) == set(READ_FIELDS)


class FieldMapError(ArabicSearchError, ValueError):
    """A --field option that names no article field."""


def parse_field_options(options: Iterable[str]) -> dict[str, str]:
    """`NAME=SOURCE_FIELD` options as {article field: source field}."""
    mapping = {}
    for option in options:
        name, sep, source = option.partition("=")
        if not sep or not source:
            raise FieldMapError(f"--field {option!r}: expected NAME=SOURCE_FIELD")
        if name not in READ_FIELDS:
            raise FieldMapError(f"--field {option!r}: NAME must be one of {', '.join(READ_FIELDS)}")
        mapping[name] = source
    return mapping


@dataclass
class FieldMap:
    overrides: Mapping[str, str] = field(default_factory=dict)
    _resolved: dict[frozenset[str], dict[str, str]] = field(default_factory=dict, repr=False)

    def resolve(self, keys: Iterable[str]) -> dict[str, str]:
        """{article field: source key} for records with these keys (remembered per key set)."""
        key_set = frozenset(keys)
        if key_set not in self._resolved:
            by_lower = {k.lower(): k for k in key_set}
            resolved = {}
            for name in READ_FIELDS:
                wanted = (self.overrides[name],) if name in self.overrides else ALIASES[name]
                found = next((by_lower[w.lower()] for w in wanted if w.lower() in by_lower), None)
                if found is not None:
                    resolved[name] = found
            self._resolved[key_set] = resolved
        return self._resolved[key_set]
