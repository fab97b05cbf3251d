"""eval on the engine: the same metrics as on the embedded backend, and nothing left
behind on the cluster, even when the evaluation is interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cluster

from indexer.evaluation import (
    EMBEDDED,
    Target,
    metrics,
    profiles,
    rank,
    read_articles,
    read_judged,
    temporary_index,
)

pytestmark = pytest.mark.elasticsearch

ROOT = Path(__file__).resolve().parents[2]
BEIR = ROOT / "tests/fixtures/beir"


def _exists(cluster: Cluster, tmp_path: Path, index: str) -> bool:
    return cluster.backend(tmp_path / "dead").engine.is_index(index)


@pytest.mark.parametrize("profile_name", ["standard", "arabic", "ours"])
def test_the_engine_scores_as_the_embedded_backend(
    cluster: Cluster, tmp_path: Path, profile_name: str
) -> None:
    """Each analysis, the stock baselines too, built on the engine from its own
    mappings, ranks the tiny set (with distractors) exactly as the embedded one."""
    profile = profiles()[profile_name]
    wanted = read_judged(BEIR / "queries.jsonl", BEIR / "qrels.tsv")
    articles = read_articles(BEIR / "corpus.jsonl", [str(ROOT / "tests/fixtures/trec")])
    ranked = {}
    for target in (EMBEDDED, Target(cluster.engine, cluster.settings())):
        with temporary_index(profile, articles, target) as index:
            ranked[target.backend] = rank(index, profile.ranking, wanted.texts)
    assert not _exists(cluster, tmp_path, index.name)  # the engine's, deleted
    embedded, engine = ranked["embedded"], ranked[cluster.engine]
    assert metrics(engine, wanted.judged) == metrics(embedded, wanted.judged)
    # The first hits agree, not only the figures (ties may fall either way further down).
    assert {q: hits[:1] for q, hits in engine.items()} == {
        q: hits[:1] for q, hits in embedded.items()
    }


def test_an_interrupted_evaluation_deletes_its_index(cluster: Cluster, tmp_path: Path) -> None:
    target = Target(cluster.engine, cluster.settings())
    articles = read_articles(BEIR / "corpus.jsonl")
    with (
        pytest.raises(KeyboardInterrupt),
        temporary_index(profiles()["ours"], articles, target) as index,
    ):
        assert _exists(cluster, tmp_path, index.name)  # there while the evaluation runs
        raise KeyboardInterrupt  # Ctrl-C
    assert not _exists(cluster, tmp_path, index.name)
