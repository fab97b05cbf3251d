"""`arabic-search parse`: JSON Lines out, rejects on stderr, a summary that adds up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import ANT, FIXTURES, Result, run_cli

SUMMARY = re.compile(r"read (\d+) / parsed (\d+) / duplicates (\d+) / rejected (\d+)")


def parse(*args: str, stdin: bytes = b"") -> Result:
    return run_cli("parse", *args, stdin=stdin)


def counts(stderr: str) -> tuple[int, ...]:
    match = SUMMARY.search(stderr)
    assert match, stderr
    return tuple(int(n) for n in match.groups())


def test_seed_article_per_the_contract() -> None:
    result = parse(str(FIXTURES / "seed-article.txt"))
    assert result.code == 0, result.err
    [line] = result.out.splitlines()
    article = json.loads(line)
    assert {"id", "title", "body", "published_at", "category", "source", "author", "url"} <= set(
        article
    )
    assert article["title"] == (
        'لقاء حول سوريا ... "الخارجية الروسية" توضح تفاصيل زيارة الوفد الروسي إلى طهران'
    )
    assert article["category"] == "أخبار سورية"
    assert article["published_at"] == "2021-11-23"
    assert (article["source"], article["author"]) == ("شبكة شام", "فريق التحرير")
    assert article["body"].startswith("قالت وزارة الخارجية الروسية")
    assert "مشاركة" not in article["body"] and "اقرأ أيضاً" not in article["body"]
    assert counts(result.err) == (1, 1, 0, 0)


def test_rejects_go_to_stderr_with_place_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"title": "خبر"}\n{"oops"\n{"title": "خبر"}\n{}\n', encoding="utf-8")
    result = parse(str(path))
    assert result.code == 1
    assert len(result.out.splitlines()) == 1
    assert f"{path}:2: rejected: invalid JSON" in result.err
    assert f"{path}:3: duplicate of {path}:1" in result.err
    assert f"{path}:4: rejected: no title and no body" in result.err
    assert counts(result.err) == (4, 1, 1, 2)


def test_unknown_field_name_is_a_usage_error() -> None:
    result = parse("--field", "headline=title", str(FIXTURES / "ant-sample.jsonl"))
    assert result.code == 2
    assert "NAME must be one of" in result.err


def test_stdin_and_forced_format() -> None:
    result = parse("--format", "trec", "-", stdin=(FIXTURES / "trec/two-docs.txt").read_bytes())
    assert result.code == 0
    assert len(result.out.splitlines()) == 2


def test_directory_of_mixed_formats() -> None:
    result = parse(str(FIXTURES / "trec"), str(FIXTURES / "scraped"))
    read, parsed, duplicates, rejected = counts(result.err)
    assert read == parsed + duplicates + rejected
    # 3 TREC docs, 15 pages, and the README/expected.json read as pages or rejected.
    assert parsed >= 18


@pytest.mark.skipif(not ANT.is_file(), reason="needs ../shared/data/ant-news (the ANT corpus)")
def test_all_ant_articles_are_accounted_for() -> None:
    result = parse(str(ANT))
    read, parsed, duplicates, rejected = counts(result.err)
    assert read == 31_525
    assert read == parsed + duplicates + rejected
    assert len(result.out.splitlines()) == parsed
    assert rejected == 0
    # The corpus has about 1,500 repeated texts.
    assert 1_400 <= duplicates <= 1_700
