"""The query module without a backend: the user's syntax and the request checks."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.query import (
    Clause,
    DateFilter,
    QueryError,
    SearchRequest,
    date_bounds,
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
    assert read_clauses('a AND (b) c* "open') == [
        Clause("a"),
        Clause("AND"),
        Clause("(b)"),
        Clause("c*"),
        Clause("open", phrase=True),
    ]
    assert read_clauses("-") == [Clause("-")]
    assert read_clauses("or") == [Clause("or")]  # only upper-case OR is the operator


def test_plan_groups_or_and_drops_what_has_no_words() -> None:
    plan = plan_query("القاهرة OR الإسكندرية في ، -طقس")
    # في is a stopword: no stem and no exact term, so nothing to match.
    assert [[c.clause.text for c in g] for g in plan.groups] == [["القاهرة", "الإسكندرية"]]
    assert plan.stems == ["قاهر", "اسكندر"]
    # In a phrase the stopword stays an exact term: the indexed exact text has it.
    phrase = plan_query('"رئيس في القاهرة"')
    assert phrase.exact == ["رييس", "في", "القاهره"] and phrase.stems == ["رييس", "قاهر"]
    assert [c.clause.text for c in plan.excluded] == ["طقس"]
    assert plan_query("   ").empty_query
    assert not plan_query("، ؟").groups and not plan_query("، ؟").empty_query


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SearchRequest(size=0), "size"),
        (SearchRequest(size=101), "size"),
        (SearchRequest(page=0), "page"),
        (SearchRequest(page=101, size=100), "cursor"),
        (SearchRequest(since=date(2021, 2, 1), until=date(2021, 1, 1)), "since"),
        (SearchRequest(query="x" * 10_001), "longer"),
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
    ("filters", "message"),
    [
        (
            {"since": "2018-13"},
            "since '2018-13': month must be in 1..12; write it as 2018, 2018-06",
        ),
        ({"until": "yesterday"}, "until 'yesterday': not a year, a month, a day or a date-time;"),
        ({"until": ""}, "until '': not a year"),
    ],
)
def test_date_filters_that_are_no_dates_say_why_and_how(filters: dict, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        SearchRequest(**filters).check()
    with pytest.raises(QueryError, match=re.escape(message)):  # unchecked requests too
        date_bounds(SearchRequest(**filters))


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
    assert all(c.exact for g in plan.groups for c in g)
