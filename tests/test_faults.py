"""Faults and hostile input: nothing lost, nothing hangs, memory stays bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def many_articles(path: Path, count: int) -> Path:
    template = json.loads(
        (FIXTURES / "ant-sample.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    with path.open("w", encoding="utf-8") as f:
        for n in range(count):
            doc = {**template, "url": f"http://example.test/{n}", "text": f"{template['text']} {n}"}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def test_kill_9_during_reindex_keeps_the_old_version_and_the_next_reindex_works(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    first = cli(
        "reindex", str(FIXTURES / "variants.jsonl"), "--backend", "embedded", "--home", str(home)
    )
    assert first.wait(timeout=120) == 0
    big = many_articles(tmp_path / "big.jsonl", 4000)
    running = cli("reindex", str(big), "--backend", "embedded", "--home", str(home))
    versions = home / "versions"
    deadline = time.monotonic() + 60
    while len(list(versions.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the load
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=30)
    assert len(list(versions.iterdir())) == 2  # the killed one is left behind

    search = cli("search", "القاهرة", "--json", "--backend", "embedded", "--home", str(home))
    out, err = search.communicate(timeout=120)
    assert search.returncode == 0, err
    assert json.loads(out)["total"] == 1  # still the first version

    again = cli("reindex", str(FIXTURES / "trec"), "--backend", "embedded", "--home", str(home))
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    status = cli("status", "--json", "--backend", "embedded", "--home", str(home))
    state = json.loads(status.communicate(timeout=60)[0])
    assert state["documents"] == 3
    assert all(v["complete"] for v in state["versions"])  # the left-over is gone


def test_a_100_mb_line_is_rejected_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write('{"title": "قبل"}\n')
        f.write('{"text": "')  # 100 MB of UTF-8, written in pieces
        for _ in range(50):
            f.write("ب" * (1024 * 1024))
        f.write('"}\n')
        f.write('{"title": "بعد"}\n')
    # The child reports its own peak RSS: VmHWM of its address space, which (unlike
    # getrusage's maxrss) does not start from the forking parent's.
    report_peak = (
        "import re, sys; from indexer.cli import main; code = main(sys.argv[1:]); "
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]; "
        "print('PEAK_KB', hwm, file=sys.stderr); sys.exit(code)"
    )
    parse = subprocess.Popen(
        [sys.executable, "-c", report_peak, "parse", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = parse.communicate(timeout=300)
    peak_mb = int(err.split("PEAK_KB")[1].split()[0]) / 1024
    assert parse.returncode == 1
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["قبل", "بعد"]
    assert f"{path}:2: rejected: oversized" in err
    assert "read 3 / parsed 2 / duplicates 0 / rejected 1" in err
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB"  # the line alone is 100 MB


def test_csv_with_an_unclosed_quote_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('title,text\nأول,نص\nثان,"نص بلا نهاية\nثالث,نص\n', encoding="utf-8")
    parse = cli("parse", str(path))
    out, err = parse.communicate(timeout=60)
    assert len(out.splitlines()) == 1
    assert "rejected" in err and "read 2 / parsed 1 / duplicates 0 / rejected 1" in err


def test_symlink_loops_and_broken_links_are_not_followed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text('{"title": "خبر"}\n', encoding="utf-8")
    os.symlink(data, data / "loop")
    os.symlink(data / "missing.jsonl", data / "broken.jsonl")
    parse = cli("parse", str(data))
    out, err = parse.communicate(timeout=60)
    assert len(out.splitlines()) == 1
    assert "broken.jsonl: rejected: no such file" in err


def test_help_and_errors_never_show_secrets(tmp_path: Path) -> None:
    env = {**os.environ, "ES_URL": "http://user:pa55word@127.0.0.1:9", "ES_API_KEY": "c2VjcmV0a2V5"}
    for args in (
        ["--help"],
        ["reindex", "--help"],
        ["status", "--backend", "elasticsearch", "--retries", "0"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "indexer.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        shown = result.stdout + result.stderr
        assert "pa55word" not in shown and "c2VjcmV0a2V5" not in shown
        assert "Traceback" not in shown
