"""From files to articles: cleaning, ids, duplicates, and counts that add up."""

from __future__ import annotations

import json
import sys
import unicodedata
import urllib.parse
from pathlib import Path

from helpers import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis.analyzers import default_analyzers
from indexer.analysis.normalize import default_normalizer
from indexer.ingest.articles import (
    Article,
    Origin,
    RawRecord,
    Rejected,
    _unquoted,
    build_article,
    canonical_url,
)
from indexer.ingest.cleaning import _cleaner, _rebuilt, clean_line, clean_text, scan
from indexer.ingest.parse import Duplicate, ParseReport, parse_paths
from indexer.ingest.sources.files import ReadOptions
from indexer.scan import Flag


def build(**fields: str | None) -> Article | Rejected:
    return build_article(RawRecord(fields, Origin("test", 1, 1)))


def article(**fields: str | None) -> Article:
    """The article of fields that make one (a rejection fails the test)."""
    built = build(**fields)
    assert isinstance(built, Article), built
    return built


def test_cleaning_keeps_diacritics_and_removes_noise() -> None:
    raw = "\u200fعنوانُ  الخبرِ\u200c ﻻ\tيزال\r\n\r\n  فقرة   ثانية\x02 "
    assert clean_text(raw) == "عنوانُ الخبرِ لا يزال\nفقرة ثانية"
    assert clean_line(raw) == "عنوانُ الخبرِ لا يزال فقرة ثانية"
    # NFC: alef + combining madda composes to آ; presentation forms keep their hamza.
    assert clean_line("ا\u0653خر ﺃﺣﻤﺪ") == "آخر أحمد"


def test_article_needs_a_title_or_a_body() -> None:
    assert isinstance(build(title="عنوان"), Article)
    assert isinstance(build(body="نص"), Article)
    rejected = build(title="  \u200f ", body="")
    assert isinstance(rejected, Rejected) and rejected.reason == "no title and no body"


def test_oversized_records_are_rejected() -> None:
    rejected = build_article(RawRecord({"body": "ب" * 101}, Origin("t")), max_chars=100)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "oversized: 101 characters (limit 100)"


def test_ids_are_stable_and_follow_the_url() -> None:
    a = article(title="أ", url="http://www.alarabiya.net/ar/2018/خبر.html")
    b = article(title="ب", url="https://www.AlArabiya.net/ar/2018/%D8%AE%D8%A8%D8%B1.html#top")
    assert a.id == b.id
    assert canonical_url("HTTP://X.com/a?b=1#c") == "//x.com/a?b=1"
    # Without a url: source + normalized title + date.
    c = article(title="أحمد يفوز", source="bbc", published_at="2018-02-18")
    d = article(title="احمد  يفوز", source="BBC", published_at="2018-02-18")
    e = article(title="احمد يفوز", source="bbc", published_at="2018-02-19")
    assert c.id == d.id != e.id


# A story long enough to be known by its text alone (16 words).
STORY = (
    "قالت الوزارةُ، إنّ  الوفـــد زار طهران في ٢٠٢١ والتقى وزير الخارجية ورئيس البرلمان "
    "وعددا من النواب."
)
FOOTER = "** جميع المقالات المنشورة تمثل رأي كتابها فقط."


def test_fingerprint_ignores_spelling_diacritics_and_spacing() -> None:
    a = article(title="أ", body=STORY)
    b = article(title="ب", body=STORY.replace("ُ", "").replace("ـ", "").replace("٢٠٢١", "2021"))
    c = article(title="ب", body=STORY.replace("طهران", "موسكو"))
    assert a.fingerprint == b.fingerprint != c.fingerprint  # the same story, another title
    assert article(title="عنوان").fingerprint == article(title="عنوانٌ").fingerprint


def test_a_shared_footer_is_not_a_duplicate_but_a_copied_article_is() -> None:
    # Opinion pieces whose scraped text is only the site's disclaimer: distinct articles.
    a = article(title="غازي القصيبي وبياض الحياة الثلجي", body=FOOTER)
    b = article(title="شعراء يعشقون أنديتهم", body=FOOTER)
    assert a.fingerprint != b.fingerprint
    copy = article(title="غازي القُصيبي وبياض الحياة الثلجي", body=FOOTER.replace("رأي", "رأيُ"))
    assert copy.fingerprint == a.fingerprint  # the same title and text


def test_dates_are_iso_and_bad_dates_are_reported_not_guessed() -> None:
    assert article(title="أ", published_at="Sun, 18 Feb 2018 21:35:43 +0400").published_at == (
        "2018-02-18T21:35:43+04:00"
    )
    hijri = article(title="أ", published_at="5 ربيع الأول 1443 هـ")
    assert hijri.published_at is None
    assert hijri.warnings and "Hijri" in hijri.warnings[0]


def test_lead_is_the_abstract_or_the_first_paragraph() -> None:
    assert article(title="أ", body="فقرة أولى\nثانية").lead == "فقرة أولى"
    assert article(title="أ", body="فقرة", lead="ملخص").lead == "ملخص"


def test_duplicates_are_found_and_counts_add_up() -> None:
    report = ParseReport()
    sample = str(FIXTURES / "ant-sample.jsonl")
    outcomes = list(parse_paths([sample, sample]))
    for outcome in outcomes:
        report.add(outcome)
    duplicates = [o for o in outcomes if isinstance(o, Duplicate)]
    # The sample holds 12 articles and 11 opinion pieces whose text is one disclaimer:
    # 23 distinct articles, each read twice.
    assert (report.read, report.parsed, report.duplicates, report.rejected) == (46, 23, 23, 0)
    assert report.adds_up()
    assert [d.first.line for d in duplicates] == [d.article.origin.line for d in duplicates]
    assert report.summary() == "read 46 / parsed 23 / duplicates 23 / rejected 0"


def test_same_file_twice_is_all_duplicates() -> None:
    path = str(FIXTURES / "trec/two-docs.txt")
    kinds = [type(o).__name__ for o in parse_paths([path, path])]
    assert kinds == ["Article", "Article", "Duplicate", "Duplicate"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), fmt=st.sampled_from(["auto", "text", "trec", "jsonl", "csv"]))
def test_arbitrary_bytes_never_crash_and_every_record_is_counted(
    tmp_path: Path, data: bytes, fmt: str
) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    report = ParseReport()
    for outcome in parse_paths([str(path)], ReadOptions(format=fmt)):
        report.add(outcome)
    assert report.adds_up()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(st.text(max_size=40), st.dictionaries(st.text(max_size=8), st.text())),
        max_size=20,
    )
)
def test_json_lines_records_are_each_counted_once(
    tmp_path: Path, items: list[str | dict[str, str]]
) -> None:
    path = tmp_path / "items.jsonl"
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ParseReport()
    for outcome in parse_paths([str(path)]):
        report.add(outcome)
    assert report.adds_up()
    assert report.read == len(items)


# Words, odd and plain white space, controls, presentation forms: what tidiness hinges on.
messy_text = st.text(
    st.sampled_from(
        [*"ابت أحمد", " ", "\n", "\t", "\r", "\u00a0", "\u200f", "\x00", "ﻻ", "\u2028"]
    ),
    max_size=40,
)


@given(st.one_of(messy_text, st.text(max_size=100)))
def test_cleaning_takes_the_short_cut_only_when_rebuilding_changes_nothing(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    # Rebuilt with every step, whatever the scan found.
    assert clean_text(text) == _rebuilt(text, multiline=True)
    assert clean_line(text) == _rebuilt(text, multiline=False)


@given(st.one_of(messy_text, st.text(max_size=100)))
def test_white_space_collapses_as_python_splits_it(text: str) -> None:
    lines = (" ".join(line.split()) for line in text.splitlines())
    assert _rebuilt(text, True, characters=False) == "\n".join(line for line in lines if line)
    assert _rebuilt(text, False, characters=False) == " ".join(text.split())


hand_escaped = st.text(
    st.sampled_from([*"%%%0123456789abcdefABCDEFxyz/-", "é", "س", "\ud800"]), max_size=60
)
quoted = st.binary(max_size=30).map(urllib.parse.quote_from_bytes)  # any bytes, valid or not


@given(st.one_of(hand_escaped, quoted, st.text(max_size=30).map(urllib.parse.quote)))
def test_urls_are_unquoted_as_urllib_does(url: str) -> None:
    assert _unquoted(url) == urllib.parse.unquote(url)


# Letters and the marks NFC joins to them or reorders, in Arabic, Latin and Hangul, and
# characters NFC always changes (Devanagari QA, the Ohm and Angstrom signs).
nfc_sensitive_text = st.text(
    st.sampled_from(
        [
            *"اأإآوؤيئىهة",
            *map(chr, range(0x064B, 0x0656)),
            *"\u0670aeoAEO\u0300\u0301\u0308\u0327",
            *"\u1100\u1161\u11a8\uac00\u0958\u2126\u212b \U0001d165",
        ]
    ),
    max_size=12,
)


@given(st.one_of(nfc_sensitive_text, st.text(max_size=40)))
def test_what_the_scan_takes_for_nfc_is_nfc(text: str) -> None:
    if scan(text, multiline=True).text is text:  # taken for NFC as it is
        assert unicodedata.is_normalized("NFC", text)
    assert clean_line(text) == _rebuilt(unicodedata.normalize("NFC", text), multiline=False)


def test_every_character_nfc_joins_to_another_is_flagged() -> None:
    flags = _cleaner().flags
    for code in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(code)).split()
        joined = unicodedata.normalize("NFC", chr(code)) == chr(code)  # not an exclusion
        if joined and len(decomposition) == 2 and not decomposition[0].startswith("<"):
            second = int(decomposition[1], 16)
            assert second >= 0x10000 or flags[second] & Flag.COMPOSES, hex(code)


def test_fingerprints_normalize_as_the_analyzers_do() -> None:
    """Copies match across every spelling the index folds, and no more."""
    exact = default_analyzers()["exact"].spec.char_filter
    assert default_normalizer().char_filter_rules() == exact.char_filter_rules()
    text = "أَخْبارُ  الـيوم ٢٠٢١ ﻻ إلى"
    assert default_normalizer().normalize(text) == exact.normalize(text) != text
