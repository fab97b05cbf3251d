"""The index contract gives services the CLI's ranking: mappings/search-request.json,
filled with a query and sent raw over HTTP, finds the total, the first page, the scores
and the facets of `arabic-search search` for plain words, on the first 5,000 ANT
articles and the ARCD paragraphs (the fixtures where ../shared is absent), with ANT
titles and ARCD questions as queries, on a version of one shard and on one of three
(sent with the contract's search_type=dfs_query_then_fetch). `?q=`
(index.query.default_field) finds the CLI's total for one word. And the trigram
field's search analyzer gives the trigrams of its index analyzer, each at a position
of its own.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clusters import Cluster, delete_alias
from helpers import ANT, ARCD, FIXTURES, ROOT, run_cli

from indexer.backends.cluster.backend import ClusterBackend
from indexer.backends.cluster.query import QUERY_SLOT, SEARCH_TYPE, fill_template
from indexer.index.reindex import reindex
from indexer.search.facets import read_facets

pytestmark = pytest.mark.elasticsearch

TEMPLATE = ROOT / "mappings/search-request.json"
ARTICLES = 5_000
ALIAS = "contract"
SCORE_TOLERANCE = 1e-3
QUERIES = 40  # at least
ANT_TITLES = 40  # every ARTICLES / ANT_TITLES-th title of the loaded articles
ARCD_QUESTIONS = 20  # spread over the questions in the same way
SHARDS = (1, 3)  # the versions the contract is checked on


@dataclass(frozen=True)
class Corpus:
    paths: list[str]
    queries: list[str]


def _every(items: list[str], count: int) -> list[str]:
    """`count` items spread evenly: every len/count-th, from the first."""
    return items[:: max(1, len(items) // count)][:count]


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    if not (ANT.is_file() and (ARCD / "corpus.jsonl").is_file()):
        titles = [
            json.loads(line)["title"]
            for path in ("ant-sample.jsonl", "variants.jsonl")
            for line in _lines(FIXTURES / path)
        ]
        # Of query length: the CLI asks at most 256 trigrams, the template every one.
        short = [s for s in _lines(FIXTURES / "analysis_sentences.txt") if len(s.split()) <= 20]
        sentences = _every(short, QUERIES - len(titles))
        paths = [str(FIXTURES / "ant-sample.jsonl"), str(FIXTURES / "variants.jsonl")]
        return Corpus(paths, titles + sentences)
    path = tmp_path_factory.mktemp("contract") / "ant-5000.jsonl"
    with gzip.open(ANT, "rt", encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        articles = list(itertools.islice(src, ARTICLES))
        out.writelines(articles)
    titles = _every([json.loads(a)["title"] for a in articles], ANT_TITLES)
    questions = [json.loads(q)["text"] for q in _lines(ARCD / "queries-train.jsonl")]
    queries = titles + _every(questions, ARCD_QUESTIONS)
    return Corpus([str(path), str(ARCD / "corpus.jsonl")], queries)


# A version of one shard, then one of three, which services search with the search
# type the contract names (each shard scores with the whole index's statistics).
@pytest.fixture(scope="module", params=SHARDS, ids=[f"{n}-shard" for n in SHARDS])
def engine(
    request: pytest.FixtureRequest,
    cluster: Cluster,
    corpus: Corpus,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ClusterBackend]:
    backend = cluster.backend(tmp_path_factory.mktemp("contract-dead"), shards=request.param)
    reindex(backend, corpus.paths, ALIAS)
    yield backend
    delete_alias(backend, ALIAS)


def plain(text: str) -> str:
    """The text as plain words, which the template and the CLI read alike: no quotes
    (phrases), no `-` before a word (exclusions), the operators in lower case (words)."""
    parts = (part.lstrip("-") for part in text.replace('"', " ").split())
    return " ".join(p.lower() if p in ("AND", "OR", "NOT") else p for p in parts if p)


def cli_answer(cluster: Cluster, query: str, operator: str = "or") -> Any:
    """`arabic-search search QUERY --json` on the cluster, in this process."""
    command = ["search", query, "--json", "--alias", ALIAS, "--operator", operator]
    result = run_cli(*command, env={**os.environ, **cluster.env})
    assert result.code == 0, result.err
    return json.loads(result.out)


def _post(cluster: Cluster, path: str, body: bytes) -> Any:
    request = urllib.request.Request(
        f"{cluster.url}/{path}",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def template(operator: str) -> str:
    """The template; for --operator and, with the filter docs/index-contract.md adds
    to require every word."""
    text = TEMPLATE.read_text(encoding="utf-8")
    if operator == "or":
        return text
    body = json.loads(text)
    every_word = {"match": {"content": {"query": QUERY_SLOT, "operator": "and"}}}
    body["query"]["bool"]["filter"] = [every_word]
    return json.dumps(body, ensure_ascii=False)


def template_answer(cluster: Cluster, template: str, query: str) -> Any:
    """The template filled with the query, sent as a service sends it: raw HTTP."""
    body = fill_template(template, query)
    return _post(cluster, f"{ALIAS}/_search?search_type={SEARCH_TYPE}", body.encode("utf-8"))


@dataclass(frozen=True)
class Agreement:
    query: str
    totals: tuple[int, int]  # the CLI's, the template's
    ids: tuple[list[str], list[str]]
    scores: tuple[list[float], list[float]]
    facets_equal: bool

    @property
    def score_difference(self) -> float:
        ours, theirs = self.scores
        if len(ours) != len(theirs):
            return float("inf")
        return max((abs(a - b) for a, b in zip(ours, theirs, strict=True)), default=0.0)

    @property
    def same_order(self) -> bool:
        return self.ids[0] == self.ids[1]

    @property
    def same_up_to_ties(self) -> bool:
        """Every place holds the same id, or one the CLI scores within the tolerance of
        its score there: an order swap between near-equal scores, or a tie with the
        page's last hit that the end of the page cut either way."""
        (ours, theirs), scores = self.ids, self.scores[0]
        if len(ours) != len(theirs) or self.score_difference > SCORE_TOLERANCE:
            return False

        for place, id_ in enumerate(theirs):
            # Where the CLI has it; past the CLI's page, it must tie with the last hit.
            other = ours.index(id_) if id_ in ours else len(ours) - 1
            if abs(scores[place] - scores[other]) > SCORE_TOLERANCE:
                return False
        return True

    @property
    def agrees(self) -> bool:
        return (
            self.totals[0] == self.totals[1]
            and self.same_up_to_ties
            and self.score_difference <= SCORE_TOLERANCE
            and self.facets_equal
        )


def agreement(cluster: Cluster, query: str, operator: str) -> Agreement:
    ours = cli_answer(cluster, query, operator)
    theirs = template_answer(cluster, template(operator), query)
    hits = theirs["hits"]["hits"]
    return Agreement(
        query,
        (ours["total"], theirs["hits"]["total"]["value"]),
        ([h["id"] for h in ours["hits"]], [h["_id"] for h in hits]),
        ([h["score"] for h in ours["hits"]], [h["_score"] for h in hits]),
        ours["facets"] == read_facets(theirs.get("aggregations", {})),
    )


@pytest.mark.parametrize("operator", ["or", "and"])
def test_the_template_gives_the_clis_ranking(
    cluster: Cluster,
    engine: ClusterBackend,
    corpus: Corpus,
    operator: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queries = [q for q in map(plain, corpus.queries) if q]
    assert len(queries) >= QUERIES
    found = [agreement(cluster, q, operator) for q in queries]
    where = cluster.release.name if cluster.release else cluster.url
    summary = (
        f"contract on {where}, --operator {operator}: {len(found)} queries; "
        f"totals equal "
        f"{sum(a.totals[0] == a.totals[1] for a in found)}, top 10 in the same order "
        f"{sum(a.same_order for a in found)}, the same up to ties "
        f"{sum(a.same_up_to_ties for a in found)}, facets equal "
        f"{sum(a.facets_equal for a in found)}; largest score difference "
        f"{max(a.score_difference for a in found):.2e}"
    )
    with capsys.disabled():
        print(f"\n{summary}")
    assert sum(a.totals[0] for a in found) > 0  # the queries find something
    assert [a for a in found if not a.agrees] == [], summary


def _one_words(queries: list[str]) -> list[str]:
    """The longest word of letters only of each of the first ten queries."""
    words = [
        max((w for w in plain(q).split() if w.isalpha()), key=len, default="") for q in queries
    ]
    return [w for w in words[:10] if w]


def test_a_query_naming_no_field_finds_the_clis_total(
    cluster: Cluster, engine: ClusterBackend, corpus: Corpus
) -> None:
    """?q= (and Kibana's Discover) search the text through index.query.default_field."""
    for word in ["القاهره", *_one_words(corpus.queries)]:
        url = f"{cluster.url}/{ALIAS}/_search?size=0&track_total_hits=true&q="
        with urllib.request.urlopen(url + urllib.parse.quote(word), timeout=60) as response:
            total = json.load(response)["hits"]["total"]["value"]
        assert total == cli_answer(cluster, word)["total"], word


def _tokens(cluster: Cluster, analyzer: str, text: str) -> list[tuple[str, int]]:
    """The engine's tokens of `text` by `analyzer`, with their positions."""
    body = json.dumps({"analyzer": analyzer, "text": text}).encode("utf-8")
    found = _post(cluster, f"{ALIAS}/_analyze", body)["tokens"]
    return [(t["token"], t["position"]) for t in found]


def test_the_trigram_search_analyzer_gives_the_index_trigrams_at_positions_of_their_own(
    cluster: Cluster, engine: ClusterBackend
) -> None:
    """A match query on content.grams asks each trigram as a term query, as the CLI
    does: the same trigrams as arabic_grams, no two at one position."""
    differing = []
    for sentence in _lines(FIXTURES / "analysis_sentences.txt"):
        grams = [term for term, _ in _tokens(cluster, "arabic_grams", sentence)]
        search = _tokens(cluster, "arabic_grams_search", sentence)
        positions = {position for _, position in search}
        if [term for term, _ in search] != grams or len(positions) != len(search):
            differing.append(sentence)
    assert differing == []
