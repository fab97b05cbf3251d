"""mappings/articles.json: generated from the Python definitions, and in sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from es_rules import parse_es_mapping_rule
from helpers import ROOT, run_cli

from indexer import cli
from indexer.analysis.analyzers import baseline_analyzers, default_analyzers, read_word_list
from indexer.analysis.normalize import Normalizer
from indexer.index import mappings
from indexer.index.fields import FIELDS

BODY = json.loads((ROOT / "mappings/articles.json").read_text(encoding="utf-8"))
ANALYSIS = BODY["settings"]["analysis"]

# Token filters and char filters that ship with Elasticsearch (no plugin needed).
BUILT_IN_FILTER_TYPES = {
    "stop",
    "keyword_marker",
    "stemmer_override",
    "ngram",
    "pattern_replace",
    "word_delimiter_graph",
    "length",
}
BUILT_IN_FILTERS = {"lowercase", "decimal_digit", "arabic_normalization", "arabic_stem", "trim"}
# What Elasticsearch and OpenSearch let a normalizer use (per-character filters only).
NORMALIZER_FILTERS = {"lowercase", "decimal_digit", "arabic_normalization", "trim"}
NORMALIZER_CHAR_FILTER_TYPES = {"mapping", "pattern_replace"}


def test_committed_file_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(["mappings", "--check"]) == 0


def test_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "articles.json"
    stale.write_text(mappings.render(default_analyzers()).replace("arabic_stem", "porter_stem"))
    assert cli.main(["mappings", "--check", "--path", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err
    assert cli.main(["mappings", "--write", "--path", str(stale)]) == 0
    assert cli.main(["mappings", "--check", "--path", str(stale)]) == 0


def test_check_and_write_say_it_in_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    template = str(mappings.template_path(path))
    missing = run_cli("mappings", "--check", "--json", "--path", str(path))
    assert missing.code == 1
    assert json.loads(missing.out) == {"up_to_date": [], "stale": [str(path), template]}
    wrote = run_cli("mappings", "--write", "--json", "--path", str(path))
    assert wrote.code == 0 and json.loads(wrote.out) == {"wrote": [str(path), template]}
    checked = run_cli("mappings", "--check", "--json", "--path", str(path))
    assert checked.code == 0
    assert json.loads(checked.out) == {"up_to_date": [str(path), template], "stale": []}


def test_char_filter_is_the_normalization_table() -> None:
    rules = ANALYSIS["char_filter"]["arabic_char_map"]["mappings"]
    assert dict(parse_es_mapping_rule(r) for r in rules) == Normalizer().table


def test_analyzer_names_and_chains() -> None:
    assert set(ANALYSIS["analyzer"]) == {
        "arabic_text",
        "arabic_exact",
        "arabic_exact_search",
        "arabic_grams",
        "arabic_grams_search",
    }
    assert set(ANALYSIS["normalizer"]) == {"arabic_keyword"}
    text = ANALYSIS["analyzer"]["arabic_text"]
    assert text["tokenizer"] == "standard"
    assert text["char_filter"] == ["arabic_char_map"]
    # Stop before stem (the list is of whole words), keyword_marker right before stem.
    assert text["filter"] == [
        "lowercase",
        "decimal_digit",
        "arabic_stop",
        "arabic_protected",
        "arabic_stem_overrides",
        "arabic_stem",
    ]
    keyword = ANALYSIS["normalizer"]["arabic_keyword"]
    assert set(keyword["filter"]) <= NORMALIZER_FILTERS
    # Then runs of white space as one space: what the map deletes between words leaves two.
    assert keyword["char_filter"] == ["arabic_char_map", "collapse_space"]
    char_filters = {ANALYSIS["char_filter"][name]["type"] for name in keyword["char_filter"]}
    assert char_filters <= NORMALIZER_CHAR_FILTER_TYPES
    # The exact subfields index every word and search without stopwords.
    exact = BODY["mappings"]["properties"]["content"]["fields"]["exact"]
    assert (exact["analyzer"], exact["search_analyzer"]) == ("arabic_exact", "arabic_exact_search")
    assert ANALYSIS["analyzer"]["arabic_exact_search"]["filter"] == [
        "lowercase",
        "decimal_digit",
        "arabic_stop",
    ]
    # Trigrams of the unstemmed words, the stopwords out first.
    grams = ANALYSIS["analyzer"]["arabic_grams"]
    assert grams["filter"] == ["lowercase", "decimal_digit", "arabic_stop", "arabic_trigrams"]
    assert ANALYSIS["filter"]["arabic_trigrams"] == {"type": "ngram", "min_gram": 3, "max_gram": 3}
    # Searched with the same trigrams, each at a position of its own.
    assert ANALYSIS["analyzer"]["arabic_grams_search"]["filter"] == [
        "lowercase",
        "decimal_digit",
        "arabic_stop",
        "arabic_trigrams_spaced",
        "arabic_trigrams_split",
        "arabic_trigrams_only",
    ]


def test_only_built_in_elasticsearch_components() -> None:
    assert {d["type"] for d in ANALYSIS["char_filter"].values()} == {"mapping", "pattern_replace"}
    assert {d["type"] for d in ANALYSIS["filter"].values()} <= BUILT_IN_FILTER_TYPES
    used = {
        f
        for a in [*ANALYSIS["analyzer"].values(), *ANALYSIS["normalizer"].values()]
        for f in a["filter"]
    }
    assert used <= BUILT_IN_FILTERS | set(ANALYSIS["filter"])
    assert "icu" not in json.dumps(ANALYSIS)


def test_stop_list_is_lucenes_list_and_question_words_normalized() -> None:
    normalizer = Normalizer()
    raw = read_word_list("stopwords_ar.txt") + read_word_list("question_words_ar.txt")
    stop = set(ANALYSIS["filter"]["arabic_stop"]["stopwords"])
    assert stop == {normalizer.normalize(w) for w in raw}
    assert {"الي", "علي", "في", "من"} <= stop  # إلى and على after normalization


def test_fields_follow_the_index_contract() -> None:
    properties = BODY["mappings"]["properties"]
    assert list(properties) == [f.name for f in FIELDS]
    for name in ("title", "lead", "body", "content"):
        assert properties[name]["analyzer"] == "arabic_text"
        assert properties[name]["fields"]["exact"]["analyzer"] == "arabic_exact"
    # content is title + body (copy_to: the values, each analyzed by content's analyzers).
    # https://www.elastic.co/docs/reference/elasticsearch/mapping-reference/copy-to
    assert properties["title"]["copy_to"] == properties["body"]["copy_to"] == "content"
    assert "copy_to" not in properties["lead"]
    grams = properties["content"]["fields"]["grams"]
    assert (grams["analyzer"], grams["search_analyzer"]) == ("arabic_grams", "arabic_grams_search")
    # content.words: a query word held scores its idf alone (BM25 with k1 = 0), the
    # coordination the embedded backend computes from its own counts.
    words = properties["content"]["fields"]["words"]
    assert (words["analyzer"], words["index_options"], words["norms"]) == (
        "arabic_text",
        "docs",
        False,
    )
    similarity = BODY["settings"]["index"]["similarity"][words["similarity"]]
    assert similarity == {"type": "BM25", "k1": 0.0, "b": 0.0}
    for name in ("category", "source", "author"):
        # Normalized for filters and counts; .raw as written, for the facets' labels.
        assert properties[name] == {
            "type": "keyword",
            "normalizer": "arabic_keyword",
            "fields": {"raw": {"type": "keyword"}},
        }
    assert properties["published_at"]["type"] == "date"
    assert BODY["mappings"]["_meta"]["mapping_version"] == mappings.MAPPING_VERSION


def test_a_baseline_index_uses_only_built_in_analysis() -> None:
    """eval builds the stock baselines on the engine from this body: their chains are
    built-in filters, with no char filter (the engines refuse an empty mapping) and no
    trigram subfield (they have no grams analyzer)."""
    body = mappings.index_body(baseline_analyzers("arabic"))
    analysis = body["settings"]["analysis"]
    assert analysis["char_filter"] == {}
    assert analysis["analyzer"]["baseline_arabic"]["filter"] == [
        "lowercase",
        "decimal_digit",
        "arabic_stop_stock",
        "arabic_normalization",
        "arabic_stem",
    ]
    content = body["mappings"]["properties"]["content"]
    assert content["analyzer"] == "baseline_arabic"
    assert set(content["fields"]) == {"exact"}


def test_queries_naming_no_field_search_the_text_fields() -> None:
    """?q= and Discover search the stemmed and exact text, not the trigrams or keywords."""
    default = BODY["settings"]["index"]["query"]["default_field"]
    assert default == ["content", "content.exact", "title", "title.exact"]
