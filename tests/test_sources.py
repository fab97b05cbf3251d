"""Readers: each format, the built-in field mapping, and bad input reported by place."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path
from unittest import mock

import pytest
from helpers import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.ingest.articles import RawRecord, Rejected
from indexer.ingest.sources import detect_format, jsonl, read_records
from indexer.ingest.sources.fieldmap import FieldMap, FieldMapError, parse_field_options
from indexer.ingest.sources.files import SALVAGE_READ, ReadOptions, UndecodableError, decode


def records(*paths: Path | str, options: ReadOptions | None = None) -> list[RawRecord | Rejected]:
    return list(read_records([str(p) for p in paths], options or ReadOptions()))


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_ant_json_lines_load_with_the_built_in_mapping() -> None:
    [first, *_] = records(FIXTURES / "ant-sample.jsonl")
    assert isinstance(first, RawRecord)
    assert first.fields["title"] == 'هكذا تحالفت أحلام وإليسا ضد عاصي وحماقي بـ"ذا فويس"'
    body = first.fields["body"]
    assert body is not None and body.startswith("يبدو أن الصراع بين المدربين")
    assert first.fields["category"] == "culture"
    assert first.fields["source"] == "alarabia"
    assert first.fields["published_at"] == "Sun, 18 Feb 2018 21:35:43 +0400"
    lead = first.fields["lead"]
    assert lead is not None and lead.startswith("يبدو أن الصراع")
    assert first.fields["author"] == "القاهرة - أحمد الريدي"
    assert first.origin.line == 1


def test_field_option_overrides_the_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"headline": "عنوان", "story": "نص الخبر", "text": "x"}\n')
    [rec] = records(
        path, options=ReadOptions(field_map=FieldMap(parse_field_options(["body=story"])))
    )
    assert isinstance(rec, RawRecord)
    assert rec.fields == {"title": "عنوان", "body": "نص الخبر"}


def test_bad_field_options_are_usage_errors() -> None:
    with pytest.raises(FieldMapError, match="NAME must be one of"):
        parse_field_options(["nope=x"])
    with pytest.raises(FieldMapError, match="NAME=SOURCE_FIELD"):
        parse_field_options(["body"])


def test_bad_json_lines_are_rejected_with_their_line(tmp_path: Path) -> None:
    lines = [
        '{"title": "أول", "text": "نص"}',
        "",
        '{"title": "ناقص"',
        "[1, 2]",
        "[" * 100_000 + "]" * 100_000,
        '{"title": {"nested": 1}}',
        '{"title": "أخير", "text": ["فقرة", "ثانية"]}',
    ]
    result = records(write(tmp_path / "a.jsonl", "\n".join(lines) + "\n"))
    kinds = [(type(r).__name__, r.origin.line) for r in result]
    assert kinds == [
        ("RawRecord", 1),
        ("Rejected", 3),
        ("Rejected", 4),
        ("Rejected", 5),
        ("Rejected", 6),
        ("RawRecord", 7),
    ]
    reasons = [r.reason for r in result if isinstance(r, Rejected)]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1] == "not a JSON object but list"
    assert "nested" in reasons[2] or "invalid JSON" in reasons[2]
    assert reasons[3] == "field 'title' is not text (dict)"
    assert isinstance(result[-1], RawRecord)
    assert result[-1].fields["body"] == "فقرة\nثانية"


def test_a_lone_surrogate_escape_is_rejected_and_a_pair_is_text(tmp_path: Path) -> None:
    # json.loads accepts "\\ud800" alone; nothing can write it as UTF-8 (a traceback in
    # parse and reindex before). A pair of escapes is one character, kept.
    lines = [
        '{"title": "bad \\ud800 x"}',
        '{"title": "ok \\ud83d\\ude00", "text": "x", "big": 1e999}',
    ]
    bad, good = records(write(tmp_path / "s.jsonl", "\n".join(lines) + "\n"))
    assert (
        isinstance(bad, Rejected) and bad.reason == r"a lone surrogate escape (\ud800) is no text"
    )
    assert isinstance(good, RawRecord) and good.fields["title"] == "ok 😀"


def test_oversized_line_is_rejected_without_reading_it_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"text": "' + "ب" * 5000 + '"}\n{"text": "قصير"}\n')
    first, second = records(path, options=ReadOptions(max_chars=100))
    assert isinstance(first, Rejected) and first.reason.startswith("oversized")
    assert isinstance(second, RawRecord) and second.origin.line == 2


def test_gzip_is_read_transparently_and_truncation_is_reported(tmp_path: Path) -> None:
    data = gzip.compress(("".join(f'{{"title": "خبر {i}"}}\n' for i in range(2000))).encode())
    assert len(records(write(tmp_path / "a.jsonl.gz", data))) == 2000
    truncated = records(write(tmp_path / "b.jsonl.gz", data[: len(data) // 2]))
    assert isinstance(truncated[-1], Rejected)
    assert "unreadable after record" in truncated[-1].reason
    assert all(isinstance(r, RawRecord) for r in truncated[:-1])


def test_csv_with_header_and_mapping(tmp_path: Path) -> None:
    text = (
        "headline,story,section,link\n"
        'عنوان أول,"نص، فيه فاصلة\nوسطر ثان",سياسة,http://a/1\n'
        "عنوان ثان,نص,رياضة\n"
        "عنوان ثالث,نص ثالث,اقتصاد,http://a/3\n"
    )
    options = ReadOptions(field_map=FieldMap(parse_field_options(["body=story"])))
    first, bad, third = records(write(tmp_path / "a.csv", text), options=options)
    assert isinstance(first, RawRecord)
    assert first.fields == {
        "url": "http://a/1",
        "title": "عنوان أول",
        "body": "نص، فيه فاصلة\nوسطر ثان",
        "category": "سياسة",
    }
    assert isinstance(bad, Rejected)
    assert bad.reason == "CSV: row has 3 fields, the header 4" and bad.origin.line == 4
    assert third.origin.line == 5


def ten_rows(tmp_path: Path, broken: int, row: str) -> Path:
    """A CSV of ten good rows, row number `broken` (1-based) replaced by `row`."""
    rows = [f"عنوان {n},نص {n}" for n in range(1, 11)]
    rows[broken - 1] = row
    return write(tmp_path / "ten.csv", "title,text\n" + "\n".join(rows) + "\n")


def test_a_csv_quote_that_never_closes_costs_its_own_row_only(tmp_path: Path) -> None:
    found = records(ten_rows(tmp_path, 3, 'عنوان 3,"نص بلا نهاية'))
    assert [r.origin.line for r in found] == list(range(2, 12))  # every row read
    [bad] = [r for r in found if isinstance(r, Rejected)]
    assert bad.origin.line == 4 and "quote opened on this line never closes" in bad.reason
    kept = [r.fields["title"] for r in found if isinstance(r, RawRecord)]
    assert kept == [f"عنوان {n}" for n in (1, 2, 4, 5, 6, 7, 8, 9, 10)]


def test_a_csv_row_that_goes_wrong_after_a_line_break_costs_its_own_row_only(
    tmp_path: Path,
) -> None:
    # The quote of row 3 closes in row 6, where the letter after it breaks the CSV;
    # read alone, row 6 is a row (a quote inside an unquoted field is a character).
    text = ten_rows(tmp_path, 3, 'عنوان 3,"نص').read_text(encoding="utf-8")
    found = records(write(tmp_path / "b.csv", text.replace("عنوان 6,", 'عنوان 6"x,')))
    assert [r.origin.line for r in found] == list(range(2, 12))
    [bad] = [r for r in found if isinstance(r, Rejected)]
    assert bad.origin.line == 4 and bad.reason.startswith("CSV: ',' expected after '\"'")
    assert isinstance(found[5], RawRecord)
    assert found[5].fields["title"] == 'عنوان 6"x'


def test_a_broken_line_inside_a_quoted_field_is_not_dropped_in_silence(tmp_path: Path) -> None:
    data = 'title,text\nأول,"فقرة\n'.encode() + b"\x00\xff\n" + 'فقرة"\nثان,نص\n'.encode()
    found = records(write(tmp_path / "a.csv", data))
    kinds = [(type(r).__name__, r.origin.line) for r in found]
    assert kinds == [("Rejected", 2), ("Rejected", 3), ("Rejected", 4), ("RawRecord", 5)]
    assert isinstance(found[0], Rejected)
    assert "line 3, inside this row: binary content" in found[0].reason


def test_a_quoted_field_that_holds_lines_looking_like_rows_is_warned_about(
    tmp_path: Path,
) -> None:
    text = 'title,text\nأول,"نص يبدأ هنا\nثان,نص\nثالث,نص\nوينتهي هنا"\nرابع,نص\n'
    first, last = records(write(tmp_path / "a.csv", text))
    assert isinstance(first, RawRecord) and isinstance(last, RawRecord)
    assert first.fields["body"] == "نص يبدأ هنا\nثان,نص\nثالث,نص\nوينتهي هنا"
    [warning] = first.warnings
    assert "lines 3-4 that each look like a row" in warning
    assert (last.origin.line, last.warnings) == (6, ())
    # Paragraphs that are not rows of their own: no warning.
    plain = 'title,text\nأول,"فقرة أولى\nفقرة ثانية، وثالثة"\n'
    [record] = records(write(tmp_path / "b.csv", plain))
    assert isinstance(record, RawRecord)
    assert record.warnings == ()


def test_tsv_by_extension(tmp_path: Path) -> None:
    [rec] = records(write(tmp_path / "a.tsv", "title\ttext\nعنوان\tنص, مع فاصلة\n"))
    assert isinstance(rec, RawRecord)
    assert rec.fields == {"title": "عنوان", "body": "نص, مع فاصلة"}


def test_trec_file_with_several_docs() -> None:
    first, second = records(FIXTURES / "trec/two-docs.txt")
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert first.fields["title"] == 'هكذا تحالفت أحلام وإليسا ضد عاصي وحماقي بـ"ذا فويس"'
    assert second.fields["title"] == "بعد تحذيرات ترامب.. الصين تبرر علاقتها التجارية بإيران"
    assert second.fields["published_at"] == "Sat, 11 Aug 2018 13:29:22 GMT"
    assert first.origin.line is not None and second.origin.line is not None
    assert second.origin.line > first.origin.line


def test_trec_problems_are_reported(tmp_path: Path) -> None:
    text = "junk before\n<DOC>\n<TITLE>أ</TITLE>\n</DOC>\n<DOC>\n<TITLE>ب</TITLE>\n"
    ok, unclosed, stray = records(write(tmp_path / "a.trec", text))
    assert isinstance(ok, RawRecord)
    assert isinstance(unclosed, Rejected) and isinstance(stray, Rejected)
    assert ok.fields == {"title": "أ"}
    assert unclosed.reason.startswith("<DOC> without </DOC>") and unclosed.origin.line == 5
    assert stray.reason == "text outside <DOC> ... </DOC>" and stray.origin.line == 1


def test_windows_1256_is_decoded_and_said(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"title": "وزارة الخارجية"}\n'.encode("cp1256"))
    [rec] = records(path)
    assert isinstance(rec, RawRecord)
    assert rec.fields["title"] == "وزارة الخارجية"
    assert rec.origin.encoding == "windows-1256"


def test_undecodable_and_binary_input_is_rejected() -> None:
    with pytest.raises(UndecodableError, match="NUL"):
        decode(b"abc\x00def")
    with pytest.raises(UndecodableError, match="not UTF-8"):
        decode(b"\xff\xfe plain latin \x81")
    assert decode("نص".encode()) == ("نص", "utf-8")


def test_directories_are_walked_in_order_and_missing_paths_reported(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub/b.jsonl", '{"title": "ب"}\n')
    write(tmp_path / "a.jsonl", '{"title": "أ"}\n')
    write(tmp_path / ".hidden.jsonl", '{"title": "x"}\n')
    got = records(tmp_path, tmp_path / "missing.jsonl")
    assert [r.fields["title"] for r in got[:2] if isinstance(r, RawRecord)] == ["أ", "ب"]
    assert isinstance(got[2], Rejected) and got[2].reason == "no such file"


def test_stdin_is_read_with_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO('{"title": "من الدخل"}\n'.encode())))
    monkeypatch.setattr("sys.stdin", stdin)
    [rec] = records("-")
    assert isinstance(rec, RawRecord)
    assert rec.fields == {"title": "من الدخل"}


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.jsonl", b"", "jsonl"),
        ("a.ndjson", b"", "jsonl"),
        ("a.csv", b"", "csv"),
        ("a.tsv", b"", "csv"),
        ("a.txt", b"<DOC>\n<DOCNO>1</DOCNO>", "trec"),
        ("a.txt", "عنوان\n● أخبار".encode(), "text"),
        ("-", b'\n{"title": 1}', "jsonl"),
        ("noext", b"\xef\xbb\xbf{}", "jsonl"),
    ],
)
def test_format_detection(name: str, head: bytes, expected: str) -> None:
    assert detect_format(name, head) == expected


def test_format_can_be_forced(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", json.dumps({"title": "عنوان"}) + "\n")
    [rec] = records(path, options=ReadOptions(format="jsonl"))
    assert isinstance(rec, RawRecord)
    assert rec.fields == {"title": "عنوان"}


def test_truncated_gzip_keeps_every_whole_line_before_the_break(tmp_path: Path) -> None:
    data = gzip.compress(("".join(f'{{"title": "خبر {i}"}}\n' for i in range(20000))).encode())
    cut = data[: len(data) // 2]
    whole_lines = zlib.decompressobj(31).decompress(cut).count(b"\n")
    *read, error = records(write(tmp_path / "b.jsonl.gz", cut))
    assert len(read) == whole_lines and all(isinstance(r, RawRecord) for r in read)
    assert isinstance(error, Rejected)
    assert error.reason.startswith(f"unreadable after record {whole_lines}:")


def _plain_lines(data: bytes, limit: int) -> list[tuple[int, int, bytes | None]]:
    """What jsonl_blocks and jsonl_lines read, by the plain definition: (line, record,
    line's bytes, or None when longer than the limit), blank lines holding no record."""
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    found: list[tuple[int, int, bytes | None]] = []
    for number, line in enumerate(lines, 1):
        if len(line) > limit or line.strip():
            found.append((number, len(found) + 1, None if len(line) > limit else line))
    return found


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from([b"", b" ", b"\r", b"{}", b'{"a": 1}\r', b"x" * 40, b"y" * 90, b"\t\t"]),
        max_size=40,
    ),
    newline_at_end=st.booleans(),
    block=st.integers(1, 64),
    gzipped=st.booleans(),
)
def test_blocks_of_lines_are_the_lines(
    lines: list[bytes], newline_at_end: bool, block: int, gzipped: bool
) -> None:
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    stream: io.BufferedIOBase = io.BytesIO(data)
    if gzipped:
        stream = gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(data)), mode="rb")
    limit = 50  # bytes a line may have: "y" * 90 is over, reads of `block` bytes are under
    with (
        mock.patch.object(jsonl, "BLOCK", block),
        mock.patch.object(ReadOptions, "max_bytes", limit),
    ):
        options = ReadOptions()
        blocks = list(jsonl.jsonl_blocks(stream, "p", options))  # type: ignore[arg-type]
        got = [
            (item.origin.line, item.origin.record, getattr(item, "data", None))
            for b in blocks
            for item in jsonl.jsonl_lines(b, options)
        ]
    assert got == _plain_lines(data, limit)
    assert sum(b.records for b in blocks) == len(got)


def test_corrupt_gzip_keeps_what_the_standard_gzip_reads_before_the_damage(
    tmp_path: Path,
) -> None:
    data = bytearray(
        gzip.compress("".join(f'{{"title": "خبر {i}"}}\n' for i in range(20000)).encode())
    )
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
    standard = gzip.GzipFile(fileobj=io.BytesIO(bytes(data)), mode="rb")
    readable = b""
    with pytest.raises((zlib.error, EOFError, gzip.BadGzipFile)):
        while piece := standard.read1(SALVAGE_READ):
            readable += piece
    *read, error = records(write(tmp_path / "c.jsonl.gz", bytes(data)))
    assert len(read) == readable.count(b"\n") > 0
    assert isinstance(error, Rejected) and error.reason.startswith("unreadable after record")
