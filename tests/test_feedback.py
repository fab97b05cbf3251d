"""Pseudo-relevance feedback (indexer.search.feedback, eval --feedback): the expansion of a
query from its first hits, and what it finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.ingest.articles import Article
from indexer.search import evaluation as ev
from indexer.search.feedback import Feedback, expansion, merged
from indexer.search.query import Hit


def _articles(tmp_path: Path, texts: dict[str, str]) -> list[Article]:
    corpus = tmp_path / "corpus.jsonl"
    rows = (
        json.dumps({"_id": i, "title": "", "text": t}, ensure_ascii=False) for i, t in texts.items()
    )
    corpus.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ev.read_articles(corpus)


def test_the_expansion_is_the_relevance_model_of_the_first_hits() -> None:
    hits = [(3.0, ["a", "a", "b", "q"]), (1.0, ["c", "q"]), (9.0, ["d"])]
    got = expansion(["q"], hits, Feedback(documents=2, terms=2, weight=0.5))
    # P(w|R): a 0.75 x 2/4, b 0.75 x 1/4, c 0.25 x 1/2; q is asked already, d is not read.
    assert [t.term for t in got] == ["a", "b"]
    assert [t.weight for t in got] == pytest.approx([1 / 3, 1 / 6], abs=1e-6)
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
