"""The query module without a backend: the user's syntax and the request checks."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.search.query import (
    RECENCY_FLOOR,
    Clause,
    DateFilter,
    FieldQuery,
    MatchPlan,
    QueryError,
    Ranking,
    Recency,
    SearchRequest,
    date_bounds,
    match_plan,
    plan_query,
    read_clauses,
)


def test_user_syntax_phrases_exclusions_or() -> None:
    assert read_clauses('الخارجية "وزير الدفاع" -روسيا OR -"بيان رسمي"') == [
        Clause("الخارجية"),
        Clause("وزير الدفاع", phrase=True),
        Clause("روسيا", excluded=True),
        "OR",
        Clause("بيان رسمي", phrase=True, excluded=True),
    ]


def test_everything_else_is_literal_text() -> None:
    assert read_clauses('a and (b) Not c* "open') == [
        Clause("a"),
        Clause("and"),
        Clause("(b)"),
        Clause("Not"),
        Clause("c*"),
        Clause("open", phrase=True),
    ]
    assert read_clauses("-") == [Clause("-")]
    assert read_clauses("or") == [Clause("or")]  # only upper-case OR is the operator
    assert read_clauses('"AND" NOT') == [Clause("AND", phrase=True)]  # quoted: a word


def test_and_joins_and_not_excludes() -> None:
    assert read_clauses('ترامب AND بوتين NOT روسيا NOT "بيان رسمي"') == [
        Clause("ترامب"),
        "AND",
        Clause("بوتين"),
        Clause("روسيا", excluded=True),
        Clause("بيان رسمي", phrase=True, excluded=True),
    ]


def _required_words(match: MatchPlan) -> list[list[list[str]]]:
    """Each required group as its alternatives, each as the stems that must all match."""
    return [
        [[_stems(word) for word in alternative] for alternative in group]
        for group in match.required
    ]


def _stems(parts: tuple[FieldQuery, ...]) -> str:
    [stems] = [p.terms for p in parts if p.field == "content" and not p.exact]
    return " ".join(stems)


def test_and_makes_both_sides_required_whatever_the_operator() -> None:
    match = match_plan(plan_query("ترامب AND بوتين سوريا"), "or")
    assert _required_words(match) == [[["ترامب"]], [["بوت"]]]
    assert _stems(match.optional) == "سوريا"
    # OR binds closer than AND: (a OR b) AND c.
    match = match_plan(plan_query("ترامب OR بوتين AND سوريا"), "or")
    assert _required_words(match) == [[["ترامب"], ["بوت"]], [["سوريا"]]]
    assert not match.optional
    # AND before an exclusion: "and not".
    plan = plan_query("ترامب AND -بوتين")
    assert [c.clause.text for c in plan.excluded] == ["بوتين"]


def test_operator_and_requires_every_word_of_a_part() -> None:
    # One part, two words: each is required, not the part as a whole.
    assert _required_words(match_plan(plan_query("كوفيد-19"), "and")) == [[["كوفيد", "19"]]]
    # In an OR group, each alternative needs all of its words.
    match = match_plan(plan_query("كوفيد-19 OR كورونا"), "and")
    assert _required_words(match) == [[["كوفيد", "19"], ["كورونا"]]]
    # With operator or the words rank, and any one is enough.
    match = match_plan(plan_query("كوفيد-19"), "or")
    assert not match.required and _stems(match.optional) == "كوفيد 19"


def test_a_query_of_stopwords_and_punctuation_says_what_it_dropped() -> None:
    plan = plan_query('من في ، -على "..."')
    assert plan.dropped == ("من", "في", "،", "-على", '"..."')
    assert match_plan(plan, "or").nothing
    assert plan_query("من القاهرة").dropped == ("من",)


def test_plan_groups_or_and_drops_what_has_no_words() -> None:
    plan = plan_query("القاهرة OR الإسكندرية في ، -طقس")
    # في is a stopword: no stem and no exact term, so nothing to match.
    assert [[c.clause.text for c in g.clauses] for g in plan.groups] == [["القاهرة", "الإسكندرية"]]
    assert plan.stems == ["قاهر", "اسكندر"]
    # In a phrase the stopword stays an exact term: the indexed exact text has it.
    phrase = plan_query('"رئيس في القاهرة"')
    assert phrase.exact == ["رييس", "في", "القاهره"] and phrase.stems == ["رييس", "قاهر"]
    assert [c.clause.text for c in plan.excluded] == ["طقس"]
    assert plan_query("   ").empty_query
    assert not plan_query("، ؟").groups and not plan_query("، ؟").empty_query


@pytest.mark.parametrize(
    ("query", "everything"),
    [
        ("", True),
        ("   ", True),
        ("-طهران", True),
        ('NOT طهران -"وزير الدفاع"', True),
        ("في -طهران", True),  # a stopword scores nothing either
        ("طهران", False),
        ("طهران -روسيا", False),
        ("من في", False),  # nothing searchable: no search at all
    ],
)
def test_a_query_with_no_word_that_scores_is_sorted_by_date(query: str, everything: bool) -> None:
    """Every hit of such a query scores alike: both backends sort it as --sort date
    does, newest first, and show no score; recency, which weighs scores, is not looked
    up."""
    plan = plan_query(query)
    assert plan.everything is everything
    assert match_plan(plan, "or").everything is everything
    request = SearchRequest(query=query, recency=Recency(30))
    sorted_as = request.sorted_for(plan)
    assert sorted_as.sort == ("date" if everything else "relevance")
    assert sorted_as.needs_origin is not everything
    assert sorted_as.sorted_for(plan) == sorted_as  # asked twice, the same
    dated = SearchRequest(query=query, sort="date")
    assert dated.sorted_for(plan) == dated


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SearchRequest(size=-1), "size"),
        (SearchRequest(size=101), "size"),
        (SearchRequest(cursor="c", page=2), "not both"),
        (SearchRequest(page=0), "page"),
        (SearchRequest(page=101, size=100), "cursor"),
        (SearchRequest(since=date(2021, 2, 1), until=date(2021, 1, 1)), "since"),
        (SearchRequest(query="x" * 10_001), "longer"),
        (SearchRequest(recency=Recency(scale_days=0)), "recency"),
        (SearchRequest(recency=Recency(scale_days=-30)), "recency"),
        (SearchRequest(recency=Recency(scale_days=math.nan)), "recency"),
        (SearchRequest(recency=Recency(scale_days=math.inf)), "recency"),
    ],
)
def test_bad_requests_say_why(request_: SearchRequest, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        request_.check()


UTC_DAY = ("T00:00:00+00:00", "T23:59:59.999999+00:00")  # a day's first, last instant


@pytest.mark.parametrize(
    ("since", "until", "bounds"),
    [
        # A year, a month or a day stands for all of it: since from its first instant,
        # until through its last, whatever the caller (CLI or Python) passes.
        ("2018", "2018", ("2018-01-01" + UTC_DAY[0], "2018-12-31" + UTC_DAY[1])),
        ("2018-06", "٢٠١٩-٠٦", ("2018-06-01" + UTC_DAY[0], "2019-06-30" + UTC_DAY[1])),
        (
            date(2018, 6, 1),
            date(2018, 6, 1),
            ("2018-06-01" + UTC_DAY[0], "2018-06-01" + UTC_DAY[1]),
        ),
        (None, "2018-06-01Z", (None, "2018-06-01" + UTC_DAY[1])),
        # A datetime is an instant; without a zone it is UTC, as articles' dates are.
        (
            datetime(2018, 6, 1, 6),
            "2018-06-01T10:00+03:00",
            ("2018-06-01T06:00:00+00:00", "2018-06-01T10:00:00+03:00"),
        ),
    ],
)
def test_date_filters_cover_what_they_name(
    since: DateFilter | None, until: DateFilter | None, bounds: tuple[str | None, str | None]
) -> None:
    request = SearchRequest(since=since, until=until)
    request.check()
    assert tuple(b and b.isoformat() for b in date_bounds(request)) == bounds


@pytest.mark.parametrize(
    ("undated", "message"),
    [
        (
            SearchRequest(since="2018-13"),
            "since '2018-13': month must be in 1..12; write it as 2018, 2018-06",
        ),
        (
            SearchRequest(until="yesterday"),
            "until 'yesterday': not a year, a month, a day or a date-time;",
        ),
        (SearchRequest(until=""), "until '': not a year"),
    ],
)
def test_date_filters_that_are_no_dates_say_why_and_how(
    undated: SearchRequest, message: str
) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        undated.check()
    with pytest.raises(QueryError, match=re.escape(message)):  # unchecked requests too
        date_bounds(undated)


def test_a_year_may_be_since_and_until_but_not_after_until() -> None:
    SearchRequest(since="2018", until="2018").check()
    SearchRequest(since="2018-06-01T12:00Z", until="2018-06-01").check()
    with pytest.raises(QueryError, match="since 2019 is after until 2018-12"):
        SearchRequest(since="2019", until="2018-12").check()


def test_page_100_of_100_is_the_last_page_without_a_cursor() -> None:
    SearchRequest(page=100, size=100).check()


@given(st.text(max_size=300))
def test_any_query_string_plans_without_error(query: str) -> None:
    plan = plan_query(query)
    assert all(c.exact for g in plan.groups for c in g.clauses)
    assert all(w.exact for c in plan.included for w in c.each_word)


def test_recency_blends_with_relevance_from_the_newest_article() -> None:
    newest = datetime(2018, 10, 20, 7, 53, tzinfo=UTC)
    recency = Recency(scale_days=30, origin=newest)
    assert recency.factor(newest) == recency.factor(newest - timedelta(hours=12)) == 1.0
    # Half the decay DAYS after the first day: half-way between the floor and 1.
    month = recency.factor(newest - timedelta(days=31))
    assert month == pytest.approx(RECENCY_FLOOR + (1 - RECENCY_FLOOR) / 2)
    # Years older: the floor, never 0, so relevance still ranks old articles.
    assert recency.factor(newest - timedelta(days=3_000)) == pytest.approx(RECENCY_FLOOR)
    assert 0 < RECENCY_FLOOR < 1
    assert recency.factor(None) == 1.0  # undated articles are not decayed
    # No dated article to decay from: no decay.
    assert Recency(scale_days=30).factor(newest) == 1.0


def test_coordination_counts_every_word_of_the_query_whatever_the_operator() -> None:
    """Each stem of the query's words (repeats kept, excluded words out) adds the
    coordination weight x its idf, with --operator and as with or: the index
    contract's template asks the same content.words clause for either."""
    plan = plan_query("زلزال المدينة زلزال -القديمة")
    stems = [plan_query(w).stems[0] for w in ("زلزال", "المدينة", "زلزال")]
    assert list(match_plan(plan, "or").held) == stems
    assert list(match_plan(plan, "and").held) == stems
    assert match_plan(plan, "or", Ranking(coordination=0.0)).held == ()
