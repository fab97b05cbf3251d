"""Does parsing in a child process (indexer/parse_ahead.py) make `reindex` faster?

`arabic-search reindex` of the ANT corpus (.gz) into a fresh embedded home, as a
fresh process each run, with the parsing in a child process and in the indexing
process itself. Both run through the same small launcher (the one-process case
swaps parse_paths_ahead for parse_paths before main runs), so they pay the same
start-up. The two take turns, and the one that goes first alternates from round
to round; median wall time of each, the spread, the ratio, and the median CPU time
(user + system, the process and its children).

    .venv/bin/python bench/parse_ahead.py [--runs R]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANT = ROOT.parent / "shared/data/ant-news/ant_v2.1_multisource.jsonl.gz"

LAUNCHER = """
import sys
if sys.argv[1] == "one process":
    import indexer.ingest, indexer.reindex
    indexer.reindex.parse_paths_ahead = (
        lambda paths, options, position=None: indexer.ingest.parse_paths(paths, options, position)
    )
from indexer.cli import main
sys.exit(main(sys.argv[2:]))
"""
KINDS = ("child process", "one process")


def run_once(kind: str, home: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    command = [sys.executable, "-c", LAUNCHER, kind, "reindex", str(ANT), "--home", str(home)]
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        sys.exit(f"{kind} failed: {done.stderr.decode()[-500:]}")
    shutil.rmtree(home)
    cpu = after.children_user - before.children_user
    return seconds, cpu + after.children_system - before.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not ANT.is_file():
        sys.exit(f"needs the ANT corpus at {ANT} (../shared)")
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.runs):
            order = KINDS if round_ % 2 == 0 else KINDS[::-1]
            for kind in order:
                seconds, used = run_once(kind, Path(tmp) / "home")
                times[kind].append(seconds)
                cpu[kind].append(used)
    medians = {kind: statistics.median(t) for kind, t in times.items()}
    for kind, runs in times.items():
        shown = ", ".join(f"{t:.2f}" for t in runs)
        spread = f"{min(runs):.2f}-{max(runs):.2f}"
        used = statistics.median(cpu[kind])
        print(f"  {kind:15} {medians[kind]:6.2f} s median, {spread}, CPU {used:.2f} s  ({shown})")
    ratio = medians["one process"] / medians["child process"]
    print(f"  child process speed / one process speed  {ratio:.2f}x")


if __name__ == "__main__":
    main()
