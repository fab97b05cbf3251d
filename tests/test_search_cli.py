"""reindex, search, status and rollback from the command line (embedded backend)."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
from pathlib import Path

import pytest
from helpers import FIXTURES, Result, interrupted_load, reindex_paused, run_cli

from indexer.backends.embedded.backend import EmbeddedBackend


def cli(*args: str, home: Path) -> Result:
    """The CLI on the embedded backend at `home`, in this process."""
    backend = [] if "--backend" in args else ["--backend", "embedded"]
    return run_cli(*args, *backend, "--home", str(home))


def test_reindex_search_status_rollback(tmp_path: Path) -> None:
    first = cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    assert first.code == 0, first.err
    assert "backend: embedded" in first.err
    assert "read 7 / indexed 7 / duplicates 0 / rejected 0" in first.err

    result = cli("search", "القاهره", "--json", home=tmp_path)
    assert result.code == 0, result.err
    body = json.loads(result.out)
    assert body["total"] == 1
    [hit] = body["hits"]
    assert {"id", "score", "title", "published_at", "category", "source", "highlight"} <= set(hit)
    assert hit["highlight"]["title"] == ["زحام مروري في <em>القاهرة</em>"]
    assert body["facets"]["category"] == {"محليات": 1}

    readable = cli("search", "القاهرة", home=tmp_path).out
    assert readable.startswith("1 result\n") and "**القاهرة**" in readable

    second = cli("reindex", str(FIXTURES / "trec"), "--allow-shrink", home=tmp_path)  # 7 -> 3
    assert second.code == 0, second.err
    status = json.loads(cli("status", "--json", home=tmp_path).out)
    assert status["documents"] == 3 and status["previous"]
    rolled = cli("rollback", home=tmp_path)
    assert rolled.code == 0
    assert rolled.out == f"alias articles: {status['current']} -> {status['previous']}\n"
    assert json.loads(cli("search", "القاهرة", "--json", home=tmp_path).out)["total"] == 1
    # Not forward again: there is nothing older, and it says so.
    again = cli("rollback", home=tmp_path)
    assert again.code == 2 and "Traceback" not in again.err
    assert again.error_line() == (
        f"arabic-search rollback: alias 'articles' is on {status['previous']}, and no complete "
        "version older than it is kept: nothing to roll back to"
    )


def test_search_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    missing = cli("search", "x", home=tmp_path)
    assert missing.code == 2
    assert "run 'arabic-search reindex' first" in missing.err
    assert "Traceback" not in missing.err
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    deep = cli("search", "x", "--page", "500", "--size", "100", home=tmp_path)
    assert deep.code == 2 and "cursor" in deep.err


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of tests/fixtures/variants.jsonl, dated 1999-10-12 and 2021-03-01 to
    2021-12-30."""
    home = tmp_path_factory.mktemp("variants")
    assert cli("reindex", str(FIXTURES / "variants.jsonl"), home=home).code == 0
    return home


@pytest.mark.parametrize(
    ("dates", "total"),
    [
        (["--since", "2021"], 6),
        (["--until", "2021"], 7),  # through 2021-12-31: the article of Dec 30 is in
        (["--since", "2021-06", "--until", "2021-11"], 3),
        (["--since", "٢٠٢١-١١-٠٥", "--until", "۲۰۲۱-۱۱-۰۵"], 1),  # Arabic-Indic, Persian
        (["--since", "2021-11-05Z"], 2),
        # The article of 2021-05-20 is at 00:00 UTC, after 00:00 at +03:00.
        (["--until", "2021-05-20T00:00+03:00"], 2),
    ],
)
def test_date_filters_take_years_months_other_digits_and_zones(
    variants: Path, dates: list[str], total: int
) -> None:
    result = cli("search", "", *dates, "--json", home=variants)
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"] == total


@pytest.mark.parametrize(
    ("filters", "total"),
    [
        (["--category", "سياسة", "--category", "رياضة"], 3),
        (["--source", "مصدر ب", "--source", "مصدر ج", "--category", "سياسة"], 2),
        (["--author", "x", "--author", "y"], 0),
    ],
)
def test_a_repeated_filter_takes_any_of_its_values(
    variants: Path, filters: list[str], total: int
) -> None:
    result = cli("search", "", *filters, "--json", home=variants)
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"] == total


def test_a_cursor_pages_on_only_its_own_search(variants: Path) -> None:
    first = json.loads(cli("search", "", "--size", "2", "--json", home=variants).out)
    cursor = first["next_cursor"]
    on = cli("search", "", "--size", "2", "--cursor", cursor, "--json", home=variants)
    assert on.code == 0, on.err
    for other in (["القاهرة"], ["", "--category", "سياسة"], ["", "--until", "2021"]):
        refused = cli("search", *other, "--cursor", cursor, home=variants)
        assert refused.code == 2 and "Traceback" not in refused.err
        assert refused.error_line().startswith(
            "arabic-search search: this cursor belongs to another search: "
        )
    both = cli("search", "", "--cursor", cursor, "--page", "2", home=variants)
    assert both.code == 2
    assert both.error_line().endswith("give --cursor or --page, not both")


def test_size_0_shows_the_total_and_facets(variants: Path) -> None:
    body = json.loads(cli("search", "", "--size", "0", "--json", home=variants).out)
    assert body["total"] == 7 and body["hits"] == [] and "next_cursor" not in body
    assert body["facets"]["category"]["سياسة"] == 2
    readable = cli("search", "", "--size", "0", home=variants)
    assert readable.code == 0, readable.err
    assert readable.out.startswith("7 results\n\ncategory: ") and "more:" not in readable.out


EXAMPLE = "write it as 2018, 2018-06, 2018-06-01 or 2018-06-01T09:30+03:00"


@pytest.mark.parametrize(
    ("dates", "line"),
    [
        (
            ["--since", "yesterday"],
            f"since 'yesterday': not a year, a month, a day or a date-time; {EXAMPLE}",
        ),
        (["--until", "2018-13"], f"until '2018-13': month must be in 1..12; {EXAMPLE}"),
        (
            ["--since", "2019", "--until", "2018"],
            "since 2019 is after until 2018, so nothing can match; swap them",
        ),
    ],
)
def test_a_bad_date_is_one_line_with_an_example_and_exit_2(
    tmp_path: Path, dates: list[str], line: str
) -> None:
    result = cli("search", "x", *dates, home=tmp_path)
    assert result.code == 2
    # One line, and no argparse usage block: the query module reads the dates.
    assert result.err == f"arabic-search search: {line}\n"


def test_elasticsearch_needs_es_url(tmp_path: Path) -> None:
    result = cli("search", "x", "--backend", "elasticsearch", home=tmp_path)
    assert result.code == 2
    assert "ES_URL is not set" in result.err


def test_a_reindex_of_a_mistyped_path_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    before = json.loads(cli("status", "--json", home=tmp_path).out)
    typo = cli("reindex", str(FIXTURES / "variant.jsonl"), home=tmp_path)
    assert typo.code == 2, typo.err  # refused: not "finished, with rejects" (1)
    # Refused before anything is built: a missing path is no rejected record.
    [message] = [line for line in typo.err.splitlines() if line.startswith("arabic-search")]
    assert "no such file or directory" in message and "variant.jsonl" in message
    assert "check the path" in message
    assert "Traceback" not in typo.err
    assert json.loads(cli("status", "--json", home=tmp_path).out) == before
    assert json.loads(cli("search", "القاهرة", "--json", home=tmp_path).out)["total"] == 1


def test_dates_are_shown_one_way_and_kept_as_iso_in_json(tmp_path: Path) -> None:
    stored = {  # as the sources give them -> as stored -> as shown
        "2021-11-23": ("2021-11-23", "2021-11-23"),
        "الأربعاء ٥ يناير ٢٠٢٢ - ١٠:٣٠ م": ("2022-01-05T22:30:00", "2022-01-05 22:30"),
        "Tue, 20 Feb 2018 19:27:52 +0400": ("2018-02-20T19:27:52+04:00", "2018-02-20 15:27"),
    }
    path = tmp_path / "dates.jsonl"
    path.write_text(
        "".join(
            json.dumps({"url": f"http://d.test/{n}", "title": f"خبر {n}", "time": t, "cat": "c"})
            + "\n"
            for n, t in enumerate(stored)
        ),
        encoding="utf-8",
    )
    assert cli("reindex", str(path), home=tmp_path / "home").code == 0
    body = json.loads(cli("search", "", "--json", home=tmp_path / "home").out)
    assert {h["published_at"] for h in body["hits"]} == {iso for iso, _ in stored.values()}
    readable = cli("search", "", "--sort", "date", home=tmp_path / "home").out
    shown = [line.split(" · ")[0].strip() for line in readable.splitlines() if " · " in line]
    assert shown == ["2022-01-05 22:30", "2021-11-23", "2018-02-20 15:27"]


def test_hits_are_numbered_across_pages(tmp_path: Path) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    pages = [cli("search", "", "--size", "3", "--page", p, home=tmp_path).out for p in "123"]
    numbers = [int(m) for page in pages for m in re.findall(r"^(\d+)\. ", page, re.MULTILINE)]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    assert all(page.startswith("7 results\n") for page in pages)


def test_a_query_may_start_with_a_minus(tmp_path: Path) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    result = cli("search", "-القاهرة", "--json", home=tmp_path)
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"] == 6  # all 7 but the one
    both = cli("search", "-القاهرة", "-الطقس", "--json", home=tmp_path)
    assert json.loads(both.out)["total"] == 5
    # After --, options given before it.
    ended = run_cli("search", "--json", "--home", str(tmp_path), "--", "-القاهرة")
    assert json.loads(ended.out)["total"] == 6
    typo = cli("search", "القاهرة", "--jsn", home=tmp_path)  # options stay options
    assert typo.code == 2 and "unrecognized arguments: --jsn" in typo.err


@pytest.mark.parametrize("days", ["0", "-5", "nan"])
def test_recency_must_be_a_positive_number_of_days(tmp_path: Path, days: str) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    result = cli("search", "القاهرة", "--recency", days, home=tmp_path)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.error_line().startswith("arabic-search search: --recency must be")


def test_a_query_with_nothing_searchable_says_why(tmp_path: Path) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    readable = cli("search", "من في ؟", home=tmp_path)
    assert readable.code == 0
    assert readable.out.splitlines()[0] == (
        "0 results: nothing searchable is left of the query: من, في, ؟ are stopwords or "
        "punctuation (a stopword counts only inside a quoted phrase)"
    )
    body = json.loads(cli("search", "من في ؟", "--json", home=tmp_path).out)
    assert body["nothing_searchable"] is True and body["dropped"] == ["من", "في", "؟"]


def test_search_help_says_what_phrases_operators_and_recency_do(tmp_path: Path) -> None:
    help_text = " ".join(cli("search", "--help", home=tmp_path).out.split())
    assert "in order, in any inflection, the exact form ranked higher" in help_text
    assert "AND" in help_text and "NOT" in help_text
    assert "from the newest article in the index" in help_text


def _advised(text: str) -> list[str]:
    """The command the last advice of a text says to run, as arguments of run_cli."""
    found = re.findall(r"run '([^']+)' (?:to continue it|first)", text)
    assert found, text
    program, *args = shlex.split(found[-1])
    assert program == "arabic-search"
    return args


def _no_backend_env() -> dict[str, str]:
    """This environment without what chooses a backend or the home."""
    chosen = ("ARABIC_SEARCH_BACKEND", "ARABIC_SEARCH_HOME", "ES_URL", "OPENSEARCH_URL")
    return {k: v for k, v in os.environ.items() if k not in chosen}


def test_status_and_search_point_to_resume_after_an_interrupted_reindex(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path, checkpoint_every=5)
    source = str(FIXTURES / "ant-sample.jsonl")
    version, checkpoint = interrupted_load(backend, source)
    assert checkpoint.records == 10

    status = cli("status", "--alias", "news", home=tmp_path)
    assert status.code == 0
    advice = (
        f"the reindex into {version} was interrupted: run 'arabic-search reindex --resume "
        f"--backend embedded --alias news --home {tmp_path}' to continue it"
    )
    assert advice in status.out
    assert f"{version}  10 documents  interrupted at record 10 ({source} 10)" in status.out
    assert "lock" not in status.out and "running" not in status.out
    as_json = json.loads(cli("status", "--alias", "news", "--json", home=tmp_path).out)
    assert as_json["interrupted"] == version and as_json["lock"] is None
    [state] = as_json["versions"]
    assert (state["state"], state["records"], state["documents"]) == ("interrupted", 10, 10)
    assert state["checkpoint"] == f"record 10 ({source} 10)"

    search = cli("search", "القاهرة", "--alias", "news", home=tmp_path)
    assert search.code == 2 and "Traceback" not in search.err
    assert search.error_line().endswith(advice)


def test_the_resume_advice_works_as_printed(tmp_path: Path) -> None:
    """Without --backend given, the advice names none; with a home and alias of their
    own, it names them; and run as printed, it resumes the load and switches to it."""
    home = tmp_path / "elsewhere"
    version, _ = interrupted_load(EmbeddedBackend(home), str(FIXTURES / "ant-sample.jsonl"))
    env = _no_backend_env()
    status = run_cli("status", "--alias", "news", "--home", str(home), env=env, cwd=tmp_path)
    args = _advised(status.out)
    assert args == ["reindex", "--resume", "--alias", "news", "--home", str(home)]
    search = run_cli("search", "مصر", "--alias", "news", "--home", str(home), env=env)
    assert _advised(search.error_line()) == args

    resumed = run_cli(*args, env=env, cwd=tmp_path)
    assert resumed.code == 0, resumed.err
    after = json.loads(cli("status", "--alias", "news", "--json", home=home).out)
    assert after["current"] == version and after["interrupted"] is None
    assert [v["state"] for v in after["versions"]] == ["complete"]


def test_a_version_being_built_shows_as_running_with_its_holder(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path, checkpoint_every=5)
    source = str(FIXTURES / "ant-sample.jsonl")
    with reindex_paused(backend, source, "news", at=15):
        status = cli("status", "--alias", "news", home=tmp_path)
        as_json = json.loads(cli("status", "--alias", "news", "--json", home=tmp_path).out)
        search = cli("search", "القاهرة", "--alias", "news", home=tmp_path)
        second = cli("reindex", source, "--alias", "news", home=tmp_path)
        here = {**os.environ, "ARABIC_SEARCH_HOME": str(tmp_path)}
        unlock = run_cli("unlock", "--backend", "embedded", "--alias", "news", env=here)
    assert status.code == 0, status.err
    # Not "no reindex lock": the lock is held, by a reindex that runs.
    assert unlock.code == 2 and "is held by pid" in unlock.error_line()
    assert second.code == 2
    assert re.fullmatch(
        rf"arabic-search reindex: another reindex of 'news' is running \(since \S+, pid "
        rf"{os.getpid()}\): wait for it to end; its lock ends with its process, so there is "
        "nothing to unlock",
        second.error_line(),
    ), second.err
    holder = f"pid {os.getpid()} on {socket.gethostname()} since "
    assert f"reindex lock held by {holder}" in status.out
    [version] = [v["name"] for v in as_json["versions"]]
    assert re.search(
        rf"{version}  10 documents  running \(10 records so far, {holder}\S+\)", status.out
    ), status.out
    assert "interrupted" not in status.out and "--resume" not in status.out
    assert as_json["interrupted"] is None
    assert as_json["lock"]["pid"] == os.getpid()
    assert as_json["lock"]["host"] == socket.gethostname() and as_json["lock"]["since"]
    assert [(v["state"], v["records"]) for v in as_json["versions"]] == [("running", 10)]
    assert search.code == 2 and "--resume" not in search.err
    # Once it has ended, nobody holds the lock and the version is complete.
    after = json.loads(cli("status", "--alias", "news", "--json", home=tmp_path).out)
    assert after["lock"] is None and after["current"] == version


def test_status_of_an_alias_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    result = cli("status", "--alias", "nowhere", home=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.error_line() == (
        "arabic-search status: alias 'nowhere' does not exist: no version of it was built; "
        f"run 'arabic-search reindex PATH... --backend embedded --alias nowhere --home "
        f"{tmp_path}' first"
    )


def test_the_words_past_the_limit_are_listed_and_said(tmp_path: Path) -> None:
    assert cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path).code == 0
    # 148 words that match nothing, القاهرة as the 149th and 150th, then 5 past the limit.
    words = [f"كلمة{n}" for n in range(148)] + ["القاهرة", "القاهرة"]
    past = ["زحام", "مروري", '"في القاهرة"', "-طهران", "اخيرة"]
    query = " ".join(words + past)

    body = json.loads(cli("search", query, "--json", home=tmp_path).out)
    assert body["over_limit"] == past and body["dropped"][-5:] == past
    assert body["total"] == 1  # the words within the limit still match

    text = cli("search", query, home=tmp_path).out
    assert text.startswith("1 result\n(left out, past the limit of 150 words: 5 parts")
    assert "from 'زحام'" in text
    # Under the limit nothing is said.
    short = cli("search", "زحام مروري", "--json", home=tmp_path)
    assert json.loads(short.out)["over_limit"] == []
    assert "past the limit" not in cli("search", "زحام مروري", home=tmp_path).out
