"""CSV and TSV: a header row naming the fields, then one article per row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from indexer.articles import Origin, RawRecord, Rejected
from indexer.sources.files import ReadOptions, UndecodableError, decode, read_lines

_DELIMITERS = ",;\t|"


def _decoded_lines(
    stream: BinaryIO, options: ReadOptions, problems: dict[int, str], encodings: dict[int, str]
) -> Iterator[str]:
    # Lines are decoded one by one (a file may mix encodings); a line that cannot
    # be decoded is noted by number and given to the csv module as an empty line.
    for line in read_lines(stream, options.max_bytes):
        if line.data is None:
            problems[line.number] = f"oversized: line longer than {options.max_bytes:,} bytes"
            yield "\n"
            continue
        try:
            text, encodings[line.number] = decode(line.data)
        except UndecodableError as err:
            problems[line.number] = str(err)
            text = "\n"
        yield text


def read_csv(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    problems: dict[int, str] = {}
    encodings: dict[int, str] = {}
    lines = _decoded_lines(stream, options, problems, encodings)
    header_line = next(lines, "")
    delimiter = "\t" if path.removesuffix(".gz").endswith(".tsv") else _sniff(header_line)
    csv.field_size_limit(max(csv.field_size_limit(), options.max_chars + 1))
    try:
        header = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error as err:
        yield Rejected(Origin(path, 1), f"CSV header: {err}")
        return
    if not any(h.strip() for h in header):
        yield Rejected(Origin(path, 1), "CSV without a header row")
        return
    columns = options.field_map.resolve(h.strip() for h in header)
    index = {h.strip(): i for i, h in enumerate(header)}
    # strict: a quote left open to the end of the file is an error, not a field that
    # silently holds every row after it.
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    record, first_line = 0, 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            record += 1
            yield Rejected(Origin(path, first_line, record), f"CSV: {err}")
            first_line = reader.line_num + 2
            continue
        line_number, first_line = first_line, reader.line_num + 2
        if not row or (len(row) == 1 and not row[0].strip()):
            if line_number in problems:
                record += 1
                yield Rejected(Origin(path, line_number, record), problems[line_number])
            continue
        record += 1
        origin = Origin(path, line_number, record, encodings.get(line_number, "utf-8"))
        if len(row) != len(header):
            yield Rejected(origin, f"CSV: row has {len(row)} fields, the header {len(header)}")
            continue
        yield RawRecord({name: row[index[key]] for name, key in columns.items()}, origin)


def _sniff(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
