"""The CLI contract for normalize and analyze (names and JSON shapes)."""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

from helpers import BEIR, FIXTURES, run_cli, run_process


def test_normalize_streams_stdin_to_stdout() -> None:
    # Through the entry point, `python -m indexer.cli`, with a real stdin and stdout.
    result = run_process("normalize", stdin="أَحْمَد في القاهرة\nعام ٢٠٢١ ﻻ\n".encode())
    assert result.code == 0
    assert result.out == "احمد في القاهره\nعام 2021 لا\n"


def test_normalize_can_switch_a_rule_off() -> None:
    result = run_cli("normalize", "--disable", "fold_teh_marbuta", stdin="القاهرة".encode())
    assert result.out == "القاهرة"
    assert run_cli("normalize", "--disable", "nope").code == 2


def test_normalize_passes_bad_bytes_through_and_reports_the_line() -> None:
    data = "أ\n".encode() + b"\xff\xfe bad\n" + "إ\n".encode()
    result = run_cli("normalize", stdin=data)
    assert result.code == 1
    assert result.stdout == "ا\n".encode() + b"\xff\xfe bad\n" + "ا\n".encode()
    assert b"stdin line 2: not UTF-8" in result.stderr


def test_normalize_json_is_an_object_a_line_and_keeps_a_bad_line_as_null() -> None:
    data = "أَحْمَد\r\n".encode() + b"\xff bad\n" + "عام ٢٠٢١\n".encode()
    result = run_cli("normalize", "--json", stdin=data)
    assert result.code == 1  # the bad line, reported
    assert [json.loads(line) for line in result.out.splitlines()] == [
        {"line": 1, "normalized": "احمد"},
        {"line": 2, "normalized": None},
        {"line": 3, "normalized": "عام 2021"},
    ]
    assert "stdin line 2: not UTF-8" in result.err and "normalized: null" in result.err
    rules = json.loads(run_cli("normalize", "--list-rules", "--json").out)["rules"]
    assert "fold_teh_marbuta" in rules and all(rules.values())


def test_analyze_json_shape() -> None:
    result = run_cli("analyze", "--json", "وزارة الخارجيّة الروسية")
    assert result.code == 0
    body = json.loads(result.stdout)
    assert body == {
        "analyzer": "text",
        "tokens": [
            {"token": "وزار", "start": 0, "end": 5, "position": 0},
            {"token": "خارج", "start": 6, "end": 15, "position": 1},
            {"token": "روس", "start": 16, "end": 23, "position": 2},
        ],
    }


def test_analyze_named_analyzers() -> None:
    exact = json.loads(run_cli("analyze", "--analyzer", "exact", "--json", "الخارجية").stdout)
    assert exact["analyzer"] == "exact"
    assert [t["token"] for t in exact["tokens"]] == ["الخارجيه"]
    keyword = json.loads(
        run_cli("analyze", "--analyzer", "keyword", "--json", " أخبار سورية").stdout
    )
    assert [t["token"] for t in keyword["tokens"]] == ["اخبار سوريه"]


def test_analyze_stdin_gives_one_json_object_per_line() -> None:
    result = run_cli("analyze", "-", stdin="أحمد\n\nالقاهرة\n".encode())
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [[t["token"] for t in line["tokens"]] for line in lines] == [["احمد"], [], ["قاهر"]]


def test_analyze_readable_output() -> None:
    result = run_cli("analyze", "الخارجية الروسية")
    assert result.out.splitlines() == ["0\t0-8\tخارج", "1\t9-16\tروس"]


def test_usage_error_exits_2() -> None:
    assert run_cli("analyze", "--analyzer", "nope", "x").code == 2
    assert run_cli().code == 2


def test_normalize_lists_every_rule() -> None:
    from indexer.analysis.normalize import RULE_NAMES

    listed = [line.split()[0] for line in run_cli("normalize", "--list-rules").out.splitlines()]
    assert listed == list(RULE_NAMES)


def test_bad_places_and_files_are_one_line_and_exit_2(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    variants = str(FIXTURES / "variants.jsonl")
    cases = {
        ("search", "x", "--home", str(a_file)): "--home ",
        ("status", "--home", str(a_file)): "is a file, not a folder",
        ("reindex", variants, "--home", "/proc/no-such-place"): "cannot write there",
        ("eval", "--corpus", "no-such.jsonl", "--queries", "q", "--qrels", "r"): "no such file",
        # --corpus and --queries swapped: no judged query can be found.
        (
            "eval",
            "--corpus",
            str(BEIR / "queries.jsonl"),
            "--queries",
            str(BEIR / "corpus.jsonl"),
            "--qrels",
            str(BEIR / "qrels.tsv"),
        ): "no query of",
    }
    for args, says in cases.items():
        result = run_cli(*args, "--backend", "embedded")
        err = result.err
        assert result.code == 2, (args, err)
        [line] = [x for x in err.splitlines() if x.startswith("arabic-search")]
        assert says in line and "Traceback" not in err, (args, err)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from indexer.cli import build_parser

    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices


def test_every_command_has_a_description_examples_exit_codes_and_option_help() -> None:
    for name, parser in _subcommands().items():
        text = parser.format_help()
        assert parser.description, name
        examples = text.split("examples:\n")[1].split("\n\n")[0].splitlines()
        assert len(examples) >= 2 and all(f"arabic-search {name}" in e for e in examples), name
        codes = re.findall(r"^  (\d+) ", text.split("exit codes:\n")[1], flags=re.MULTILINE)
        assert codes[0] == "0" and "2" in codes, name
        for action in parser._actions:
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


def test_options_are_listed_where_they_apply_and_say_which_backend() -> None:
    # An option's help, "" for none (no option lacks it: the test above).
    options = {
        name: {o: a.help or "" for a in parser._actions for o in a.option_strings}
        for name, parser in _subcommands().items()
    }
    for name in ("reindex", "search", "status", "versions", "rollback", "discard", "unlock"):
        for option in ("--timeout", "--retries"):
            assert options[name][option].startswith("cluster only"), (name, option)
        if name != "unlock":  # the embedded lock ends with its process: no home to name
            assert options[name]["--home"].startswith("embedded only"), name
    assert "--home" not in options["unlock"]
    assert options["reindex"]["--dead-letters"].startswith("cluster only")
    assert options["reindex"]["--from-index"].startswith("cluster only")
    # Old versions are pruned by a reindex only; dead letters are a reindex's.
    for name in ("search", "status", "versions", "rollback", "discard", "unlock"):
        assert not {"--keep-versions", "--dead-letters", "--report"} & set(options[name]), name


def test_a_text_of_stopwords_only_says_so_on_stderr() -> None:
    result = run_cli("analyze", "من في على")
    assert result.code == 0 and result.stdout == b""
    assert "no tokens" in result.err and "stopwords" in result.err
    assert run_cli("analyze", "القاهرة").stderr == b""


def test_the_home_can_come_from_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "ARABIC_SEARCH_HOME": str(tmp_path / "home")}
    env.pop("ARABIC_SEARCH_BACKEND", None)
    variants = str(FIXTURES / "variants.jsonl")
    result = run_cli("reindex", "--backend", "embedded", variants, cwd=tmp_path, env=env)
    assert result.code == 0, result.err
    assert f"backend: embedded (home {tmp_path / 'home'})" in result.err
    assert (tmp_path / "home" / "articles.json").is_file()
    assert not (tmp_path / ".arabic-search").exists()
