"""arabic-search eval: MRR@10, nDCG@10 and Recall@100 on BEIR files, on a temporary
index."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from indexer.backends import BACKEND_NAMES, choose_backend
from indexer.cli.command import INTERRUPTED, OK, UNAVAILABLE, Command
from indexer.cli.options import at_least
from indexer.cli.output import ratio_line, score_lines
from indexer.errors import EXIT_OK, EXIT_USAGE
from indexer.search.evaluation import (
    EMBEDDED,
    EvaluationError,
    Target,
    fold_scores,
    metrics,
    profiles,
    ranked_runs,
    read_articles,
    read_judged,
)
from indexer.search.feedback import Feedback


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, required=True, help="the BEIR corpus.jsonl")
    p.add_argument("--queries", type=Path, required=True, help="the BEIR queries.jsonl")
    p.add_argument("--qrels", type=Path, required=True, help="BEIR qrels .tsv (with a header)")
    p.add_argument(
        "--distractors",
        action="append",
        default=[],
        metavar="PATH",
        help="more articles for the index, never relevant (any format parse reads); "
        "repeatable (default: none)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="also run the baselines: no Arabic processing, stock Elasticsearch arabic",
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument(
        "--folds",
        type=at_least(2),
        metavar="K",
        help="also score each of K folds of the queries (a seeded split, the same every "
        "run), 2 or more (default: no folds)",
    )
    p.add_argument(
        "--feedback",
        action="store_true",
        help="ours with pseudo-relevance feedback: the query again with 20 terms of its "
        "first 10 hits, after those 10 (an experiment; the baselines stay as they are)",
    )
    p.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        help="where the temporary index is built: embedded, or a cluster from ES_URL or "
        "OPENSEARCH_URL (default: as for the other commands)",
    )


def run(args: argparse.Namespace) -> int:
    target = eval_target(args.backend)
    for option, path, what in (
        ("--corpus", args.corpus, "corpus.jsonl"),
        ("--queries", args.queries, "queries.jsonl"),
        ("--qrels", args.qrels, "qrels .tsv"),
    ):
        if not path.is_file():
            raise EvaluationError(f"{option} {path}: no such file; give the BEIR {what} file")
    wanted = read_judged(args.queries, args.qrels)
    articles = read_articles(args.corpus, args.distractors)
    available = profiles()
    names = list(available) if args.compare else ["ours"]
    scores: dict[str, dict[str, Any]] = {}
    for name in names:
        feedback = Feedback() if args.feedback and name == "ours" else None
        [ranked] = ranked_runs(available[name], articles, wanted.texts, target, (), feedback)
        scores[name] = metrics(ranked, wanted.judged).to_json()
        if args.folds:
            by_fold = fold_scores(ranked, wanted.judged, args.folds)
            scores[name]["folds"] = [s.to_json() for s in by_fold]
        if not args.json:
            for line in score_lines(name, scores[name]):
                print(line)
    if args.json:
        print(json.dumps(scores if args.compare else scores["ours"]))
    elif args.compare:
        print(ratio_line(scores["ours"], scores["arabic"]))
    return EXIT_OK


def eval_target(name: str | None) -> Target:
    """Where the temporary index goes, named on stderr."""
    engine = choose_backend(name)
    if engine == "embedded":
        print("backend: embedded (a temporary index)", file=sys.stderr)
        return EMBEDDED
    from indexer.backends.cluster.settings import ClusterSettings

    settings = ClusterSettings.from_env(engine=engine)
    print(f"backend: {engine} ({settings.safe_url}, a temporary index)", file=sys.stderr)
    return Target(engine, settings)


COMMAND = Command(
    "eval",
    "MRR@10, nDCG@10 and Recall@100 on BEIR files",
    "Measure the ranking on a BEIR data set (corpus, queries, relevance judgements),\n"
    "on a temporary index, embedded or on a cluster (deleted afterwards); --compare\n"
    "also runs the baselines, --folds K scores K seeded folds of the queries.",
    (
        "arabic-search eval --corpus corpus.jsonl --queries queries.jsonl --qrels test.tsv",
        "arabic-search eval --corpus c.jsonl --queries q.jsonl --qrels r.tsv --compare",
        "arabic-search eval --corpus c.jsonl --queries q.jsonl --qrels r.tsv --folds 5 "
        "--backend opensearch",
    ),
    (
        OK,
        (EXIT_USAGE, "a missing or unreadable file, a usage error, or an engine error"),
        UNAVAILABLE,
        INTERRUPTED,
    ),
    add_arguments,
    run,
)
