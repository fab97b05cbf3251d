"""`arabic-search parse` of the ANT corpus to a file, against a bare loop that only
gunzips, json.loads and json.dumps each line, side by side in one run.

Both run as fresh processes of the same Python, with stdout to a file and stderr to
a pipe (no terminal, so no progress bar), one after the other in each round, so that
both meet the same machine; the order turns round from one round to the next. Several
rounds, median wall time, and the ratio (bare loop / CLI: 1.0 or more means the CLI is
at least as fast). Also the CPU time (user + system, of the process and its children:
the parse workers) of each, and, with --workers, the CLI with those numbers of worker
processes beside the default.

    .venv/bin/python bench/parse_cli.py [--runs R] [--workers N ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANT = ROOT.parent / "shared/data/ant-news/ant_v2.1_multisource.jsonl.gz"

BARE_LOOP = """
import gzip, json, sys
with gzip.open(sys.argv[1], "rb") as lines, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in lines:
        out.write(json.dumps(json.loads(line), ensure_ascii=False) + "\\n")
"""
BARE = "bare loop"
CLI = "arabic-search parse"


def commands(workers: list[int]) -> dict[str, list[str]]:
    """Each command's words; the bare loop's output file is OUT."""
    cli = [sys.executable, "-m", "indexer.cli", "parse", str(ANT)]
    return {
        BARE: [sys.executable, "-c", BARE_LOOP, str(ANT), "OUT"],
        CLI: cli,
        **{f"parse --workers {n}": [*cli, "--workers", str(n)] for n in workers},
    }


def run_once(name: str, command: list[str], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    command = [str(out) if word == "OUT" else word for word in command]
    cpu_before = os.times()
    start = time.perf_counter()
    with out.open("wb") as stdout:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - start
    cpu_after = os.times()
    if done.returncode != 0:
        sys.exit(f"{name} failed: {done.stderr.decode()[-500:]}")
    cpu = (cpu_after.children_user - cpu_before.children_user) + (
        cpu_after.children_system - cpu_before.children_system
    )
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[], help="also run parse --workers N"
    )
    args = parser.parse_args()
    if not ANT.is_file():
        sys.exit(f"needs the ANT corpus at {ANT} (../shared)")
    runs = commands(args.workers)
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.runs):
            order = list(runs) if round_ % 2 == 0 else list(runs)[::-1]
            for name in order:
                seconds, used = run_once(name, runs[name], Path(tmp) / "out.jsonl")
                times[name].append(seconds)
                cpu[name].append(used)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, walls in times.items():
        shown = ", ".join(f"{t:.2f}" for t in walls)
        used = statistics.median(cpu[name])
        print(f"  {name:22} {medians[name]:6.2f} s median, CPU {used:5.2f} s   (runs: {shown})")
    for name in runs:
        if name != BARE:
            print(f"  {name} speed / bare loop speed  {medians[BARE] / medians[name]:.2f}x")


if __name__ == "__main__":
    main()
