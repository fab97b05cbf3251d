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
from indexer.ingest.sources.jsonl import JsonBlock, read_jsonl
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
                for record in readers[fmt](stream, item.path, options):
                    count += record.records if isinstance(record, JsonBlock) else 1
                    position.bytes_read = done + tell()
                    yield record
        except STREAM_ERRORS as err:
            # A truncated gzip, a disk error: the records read so far stand.
            reason = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            yield Rejected(Origin(item.path), f"unreadable after record {count}: {reason}")
        done += input_bytes([item.path]) or 0
