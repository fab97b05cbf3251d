"""CSV and TSV: a header row naming the fields, then one article per row.

A quoted field may span lines (paragraphs), so a quote that never closes would
swallow every row after it. A row that fails after taking more than its own line
(a quote that never closes, text after a closing quote, a wrong number of fields)
is rejected at its first line, and the lines after it are read again as rows of
their own: it costs its own row only. A row that succeeds by holding, in a quoted
field, lines that each look like a row of their own gets a warning that names them.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from indexer.ingest.articles import Origin, RawRecord, Rejected
from indexer.ingest.sources.files import ReadOptions, UndecodableError, decode, read_lines

_DELIMITERS = ",;\t|"

NumberedLine = tuple[int, str]  # 1-based line number, decoded text

# The csv module's messages (by their start) that need the file's terms to be understood.
_REASONS = {
    "unexpected end of data": "a quote opened on this line never closes",
    "field larger than field limit": "a field longer than --max-chars: a quote opened on "
    "this line may never close",
}


class _Lines:
    """Numbered lines, any of which can be put back to be read again."""

    def __init__(self, source: Iterator[NumberedLine]) -> None:
        self._source = source
        self._again: deque[NumberedLine] = deque()

    def __iter__(self) -> Iterator[NumberedLine]:
        return self

    def __next__(self) -> NumberedLine:
        return self._again.popleft() if self._again else next(self._source)

    def put_back(self, lines: list[NumberedLine]) -> None:
        self._again.extendleft(reversed(lines))


def _decoded_lines(
    stream: BinaryIO, options: ReadOptions, problems: dict[int, str], encodings: dict[int, str]
) -> Iterator[NumberedLine]:
    # Lines are decoded one by one (a file may mix encodings); a line that cannot
    # be decoded is noted by number and given to the csv module as an empty line.
    for line in read_lines(stream, options.max_bytes):
        if line.data is None:
            problems[line.number] = f"oversized: line longer than {options.max_bytes:,} bytes"
            yield line.number, "\n"
            continue
        try:
            text, encodings[line.number] = decode(line.data)
        except UndecodableError as err:
            problems[line.number] = str(err)
            text = "\n"
        yield line.number, text


def _reason(err: csv.Error) -> str:
    message = str(err)
    return "CSV: " + next((r for m, r in _REASONS.items() if message.startswith(m)), message)


def _reader(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    # strict: text after a closing quote is an error, not glued to the field.
    return csv.reader(lines, delimiter=delimiter, strict=True)


def _parse_row(lines: Iterable[str], delimiter: str) -> tuple[list[str], str | None]:
    """The first row of `lines`, or why there is none."""
    try:
        return next(_reader(lines, delimiter), []), None
    except csv.Error as err:
        return [], _reason(err)


def _held_problem(taken: list[NumberedLine], problems: dict[int, str]) -> str | None:
    """What is wrong with a line the row took (undecodable, oversized), if anything."""
    first = taken[0][0]
    for n, _ in taken:
        if n in problems:
            return problems[n] if n == first else f"line {n}, inside this row: {problems[n]}"
    return None


def _spans(numbers: list[int]) -> str:
    """Line numbers as runs: 3-5, 9."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1][-1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in runs)


def _rows_inside(held: list[NumberedLine], delimiter: str, width: int) -> tuple[str, ...]:
    """A warning when every line a quoted field holds, but the one that closes it, reads
    as a whole row alone: rows swallowed by a quote that should have closed, more
    likely than paragraphs (one paragraph that is not a row ends the check)."""
    inner = held[:-1]
    if not inner or any(len(_parse_row([text], delimiter)[0]) != width for _, text in inner):
        return ()
    return (
        f"CSV: the quoted field opened on this line runs to line {held[-1][0]} and holds "
        f"lines {_spans([n for n, _ in inner])} that each look like a row of their own; "
        "if its quote should close on this line, close it",
    )


def read_csv(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    problems: dict[int, str] = {}
    encodings: dict[int, str] = {}
    lines = _Lines(_decoded_lines(stream, options, problems, encodings))
    header_line = next(lines, (1, ""))[1]
    delimiter = "\t" if path.removesuffix(".gz").endswith(".tsv") else _sniff(header_line)
    csv.field_size_limit(max(csv.field_size_limit(), options.max_chars + 1))
    header, failure = _parse_row([header_line], delimiter)
    if failure:
        yield Rejected(Origin(path, 1), f"CSV header: {failure.removeprefix('CSV: ')}")
        return
    if not any(h.strip() for h in header):
        yield Rejected(Origin(path, 1), "CSV without a header row")
        return
    keys = tuple(h.strip() for h in header)
    columns = options.field_map.resolve(keys)
    index = {h.strip(): i for i, h in enumerate(header)}
    taken: list[NumberedLine] = []  # the lines of the row being read

    def fed() -> Iterator[str]:
        for line in lines:
            taken.append(line)
            yield line[1]

    rows = _reader(fed(), delimiter)
    record = 0
    while True:
        taken.clear()
        try:
            row, failure = next(rows), None
        except StopIteration:
            return
        except csv.Error as err:
            row, failure = [], _reason(err)
        failure = failure or _held_problem(taken, problems)
        if failure is None and (not row or (len(row) == 1 and not row[0].strip())):
            continue  # a blank line holds no row
        record += 1
        line_number = taken[0][0]
        origin = Origin(path, line_number, record, encodings.get(line_number, "utf-8"))
        if failure is None and len(row) != len(header):
            failure = f"CSV: row has {len(row)} fields, the header {len(header)}"
        if failure is not None:
            if len(taken) > 1:
                lines.put_back(taken[1:])
                again = _spans([n for n, _ in taken[1:]])
                failure += f"; the lines after it ({again}) are read again as rows"
                # A reader that met the end of the input stays there: a new one.
                rows = _reader(fed(), delimiter)
            yield Rejected(origin, failure)
            continue
        fields: dict[str, str | None] = {name: row[index[key]] for name, key in columns.items()}
        yield RawRecord(fields, origin, _rows_inside(taken[1:], delimiter, len(header)), keys)


def _sniff(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
