"""reindex, search, status and rollback from the command line (embedded backend)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    backend = [] if "--backend" in args else ["--backend", "embedded"]
    command = [sys.executable, "-m", "indexer.cli", *args, *backend, "--home", str(home)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


def test_reindex_search_status_rollback(tmp_path: Path) -> None:
    first = cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "backend: embedded" in first.stderr
    assert "read 7 / indexed 7 / duplicates 0 / rejected 0" in first.stderr

    result = cli("search", "القاهره", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["total"] == 1
    [hit] = body["hits"]
    assert {"id", "score", "title", "published_at", "category", "source", "highlight"} <= set(hit)
    assert hit["highlight"]["title"] == ["زحام مروري في <em>القاهرة</em>"]
    assert body["facets"]["category"] == {"محليات": 1}

    readable = cli("search", "القاهرة", home=tmp_path).stdout
    assert readable.startswith("1 result\n") and "**القاهرة**" in readable

    second = cli("reindex", str(FIXTURES / "trec"), "--allow-shrink", home=tmp_path)  # 7 -> 3
    assert second.returncode == 0, second.stderr
    status = json.loads(cli("status", "--json", home=tmp_path).stdout)
    assert status["documents"] == 3 and status["previous"]
    rolled = cli("rollback", home=tmp_path)
    assert rolled.returncode == 0 and status["previous"] in rolled.stdout
    assert json.loads(cli("search", "القاهرة", "--json", home=tmp_path).stdout)["total"] == 1


def test_search_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    missing = cli("search", "x", home=tmp_path)
    assert missing.returncode == 2
    assert "run 'arabic-search reindex' first" in missing.stderr
    assert "Traceback" not in missing.stderr
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    deep = cli("search", "x", "--page", "500", "--size", "100", home=tmp_path)
    assert deep.returncode == 2 and "cursor" in deep.stderr
    bad_date = cli("search", "x", "--since", "yesterday", home=tmp_path)
    assert bad_date.returncode == 2 and "not an ISO date" in bad_date.stderr


def test_elasticsearch_needs_es_url(tmp_path: Path) -> None:
    result = cli("search", "x", "--backend", "elasticsearch", home=tmp_path)
    assert result.returncode == 2
    assert "ES_URL is not set" in result.stderr


def test_a_reindex_of_a_mistyped_path_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    before = json.loads(cli("status", "--json", home=tmp_path).stdout)
    typo = cli("reindex", str(FIXTURES / "variant.jsonl"), home=tmp_path)
    assert typo.returncode == 2, typo.stderr  # refused: not "finished, with rejects" (1)
    assert "variant.jsonl: rejected: no such file" in typo.stderr
    [message] = [line for line in typo.stderr.splitlines() if line.startswith("arabic-search")]
    assert "indexed nothing" in message and "check the paths" in message
    assert "Traceback" not in typo.stderr
    assert json.loads(cli("status", "--json", home=tmp_path).stdout) == before
    assert json.loads(cli("search", "القاهرة", "--json", home=tmp_path).stdout)["total"] == 1


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
    assert cli("reindex", str(path), home=tmp_path / "home").returncode == 0
    body = json.loads(cli("search", "", "--json", home=tmp_path / "home").stdout)
    assert {h["published_at"] for h in body["hits"]} == {iso for iso, _ in stored.values()}
    readable = cli("search", "", "--sort", "date", home=tmp_path / "home").stdout
    shown = [line.split(" · ")[0].strip() for line in readable.splitlines() if " · " in line]
    assert shown == ["2022-01-05 22:30", "2021-11-23", "2018-02-20 15:27"]


def test_hits_are_numbered_across_pages(tmp_path: Path) -> None:
    cli("reindex", str(FIXTURES / "variants.jsonl"), home=tmp_path)
    pages = [cli("search", "", "--size", "3", "--page", p, home=tmp_path).stdout for p in "123"]
    numbers = [int(m) for page in pages for m in re.findall(r"^(\d+)\. ", page, re.MULTILINE)]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    assert all(page.startswith("7 results\n") for page in pages)
