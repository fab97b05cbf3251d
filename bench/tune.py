"""Ranking weights chosen by coordinate ascent on the train folds, scored on the
held-out fold (issue #23, idea 5), on the embedded backend.

    .venv/bin/python bench/tune.py [--sets arcd-best-sentence,arcd-sentences,tashkeela,arcd]
        [--folds 5] [--passes 2] [--weights coordination,...] [--objective mean|margin]
        [--json PATH]

For each fold i, the weights start at the ranking before issue #23 and move one at a time to the
candidate that scores best on the other folds' queries (the mean over the sets of
log(ours / stock MRR@10), every set counting alike), until a pass changes nothing.
Fold i's queries are then ranked by the weights chosen without them. The table gives
each set's cross-validated figures (every fold ranked by the weights tuned on the
others), as bench/devsets.py gives a variant's, and the weights each fold chose.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import devsets as ds

from indexer.search import evaluation as ev
from indexer.search.query import Ranking

# Each weight's candidates; every ascent starts from the ranking before issue #23.
CANDIDATES: dict[str, tuple[float, ...]] = {
    "coordination": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0),
    "grams_weight": (0.6, 0.9, 1.2, 1.8, 2.4),
    "title": (0.0, 0.5, 1.0, 1.5),
    "exact_weight": (0.25, 0.5, 1.0),
}
START = {"coordination": 0.0, "grams_weight": 1.2, "title": 0.5, "exact_weight": 0.5}
Point = tuple[tuple[str, float], ...]


@dataclass
class TunedSet:
    """One dev set: its judged queries and folds, stock's hits, and ours' index."""

    dev: ds.DevSet
    judged: ev.JudgedQueries
    folds: list[list[str]]
    stock: dict[str, list[str]]
    index: ev.TemporaryIndex


def ranking_of(point: Point) -> Ranking:
    weights = dict(point)
    return Ranking(
        {"content": 1.0, "title": weights["title"]},
        exact_weight=weights["exact_weight"],
        grams_weight=weights["grams_weight"],
        coordination=weights["coordination"],
    )


class Runs:
    """Every query's hits under a point, memoized."""

    def __init__(self, sets: list[TunedSet], margin: bool = False) -> None:
        self.sets = sets
        self.margin = margin
        self.memo: dict[tuple[str, Point], dict[str, list[str]]] = {}

    def ranked(self, tuned: TunedSet, point: Point) -> dict[str, list[str]]:
        key = (tuned.dev.name, point)
        if key not in self.memo:
            self.memo[key] = ev.rank(tuned.index, ranking_of(point), tuned.judged.texts)
        return self.memo[key]

    def objective(self, point: Point, fold: int) -> float:
        """On the queries not in `fold`: the mean over the sets of log(ours / stock
        MRR@10), or with `margin` the smallest of the sets' margins to issue #23's goal
        (log(ours / stock) - log(1.05); on a known-item set, log of stock's misses
        over ours - log(1 / 0.7)), so that no set is given up for the others."""
        logs = []
        for tuned in self.sets:
            train = {
                q: tuned.judged.judged[q]
                for i, queries in enumerate(tuned.folds)
                if i != fold
                for q in queries
            }
            ours = ev.metrics(self.ranked(tuned, point), train).mrr_at_10
            stock = ev.metrics(tuned.stock, train).mrr_at_10
            if not self.margin:
                logs.append(math.log(ours / stock))
            elif stock >= ds.KNOWN_ITEM:
                misses = math.log((1 - stock) / max(1 - ours, 1e-9))
                logs.append(misses - math.log(1 / (1 - ds.FEWER_MISSES)))
            else:
                logs.append(math.log(ours / stock) - math.log(1.05))
        return min(logs) if self.margin else sum(logs) / len(logs)


def ascend(runs: Runs, fold: int, passes: int, tuned: list[str]) -> tuple[Point, float]:
    weights = dict(START)
    best = runs.objective(tuple(weights.items()), fold)
    for _ in range(passes):
        moved = False
        for name in tuned:
            candidates = CANDIDATES[name]
            for value in candidates:
                if value == weights[name]:
                    continue
                tried = {**weights, name: value}
                score = runs.objective(tuple(tried.items()), fold)
                if score > best + 1e-9:
                    best, weights, moved = score, tried, True
        if not moved:
            break
    return tuple(weights.items()), best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="arcd-best-sentence,arcd-sentences,tashkeela,arcd")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument(
        "--objective",
        choices=["mean", "margin"],
        default="mean",
        help="the mean log ratio to stock over the sets, or the smallest margin to the goal",
    )
    parser.add_argument(
        "--weights", default=",".join(CANDIDATES), help="the weights tuned, the others stay"
    )
    parser.add_argument("--json", type=Path, help="also write the chosen weights and scores here")
    args = parser.parse_args()
    profiles = ev.profiles()
    with contextlib.ExitStack() as stack:
        sets = []
        for name in args.sets.split(","):
            dev = ds.BUILDERS[name]()
            judged = ev.read_judged(dev.queries, dev.qrels)
            articles = ev.read_articles(dev.corpus, dev.distractors)
            folds = ev.folds(judged.judged, args.folds)
            [stock] = ev.ranked_runs(profiles["arabic"], articles, judged.texts)
            index = stack.enter_context(ev.temporary_index(profiles["ours"], articles))
            sets.append(TunedSet(dev, judged, folds, stock, index))
        runs = Runs(sets, args.objective == "margin")
        chosen = []
        for fold in range(args.folds):
            started = time.perf_counter()
            point, score = ascend(runs, fold, args.passes, args.weights.split(","))
            chosen.append(point)
            took = time.perf_counter() - started
            print(
                f"fold {fold + 1}: {dict(point)} (train objective {score:.4f}, {took:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
        print(ds.HEADER)
        results: dict[str, Any] = {"chosen": [dict(p) for p in chosen]}
        for tuned in sets:
            held = {
                q: runs.ranked(tuned, chosen[i])[q]
                for i, queries in enumerate(tuned.folds)
                for q in queries
            }
            found: ds.Found = {}
            for name, ranked in (("stock", tuned.stock), ("ours-tuned-cv", held)):
                found[name] = (
                    ev.metrics(ranked, tuned.judged.judged),
                    ev.fold_scores(ranked, tuned.judged.judged, args.folds),
                )
            default = runs.ranked(tuned, tuple(START.items()))
            found["ours-2026-12-01"] = (
                ev.metrics(default, tuned.judged.judged),
                ev.fold_scores(default, tuned.judged.judged, args.folds),
            )
            found = {k: found[k] for k in ("stock", "ours-2026-12-01", "ours-tuned-cv")}
            print("\n".join(ds.table_rows(tuned.dev, "embedded", found)), flush=True)
            results[tuned.dev.name] = ds.scores_json(found)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
