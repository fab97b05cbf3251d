"""Input files: walking directories, gzip, stdin, decoding, bounded line reading.

Everything here is about bytes becoming text; the readers (text, trec, jsonl, csv)
only see decoded text with its origin.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from isal import igzip, isal_zlib

from indexer.errors import ArabicSearchError
from indexer.ingest.articles import DEFAULT_MAX_CHARS, Origin, Rejected
from indexer.ingest.dates import DateOrder
from indexer.ingest.sources.fieldmap import SOURCE_ID, FieldMap, FileFields

# Legacy Arabic files are Windows-1256 more often than anything else.
FALLBACK_ENCODING = "windows-1256"
STDIN = "-"


class UndecodableError(ArabicSearchError, ValueError):
    """Bytes that are neither UTF-8 nor Arabic Windows-1256 text."""


@dataclass(frozen=True)
class InputFile:
    path: str  # as given or found; "-" for stdin

    @property
    def name(self) -> str:
        """The name that tells the format: without .gz."""
        return self.path.removesuffix(".gz")


READ_BUFFER = 1 << 16


@dataclass(slots=True)
class ReadPosition:
    """How far a reading has got: the bytes of the input files read so far, as stored
    (a gzip file's compressed bytes), against the sizes of the files (input_bytes) a
    progress bar's estimate of the time left. Standard input is not counted."""

    bytes_read: int = 0
    # What each file's keys gave (fieldmap.file_fields), in reading order: its unused
    # keys, for the summary and the report, and why it failed, if it did.
    files: list[FileFields] = field(default_factory=list)


def input_bytes(paths: list[str]) -> int | None:
    """The size of the files a reading of `paths` reads (directories walked as it walks
    them); None when standard input is one of them (its size is unknown)."""
    if STDIN in paths:
        return None
    total = 0
    for found in find_inputs(paths):
        if isinstance(found, InputFile):
            with contextlib.suppress(OSError):  # the reading reports it
                total += os.path.getsize(found.path)
    return total


def stored_position(stream: BinaryIO) -> Callable[[], int]:
    """How to ask how far `stream` (from open_input) has read its file, as stored."""
    return getattr(stream, "fileobj", stream).tell  # a GzipFile reads its fileobj


@contextlib.contextmanager
def open_input(file: InputFile) -> Iterator[BinaryIO]:
    """The file's bytes, gunzipped when it is gzip (by name or by its magic bytes)."""
    with contextlib.ExitStack() as stack:
        if file.path == STDIN:
            raw: BinaryIO = sys.stdin.buffer
        else:
            # A larger buffer than the default 8 KiB: most articles are longer lines.
            raw = stack.enter_context(open(file.path, "rb", buffering=READ_BUFFER))
        # Both are buffered readers, which peek; BinaryIO names no peek.
        stream = raw
        if file.path.endswith(".gz") or raw.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[attr-defined]
            if file.path == STDIN:  # read once: no going back to where ISA-L broke off
                gunzipped: io.BufferedIOBase = gzip.GzipFile(fileobj=raw, mode="rb")
            else:
                gunzipped = _GunzipReader(_Gunzip(file.path, raw), READ_BUFFER)
            # typeshed does not declare a buffered reader a BinaryIO.
            stream = cast(BinaryIO, stack.enter_context(gunzipped))
        if stream.peek(2)[:2] in UTF16_BOMS:  # type: ignore[attr-defined]
            stream = cast(BinaryIO, _Utf16Reader(_Utf16AsUtf8(stream), READ_BUFFER))
        yield stream


# Excel's "Unicode Text" (and Notepad's "Unicode") is UTF-16 with a byte order mark.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class _Utf16AsUtf8(io.RawIOBase):
    """A UTF-16 stream (with its BOM) as UTF-8 bytes, decoded as it is read: the
    readers see UTF-8, as from any other file. Bytes that are not UTF-16 become
    U+FFFD, which the records keep visible (as Windows-1256's unmappable bytes are
    refused, these are not: the BOM says what the file is)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        self.pending = b""  # encoded, not yet given

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            data = self.stream.read(READ_BUFFER)
            self.pending = self.decoder.decode(data, final=not data).encode("utf-8")
            if not data:
                break
        given, self.pending = self.pending[: len(buffer)], self.pending[len(buffer) :]
        buffer[: len(given)] = given
        return len(given)


class _Utf16Reader(io.BufferedReader):
    @property
    def fileobj(self) -> BinaryIO:
        """The file as stored, whose position is the bytes read (for stored_position)."""
        stream = cast(_Utf16AsUtf8, self.raw).stream
        return cast(BinaryIO, getattr(stream, "fileobj", stream))  # a gzip file's, if so


SALVAGE_READ = 4096  # bytes a read of the standard gzip, after a break


class _Gunzip(io.RawIOBase):
    """A gzip file's bytes, decompressed by ISA-L at three times zlib's speed
    (docs/benchmarks.md). At a break in the file (truncated, corrupt) ISA-L drops what
    it had decompressed of its last read, and the standard library's gzip does not:
    there the reading goes on with the latter, from the same byte, up to the break."""

    def __init__(self, path: str, raw: BinaryIO) -> None:
        self.path, self.raw = path, raw
        # isal has no type hints; its IGzipFile is a GzipFile.
        isal_gzip = igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[no-untyped-call]
        self.stream: gzip.GzipFile = isal_gzip
        self.given = 0  # bytes given so far
        self.again: BinaryIO | None = None  # the file opened again for the standard gzip

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.again is not None:
            # In small reads: the standard gzip, too, drops the output of the read that
            # meets the damage.
            data = self.stream.read1(min(len(buffer), SALVAGE_READ))
        else:
            try:
                data = self.stream.read1(len(buffer))
            except STREAM_ERRORS:
                # Closed by close(), not by a with: it outlives this call.
                self.again = open(self.path, "rb", buffering=READ_BUFFER)  # noqa: SIM115
                self.stream = gzip.GzipFile(fileobj=self.again, mode="rb")
                self.stream.seek(self.given)  # forward: decompressed again, not kept
                return self.readinto(buffer)
        buffer[: len(data)] = data
        self.given += len(data)
        return len(data)

    def close(self) -> None:
        self.stream.close()
        if self.again is not None:
            self.again.close()
        super().close()


class _GunzipReader(io.BufferedReader):
    @property
    def fileobj(self) -> BinaryIO:
        """The compressed file, whose position is the bytes read as stored (as a
        GzipFile's fileobj, for stored_position)."""
        return cast(_Gunzip, self.raw).raw


def find_inputs(paths: list[str]) -> Iterator[InputFile | Rejected]:
    """The files to read, in a stable order; a path that cannot be read is Rejected."""
    for path in paths:
        if path == STDIN:
            yield InputFile(STDIN)
        elif os.path.isdir(path):
            # A directory that cannot be listed is reported, not skipped in silence.
            unlisted: list[OSError] = []
            # followlinks=False: a symlink loop cannot send the walk round forever.
            for root, dirs, files in os.walk(path, onerror=unlisted.append, followlinks=False):
                yield from _unlisted(unlisted)
                dirs.sort()
                for name in sorted(files):
                    if not name.startswith("."):
                        yield from _checked(os.path.join(root, name))
            yield from _unlisted(unlisted)
        else:
            yield from _checked(path)


def _unlisted(errors: list[OSError]) -> Iterator[Rejected]:
    for error in errors:
        yield Rejected(Origin(str(error.filename)), f"cannot list directory: {error.strerror}")
    errors.clear()


def _checked(path: str) -> Iterator[InputFile | Rejected]:
    if not os.path.exists(path):
        yield Rejected(Origin(path), "no such file")
    elif not os.path.isfile(path):
        yield Rejected(Origin(path), "not a regular file")
    elif not os.access(path, os.R_OK):
        yield Rejected(Origin(path), "permission denied")
    else:
        yield InputFile(path)


def stdin_is_empty() -> bool:
    """Whether standard input has nothing to read: a terminal, or a pipe at its end
    (waits for the first byte or the end)."""
    if sys.stdin is None or sys.stdin.isatty():
        return True
    # A buffered reader, which peeks; BinaryIO names no peek.
    return not sys.stdin.buffer.peek(1)  # type: ignore[union-attr]


class MissingPathError(ArabicSearchError, ValueError):
    """A path given to read that does not exist: nothing is read, nothing built."""


def check_paths(paths: list[str]) -> None:
    """Refuse (exit 2) before anything is read or built when a path does not exist:
    a mistyped name is a usage error, not a rejected record."""
    missing = [p for p in paths if p != STDIN and not os.path.exists(p)]
    if missing:
        raise MissingPathError(
            f"no such file or directory: {', '.join(missing)}; check the path (nothing was read)"
        )


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (a BOM is dropped), else Windows-1256."""
    if b"\x00" in data:
        raise UndecodableError("binary content (NUL bytes)")
    try:
        text = data.decode("utf-8")  # the utf-8-sig codec is a slower, Python-level one
        return text.removeprefix("\ufeff"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = f"{err.reason} at byte {err.start}"
    text = data.decode(FALLBACK_ENCODING, errors="replace")
    # Windows-1256 maps almost every byte to something; only call it Arabic when
    # Arabic letters are there and nothing was unmappable.
    if "\ufffd" in text or not any("\u0621" <= c <= "\u064a" for c in text):
        raise UndecodableError(f"not UTF-8 ({utf8_error}) and not Arabic Windows-1256")
    return text, FALLBACK_ENCODING


def read_all(stream: BinaryIO, limit: int) -> bytes:
    """The whole stream, refusing more than `limit` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UndecodableError(f"file larger than {limit:,} bytes")
    return data


@dataclass(slots=True)  # slotted, not frozen: as the records of indexer/ingest/articles.py
class Line:
    number: int  # 1-based
    data: bytes | None  # None: longer than the limit (the rest was skipped)


def read_lines(stream: BinaryIO, limit: int) -> Iterator[Line]:
    """Lines of at most `limit` bytes each; a longer one is reported, not held in memory."""
    number = 0
    while True:
        data = stream.readline(limit + 1)
        if not data:
            return
        number += 1
        if len(data) > limit and not data.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield Line(number, None)
        else:
            yield Line(number, data)


# What a truncated or corrupt gzip stream raises while being read.
STREAM_ERRORS = (
    EOFError,
    zlib.error,
    cast(type[Exception], isal_zlib.error),  # isal's stub takes the class for an instance
    gzip.BadGzipFile,
    OSError,
)


@dataclass(frozen=True)
class ReadOptions:
    format: str = "auto"  # auto, text, trec, jsonl, csv
    field_map: FieldMap = field(default_factory=FieldMap)
    max_chars: int = DEFAULT_MAX_CHARS
    date_order: DateOrder | None = None  # how 01/05/2024 reads; None: refused as ambiguous

    @property
    def id_key(self) -> str | None:
        """The source key of the article id (--field id=KEY), if the id is given."""
        return self.field_map.overrides.get(SOURCE_ID)

    @property
    def max_bytes(self) -> int:
        """Bytes a record may take: UTF-8 uses up to 4 per character, JSON escapes 6."""
        return self.max_chars * 6 + 4096
