"""eval on the engine: the same metrics as on the embedded backend, and nothing left
behind on the cluster, even when the evaluation is interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest
from clusters import Cluster
from helpers import BEIR, FIXTURES

from indexer.search import evaluation as ev
from indexer.search.feedback import Feedback
from indexer.search.query import Ranking

pytestmark = pytest.mark.elasticsearch


def _exists(cluster: Cluster, tmp_path: Path, index: str) -> bool:
    return cluster.backend(tmp_path / "dead").engine.is_index(index)


@pytest.mark.parametrize("profile_name", ["standard", "arabic", "ours"])
def test_the_engine_scores_as_the_embedded_backend(
    cluster: Cluster, tmp_path: Path, profile_name: str
) -> None:
    """Each analysis, the stock baselines too, built on the engine from its own
    mappings, ranks the tiny set (with distractors) exactly as the embedded one."""
    profile = ev.profiles()[profile_name]
    wanted = ev.read_judged(BEIR / "queries.jsonl", BEIR / "qrels.tsv")
    articles = ev.read_articles(BEIR / "corpus.jsonl", [str(FIXTURES / "trec")])
    ranked = {
        target.backend: ev.ranked_runs(profile, articles, wanted.texts, target)[0]
        for target in (ev.EMBEDDED, ev.Target(cluster.engine, cluster.settings()))
    }
    embedded, engine = ranked["embedded"], ranked[cluster.engine]
    assert ev.metrics(engine, wanted.judged) == ev.metrics(embedded, wanted.judged)
    # The first hits agree, not only the figures (ties may fall either way further down).
    assert {q: hits[:1] for q, hits in engine.items()} == {
        q: hits[:1] for q, hits in embedded.items()
    }


# Pseudo-relevance feedback (eval --feedback): the expanded query reordering the top,
# and the option's default (the first hits kept).
EXPERIMENTS = {
    "feedback": (Ranking(), Feedback(documents=3, terms=10, weight=1.0, keep=0)),
    "feedback, first hits kept": (Ranking(), Feedback()),
}


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_the_experiments_rank_on_the_engine_as_on_the_embedded_backend(
    cluster: Cluster, experiment: str
) -> None:
    ranking, feedback = EXPERIMENTS[experiment]
    profile = ev.profiles()["ours"]
    wanted = ev.read_judged(BEIR / "queries.jsonl", BEIR / "qrels.tsv")
    articles = ev.read_articles(BEIR / "corpus.jsonl", [str(FIXTURES / "trec")])
    ranked = {
        target.backend: ev.ranked_runs(
            profile, articles, wanted.texts, target, [ranking], feedback
        )[0]
        for target in (ev.EMBEDDED, ev.Target(cluster.engine, cluster.settings()))
    }
    embedded, engine = ranked["embedded"], ranked[cluster.engine]
    assert ev.metrics(engine, wanted.judged) == ev.metrics(embedded, wanted.judged)
    assert {q: hits[:3] for q, hits in engine.items()} == {
        q: hits[:3] for q, hits in embedded.items()
    }


def test_an_interrupted_evaluation_deletes_its_index(cluster: Cluster, tmp_path: Path) -> None:
    target = ev.Target(cluster.engine, cluster.settings())
    articles = ev.read_articles(BEIR / "corpus.jsonl")
    with (
        pytest.raises(KeyboardInterrupt),
        ev.temporary_index(ev.profiles()["ours"], articles, target) as index,
    ):
        assert _exists(cluster, tmp_path, index.name)  # there while the evaluation runs
        raise KeyboardInterrupt  # Ctrl-C
    assert not _exists(cluster, tmp_path, index.name)
