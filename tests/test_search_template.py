"""The search body of the index contract (mappings/search-request.json) and
`search --show-query`, without an engine: the template is the CLI's body with the
user's text analyzed on the server, any text fills it into valid JSON, and
--show-query prints the body a search sends. (tests/integration/test_contract.py
checks on an engine that both rank alike.)"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, ROOT
from hypothesis import given
from hypothesis import strategies as st

from indexer import cli
from indexer.analysis.analyzers import default_analyzers
from indexer.backends.cluster.query import QUERY_SLOT, fill_template, search_body, template_body
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.index import mappings
from indexer.index.reindex import reindex
from indexer.search.query import Recency, SearchRequest

TEMPLATE_FILE = ROOT / "mappings/search-request.json"
TEMPLATE = TEMPLATE_FILE.read_text(encoding="utf-8")

HOSTILE = [
    'quote " and backslash \\ and \\"',
    "{{query}}",
    '"{{query}}"',
    '}]}, {"match_all": {}} {',
    "\\u0022 \\n \n\t\r",
    "القاهرة\u0000\u200f{{query}}",
    "",
]


def test_the_committed_template_is_current() -> None:
    assert json.loads(TEMPLATE) == template_body()
    assert mappings.stale(ROOT / mappings.DEFAULT_PATH, default_analyzers()) == []


def test_check_names_a_stale_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "articles.json"
    assert cli.main(["mappings", "--write", "--path", str(path)]) == 0
    template = mappings.template_path(path)
    assert template == tmp_path / "search-request.json"
    assert json.loads(template.read_text(encoding="utf-8")) == template_body()
    template.write_text(TEMPLATE.replace('"size": 10', '"size": 20'), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["mappings", "--check", "--path", str(path)]) == 1
    assert capsys.readouterr().err == f"{template} is stale: run 'arabic-search mappings --write'\n"


def _terms_by_field(query: Any) -> dict[str, float]:
    """{field: boost} of the term (or match) queries in a query, anywhere."""
    found: dict[str, float] = {}
    if isinstance(query, dict):
        for kind, value in query.items():
            if kind in ("term", "match"):
                [(field, clause)] = value.items()
                found[field] = clause["boost"]
            else:
                found |= _terms_by_field(value)
    elif isinstance(query, list):
        for item in query:
            found |= _terms_by_field(item)
    return found


def test_the_template_asks_the_fields_and_boosts_of_a_search() -> None:
    """A word is searched on the same fields with the same boosts: match queries (the
    engine analyzes) where the CLI sends the terms it analyzed."""
    body, search = template_body(), search_body(SearchRequest(query="الخارجية"))
    assert _terms_by_field(body["query"]) == _terms_by_field(search["query"])
    assert _terms_by_field(body["query"]) == {
        "content": 1.0,
        "content.exact": 0.25,
        "title": 1.5,
        "title.exact": 0.375,
        "content.words": 1.0,
        "content.grams": 1.2,
    }
    highlight = body["highlight"]["fields"]["body"]["highlight_query"]
    assert _terms_by_field(highlight) == {"body": 1.0, "body.exact": 0.25}
    # Everything else is the CLI's body as it is.
    assert {k: v for k, v in body.items() if k not in ("query", "highlight")} == {
        k: v for k, v in search.items() if k not in ("query", "highlight")
    }
    assert body["sort"] == ["_score", {"id": "asc"}] and body["size"] == 10


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_fills_the_template_into_valid_json(text: str) -> None:
    filled = json.loads(fill_template(TEMPLATE, text))
    assert _slots(filled) == [text] * TEMPLATE.count(json.dumps(QUERY_SLOT)) == [text] * 8
    # Nothing else moved: with the slots put back, it is the template.
    assert _unfilled(filled, text) == json.loads(TEMPLATE)


@given(st.text(max_size=50))
def test_every_string_fills_the_template_into_valid_json(text: str) -> None:
    filled = json.loads(fill_template(TEMPLATE, text))
    assert _unfilled(filled, text) == json.loads(TEMPLATE)


def _slots(body: Any) -> list[Any]:
    """The values of the "query" keys of the match queries, in order."""
    if isinstance(body, dict):
        found = [body["query"]] if set(body) == {"query", "boost"} else []
        return found + [v for value in body.values() for v in _slots(value)]
    if isinstance(body, list):
        return [v for item in body for v in _slots(item)]
    return []


def _unfilled(body: Any, text: str) -> Any:
    """The body with every string equal to `text` in a slot put back as the slot."""
    if isinstance(body, dict):
        if set(body) == {"query", "boost"} and body["query"] == text:
            return {**body, "query": QUERY_SLOT}
        return {k: _unfilled(v, text) for k, v in body.items()}
    if isinstance(body, list):
        return [_unfilled(item, text) for item in body]
    return body


def _show_query(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert cli.main(["search", *args, "--show-query"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(query="الخارجية الروسية"),
        SearchRequest(query='"رئيس الوزراء" -طهران', operator="and", page=2, size=5),
        SearchRequest(query="سوريا", category="أخبار سورية", since="2018", highlight=False),
        SearchRequest(query="", sort="date", category=("سياسة", "اقتصاد")),
    ],
)
def test_show_query_prints_the_body_a_search_sends(
    request_: SearchRequest, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without any index or cluster: the home is an empty folder."""
    args = [request_.query, "--operator", request_.operator, "--page", str(request_.page)]
    args += ["--size", str(request_.size), "--sort", request_.sort, "--home", str(tmp_path)]
    for category in request_.filters.get("category", ()):
        args += ["--category", category]
    if request_.since:
        args += ["--since", str(request_.since)]
    if not request_.highlight:
        args.append("--no-highlight")
    assert _show_query(capsys, *args) == search_body(request_)
    assert not any(tmp_path.iterdir())  # no backend was opened


def test_show_query_looks_the_recency_origin_up_on_the_backend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    backend = EmbeddedBackend(tmp_path)
    reindex(backend, [str(FIXTURES / "ant-sample.jsonl")], "articles")
    newest = backend.newest_published("articles")
    assert isinstance(newest, datetime)
    shown = _show_query(capsys, "الحكومة", "--recency", "30", "--home", str(tmp_path))
    expected = SearchRequest(query="الحكومة", recency=Recency(30, origin=newest))
    assert shown == search_body(expected)
    gauss = shown["query"]["function_score"]["functions"][1]["gauss"]["published_at"]
    assert gauss["origin"] == newest.isoformat()


@pytest.mark.parametrize("query", ["", "-طهران"])
def test_show_query_of_a_query_that_scores_nothing_has_no_recency(
    query: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Such a query comes newest first, with no score for recency to weigh: as a search
    does, --show-query looks no origin up (no backend is opened) and prints no decay."""
    shown = _show_query(capsys, query, "--recency", "30", "--home", str(tmp_path))
    assert shown == search_body(SearchRequest(query=query, recency=Recency(30)))
    assert "function_score" not in json.dumps(shown)
    assert not any(tmp_path.iterdir())
