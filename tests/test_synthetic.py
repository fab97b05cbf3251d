"""The generator of bench/scale.py's corpora (bench/synthetic.py): reproducible from its
seed, and its articles are new ones, neither duplicates of each other nor copies of
the articles they are made from, as the ingest sees them."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
from helpers import FIXTURES, ROOT

from indexer.ingest.articles import Article
from indexer.ingest.parse import Duplicate, parse_paths

sys.path.insert(0, str(ROOT / "bench"))
from synthetic import Generator, Pool

SAMPLE = FIXTURES / "ant-sample.jsonl"
COUNT = 200


@pytest.fixture(scope="module")
def sample() -> list[Article]:
    return [o for o in parse_paths([str(SAMPLE)]) if isinstance(o, Article)]


@pytest.fixture(scope="module")
def pool(sample: list[Article]) -> Pool:
    return Pool(sample)


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_the_same_seed_makes_the_same_articles(pool: Pool) -> None:
    first = list(Generator(pool, seed=7).articles(COUNT))
    assert list(Generator(pool, seed=7).articles(COUNT)) == first
    # The first n of a longer run are the same n: the sizes are prefixes of one corpus.
    assert list(Generator(pool, seed=7).articles(COUNT // 2)) == first[: COUNT // 2]
    assert list(Generator(pool, seed=8).articles(COUNT)) != first


def test_the_ingest_finds_no_duplicates_and_new_ids_and_dates(
    pool: Pool, sample: list[Article], tmp_path: Path
) -> None:
    corpus = write(tmp_path / "generated.jsonl", list(Generator(pool, seed=1).articles(COUNT)))
    outcomes = list(parse_paths([str(corpus), str(SAMPLE)]))
    generated = [o for o in outcomes[:COUNT] if isinstance(o, Article)]
    assert len(generated) == COUNT  # none rejected, none a duplicate of another
    # The real articles, read after them, are not merged with any generated one.
    assert not [o for o in outcomes if isinstance(o, Duplicate)]
    assert len({a.id for a in generated}) == COUNT
    assert not {a.id for a in generated} & {a.id for a in sample}
    dates = {a.published_at for a in generated}
    assert None not in dates
    assert len(dates) == COUNT
    assert not dates & {a.published_at for a in sample}
    # Made of the real text: every word of a generated body is a real body's word or
    # one made up from it.
    real = {w for a in sample for w in a.body.split()}
    made_up = [w for a in generated for w in a.body.split() if w not in real]
    assert all(any(w.startswith(r) for r in real) for w in made_up[:50])


def test_a_pool_too_small_for_the_count_is_said(sample: list[Article]) -> None:
    short = sample[0]
    tiny = Pool([Article(**{**short.to_json(), "origin": short.origin, "body": "one sentence"})])
    with pytest.raises(ValueError, match="the pool is too small"):
        list(Generator(tiny, seed=1).articles(3))
