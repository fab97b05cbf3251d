"""Run one benchmark script on an earlier commit and on this checkout, taking turns,
and show each one's medians side by side: "no benchmark gets slower" measured in one run.

The earlier commit is checked out as a git worktree beside this checkout (so `../shared`
is found from it too), its C extension built in place. Each round runs the script
from the earlier tree, then from this one (the order alternates every round), as fresh
processes with PYTHONPATH at their own tree, so each imports its own `indexer`. Every
number in a script's output is replaced by its median over the rounds; the lines of
both trees are then printed one under the other.

    .venv/bin/python bench/before_after.py REF [--rounds N] -- bench/parse.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")  # 1,250.5 too


def checkout(ref: str) -> Path:
    """A worktree of `ref` beside this checkout, with its C extension built in place
    (with `cc` directly, as setup.py would, so no build tools of that day are needed)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = ROOT.parent / f"bench-base-{sha}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True)
    for source in (tree / "indexer").glob("*.c"):
        built = source.with_suffix(sysconfig.get_config_var("EXT_SUFFIX"))
        flags = ["-O3", "-shared", "-fPIC", f"-I{sysconfig.get_paths()['include']}"]
        subprocess.run(["cc", *flags, str(source), "-o", str(built)], check=True)
    return tree


def run(tree: Path, script: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, *script], cwd=tree, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"{script[0]} failed in {tree}: {done.stderr.strip()[-800:]}")
    return done.stdout


def medians(outputs: list[str]) -> list[str]:
    """The output's lines with each number replaced by its median over the runs (lines
    whose shape differs between runs, such as a list of single runs, keep the first's)."""
    split = [output.splitlines() for output in outputs]
    lines = []
    for row in zip(*split, strict=False):
        numbers = [NUMBER.findall(line) for line in row]
        if len({len(n) for n in numbers}) != 1 or not numbers[0]:
            lines.append(row[0])
            continue
        middles = [
            statistics.median(float(n[i].replace(",", "")) for n in numbers)
            for i in range(len(numbers[0]))
        ]
        shown = [_like(text, value) for text, value in zip(numbers[0], middles, strict=True)]
        pieces = NUMBER.split(row[0])
        lines.append("".join(p + s for p, s in zip(pieces, [*shown, ""], strict=True)))
    return lines


def _like(shown: str, value: float) -> str:
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return f"{value:{',' if ',' in shown else ''}.{decimals}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the earlier commit, e.g. main or a sha")
    parser.add_argument("--rounds", type=int, default=3)
    argv = sys.argv[1:]
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        parser.error("give the benchmark after --, e.g. -- bench/parse.py --runs 3")
    args = parser.parse_args(argv[: argv.index("--")])
    script = argv[argv.index("--") + 1 :]
    trees = {"before": checkout(args.ref), "after": ROOT}
    outputs: dict[str, list[str]] = {name: [] for name in trees}
    for round_number in range(args.rounds):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for name in order:
            outputs[name].append(run(trees[name], script))
            print(f"round {round_number + 1}: {name} done", file=sys.stderr)
    for name, tree in trees.items():
        print(f"== {name} ({tree.name}), medians of {args.rounds} rounds")
        print("\n".join(medians(outputs[name])))


if __name__ == "__main__":
    main()
