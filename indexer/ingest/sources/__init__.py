"""Readers: files in, RawRecord or Rejected out, one per input record.

`read_records` walks the paths, picks each file's format (by extension, then by
content) and hands the decoded stream to the reader of that format.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO, TypeVar, overload

from indexer.ingest.articles import Origin, RawRecord, Rejected
from indexer.ingest.sources.csv import read_csv
from indexer.ingest.sources.fieldmap import FileFields, file_fields
from indexer.ingest.sources.files import (
    STDIN,
    STREAM_ERRORS,
    ReadOptions,
    ReadPosition,
    find_inputs,
    input_bytes,
    open_input,
    stored_position,
)
from indexer.ingest.sources.jsonl import JsonBlock, block_records, read_jsonl
from indexer.ingest.sources.text import read_text
from indexer.ingest.sources.trec import read_trec

Reader = Callable[[BinaryIO, str, ReadOptions], Iterator[RawRecord | Rejected]]
Record = TypeVar("Record", bound=RawRecord | Rejected | JsonBlock)

READERS: dict[str, Reader] = {
    "text": read_text,
    "trec": read_trec,
    "jsonl": read_jsonl,
    "csv": read_csv,
}
FORMATS = ("auto", *READERS)
EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".trec": "trec",
    ".sgml": "trec",
}


def detect_format(name: str, head: bytes) -> str:
    """The format of a file from its name (without .gz), else from its first bytes."""
    extension = os.path.splitext(name)[1].lower()
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return "jsonl"
    if b"<doc>" in head.lower():
        return "trec"
    # A header row of tab-separated names and a row with tabs too: a table, such as
    # Excel's "Unicode Text" export (.txt). A scraped page has no such first lines.
    lines = start.split(b"\n", 2)
    if len(lines) > 1 and lines[0].count(b"\t") >= 2 and b"\t" in lines[1]:
        return "csv"
    return "text"


@overload
def read_records(
    paths: list[str], options: ReadOptions, position: ReadPosition | None = None
) -> Iterator[RawRecord | Rejected]: ...
@overload
def read_records(
    paths: list[str],
    options: ReadOptions,
    position: ReadPosition | None,
    readers: Mapping[str, Callable[[BinaryIO, str, ReadOptions], Iterator[Record]]],
) -> Iterator[Record | Rejected]: ...
def read_records(
    paths: list[str],
    options: ReadOptions,
    position: ReadPosition | None = None,
    readers: Mapping[str, Callable[[BinaryIO, str, ReadOptions], Iterator[Any]]] = READERS,
) -> Iterator[Any]:
    """Every record of every file under `paths`; `position` follows the bytes read.
    `readers` may put another reader in a format's place (`parse` reads JSON Lines
    as blocks of lines, for its worker processes to parse)."""
    position = position or ReadPosition()
    done = 0  # bytes of the files read to their end
    for item in find_inputs(paths):
        if isinstance(item, Rejected):
            yield item
            continue
        count = 0
        try:
            with open_input(item) as stream:
                # open_input's streams are buffered readers, which peek; BinaryIO names no peek.
                head = stream.peek(4096)[:4096]  # type: ignore[attr-defined]
                fmt = detect_format(item.name, head) if options.format == "auto" else options.format
                tell = stored_position(stream) if item.path != STDIN else lambda: 0
                records = readers[fmt](stream, item.path, options)
                for record in _fields_checked(records, item.path, options, position.files):
                    count += record.records if isinstance(record, JsonBlock) else 1
                    position.bytes_read = done + tell()
                    yield record
        except STREAM_ERRORS as err:
            # A truncated gzip, a disk error: the records read so far stand.
            reason = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            yield Rejected(Origin(item.path), f"unreadable after record {count}: {reason}")
        done += input_bytes([item.path]) or 0


def _fields_checked(
    records: Iterator[Any], path: str, options: ReadOptions, files: list[FileFields]
) -> Iterator[Any]:
    """A file's records, its keys checked on the first record that has any
    (fieldmap.file_fields, noted in `files`). When they fail the file, each of its
    records is rejected with that reason: the records still count as read, so the
    summary adds up, and the file's first rejection names its keys and the --field
    to give. Blocks of JSON lines (for `parse`'s workers) are checked here, on their
    first record, and a failed file's blocks are rejected here, line by line."""
    checked: FileFields | None = None
    decided = False
    for record in records:
        if isinstance(record, JsonBlock):
            if decided and (checked is None or checked.failure is None):
                yield record
                continue
            if not decided:  # parsed up to its first record, to check the keys
                parsed = block_records(record, options)
                first = next((r for r in parsed if isinstance(r, RawRecord)), None)
                if first is not None:
                    checked, decided = _check(first, path, options, files), True
            if checked is None or checked.failure is None:
                yield record
            else:
                yield from (_failed(r, checked.failure) for r in block_records(record, options))
            continue
        if not decided and isinstance(record, RawRecord):
            checked, decided = _check(record, path, options, files), True
        yield (
            record
            if checked is None or checked.failure is None
            else _failed(record, checked.failure)
        )


def _check(
    record: RawRecord, path: str, options: ReadOptions, files: list[FileFields]
) -> FileFields | None:
    if record.keys is None:  # a format without keys (text pages)
        return None
    checked = file_fields(path, record.keys, options.field_map)
    files.append(checked)
    return checked


def _failed(record: RawRecord | Rejected, failure: str) -> Rejected:
    return record if isinstance(record, Rejected) else Rejected(record.origin, failure)
