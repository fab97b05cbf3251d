"""Which source field fills which article field (JSON Lines, CSV and TREC tags).

The aliases are the built-in mapping: they cover the ANT corpus (`text` is the
body, `cat` the category, `src` the source, `time` the date, `abstract` the lead),
the usual names of other exports, and their Arabic names (العنوان, النص, ...).
`--field NAME=SOURCE_FIELD` overrides them.

A file's keys are those of its first record (a CSV's header, a TREC <DOC>'s tags):
`file_fields` says which of them no article field takes, and fails the file when
they give no body while some key goes unused, or lack the source a --field names
(its records are rejected, with a line that names the keys and the --field to give).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from indexer.errors import ArabicSearchError
from indexer.index.fields import READ_FIELDS

ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "href", "الرابط"),
    "title": ("title", "headline", "العنوان"),
    "lead": ("lead", "abstract", "summary", "description", "الملخص"),
    "body": ("body", "text", "content", "article", "النص", "المتن"),
    "category": ("category", "cat", "section", "التصنيف"),
    "source": ("source", "src", "publisher", "site", "المصدر"),
    "author": ("author", "byline", "writer", "الكاتب"),
    "published_at": (
        "published_at",
        "date",
        "time",
        "published",
        "pubdate",
        "datetime",
        "التاريخ",
    ),
}
assert set(ALIASES) == set(READ_FIELDS)
# The article id comes from the input only when asked (--field id=DOCNO): by default it
# is computed (indexer/ingest/articles.py: article_id), so ids stay what they were.
SOURCE_ID = "id"
MAPPED_FIELDS = (*READ_FIELDS, SOURCE_ID)  # what --field NAME may be


class FieldMapError(ArabicSearchError, ValueError):
    """A --field option that names no article field."""


def parse_field_options(options: Iterable[str]) -> dict[str, str]:
    """`NAME=SOURCE_FIELD` options as {article field: source field}."""
    mapping = {}
    for option in options:
        name, sep, source = option.partition("=")
        if not sep or not source:
            raise FieldMapError(f"--field {option!r}: expected NAME=SOURCE_FIELD")
        if name not in MAPPED_FIELDS:
            raise FieldMapError(
                f"--field {option!r}: NAME must be one of {', '.join(MAPPED_FIELDS)}"
            )
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
            for name in MAPPED_FIELDS:
                wanted = (
                    (self.overrides[name],) if name in self.overrides else ALIASES.get(name, ())
                )
                found = next((by_lower[w.lower()] for w in wanted if w.lower() in by_lower), None)
                if found is not None:
                    resolved[name] = found
            self._resolved[key_set] = resolved
        return self._resolved[key_set]


@dataclass(frozen=True)
class FileFields:
    """What a file's keys (those of its first record) gave: the keys no article field
    took, and why the file fails, if it does (its records are all rejected)."""

    path: str
    keys: tuple[str, ...]
    unused: tuple[str, ...]
    failure: str | None = None


def file_fields(path: str, keys: Iterable[str], field_map: FieldMap) -> FileFields:
    """How `field_map` reads a file whose first record has `keys`."""
    ordered = tuple(keys)
    resolved = field_map.resolve(ordered)
    used = set(resolved.values())
    unused = tuple(k for k in ordered if k not in used)
    listed = ", ".join(ordered) or "none"
    missing = [f"{n}={s}" for n, s in field_map.overrides.items() if n not in resolved]
    failure = None
    if missing:
        failure = (
            f"--field {missing[0]}: this file has no such key (its keys: {listed}); "
            "give --field NAME=KEY with one of them"
        )
    elif "body" not in resolved and unused:
        # Keys no field took, and no body: the body is most likely among them. (A record
        # that has only a title, say, is taken as it is: nothing of it goes unused.)
        failure = (
            f"no key gives the article body (its keys: {listed}); name it with --field body=KEY"
        )
    return FileFields(path, ordered, unused, failure)


def unfound_overrides(overrides: Mapping[str, str], files: Iterable[FileFields]) -> list[str]:
    """The --field options (NAME=SOURCE) whose source is a key of no file read."""
    keys = {k.lower() for f in files for k in f.keys}
    return [f"{n}={s}" for n, s in overrides.items() if s.lower() not in keys]
