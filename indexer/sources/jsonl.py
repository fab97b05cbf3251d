"""JSON Lines: one article object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

import orjson

from indexer.articles import Origin, RawRecord, Rejected
from indexer.sources.files import ReadOptions, UndecodableError, decode, read_lines

_TEXT_TYPES = frozenset({str, type(None)})  # values taken as they are


def _as_text(name: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)  # paragraphs given as a list
    raise ValueError(f"field {name!r} is not text ({type(value).__name__})")


def _loads(data: bytes) -> tuple[object, str]:
    """A line's JSON value and its encoding. orjson reads the common case (strict JSON
    in UTF-8) several times faster; the standard library reads the rest (a BOM,
    Windows-1256, NaN, big integers) and words the errors."""
    try:
        return orjson.loads(data), "utf-8"
    except orjson.JSONDecodeError:
        text, encoding = decode(data)
        value = json.loads(text)
    # A \ud800 escape alone is valid JSON to the standard library (orjson refuses it)
    # but no text: no UTF-8 output, no index can hold it.
    if "\\ud" in text.lower():
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            raise UndecodableError(
                f"a lone surrogate escape (\\u{ord(err.object[err.start]):04x}) is no text"
            ) from None
    return value, encoding


@dataclass(slots=True)  # slotted, not frozen: as the records of indexer/articles.py
class JsonLine:
    """One record's line, not yet parsed: what `parse` hands to a worker process."""

    origin: Origin
    data: bytes


def jsonl_lines(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[JsonLine | Rejected]:
    """Each record's line (blank lines hold none), or its rejection when it is oversized."""
    record = 0
    for line in read_lines(stream, options.max_bytes):
        if line.data is not None and not line.data.strip():
            continue  # blank lines hold no record
        record += 1
        origin = Origin(path, line.number, record)  # UTF-8 unless decoding says otherwise
        if line.data is None:
            yield Rejected(origin, f"oversized: line longer than {options.max_bytes:,} bytes")
        else:
            yield JsonLine(origin, line.data)


def read_jsonl(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    for item in jsonl_lines(stream, path, options):
        yield jsonl_record(item, options) if isinstance(item, JsonLine) else item


def jsonl_record(line: JsonLine, options: ReadOptions) -> RawRecord | Rejected:
    """The record a line holds, or why it holds none."""
    origin = line.origin
    try:
        obj, encoding = _loads(line.data)
    except UndecodableError as err:
        return Rejected(origin, str(err))
    except json.JSONDecodeError as err:
        return Rejected(origin, f"invalid JSON: {err.msg} at column {err.colno}")
    except RecursionError:
        return Rejected(origin, "invalid JSON: nested too deeply")
    if not isinstance(obj, dict):
        return Rejected(origin, f"not a JSON object but {type(obj).__name__}")
    columns = options.field_map.resolve(obj)
    fields = {name: obj[key] for name, key in columns.items()}
    if not _TEXT_TYPES.issuperset(map(type, fields.values())):
        try:
            fields = {name: _as_text(columns[name], v) for name, v in fields.items()}
        except ValueError as err:
            return Rejected(origin, str(err))
    if encoding != origin.encoding:
        origin = replace(origin, encoding=encoding)
    return RawRecord(fields, origin)
