"""How the commands show their results as text: tokens, search results, status,
versions, rollback, discard and unlock lines, eval scores. The runners compute, these
format; --json output is each result's own `to_json`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import Any, TextIO

from indexer.analysis.analyzers import Token
from indexer.backends import INTERRUPTED, RUNNING, LockHolder, Status, VersionInfo
from indexer.index.reindex import RESUME, resume_advice
from indexer.search.highlight import CLOSE, OPEN
from indexer.search.query import MAX_QUERY_WORDS, SearchResult, parse_published


def print_json(body: Mapping[str, Any]) -> None:
    """A command's --json answer: one object, one line, on stdout."""
    print(json.dumps(body, ensure_ascii=False))


def tokens_json(analyzer: str, tokens: list[Token]) -> str:
    """One JSON object, the analyzer's name and its tokens: one line."""
    body = {
        "analyzer": analyzer,
        "tokens": [
            {"token": t.token, "start": t.start, "end": t.end, "position": t.position}
            for t in tokens
        ],
    }
    return json.dumps(body, ensure_ascii=False) + "\n"


def token_lines(tokens: list[Token]) -> str:
    """A line a token: position, offsets, term."""
    return "".join(f"{t.position}\t{t.start}-{t.end}\t{t.token}\n" for t in tokens)


def shown_date(published_at: str | None) -> str | None:
    """One readable form of a stored ISO 8601 date: the date alone when the source gave
    no time, else the date and minutes in UTC, the clock that --since, --until and
    --sort date go by (a time stored without its zone is taken as UTC, as they take it)."""
    if not published_at or len(published_at) <= len("2021-11-23"):
        return published_at
    moment = parse_published(published_at)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else published_at


def write_result(result: SearchResult, out: TextIO, first: int = 1) -> None:
    """The readable result; its hits numbered from `first` (page 2 of 10: from 11)."""
    if result.nothing_searchable:
        out.write("0 results: nothing searchable is left of the query")
        if result.dropped:
            out.write(f": {', '.join(result.dropped)} are stopwords or punctuation")
        out.write(" (a stopword counts only inside a quoted phrase)\n")
        return
    out.write(f"{result.total} result{'' if result.total == 1 else 's'}\n")
    if result.over_limit:
        words = len(result.over_limit)
        out.write(
            f"(left out, past the limit of {MAX_QUERY_WORDS} words: {words} part"
            f"{'' if words == 1 else 's'} of the query, from {result.over_limit[0]!r})\n"
        )
    for number, hit in enumerate(result.hits, start=first):
        shown = (shown_date(hit.published_at), hit.category, hit.source)
        meta = " · ".join(v for v in shown if v)
        score = f"  [{hit.score:.2f}]" if hit.score is not None else ""
        out.write(f"\n{number}. {hit.title}{score}\n   {meta}\n")
        for fragment in hit.highlight.get("body", []):
            line = " ".join(fragment.replace(OPEN, "**").replace(CLOSE, "**").split())
            out.write(f"   {line}\n")
    for name, counts in result.facets.items():
        if counts:
            out.write(f"\n{name}: " + ", ".join(f"{k} ({n})" for k, n in counts.items()) + "\n")
    if result.next_cursor:
        out.write(f"\nmore: --cursor {result.next_cursor}\n")


def status_lines(status: Status, interrupted: str | None, resume: str = RESUME) -> Iterator[str]:
    """The alias, its health and counts, who holds its lock, a line a version (* the
    current one), and the interrupted reindex `resume` (the command) would continue."""
    yield f"alias {status.alias} -> {status.current or '(none)'}  ({status.health})"
    yield f"documents {status.documents}, mapping version {status.mapping_version}"
    if status.lock:
        yield f"reindex lock held by {status.lock}"
    for v in status.versions:
        mark = "*" if v.name == status.current else " "
        line = f" {mark} {v.name}  {v.documents} documents  {_state(v, status)}  {v.created_at}"
        yield f"{line}  {layout}" if (layout := _layout(v)) else line
    if interrupted:
        yield resume_advice(interrupted, resume)


def _state(version: VersionInfo, status: Status) -> str:
    """complete; running, with its records so far and its holder; or interrupted at
    its checkpoint."""
    if version.state == RUNNING:
        return f"running ({version.records or 0} records so far, {status.lock})"
    if version.state == INTERRUPTED:
        return f"interrupted at {version.checkpoint or 'the start'}"
    return version.state


def _layout(version: VersionInfo) -> str:
    """A cluster version's shards and replicas ("3 shards, 1 replica", with "auto 0-1"
    when the engine sets the replicas by the nodes); nothing for the embedded backend."""
    if version.shards is None:
        return ""
    shards = f"{version.shards} shard{'' if version.shards == 1 else 's'}"
    replicas = f"{version.replicas} replica{'' if version.replicas == 1 else 's'}"
    auto = f" (auto {version.auto_replicas})" if version.auto_replicas else ""
    return f"{shards}, {replicas}{auto}"


def version_lines(status: Status) -> Iterator[str]:
    """A line a version, oldest first: * for the live one, its name, when it was
    created, its documents and its state."""
    if not status.versions:
        yield f"alias {status.alias}: no version yet"
    for v in status.versions:
        mark = "*" if v.name == status.current else " "
        yield f" {mark} {v.name}  {v.created_at}  {v.documents} documents  {_state(v, status)}"


def versions_json(status: Status) -> dict[str, Any]:
    """The alias, its live version, and its versions oldest first, each with `live`."""
    return {
        "alias": status.alias,
        "current": status.current,
        "versions": [
            {
                "name": v.name,
                "created_at": v.created_at,
                "documents": v.documents,
                "state": v.state,
                "live": v.name == status.current,
                "records": v.records,
                "checkpoint": v.checkpoint,
                "shards": v.shards,
                "replicas": v.replicas,
                "auto_replicas": v.auto_replicas,
            }
            for v in status.versions
        ],
    }


def discard_line(alias: str, version: str, current: str | None) -> str:
    return f"discarded {version} (alias {alias} stays on {current or '(none)'})"


def unlock_question(alias: str, holder: LockHolder) -> str:
    return (
        f"the reindex lock on {alias} is held by {holder}, another machine, where a reindex "
        "may still run; clear it?"
    )


def rollback_line(alias: str, before: str | None, after: str) -> str:
    return f"alias {alias}: {before or '(none)'} -> {after}"


def unlock_line(alias: str, holder: str | None) -> str:
    if holder is None:
        return f"no reindex lock on {alias}"
    return f"cleared the reindex lock on {alias} (held by {holder})"


def score_lines(name: str, scores: dict[str, Any]) -> Iterator[str]:
    """One profile's scores, then each fold's."""
    folds = [(f"  fold {i}", s) for i, s in enumerate(scores.get("folds", []), start=1)]
    for label, s in [(name, scores), *folds]:
        yield (
            f"{label:10} queries {s['queries']:<4} MRR@10 {s['mrr@10']:.4f}  "
            f"nDCG@10 {s['ndcg@10']:.4f}  Recall@100 {s['recall@100']:.4f}"
        )


def ratio_line(ours: dict[str, Any], stock: dict[str, Any]) -> str:
    """Ours over stock arabic MRR@10, a figure a fold (or one for the whole set)."""
    pairs = zip(_folds_or_all(ours), _folds_or_all(stock), strict=True)
    ratios = (o["mrr@10"] / s["mrr@10"] if s["mrr@10"] else math.inf for o, s in pairs)
    return f"ours / arabic MRR@10: {' '.join(f'{r:.3f}' for r in ratios)}"


def _folds_or_all(scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Each fold's scores, or the whole set's when it was not split."""
    return scores.get("folds") or [scores]
