"""Scraped article pages: the seed article and fixtures with the variations real pages have."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES

from indexer.ingest.articles import Article
from indexer.ingest.parse import parse_paths
from indexer.ingest.sources.text import parse_page

SCRAPED = FIXTURES / "scraped"
EXPECTED = json.loads((SCRAPED / "expected.json").read_text(encoding="utf-8"))


def parse_one(path: Path) -> Article:
    [article] = list(parse_paths([str(path)]))
    assert isinstance(article, Article), article
    return article


def test_seed_article() -> None:
    article = parse_one(SCRAPED / "01-seed.txt")
    assert article.title == (
        'لقاء حول سوريا ... "الخارجية الروسية" توضح تفاصيل زيارة الوفد الروسي إلى طهران'
    )
    assert article.category == "أخبار سورية"
    assert article.published_at == "2021-11-23"
    assert article.source == "شبكة شام"
    assert article.author == "فريق التحرير"
    assert article.body.startswith("قالت وزارة الخارجية الروسية")
    for boilerplate in ("مشاركة", "اقرأ أيضاً", "ـــ", "المصدر:", "الكاتب:", "●"):
        assert boilerplate not in article.body


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scraped_page_variations(name: str) -> None:
    expected = EXPECTED[name]
    article = parse_one(SCRAPED / name)
    assert article.origin.encoding == expected["encoding"]
    assert article.title == expected["title"]
    assert article.category == expected["category"]
    assert article.published_at == expected["published_at"]
    assert article.source == expected["source"]
    assert article.author == expected["author"]
    assert article.body.startswith(expected["body_starts"])
    assert article.body.endswith(expected["body_ends"])
    for phrase in expected["body_contains"]:
        assert phrase in article.body
    for phrase in expected["body_excludes"]:
        assert phrase not in article.body
    assert len(article.body.split("\n")) == expected["paragraphs"]


def test_no_rule_eats_body_text() -> None:
    # Every non-empty line of a page is the title, the meta line, a credit line, a
    # separator, a tail line, or in the body: nothing else disappears.
    text = (SCRAPED / "08-body-musharaka-short-line.txt").read_text(encoding="utf-8")
    page = parse_page(text)
    for line in (raw.strip() for raw in text.splitlines()):
        recognized = (
            line == page.title
            or line.startswith(("●", "المصدر:", "الكاتب:", "مشاركة:", "اقرأ أيضاً:"))
            or re.fullmatch(r"[\sـ\-–—_=*•·.~]+", line)
        )
        assert not line or recognized or line in page.paragraphs, line


def test_page_parts_may_be_missing() -> None:
    page = parse_page("نص واحد فقط بلا عنوان ولا تاريخ، وهو طويل بما يكفي ليكون فقرة." * 5)
    assert page.title == "" and page.category is None and page.date is None
    assert len(page.paragraphs) == 1
    assert parse_page("").paragraphs == []
