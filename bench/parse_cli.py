"""`arabic-search parse` of the ANT corpus to a file, against a bare loop that only
gunzips, json.loads and json.dumps each line, side by side in one run.

Both run as fresh processes of the same Python, with stdout to a file and stderr to
a pipe (no terminal, so no progress bar), one after the other in each round, so that
both meet the same machine; several rounds, median wall time, and the ratio (bare
loop / CLI: 1.0 or more means the CLI is at least as fast).

    .venv/bin/python bench/parse_cli.py [--runs R]
"""

from __future__ import annotations

import argparse
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
COMMANDS = {
    "bare loop": lambda out: [sys.executable, "-c", BARE_LOOP, str(ANT), str(out)],
    "arabic-search parse": lambda out: [sys.executable, "-m", "indexer.cli", "parse", str(ANT)],
}


def run_once(name: str, out: Path) -> float:
    command = COMMANDS[name](out)
    start = time.perf_counter()
    with out.open("wb") as stdout:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{name} failed: {done.stderr.decode()[-500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not ANT.is_file():
        sys.exit(f"needs the ANT corpus at {ANT} (../shared)")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for name in COMMANDS:
                times[name].append(run_once(name, Path(tmp) / "out.jsonl"))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, runs in times.items():
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(f"  {name:22} {medians[name]:6.2f} s median   (runs: {shown})")
    ratio = medians["bare loop"] / medians["arabic-search parse"]
    print(f"  CLI speed / bare loop speed  {ratio:.2f}x")


if __name__ == "__main__":
    main()
