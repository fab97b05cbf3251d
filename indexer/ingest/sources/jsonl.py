"""JSON Lines: one article object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

import orjson

from indexer.ingest.articles import Origin, RawRecord, Rejected
from indexer.ingest.sources.files import STREAM_ERRORS, ReadOptions, UndecodableError, decode

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


# Bytes a block of lines holds: about 18 news articles. Blocks of this size keep the
# parse workers busy where larger ones left them waiting (docs/benchmarks.md).
BLOCK = 64 << 10


@dataclass(slots=True)  # slotted, not frozen: as the records of indexer/ingest/articles.py
class JsonLine:
    """One record's line, not yet parsed."""

    origin: Origin
    data: bytes


@dataclass(slots=True)
class JsonBlock:
    """Consecutive lines of a JSON Lines file, not yet parsed: what `read_jsonl` reads
    at a time, and what `parse` hands to a worker process."""

    path: str
    line: int  # the first line's number (1-based)
    record: int  # the first record's number (blank lines hold none)
    lines: list[bytes | None]  # without their newlines; None: longer than the limit, unread
    records: int  # how many records the lines hold


def jsonl_blocks(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[JsonBlock]:
    """The file's lines, a block of BLOCK bytes or a little more at a time (a quarter
    less CPU than a readline per line: per line, only `split` runs). A line longer than
    options.max_bytes is skipped as it is read, not held in memory."""
    limit = options.max_bytes
    line = record = 1  # the next block's first
    start = b""  # a line begun in the last read
    skipping = False  # within a line longer than the limit
    for data in _reads(stream):
        pieces = data.split(b"\n")
        if skipping and len(pieces) == 1:
            continue  # the long line goes on
        unread = skipping  # the first piece ends a line too long to hold
        pieces[0] = b"" if skipping else start + pieces[0]
        start = pieces.pop()  # goes on in the next read (b"" after a newline)
        skipping = len(start) > limit
        if skipping:
            start = b""
        lines: list[bytes | None] = [None if len(piece) > limit else piece for piece in pieces]
        if unread:
            lines[0] = None
        if lines:
            block = _block(path, line, record, lines)
            yield block
            line, record = line + len(lines), record + block.records
    if skipping or start:  # the last line has no newline
        yield _block(path, line, record, [None if skipping or len(start) > limit else start])


def _block(path: str, line: int, record: int, lines: list[bytes | None]) -> JsonBlock:
    records = sum(1 for data in lines if data is None or data.strip())
    return JsonBlock(path, line, record, lines, records)


def _reads(stream: BinaryIO) -> Iterator[bytes]:
    """The stream's bytes, BLOCK or more at a time (but the last). Before an error, what
    was read: a truncated gzip keeps the records before the break."""
    pieces: list[bytes] = []
    size = 0
    try:
        # read1: what the stream has, not a loop until BLOCK bytes that drops them at an
        # error. open_input's streams are buffered readers; BinaryIO names no read1.
        while piece := stream.read1(BLOCK):  # type: ignore[attr-defined]
            pieces.append(piece)
            size += len(piece)
            if size >= BLOCK:
                yield b"".join(pieces)
                pieces, size = [], 0
    except STREAM_ERRORS:
        if pieces:
            yield b"".join(pieces)
        raise
    if pieces:
        yield b"".join(pieces)


def jsonl_lines(block: JsonBlock, options: ReadOptions) -> Iterator[JsonLine | Rejected]:
    """Each record's line in the block (blank lines hold none), or its rejection when it
    is oversized."""
    record = block.record
    for number, data in enumerate(block.lines, block.line):
        if data is not None and not data.strip():
            continue  # a blank line holds no record
        origin = Origin(block.path, number, record)  # UTF-8 unless decoding says otherwise
        if data is None:
            yield Rejected(origin, f"oversized: line longer than {options.max_bytes:,} bytes")
        else:
            yield JsonLine(origin, data)
        record += 1


def block_records(block: JsonBlock, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    """The records of a block, or why a line holds none (what a worker of `parse` reads)."""
    for item in jsonl_lines(block, options):
        yield jsonl_record(item, options) if isinstance(item, JsonLine) else item


def read_jsonl(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    for block in jsonl_blocks(stream, path, options):
        yield from block_records(block, options)


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
    keys = tuple(obj)
    columns = options.field_map.resolve(keys)
    fields = {name: obj[key] for name, key in columns.items()}
    if not _TEXT_TYPES.issuperset(map(type, fields.values())):
        try:
            fields = {name: _as_text(columns[name], v) for name, v in fields.items()}
        except ValueError as err:
            return Rejected(origin, str(err))
    if encoding != origin.encoding:
        origin = replace(origin, encoding=encoding)
    return RawRecord(fields, origin, keys=keys)
