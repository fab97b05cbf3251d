"""TREC-style tagged files: one or many <DOC> ... </DOC> per file.

    <DOC>
    <DOCNO>AL-culture-1-20180218</DOCNO>
    <URL>…</URL> <SRC>…</SRC> <CAT>…</CAT> <TITLE>…</TITLE> <TIME>…</TIME>
    <AUTHOR>…</AUTHOR> <ABSTRACT>…</ABSTRACT> <TEXT>…</TEXT>
    </DOC>

Tag names go through the same field aliases as JSON keys (TEXT is the body...).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import BinaryIO

from indexer.ingest.articles import Origin, RawRecord, Rejected
from indexer.ingest.sources.files import ReadOptions, UndecodableError, decode, read_lines

_DOC_START = re.compile(rb"^\s*<DOC>\s*$", re.IGNORECASE)
_DOC_END = re.compile(rb"^\s*</DOC>\s*$", re.IGNORECASE)
_TAG = re.compile(r"<([A-Za-z][\w.-]*)>(.*?)</\1>", re.DOTALL)


def read_trec(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    record = 0
    doc: list[bytes] | None = None  # lines of the open <DOC>
    start = size = 0
    stray_at = None  # first line of text found outside any <DOC>
    for line in read_lines(stream, options.max_bytes):
        data = line.data  # None: a line over the size limit
        if doc is None:
            if data is not None and _DOC_START.match(data):
                doc, start, size = [], line.number, 0
            elif (data is None or data.strip()) and stray_at is None:
                stray_at = line.number
            continue
        if data is not None and _DOC_END.match(data):
            record += 1
            yield _parse_doc(b"".join(doc), Origin(path, start, record), size, options)
            doc = None
            continue
        size += len(data) if data is not None else options.max_bytes + 1
        if data is not None and size <= options.max_bytes:
            doc.append(data)
    if doc is not None:
        record += 1
        yield Rejected(Origin(path, start, record), "<DOC> without </DOC> (file ends inside it)")
    if stray_at is not None:
        record += 1
        yield Rejected(Origin(path, stray_at, record), "text outside <DOC> ... </DOC>")


def _parse_doc(
    data: bytes, origin: Origin, size: int, options: ReadOptions
) -> RawRecord | Rejected:
    if size > options.max_bytes:
        return Rejected(origin, f"oversized: <DOC> larger than {options.max_bytes:,} bytes")
    try:
        text, encoding = decode(data)
    except UndecodableError as err:
        return Rejected(origin, str(err))
    tags = {name.lower(): html.unescape(value.strip()) for name, value in _TAG.findall(text)}
    if not tags:
        return Rejected(origin, "<DOC> without any tagged field")
    keys = tuple(tags)
    columns = options.field_map.resolve(keys)
    fields: dict[str, str | None] = {name: tags[key] for name, key in columns.items()}
    return RawRecord(fields, Origin(origin.path, origin.line, origin.record, encoding), keys=keys)
