"""The embedded backend end to end: index real articles, search them, switch versions."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TypedDict, Unpack, get_args

import pytest
import tantivy
from helpers import FIXTURES, interrupted_load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis.analyzers import default_analyzers
from indexer.backends import BackendError
from indexer.backends.embedded import backend as embedded_backend
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.index.checkpoints import Checkpoint
from indexer.index.reindex import reindex
from indexer.ingest.articles import Article
from indexer.ingest.parse import Outcome, parse_paths
from indexer.search.highlight import CLOSE, OPEN
from indexer.search.query import (
    RANKING,
    RECENCY_FLOOR,
    Hit,
    Operator,
    QueryError,
    Recency,
    SearchRequest,
    Sort,
    parse_published,
)

SOURCES = [
    str(FIXTURES / "ant-sample.jsonl"),
    str(FIXTURES / "variants.jsonl"),
    str(FIXTURES / "scraped"),
    str(FIXTURES / "trec"),
]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    backend = EmbeddedBackend(tmp_path_factory.mktemp("home"))
    report = reindex(backend, SOURCES, "articles")
    assert report.adds_up()
    return backend


class SearchOptions(TypedDict, total=False):
    operator: Operator


def search(
    backend: EmbeddedBackend, query: str = "", **options: Unpack[SearchOptions]
) -> list[str]:
    result = backend.search("articles", SearchRequest(query=query, **options))
    return [hit.title for hit in result.hits]


def score_of(hit: Hit) -> float:
    """The score of a hit sorted by relevance: it has one (None only by date)."""
    assert hit.score is not None, hit.id
    return hit.score


def published_of(hit: Hit) -> str:
    """The published_at of a hit a date filter or the date sort found: it has one."""
    assert hit.published_at is not None, hit.id
    return hit.published_at


def instant_of(hit: Hit) -> datetime:
    instant = parse_published(published_of(hit))
    assert instant is not None, hit.published_at
    return instant


def test_the_expected_article_comes_first(backend: EmbeddedBackend) -> None:
    titles = search(backend, "الخارجية الروسية طهران")
    assert titles[0].startswith("لقاء حول سوريا")
    assert search(backend, "ترامب الرسوم التجارية الاتحاد الأوروبي")[0] == (
        "ترامب يساوم الاتحاد الأوروبي لتعليق رسومه التجارية"
    )


@pytest.mark.parametrize(
    "variants",
    [
        ["أحمد زويل", "احمد زويل", "أَحْمَد زويل", "أحـــمد زويل"],
        ["مسؤول", "مسئول", "مسوول", "المسؤول", "مَسْؤُول"],
        ["القاهرة", "القاهره", "القاهـرة"],
        ["إسرائيل", "اسرائيل", "إسرائيلَ"],
        ["٢٠٢١ حصاد", "2021 حصاد", "۲۰۲۱ حصاد"],
        ["مباراة حاسمة", "مُباراةٌ حاسِمةٌ"],
    ],
)
def test_spelling_variants_find_the_same_articles(
    backend: EmbeddedBackend, variants: list[str]
) -> None:
    results = [search(backend, v, operator="and") for v in variants]
    assert results[0], f"{variants[0]} found nothing"
    assert all(r == results[0] for r in results), dict(zip(variants, results, strict=True))


def test_highlights_show_the_original_text(backend: EmbeddedBackend) -> None:
    result = backend.search("articles", SearchRequest(query="مباراة حاسمة"))
    hit = result.hits[0]
    assert hit.highlight["title"] == [f"{OPEN}مُباراةٌ{CLOSE} {OPEN}حاسِمةٌ{CLOSE} في الدَّوري"]
    assert f"{OPEN}مُباراةٌ{CLOSE}" in hit.highlight["body"][0]


def test_filters_facets_and_date_range(backend: EmbeddedBackend) -> None:
    result = backend.search("articles", SearchRequest(query="", category="سياسة"))
    assert {h.category for h in result.hits} == {"سياسة"}
    assert result.total == 2
    # Filter values are normalized like the field: spelling variants filter alike.
    assert backend.search("articles", SearchRequest(category="محليات")).total == 2
    assert backend.search("articles", SearchRequest(source="مصدر أ")).total == 3
    ranged = backend.search(
        "articles", SearchRequest(since=date(2021, 11, 1), until=date(2021, 11, 5))
    )
    assert sorted(published_of(h) for h in ranged.hits) == ["2021-11-02", "2021-11-05"]
    facets = backend.search("articles", SearchRequest(query="")).facets
    assert facets["category"]["سياسة"] == 2  # as written, not as normalized (سياسه)
    assert set(facets) == {"category", "source", "author"}


def test_a_filter_of_several_values_takes_any_of_them(backend: EmbeddedBackend) -> None:
    one = backend.search("articles", SearchRequest(category="سياسة"))
    both = backend.search("articles", SearchRequest(category=("سياسه", "محليات")))
    assert both.total == 4 and {h.category for h in both.hits} == {"سياسة", "محليات"}
    assert both.facets["source"] != one.facets["source"]  # counted on what matched
    mixed = SearchRequest(category=("سياسة", "محليات"), source=("مصدر أ",))
    assert backend.search("articles", mixed).total == 2


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_size_0_gives_the_total_and_facets_only(backend: EmbeddedBackend, sort: Sort) -> None:
    for query in ("", "القاهرة"):
        full = backend.search("articles", SearchRequest(query=query, size=100, sort=sort))
        none = backend.search("articles", SearchRequest(query=query, size=0, sort=sort))
        assert none.total == full.total > 0 and none.facets == full.facets
        assert none.hits == [] and none.next_cursor is None


def test_facets_show_the_most_frequent_spelling_and_filters_take_any(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "home")
    # Categories and sources in several spellings; "دبي ـ العربية.نت", a tatweel as a dash.
    reindex(backend, [str(FIXTURES / "spellings.jsonl")], "articles")
    facets = backend.search("articles", SearchRequest()).facets
    # Most frequent first; between equals, the first in code point order (I before i).
    assert facets["category"] == {"أخبار سورية": 3, "InternationalNews": 2}
    assert facets["source"] == {"شبكة شام": 3, "دبي ـ العربية.نت": 2}
    for spelling in ("اخبار سوريه", "أخبار  سورية", "أَخبار سورية"):
        assert backend.search("articles", SearchRequest(category=spelling)).total == 3
    # The tatweel goes, and the two spaces it leaves are one: "دبي العربيه.نت".
    assert backend.search("articles", SearchRequest(source="دبي العربية.نت")).total == 2
    assert backend.search("articles", SearchRequest(source="دبي - العربية.نت")).total == 0


MARCH_1 = [f"2018-03-01T{t}+04:00" for t in ("09:53:40", "15:37:22", "16:53:52", "21:09:02")]


@pytest.mark.parametrize(
    ("since", "until", "dated"),
    [
        ("2021-11", "٢٠٢١-١١", ["2021-11-02", "2021-11-05", "2021-11-23"]),  # a whole month
        ("2021-11-03", "2021-11", ["2021-11-05", "2021-11-23"]),
        (None, "1999", ["1999-10-12"]),  # through the year's end
        ("2018-06", "2018-06", ["2018-06-01T13:14:59+00:00"]),
        # A day is UTC unless it has a zone: 02:28 at +04:00 is still February in UTC.
        ("2018-03-01", "2018-03-01Z", MARCH_1),
        ("2018-03-01+04:00", "2018-03-01+04:00", ["2018-03-01T02:28:09+04:00", *MARCH_1]),
        # Past what tantivy holds (1677-2262): no article is there, so no error either.
        ("1000", "2000-01", ["1999-10-12"]),
        ("2021-12-01", "9999", ["2021-12-30"]),
        ("2300", None, []),
    ],
)
def test_date_filters_take_years_months_and_zones(
    backend: EmbeddedBackend, since: str | None, until: str | None, dated: list[str]
) -> None:
    hits = backend.search("articles", SearchRequest(since=since, until=until, size=100)).hits
    assert sorted(published_of(h) for h in hits) == dated


def test_sort_by_date_and_paging(backend: EmbeddedBackend) -> None:
    newest = backend.search("articles", SearchRequest(sort="date", size=3))
    dates = [published_of(h) for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    everything = backend.search("articles", SearchRequest(size=100)).total
    seen, cursor = [], None
    for page in range(1, 100):
        result = backend.search("articles", SearchRequest(size=7, page=page))
        seen += [h.id for h in result.hits]
        cursor = result.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == everything
    first = backend.search("articles", SearchRequest(size=7))
    assert first.next_cursor is not None and first.next_cursor.startswith("offset:7:")
    by_cursor = backend.search("articles", SearchRequest(size=7, cursor=first.next_cursor))
    assert [h.id for h in by_cursor.hits] == seen[7:14]


@pytest.mark.parametrize(
    "other",
    [
        SearchRequest(query="الحكومة"),
        SearchRequest(category="سياسة"),
        SearchRequest(until="2021"),
        SearchRequest(operator="and"),
    ],
)
def test_a_cursor_is_refused_by_another_search(
    backend: EmbeddedBackend, other: SearchRequest
) -> None:
    cursor = backend.search("articles", SearchRequest(size=3)).next_cursor
    assert cursor is not None
    # The page size is no part of it.
    assert backend.search("articles", SearchRequest(size=5, cursor=cursor)).hits
    with pytest.raises(QueryError, match="this cursor belongs to another search"):
        backend.search("articles", replace(other, cursor=cursor))
    for bad in ("offset:3", "offset:3:", "offset:x:abc", "page:3:abc"):
        with pytest.raises(QueryError, match="not a cursor"):
            backend.search("articles", SearchRequest(cursor=bad))


def newest_first(hits: list[Hit]) -> list[str]:
    """The hits' ids in the order of --sort date: newest first, undated last, then by id."""

    def key(hit: Hit) -> tuple[bool, float, str]:
        instant = parse_published(hit.published_at)
        return instant is None, -instant.timestamp() if instant else 0.0, hit.id

    return [h.id for h in sorted(hits, key=key)]


def every_page(backend: EmbeddedBackend, request: SearchRequest) -> list[Hit]:
    """Page 1, page 2, then on with the cursor to the end."""
    hits = []
    for page in (1, 2):
        result = backend.search("articles", replace(request, page=page))
        hits += result.hits
    while result.next_cursor:
        result = backend.search("articles", replace(request, page=1, cursor=result.next_cursor))
        hits += result.hits
    return hits


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(query=""),
        SearchRequest(query="-القاهرة"),
        SearchRequest(query="NOT القاهرة", recency=Recency(30)),  # recency weighs no score
        SearchRequest(query="", category="culture"),
        SearchRequest(query="-القاهرة", since=date(2018, 1, 1)),
    ],
    ids=["nothing typed", "an exclusion", "NOT, recency", "a filter", "an exclusion, since"],
)
def test_a_query_with_no_word_that_scores_lists_the_newest_first(
    backend: EmbeddedBackend, request_: SearchRequest
) -> None:
    """Every hit scores alike: they come as --sort date gives them, undated last, equal
    dates by id, with no score, on every page and after a cursor."""
    request = replace(request_, size=2, facets=False, highlight=False)
    matched = backend.search("articles", replace(request, size=100)).hits
    assert len(matched) > 2 * request.size  # page 2 and a cursor
    listed = every_page(backend, request)
    assert [h.id for h in listed] == newest_first(matched)
    assert {h.score for h in listed} == {None}
    dated = [h.published_at is not None for h in listed]
    assert dated == sorted(dated, reverse=True)
    by_date = every_page(backend, replace(request, sort="date"))
    assert [h.id for h in by_date] == [h.id for h in listed]


def test_equal_dates_and_undated_articles_come_in_id_order(backend: EmbeddedBackend) -> None:
    listed = backend.search("articles", SearchRequest(sort="date", size=100)).hits
    assert [h.id for h in listed] == newest_first(listed)
    undated = [h.id for h in listed if h.published_at is None]
    assert len(undated) > 1 and undated == sorted(undated)
    dates = [h.published_at for h in listed if h.published_at]
    assert len(set(dates)) < len(dates)  # and some dates are shared


def test_operator_and_requires_every_word_of_a_part(backend: EmbeddedBackend) -> None:
    # كوفيد is in no article: "كوفيد-19" must not match on 19 alone.
    assert search(backend, "زحام-مروري", operator="and") == ["زحام مروري في القاهرة"]
    assert search(backend, "زحام-كوفيد", operator="and") == []
    assert search(backend, "زحام-كوفيد") == ["زحام مروري في القاهرة"]  # or: any word


def test_and_and_not_in_capitals_are_operators(backend: EmbeddedBackend) -> None:
    both = search(backend, "القاهرة AND إسرائيل")
    assert both == search(backend, "القاهرة إسرائيل", operator="and")
    assert len(both) < len(search(backend, "القاهرة OR إسرائيل"))
    assert "زحام مروري في القاهرة" not in both  # no إسرائيل in it
    assert search(backend, "زحام AND مروري") == ["زحام مروري في القاهرة"]
    not_zaham = search(backend, "القاهرة NOT زحام")
    assert not_zaham == search(backend, "القاهرة -زحام")
    assert "زحام مروري في القاهرة" not in not_zaham
    assert "زحام مروري في القاهرة" in search(backend, "القاهرة")


def test_a_phrase_matches_its_words_in_any_inflection_the_exact_form_first(
    backend: EmbeddedBackend,
) -> None:
    exact = backend.search("articles", SearchRequest(query='"زحام مروري"')).hits
    inflected = backend.search("articles", SearchRequest(query='"الزحام المروري"')).hits
    assert [h.title for h in exact] == [h.title for h in inflected] == ["زحام مروري في القاهرة"]
    assert score_of(exact[0]) > score_of(inflected[0])


def test_a_query_with_nothing_searchable_says_what_it_dropped(backend: EmbeddedBackend) -> None:
    result = backend.search("articles", SearchRequest(query="من في ، -على"))
    assert (result.total, result.nothing_searchable) == (0, True)
    assert result.dropped == ("من", "في", "،", "-على")
    result = backend.search("articles", SearchRequest(query="في القاهرة"))
    assert result.total and not result.nothing_searchable and result.dropped == ("في",)
    assert result.to_json()["dropped"] == ["في"]


def test_user_syntax(backend: EmbeddedBackend) -> None:
    assert search(backend, '"زحام مروري"') == ["زحام مروري في القاهرة"]
    assert search(backend, '"مروري زحام"') == []  # a phrase keeps its order
    either = backend.search("articles", SearchRequest(query="القاهرة OR إسرائيل", operator="and"))
    titles = {h.title for h in either.hits}
    assert {"زحام مروري في القاهرة", "إسرائيل تعلن إجراءات جديدة"} <= titles
    assert all(set(h.highlight) for h in either.hits)  # each matched one of the two
    both = search(backend, "القاهرة إسرائيل", operator="and")
    assert not {"زحام مروري في القاهرة", "إسرائيل تعلن إجراءات جديدة"} & set(both)
    assert "زحام مروري في القاهرة" not in search(backend, "القاهرة -زحام")
    assert search(backend, "، ؟ !") == []  # punctuation alone matches nothing
    everything = backend.search("articles", SearchRequest()).total
    assert backend.search("articles", SearchRequest(query="-القاهرة")).total < everything
    assert len(search(backend, "")) == 10  # an empty query lists everything


def test_recency_lifts_the_newest_relevant_article(backend: EmbeddedBackend) -> None:
    # The fixtures are years old: decaying from now would give every hit 0.
    dated = SearchRequest(query="اليوم", since=date(1990, 1, 1), size=100)
    plain = backend.search("articles", dated).hits
    recent = backend.search("articles", replace(dated, recency=Recency(365))).hits
    assert {h.id for h in plain} == {h.id for h in recent}
    newest = max(plain, key=instant_of)
    assert plain[0].id != newest.id and recent[0].id == newest.id
    # Blended with relevance: each score keeps at least RECENCY_FLOOR of itself.
    relevance = {h.id: score_of(h) for h in plain}
    for hit in recent:
        assert RECENCY_FLOOR * relevance[hit.id] * (1 - 1e-6) <= score_of(hit) <= relevance[hit.id]
    assert min(score_of(h) for h in recent) > 0.1


def test_recency_re_ranks_more_than_its_window_when_the_page_needs_it(
    backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page is what decaying every match gives (as on the engine), whatever the
    window of hits re-ranked first."""
    request = SearchRequest(query="اليوم", since=date(1990, 1, 1), size=1, recency=Recency(365))
    wide = backend.search("articles", request)
    monkeypatch.setattr(embedded_backend, "RESCORE_WINDOW", 1)
    narrow = backend.search("articles", request)
    assert [(h.id, h.score) for h in narrow.hits] == [(h.id, h.score) for h in wide.hits]
    assert narrow.total == wide.total > 1


def test_recency_decays_from_the_newest_article_of_the_index(backend: EmbeddedBackend) -> None:
    """Whatever the query and its filters match: the same origin on every backend."""
    everything = backend.search("articles", SearchRequest(size=100))
    assert everything.total <= 100
    newest = max(filter(None, (parse_published(h.published_at) for h in everything.hits)))
    request = SearchRequest(query="اليوم", since=date(1990, 1, 1), recency=Recency(30))
    pinned = replace(request, recency=Recency(30, origin=newest))
    scores = [(h.id, h.score) for h in backend.search("articles", request).hits]
    assert scores == [(h.id, h.score) for h in backend.search("articles", pinned).hits]


def test_bad_requests_are_clear_errors(backend: EmbeddedBackend) -> None:
    with pytest.raises(QueryError, match="cursor"):
        backend.search("articles", SearchRequest(page=200, size=100))
    with pytest.raises(QueryError, match="not a cursor"):
        backend.search("articles", SearchRequest(cursor="nonsense"))
    with pytest.raises(BackendError, match="reindex"):
        backend.search("no-such-alias", SearchRequest())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.text(max_size=200),
    category=st.none() | st.text(max_size=30),
    sort=st.sampled_from(get_args(Sort)),
    operator=st.sampled_from(get_args(Operator)),
)
def test_any_query_and_filter_value_runs(
    backend: EmbeddedBackend, query: str, category: str | None, sort: Sort, operator: Operator
) -> None:
    request = SearchRequest(query=query, category=category, sort=sort, operator=operator)
    result = backend.search("articles", request)
    ids = [h.id for h in result.hits]
    assert len(ids) == len(set(ids)) <= min(request.size, result.total)
    if category:  # only that category, in any spelling ("" is no filter)
        keyword = default_analyzers()["keyword"]
        assert all(keyword.terms(h.category or "") == keyword.terms(category) for h in result.hits)
    if sort == "date":  # newest first
        dates = [d for h in result.hits if (d := parse_published(h.published_at))]
        assert dates == sorted(dates, reverse=True)
    if operator == "and":  # every word required: never more than any word
        either = backend.search("articles", replace(request, operator="or"))
        assert result.total <= either.total


def test_long_and_odd_queries(backend: EmbeddedBackend) -> None:
    """Any text is a query: what has no word finds nothing and says what it dropped."""
    assert backend.search("articles", SearchRequest(query="ب" * 10_000)).total == 0
    for query in ["!!!???", "\x00\x01\u200f", '"""', "- OR -"]:
        result = backend.search("articles", SearchRequest(query=query))
        assert (result.total, result.nothing_searchable) == (0, True), query
        assert result.dropped, query  # the search output names what was left out
    mixed = search(backend, "Moscow موسكو 2018")  # Latin, Arabic and digits: any of them
    assert set(search(backend, "موسكو")) <= set(mixed)


def test_alias_switch_and_rollback(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    first = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version
    # 7 articles, then 3: a shrink, on purpose.
    second = reindex(backend, [str(FIXTURES / "trec")], "news", allow_shrink=True).version
    status = backend.status("news")
    assert (status.current, status.previous) == (second, first)
    assert status.documents == 3
    assert backend.search("news", SearchRequest(query="القاهرة")).total == 0
    assert backend.rollback("news") == first
    assert backend.search("news", SearchRequest(query="القاهرة")).total == 1
    assert backend.status("news").current == first


def test_rollback_steps_back_one_complete_version_at_a_time(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    first, second, _ = (
        reindex(backend, [str(FIXTURES / source)], "news", allow_shrink=True).version
        for source in ("variants.jsonl", "trec", "variants.jsonl")
    )
    assert backend.rollback("news") == second
    assert backend.status("news").previous == first  # where the next rollback goes
    assert backend.rollback("news") == first  # further back, not forward again
    with pytest.raises(BackendError, match=rf"{first}.*no complete version older"):
        backend.rollback("news")
    assert backend.status("news").current == first


def test_a_second_reindex_while_one_runs_says_to_wait(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    second = EmbeddedBackend(tmp_path)
    with backend.lock("news"), pytest.raises(BackendError) as refused, second.lock("news"):
        pass
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and "wait for it to end" in message
    assert "nothing to unlock" in message
    with backend.lock("news"):  # it ended with its holder
        pass


def _built_with(tmp_path: Path, mapping_version: int) -> EmbeddedBackend:
    """A backend whose index of "news" says it was built with `mapping_version`."""
    backend = EmbeddedBackend(tmp_path)
    version = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version
    meta_path = tmp_path / "versions" / version / "version.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "mapping_version": mapping_version}), "utf-8")
    return EmbeddedBackend(tmp_path)


def test_an_index_of_another_mapping_version_asks_for_a_reindex(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match=r"mapping version 1.*reindex"):
        _built_with(tmp_path, 1).search("news", SearchRequest(query="القاهرة"))


def test_an_index_of_mapping_version_3_is_searched(tmp_path: Path) -> None:
    """Version 4 changed only what a cluster's index holds."""
    backend = _built_with(tmp_path, 3)
    assert backend.search("news", SearchRequest(query="القاهرة")).total == 1
    assert backend.status("news").mapping_version == 3


def test_interrupted_load_leaves_the_old_version_searchable(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    old = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version

    def failing() -> Iterator[Outcome]:
        for n, outcome in enumerate(parse_paths([str(FIXTURES / "ant-sample.jsonl")])):
            if n == 5:
                raise KeyboardInterrupt
            yield outcome

    version = backend.create_version("news")
    with pytest.raises(KeyboardInterrupt):
        backend.load(version, (o for o in failing() if isinstance(o, Article)))
    backend.discard(version)
    assert backend.status("news").current == old
    assert backend.search("news", SearchRequest(query="القاهرة")).total == 1
    assert [v.name for v in backend.status("news").versions] == [old]


def test_a_failed_load_is_kept_for_resume_and_dropped_by_the_next_reindex(
    tmp_path: Path,
) -> None:
    backend = EmbeddedBackend(tmp_path)
    old = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version

    def explode(outcome: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full") as failure:
        reindex(backend, [str(FIXTURES / "trec")], "news", on_outcome=explode)
    assert "run the same reindex with --resume" in failure.value.__notes__[0]
    assert backend.status("news").current == old
    assert [v.complete for v in backend.status("news").versions] == [True, False]

    # Not resumed; 3 articles after 7.
    new = reindex(backend, [str(FIXTURES / "trec")], "news", allow_shrink=True).version
    assert [v.name for v in backend.status("news").versions] == [old, new]


def test_resume_after_an_interrupt_indexes_every_article_once(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path, checkpoint_every=4)
    source = str(FIXTURES / "ant-sample.jsonl")
    full = reindex(backend, [source], "full")
    version, checkpoint = interrupted_load(backend, source)
    assert 0 < checkpoint.records < 15
    assert checkpoint.file == source

    report = reindex(backend, [source], "news", resume=True)
    assert report.version == version
    assert (report.parse.read, report.indexed) == (full.parse.read, full.indexed)
    assert report.parse.duplicates == full.parse.duplicates and report.adds_up()
    assert backend.status("news").documents == full.indexed
    # Every article once: the same hits, one per id, as the uninterrupted load.
    for query in ("القاهرة", "الحكومة", "كأس"):
        ids = [h.id for h in backend.search("news", SearchRequest(query=query, size=100)).hits]
        expected = backend.search("full", SearchRequest(query=query, size=100))
        assert len(ids) == len(set(ids)) == expected.total
        assert sorted(ids) == sorted(h.id for h in expected.hits)


def test_a_load_of_another_mapping_version_is_not_resumed(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path, checkpoint_every=4)
    source = str(FIXTURES / "ant-sample.jsonl")
    version, _ = interrupted_load(backend, source)
    meta_path = tmp_path / "versions" / version / "version.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "mapping_version": 1}), encoding="utf-8")
    assert backend.interrupted("news") is None  # an older program's fields
    with pytest.raises(BackendError, match="no interrupted reindex"):
        reindex(backend, [source], "news", resume=True)
    fresh = reindex(backend, [source], "news")  # without --resume: it is cleared away
    assert [v.name for v in backend.status("news").versions] == [fresh.version]


class CheckpointsLost(EmbeddedBackend):
    """Keeps only the checkpoint saved before the load, as if the process were killed
    after each commit, before the checkpoint that follows it."""

    def save_checkpoint(self, version: str, checkpoint: Checkpoint) -> None:
        if checkpoint.records == 0:
            super().save_checkpoint(version, checkpoint)


def test_resume_after_a_commit_without_its_checkpoint_stores_each_id_once(
    tmp_path: Path,
) -> None:
    """Killed between a commit and its checkpoint: the committed articles come again."""
    backend = CheckpointsLost(tmp_path, checkpoint_every=4)
    source = str(FIXTURES / "ant-sample.jsonl")
    # Commits happen; the checkpoints after them are never written.
    version, checkpoint = interrupted_load(backend, source)
    assert checkpoint.records == 0
    index = tantivy.Index.open(str(tmp_path / "versions" / version))
    assert index.searcher().num_docs > 0  # committed before the interrupt

    report = reindex(backend, [source], "news", resume=True)
    assert report.adds_up() and report.indexed == report.parse.parsed
    assert backend.status("news").documents == report.parse.parsed


def test_search_json_is_per_the_contract(backend: EmbeddedBackend) -> None:
    body = backend.search("articles", SearchRequest(query="الخارجية الروسية")).to_json()
    assert set(body) >= {"total", "hits", "facets"}
    hit = body["hits"][0]
    assert set(hit) >= {"id", "score", "title", "published_at", "category", "source", "highlight"}
    json.dumps(body, ensure_ascii=False)


def nothing_readable(tmp_path: Path, kind: str) -> str:
    """A path that yields no article: a typo, or a folder of binary files."""
    if kind == "typo":
        return str(tmp_path / "smal.jsonl")
    folder = tmp_path / "binary"
    folder.mkdir()
    for n in range(3):
        (folder / f"blob{n}.bin").write_bytes(bytes(range(256)) * 4)
    return str(folder)


@pytest.mark.parametrize("kind", ["typo", "binary"])
def test_a_reindex_that_indexes_nothing_leaves_the_alias_and_the_versions(
    tmp_path: Path, kind: str
) -> None:
    backend = EmbeddedBackend(tmp_path / "home", keep_old_versions=2)
    first = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version
    good = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version
    empty = nothing_readable(tmp_path, kind)
    # Three runs were enough to prune every good version; --allow-shrink changes nothing.
    for allow_shrink in (False, False, True):
        with pytest.raises(BackendError, match=r"indexed nothing.*check the paths") as refused:
            reindex(backend, [empty], "news", allow_shrink=allow_shrink)
        assert not getattr(refused.value, "__notes__", None)  # one line
    status = backend.status("news")
    assert (status.current, status.previous, status.documents) == (good, first, 7)
    assert [v.name for v in status.versions] == [first, good]  # the refused ones are gone
    assert backend.search("news", SearchRequest(query="القاهرة")).total == 1


def test_a_reindex_under_half_the_live_documents_needs_allow_shrink(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    good = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version  # 7
    with pytest.raises(BackendError, match=r"3 documents, under half of the 7 .*--allow-shrink"):
        reindex(backend, [str(FIXTURES / "trec")], "news")  # 3
    assert backend.status("news").current == good
    assert [v.name for v in backend.status("news").versions] == [good]
    smaller = reindex(backend, [str(FIXTURES / "trec")], "news", allow_shrink=True).version
    assert (backend.status("news").current, backend.status("news").documents) == (smaller, 3)
    # Half or more needs no option: 3 of 3, then 7 of 3.
    reindex(backend, [str(FIXTURES / "trec")], "news")
    reindex(backend, [str(FIXTURES / "variants.jsonl")], "news")


def test_pruning_keeps_the_last_version_that_had_documents(tmp_path: Path) -> None:
    """Even when empty versions were switched to (by hand, or by an older program)."""
    backend = EmbeddedBackend(tmp_path, keep_old_versions=2)
    good = reindex(backend, [str(FIXTURES / "variants.jsonl")], "news").version
    for _ in range(4):
        empty = backend.create_version("news")
        backend.load(empty, [])
        backend.switch("news", empty)
    versions = backend.status("news").versions
    assert good in [v.name for v in versions]
    assert len(versions) == 4  # current, previous, one older, and the one with documents


def test_equal_scores_come_in_id_order_across_pages(tmp_path: Path) -> None:
    """As the cluster sorts (_score, then id): on short texts many hits tie, and both
    backends must put them in the same order, on every page."""
    [template] = [o for o in parse_paths([str(FIXTURES / "trec")]) if isinstance(o, Article)][:1]
    ids = [f"id-{n:02}" for n in (7, 3, 11, 0, 5, 9, 1)]  # loaded out of order
    tied = [replace(template, id=i, title="", body="نص قصير عن القاهرة") for i in ids]
    backend = EmbeddedBackend(tmp_path)
    version = backend.create_version("news")
    backend.load(version, tied)
    backend.switch("news", version)
    pages = [
        backend.search("news", SearchRequest(query="القاهرة", size=3, page=page)).hits
        for page in (1, 2, 3)
    ]
    assert [hit.id for page in pages for hit in page] == sorted(ids)
    assert len({hit.score for page in pages for hit in page}) == 1  # they do tie


def test_coordination_adds_the_idf_of_each_word_a_hit_holds(tmp_path: Path) -> None:
    """Ranking.coordination: a hit gains, for each query word it holds, the weight times
    the word's idf in the index (BM25's, as content.words scores it on a cluster), so
    holding the rare word of a question counts more than holding a common one."""
    texts = ["زلزال ضرب المدينة", "المدينة القديمة", "المدينة الجديدة", "سوق المدينة"]
    path = tmp_path / "four.jsonl"
    rows = [{"title": f"تقرير {n}", "text": t} for n, t in enumerate(texts)]
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    home = tmp_path / "home"
    reindex(EmbeddedBackend(home), [str(path)], "four")
    request = SearchRequest(query="زلزال المدينة", facets=False, highlight=False)

    def scores(coordination: float) -> dict[str, float]:
        backend = EmbeddedBackend(home, ranking=replace(RANKING, coordination=coordination))
        hits = backend.search("four", request).hits
        return {hit.title: score_of(hit) for hit in hits}

    def idf(df: int) -> float:
        return math.log(1 + (len(texts) - df + 0.5) / (df + 0.5))

    without, weighted = scores(0.0), scores(2.0)
    assert without.keys() == weighted.keys() and len(without) == len(texts)
    gains = sorted(round(weighted[k] - without[k], 4) for k in without)
    # Three hits hold the common word only; one holds both.
    common, both = 2 * idf(4), 2 * (idf(4) + idf(1))
    assert gains == pytest.approx([common] * 3 + [both], abs=1e-3)
