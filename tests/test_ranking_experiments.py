"""The experiments of issue #13 that both backends must run alike: a proximity rescore
of the best hits (Ranking.proximity) and pseudo-relevance feedback (indexer.feedback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import evaluation as ev
from indexer.backends.es_query import parse_response, search_body
from indexer.feedback import Feedback, expansion, merged
from indexer.query import (
    Hit,
    Proximity,
    Ranking,
    Recency,
    SearchRequest,
    WeightedTerm,
    plan_query,
    proximity_pairs,
)

NEAR = Ranking(proximity=Proximity(window=10, slop=1, weight=2.0))


def _articles(tmp_path: Path, texts: dict[str, str]) -> list:
    corpus = tmp_path / "corpus.jsonl"
    rows = (
        json.dumps({"_id": i, "title": "", "text": t}, ensure_ascii=False) for i, t in texts.items()
    )
    corpus.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ev.read_articles(corpus)


def test_the_pairs_are_neighbouring_words_without_stopwords() -> None:
    plan = plan_query("الطاقة النووية في العالم")
    first, second, third = plan.exact  # في is a stopword
    request = SearchRequest(query="الطاقة النووية في العالم")
    assert proximity_pairs(plan, request, NEAR) == ((first, second), (second, third))
    # Only a search by relevance alone is rescored, and only with a proximity.
    assert proximity_pairs(plan, request, Ranking()) == ()
    for other in ({"sort": "date"}, {"recency": Recency(30)}, {"cursor": "offset:10"}):
        assert proximity_pairs(plan, SearchRequest(query=request.query, **other), NEAR) == ()


def test_the_engine_gets_a_rescore_and_no_sort() -> None:
    request = SearchRequest(query="الطاقة النووية")
    body = search_body(request, ranking=NEAR)
    assert "sort" not in body  # the engine refuses a sort beside a rescore
    [first, second] = plan_query(request.query).exact
    phrase = body["rescore"]["query"]["rescore_query"]["constant_score"]
    assert body["rescore"]["window_size"] == 10
    assert phrase["boost"] == 2.0
    assert phrase["filter"]["match_phrase"]["content.exact"]["query"] == f"{first} {second}"
    assert phrase["filter"]["match_phrase"]["content.exact"]["slop"] == 1
    assert "rescore" not in search_body(SearchRequest(query=request.query, sort="date"), None, NEAR)
    # Unsorted hits carry no sort values: no cursor, pages go by number.
    hits = [{"_id": str(i), "_score": 1.0, "_source": {"id": str(i)}} for i in range(10)]
    response = {"hits": {"hits": hits, "total": {"value": 30}}}
    assert parse_response(response, request).next_cursor is None


def test_words_near_each_other_rank_first_with_a_proximity(tmp_path: Path) -> None:
    # The same words, as often, in texts as long: BM25 ties them, and ties go by id.
    articles = _articles(
        tmp_path,
        {
            "a-far": "الطاقة مدينة بحر جبل النووية",
            "b-near": "الطاقة النووية مدينة بحر جبل",
        },
    )
    with ev.temporary_index(ev.profiles()["ours"], articles) as index:
        request = SearchRequest(query="الطاقة النووية", facets=False, highlight=False)
        plain = index.searcher(Ranking()).search(index.name, request).hits
        near = index.searcher(NEAR).search(index.name, request).hits
    assert [h.id for h in plain] == ["a-far", "b-near"]
    assert plain[0].score == plain[1].score
    assert [h.id for h in near] == ["b-near", "a-far"]
    assert near[0].score == pytest.approx(plain[0].score + 2.0)  # one pair within the slop
    assert near[1].score == pytest.approx(plain[1].score)


def test_the_expansion_is_the_relevance_model_of_the_first_hits() -> None:
    hits = [(3.0, ["a", "a", "b", "q"]), (1.0, ["c", "q"]), (9.0, ["d"])]
    got = expansion(["q"], hits, Feedback(documents=2, terms=2, weight=0.5))
    # P(w|R): a 0.75 x 2/4, b 0.75 x 1/4, c 0.25 x 1/2; q is asked already, d is not read.
    assert got == (
        WeightedTerm("a", pytest.approx(1 / 3, abs=1e-6)),
        WeightedTerm("b", pytest.approx(1 / 6, abs=1e-6)),
    )
    assert expansion(["q"], [], Feedback()) == ()


def test_feedback_finds_a_text_through_the_words_of_the_first_hits(tmp_path: Path) -> None:
    articles = _articles(
        tmp_path,
        {
            "asked": "بركان ثار قرب القرية والحمم غطت الحقول",
            "related": "الحمم غطت الحقول قرب القرية الجبلية",
            "other": "مباراة كرة القدم انتهت بالتعادل",
        },
    )
    texts = {"q": "بركان"}
    profile = ev.profiles()["ours"]
    [plain] = ev.ranked_runs(profile, articles, texts)
    [expanded] = ev.ranked_runs(profile, articles, texts, feedback=Feedback(documents=1))
    assert plain["q"] == ["asked"]
    assert expanded["q"] == ["asked", "related"]


def test_the_first_hits_keep_their_place_and_the_expanded_search_follows() -> None:
    def hits(*ids: str) -> list[Hit]:
        return [Hit(i, 1.0, "", None, None, None) for i in ids]

    first, second = hits("a", "b", "c"), hits("d", "b", "e", "a")
    assert [h.id for h in merged(first, second, 2)] == ["a", "b", "d", "e"]
    assert [h.id for h in merged(first, second, 0)] == ["d", "b", "e", "a"]


def test_eval_with_feedback_keeps_the_first_hits_in_place() -> None:
    from test_evaluation import run_eval

    scores = run_eval("--feedback", "--compare")
    assert set(scores) == {"standard", "arabic", "ours"}
    assert scores["ours"]["mrr@10"] == 1.0  # the first hits keep their place
