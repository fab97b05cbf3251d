"""Nothing dropped unsaid (issue #21): keys no field took, files whose keys give no
body, --field sources no file has, missing paths and unwritable --dead-letters are
said, with the exit code of the contract, on `parse` and `reindex` alike."""

from __future__ import annotations

import codecs
import io
import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES, Result, run_cli

from indexer.index.reindex import reindex

SUMMARY = re.compile(r"read (\d+) / (?:parsed|indexed) (\d+) / duplicates (\d+) / rejected (\d+)")


def counts(stderr: str) -> tuple[int, ...]:
    match = SUMMARY.search(stderr)
    assert match, stderr
    return tuple(int(n) for n in match.groups())


def run(command: str, tmp_path: Path, *args: str) -> Result:
    backend = ["--backend", "embedded", "--home", str(tmp_path / "home")]
    return run_cli(command, *args, *(backend if command == "reindex" else []))


def other_keys(tmp_path: Path) -> Path:
    """Records keyed as a new user's export was: no key the aliases know as the body."""
    path = tmp_path / "export.jsonl"
    records = [
        {"title": f"عنوان {n}", "article_text": f"نص المقال رقم {n}", "pub_date": "2024-01-05"}
        for n in range(3)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


BOTH = pytest.mark.parametrize("command", ["parse", "reindex"])


@BOTH
def test_a_file_whose_keys_give_no_body_fails_and_names_its_keys(
    command: str, tmp_path: Path
) -> None:
    report = tmp_path / "fates.jsonl"
    result = run(command, tmp_path, str(other_keys(tmp_path)), "--report", str(report))
    # Its records are read and rejected (the summary adds up); a reindex indexes nothing,
    # so the alias does not move (exit 2), and parse exits 1 as for rejected records.
    assert result.code == (1 if command == "parse" else 2), result.err
    assert counts(result.err) == (3, 0, 0, 3)
    assert (
        "rejected: no key gives the article body (its keys: title, article_text, pub_date); "
        "name it with --field body=KEY" in result.err
    )
    fates = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    [file] = [f for f in fates if f["fate"] == "file"]
    assert file["unused_keys"] == ["article_text", "pub_date"]
    assert file["failure"].startswith("no key gives the article body")


@BOTH
def test_unused_keys_are_named_in_the_summary_and_the_report(command: str, tmp_path: Path) -> None:
    report = tmp_path / "fates.jsonl"
    path = str(other_keys(tmp_path))
    result = run(command, tmp_path, path, "--field", "body=article_text", "--report", str(report))
    assert result.code == 0, result.err
    assert counts(result.err) == (3, 3, 0, 0)
    assert f"{path}: keys not used: pub_date (--field NAME=KEY takes one)" in result.err
    fates = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert [f["unused_keys"] for f in fates if f["fate"] == "file"] == [["pub_date"]]


@BOTH
def test_a_field_source_no_file_has_is_exit_2(command: str, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("title,text\nعنوان,نص المقال\n", "utf-8")
    result = run(command, tmp_path, str(path), "--field", "body=story")
    assert result.code == 2, result.err
    assert "--field body=story: this file has no such key (its keys: title, text)" in result.err
    assert '"body": ""' not in result.out


def test_a_field_source_no_file_has_keeps_the_alias_off_what_other_files_gave(
    tmp_path: Path,
) -> None:
    # A scraped text page has no keys: its article would be indexed alone.
    path = tmp_path / "a.csv"
    path.write_text("title,text\nعنوان,نص المقال\n", "utf-8")
    page = str(FIXTURES / "seed-article.txt")
    result = run("reindex", tmp_path, page, str(path), "--field", "body=story")
    assert result.code == 2, result.err
    assert "--field body=story: no file read has that key" in result.error_line()
    status = run_cli("status", "--home", str(tmp_path / "home"))
    assert status.code == 2  # no version went live


def test_arabic_column_names_are_recognized(tmp_path: Path) -> None:
    path = tmp_path / "ar.csv"
    path.write_text("العنوان,النص,التصنيف,التاريخ\nعنوان,نص المقال,سياسة,2024-01-05\n", "utf-8")
    result = run_cli("parse", str(path))
    assert result.code == 0, result.err
    [article] = [json.loads(line) for line in result.out.splitlines()]
    assert (article["title"], article["body"], article["category"]) == (
        "عنوان",
        "نص المقال",
        "سياسة",
    )
    assert article["published_at"] == "2024-01-05"


@BOTH
def test_a_path_that_does_not_exist_is_exit_2_before_anything_is_built(
    command: str, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such.jsonl"
    result = run(command, tmp_path, str(other_keys(tmp_path)), str(missing))
    assert result.code == 2, result.err
    assert result.error_line() == (
        f"arabic-search {command}: no such file or directory: {missing}; check the path "
        "(nothing was read)"
    )
    assert not result.out and not (tmp_path / "home").exists()


@pytest.mark.parametrize("place", ["a file", "under a file"])
def test_dead_letters_are_checked_before_the_load(place: str, tmp_path: Path) -> None:
    source = other_keys(tmp_path)
    folder = source if place == "a file" else source / "dead"
    # Port 1: nothing listens, and nothing may be asked of it before the check.
    env = {"OPENSEARCH_URL": "http://127.0.0.1:1", "PATH": "/usr/bin:/bin"}
    result = run_cli("reindex", str(source), "--dead-letters", str(folder), env=env)
    assert result.code == 2, result.err
    assert result.error_line() == (
        f"arabic-search reindex: --dead-letters {folder}: {source} is not a folder; give a "
        "folder you can write to (nothing was loaded)"
    )
    assert "Traceback" not in result.err


def test_worker_processes_fail_the_file_alike(tmp_path: Path) -> None:
    path = str(other_keys(tmp_path))
    alone, in_workers = (run_cli("parse", path, "--workers", n) for n in ("0", "1"))
    assert (in_workers.code, in_workers.err.splitlines()[:-1]) == (
        alone.code,
        alone.err.splitlines()[:-1],  # but the time
    )
    assert counts(in_workers.err) == (3, 0, 0, 3)


@BOTH
@pytest.mark.parametrize("order", ["little", "big"])
def test_utf16_with_a_bom_is_read(command: str, order: str, tmp_path: Path) -> None:
    """Excel's "Unicode Text": UTF-16 with a BOM, tab-separated, named .txt."""
    table = "العنوان\tالنص\tالتصنيف\r\nعنوان أول\tنص المقال الأول\tسياسة\r\n"
    path = tmp_path / "export.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + table.encode("utf-16-le"))
    if order == "big":
        path.write_bytes(codecs.BOM_UTF16_BE + table.encode("utf-16-be"))
    result = run(command, tmp_path, str(path))
    assert result.code == 0, result.err
    assert counts(result.err) == (1, 1, 0, 0)
    if command == "parse":
        [article] = [json.loads(line) for line in result.out.splitlines()]
        assert (article["title"], article["body"]) == ("عنوان أول", "نص المقال الأول")
        assert article["category"] == "سياسة"


def long_author(tmp_path: Path) -> Path:
    """A 36 kB author (a byline field filled with a page): over Lucene's 32766 bytes."""
    path = tmp_path / "long.jsonl"
    record = {"title": "عنوان", "text": "نص المقال", "author": "كاتب " * 7200 + "أخير"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    return path


@BOTH
def test_a_keyword_over_the_engines_limit_is_cut_on_every_backend(
    command: str, tmp_path: Path
) -> None:
    report = tmp_path / "fates.jsonl"
    result = run(command, tmp_path, str(long_author(tmp_path)), "--report", str(report))
    assert result.code == 0, result.err
    assert counts(result.err) == (1, 1, 0, 0)
    warning = "author cut from 64,808 to 32,766 bytes (an engine's limit for a keyword"
    assert warning in result.err
    [fate] = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert warning in fate["warnings"][0]
    if command == "parse":
        [article] = [json.loads(line) for line in result.out.splitlines()]
        author = article["author"].encode("utf-8")
        assert len(author) <= 32766 and len(author) > 32766 - 4  # cut at a character
        assert article["author"].startswith("كاتب كاتب")


def test_a_keyword_is_cut_at_a_character_boundary() -> None:
    from indexer.ingest.articles import cut_keyword

    assert cut_keyword("a" + "ب" * 5, limit=4) == "aب"  # not half of the second ب
    assert cut_keyword("ب" * 5, limit=4) == "بب"
    assert cut_keyword("بب", limit=4) == "بب"


def numeric_dates(tmp_path: Path) -> Path:
    path = tmp_path / "dates.csv"
    path.write_text("title,text,date\nعنوان,نص المقال,01/05/2024\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("order", "expected"), [("dmy", "2024-05-01"), ("mdy", "2024-01-05"), (None, None)]
)
def test_date_order_says_how_numeric_dates_read(
    order: str | None, expected: str | None, tmp_path: Path
) -> None:
    given = ["--date-order", order] if order else []
    result = run_cli("parse", str(numeric_dates(tmp_path)), *given)
    assert result.code == 0, result.err
    [article] = [json.loads(line) for line in result.out.splitlines()]
    assert article["published_at"] == expected
    if order is None:  # the warning says which option settles it
        assert (
            "warning: date left empty: ambiguous numeric date: 01/05/2024 "
            "(--date-order dmy or mdy says which)" in result.err
        )


def test_a_resumed_reindex_reads_dates_in_the_interrupted_ones_order(tmp_path: Path) -> None:
    from indexer.backends.embedded.backend import EmbeddedBackend
    from indexer.ingest.sources.files import ReadOptions
    from indexer.search.query import SearchRequest

    backend = EmbeddedBackend(str(tmp_path / "home"))
    source = str(numeric_dates(tmp_path))

    def interrupt(outcome: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(backend, [source], "articles", ReadOptions(date_order="mdy"), on_outcome=interrupt)
    # Given with another order, the resume is refused: its records would not be the same.
    other = run("reindex", tmp_path, source, "--resume", "--date-order", "dmy")
    assert other.code == 2 and "'date_order': 'mdy'" in other.error_line()
    # Resumed with no paths and no options: the checkpoint's, the date order among them.
    result = run("reindex", tmp_path, "--resume")
    assert result.code == 0, result.err
    [hit] = backend.search("articles", SearchRequest(query="عنوان")).hits
    assert hit.published_at is not None and hit.published_at.startswith("2024-01-05")


def test_resuming_a_reindex_of_standard_input_asks_for_it_again(tmp_path: Path) -> None:
    from indexer.backends.embedded.backend import EmbeddedBackend

    home = tmp_path / "home"
    data = (Path(__file__).parent / "fixtures/variants.jsonl").read_bytes()
    seen = 0

    def stop_at_3(outcome: object) -> None:
        nonlocal seen
        seen += 1
        if seen == 3:
            raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
        with pytest.raises(KeyboardInterrupt):
            reindex(EmbeddedBackend(str(home)), ["-"], "articles", on_outcome=stop_at_3)
    # Without the input piped again, the resume would read nothing and delete the version
    # (or, past a checkpoint, say the input changed and advise both ways).
    alone = run("reindex", tmp_path, "--resume")
    assert alone.code == 2
    assert alone.error_line().startswith(
        "arabic-search reindex: --resume: the interrupted reindex read standard input, and "
        "none is given now; pipe the same input again ('... | arabic-search reindex --resume "
        "--backend embedded --home"
    )
    again = run_cli("reindex", "--resume", "--backend", "embedded", "--home", str(home), stdin=data)
    assert again.code == 0, again.err
    assert "read 7 / indexed 7 / duplicates 0 / rejected 0" in again.err


TREC = Path(__file__).parent / "fixtures/trec"


def test_trec_docno_becomes_the_article_id_when_asked(tmp_path: Path) -> None:
    result = run_cli("parse", str(TREC), "--field", "id=DOCNO")
    assert result.code == 0, result.err
    ids = [json.loads(line)["id"] for line in result.out.splitlines()]
    assert ids == [
        "BB-middleEast-559-20180601",
        "AL-culture-1-20180218",
        "SK-economy-1163-20180811",
    ]
    # By default the id is computed (unchanged), and DOCNO is named as a key not used.
    default = run_cli("parse", str(TREC))
    assert "BB-middleEast-559-20180601" not in default.out
    assert f"{TREC}/two-docs.txt: keys not used: docno" in default.err


def test_a_reindex_with_given_ids_maps_hits_back_to_the_collection(tmp_path: Path) -> None:
    result = run("reindex", tmp_path, str(TREC), "--field", "id=docno")
    assert result.code == 0, result.err
    given = run_cli("parse", str(TREC), "--field", "id=docno").out.splitlines()
    docno = {article["title"]: article["id"] for article in map(json.loads, given)}
    assert len(docno) == 3
    for title, expected in docno.items():  # each found by its title, under its DOCNO
        hits = run_cli("search", title, "--json", "--home", str(tmp_path / "home"))
        assert hits.code == 0, hits.err
        top = json.loads(hits.out)["hits"][0]
        assert (top["title"], top["id"]) == (title, expected)


@BOTH
def test_a_clash_of_given_ids_is_rejected_not_merged(command: str, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    rows = ["id,title,text", "7,عنوان أول,نص الأول", "7,عنوان ثان,نص الثاني", ",عنوان,نص ثالث"]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    result = run(command, tmp_path, str(path), "--field", "id=id")
    assert result.code == 1, result.err
    assert counts(result.err) == (3, 1, 0, 2)
    assert (
        f"{path}:3: rejected: id clash: '7' is also the id of {path}:2, another text; ids "
        "given by --field id=KEY must be unique" in result.err
    )
    assert f"{path}:4: rejected: no id: no value for id (--field id=id)" in result.err
