"""The words of `arabic-search --help` and `arabic-search COMMAND --help`: what each
command does, examples, and its exit codes, as a table (the options' own help is
beside each option in cli/__init__.py; the exit codes are indexer/errors.py's)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from indexer.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)

HOME_VARIABLE = "ARABIC_SEARCH_HOME"

OK = (EXIT_OK, "ok")
USAGE = (EXIT_USAGE, "usage error: a bad option or value (the message says which)")
BACKEND_USAGE = (
    EXIT_USAGE,
    "usage or configuration error (a bad option, a setting such as ES_URL without a "
    "port), or an error the engine reported, such as credentials refused",
)
UNAVAILABLE = (
    EXIT_UNAVAILABLE,
    "the backend is unavailable: unreachable, TLS failed, no cluster of that engine at the url",
)
INTERRUPTED = (EXIT_INTERRUPTED, "interrupted (Ctrl-C)")


@dataclass(frozen=True)
class CommandHelp:
    summary: str  # one line, in `arabic-search --help`
    description: str  # at the top of `arabic-search COMMAND --help`
    examples: tuple[str, ...]
    exits: tuple[tuple[int, str], ...]

    @property
    def epilog(self) -> str:
        lines = ["examples:", *(f"  {e}" for e in self.examples), "", "exit codes:"]
        lines += [
            textwrap.fill(meaning, 79, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
            for code, meaning in self.exits
        ]
        return "\n".join(lines)


COMMANDS: dict[str, CommandHelp] = {
    "normalize": CommandHelp(
        "normalize Arabic text, stdin to stdout, line by line",
        "Normalize Arabic text as the index does (hamza forms, diacritics, tatweel,\n"
        "letter variants, digits), line by line from stdin to stdout. A line that is\n"
        "not UTF-8 passes through unchanged and is reported on stderr.",
        (
            "echo 'أَحْمَد في القاهرة' | arabic-search normalize     # احمد في القاهره",
            "arabic-search normalize --disable fold_teh_marbuta < in.txt > out.txt",
            "arabic-search normalize --list-rules",
        ),
        (OK, (EXIT_REJECTED, "a line was not UTF-8 (passed through unchanged)"), USAGE),
    ),
    "analyze": CommandHelp(
        "show the tokens an analyzer makes of a text",
        "Show the tokens an analyzer of the index makes of a text: position, offsets\n"
        "and term, or JSON. With - it reads one text per stdin line and writes one JSON\n"
        "object per line. A text all of stopwords or punctuation gives no tokens; stderr\n"
        "says so.",
        (
            "arabic-search analyze 'الخارجية الروسية'",
            "arabic-search analyze --analyzer exact --json 'وزارة الخارجية'",
            "printf 'أحمد\\nالقاهرة\\n' | arabic-search analyze -",
        ),
        (OK, USAGE),
    ),
    "parse": CommandHelp(
        "read article files and print them as JSON Lines",
        "Read article files (text pages, TREC, JSON Lines, CSV; .gz too), clean them,\n"
        "date them, set duplicates aside, and print one JSON object per article on\n"
        "stdout. On stderr: a progress bar on a terminal, the first 5 duplicates,\n"
        "rejections and warnings of each kind, and a summary with the time.",
        (
            "arabic-search parse articles.jsonl.gz > articles.jsonl",
            "arabic-search parse pages/ --report fates.jsonl > articles.jsonl",
            "arabic-search parse data.csv --field title=headline --field body=text",
        ),
        (
            OK,
            (EXIT_REJECTED, "finished, but records were rejected"),
            USAGE,
            (EXIT_UNAVAILABLE, "a worker process stopped (killed, out of memory)"),
            INTERRUPTED,
        ),
    ),
    "reindex": CommandHelp(
        "index article files into a new version, then switch the alias to it",
        "Read article files as parse does and index them into a new version of the\n"
        "alias. The alias moves to it in one step only after a complete load; a\n"
        "version that indexed nothing, or under half the live documents (without\n"
        "--allow-shrink), is deleted and the alias stays. --resume continues an\n"
        "interrupted load; --from-index rebuilds on the server (clusters only).",
        (
            "arabic-search reindex articles.jsonl.gz pages/",
            "arabic-search reindex articles.jsonl.gz --report fates.jsonl --verbose",
            "OPENSEARCH_URL=http://127.0.0.1:9200 arabic-search reindex --resume",
        ),
        (
            OK,
            (EXIT_REJECTED, "finished, but records were rejected (by the parser or the engine)"),
            (
                EXIT_USAGE,
                "usage or configuration error, or refused: the alias did not move (it "
                "indexed nothing or shrank, another reindex runs, nothing to resume, no "
                "_reindex on the engine for --from-index)",
            ),
            (EXIT_UNAVAILABLE, f"{UNAVAILABLE[1]}, or bulk requests failing after the retries"),
            (EXIT_INTERRUPTED, "interrupted (Ctrl-C): run the same reindex with --resume"),
        ),
    ),
    "search": CommandHelp(
        "ranked search with filters, facets and highlights",
        "Search the alias: ranked (BM25), with filters on category, source, author and\n"
        "dates, facets in the spelling people write, highlights and paging. Words are\n"
        'normalized like the articles; "a phrase" must match in order, -word and NOT\n'
        "word leave out, a OR b takes either, a AND b needs both. Dates show as\n"
        "2021-11-23 (no time given) or 2021-11-23 22:30 (UTC); --json keeps them as\n"
        "stored (ISO 8601).",
        (
            "arabic-search search 'الخارجية الروسية'",
            "arabic-search search '\"الذكاء الاصطناعي\"' --sort date --since 2021-06",
            "arabic-search search 'كأس العالم' --category sport --page 2 --json",
            "arabic-search search 'الخارجية الروسية' --show-query    # the body a cluster gets",
        ),
        (
            (EXIT_OK, "ok, also when nothing is found"),
            (
                EXIT_USAGE,
                "usage error (size outside 1-100, page x size past 10,000 without "
                "--cursor) or configuration error; no index yet",
            ),
            UNAVAILABLE,
        ),
    ),
    "status": CommandHelp(
        "the alias, its versions and their document counts",
        "Show where the alias points, its health, its document count and mapping\n"
        "version, every version of it with its count and state, and an interrupted\n"
        "reindex that --resume would continue.",
        ("arabic-search status", "arabic-search status --json --alias news"),
        (OK, BACKEND_USAGE, UNAVAILABLE),
    ),
    "rollback": CommandHelp(
        "point the alias back at the previous version",
        "Point the alias at the next older complete version, one step back at a time,\n"
        "and print the move.",
        ("arabic-search rollback", "arabic-search rollback --backend opensearch --alias news"),
        (OK, (EXIT_USAGE, "no previous version to roll back to, or a usage error"), UNAVAILABLE),
    ),
    "unlock": CommandHelp(
        "clear the reindex lock a crashed reindex left (clusters)",
        "Clear the reindex lock of the alias on a cluster, left by a reindex that\n"
        "crashed on another machine (a lock of this machine whose process has ended is\n"
        "taken over without it). The embedded lock ends with its process: nothing to do.",
        ("arabic-search unlock --backend opensearch", "arabic-search unlock --alias news"),
        (OK, BACKEND_USAGE, UNAVAILABLE),
    ),
    "eval": CommandHelp(
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
    ),
    "mappings": CommandHelp(
        "print, write or check mappings/articles.json and search-request.json",
        "The index settings and mappings, generated from the Python analyzers and the\n"
        "field table, and beside them the search body of the index contract\n"
        "(search-request.json): print the mappings, write both files, or check that\n"
        "they are current.",
        (
            "arabic-search mappings --check",
            "arabic-search mappings --write",
            "arabic-search mappings > /tmp/articles.json",
        ),
        (OK, (EXIT_REJECTED, "--check: a file is stale"), USAGE),
    ),
}

MAIN_DESCRIPTION = "Arabic news search: normalize, analyze, parse, index, search."
MAIN_EPILOG = f"""\
'arabic-search COMMAND --help' describes a command, its options, examples and exit codes.

environment:
  ARABIC_SEARCH_BACKEND   the backend without --backend: embedded, elasticsearch, opensearch
  {HOME_VARIABLE:<23} the embedded index folder without --home (default .arabic-search)
  ES_URL, ES_API_KEY, ES_USERNAME, ES_PASSWORD, ES_CA_CERTS, ES_VERIFY_CERTS
  OPENSEARCH_URL, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD, OPENSEARCH_CA_CERTS,
  OPENSEARCH_VERIFY_CERTS  how to reach a cluster (docs/operating.md)

exit codes: 0 ok, 1 finished with rejects, 2 usage or refused, 3 backend unavailable,
130 interrupted"""
