"""The query module without a backend: the user's syntax and the request checks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.query import Clause, QueryError, SearchRequest, plan_query, read_clauses


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


def test_page_100_of_100_is_the_last_page_without_a_cursor() -> None:
    SearchRequest(page=100, size=100).check()


@given(st.text(max_size=300))
def test_any_query_string_plans_without_error(query: str) -> None:
    plan = plan_query(query)
    assert all(c.exact for g in plan.groups for c in g)
