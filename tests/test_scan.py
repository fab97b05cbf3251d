"""The C loops (indexer/_scan.c) against their pure-Python reference (indexer/_scan_py.py):
the same results, and the same errors, for any text. Without the built extension there is
nothing to compare, and the module is skipped; the rest of the suite covers whichever of
the two indexer.scan loaded (`make test` runs the hot paths' tests once each way)."""

from __future__ import annotations

import gzip
import itertools
import os

import pytest
from helpers import ANT, FIXTURES, run_process
from hypothesis import given
from hypothesis import strategies as st

from indexer import _scan_py as python
from indexer.analysis.normalize import Normalizer
from indexer.ingest.cleaning import _cleaner
from indexer.scan import PURE_PYTHON_VARIABLE

c = pytest.importorskip("indexer._scan", reason="the C extension is not built")

FLAGS = _cleaner().flags

# Every code point, lone surrogates included, and text made of what the loops hinge on:
# white space of every kind, controls, marks NFC joins or reorders, presentation forms.
any_text = st.text(st.characters(codec=None, categories=None), max_size=120)
tricky_text = st.text(
    st.sampled_from(
        [
            *"ابت أحمد مسئول",
            *" \n\t\r\x0b\x0c\x1c\x85\u00a0\u2028\u2029\u3000",
            *"\u200f\u200c\x00\x02ﻻﷲ\u0640",
            *"\u064b\u064e\u0650\u0651\u0653\u0654\u0670a\u0301\u0308\u1100\u1161\uac00\u0958",
            "\U0001d165",
            "\ud800",
        ]
    ),
    max_size=40,
)
texts = st.one_of(any_text, tricky_text)


@given(texts, st.booleans())
def test_tidiness(text: str, multiline: bool) -> None:
    assert c.tidiness(text, FLAGS, multiline) == python.tidiness(text, FLAGS, multiline)


@given(texts, st.booleans())
def test_collapse(text: str, multiline: bool) -> None:
    assert c.collapse(text, FLAGS, multiline) == python.collapse(text, FLAGS, multiline)


# The analyzers' table (deletions, a pair rule, expansions) and the cleaning table.
FOLDINGS = [Normalizer(), _cleaner().normalizer]


@given(texts, st.sampled_from(FOLDINGS))
def test_fold(text: str, normalizer: Normalizer) -> None:
    table, delete, pairs = normalizer._lut16_bytes, 0xFFFFFFFD, normalizer._pair_codes
    assert c.fold(text, table, delete, pairs) == python.fold(text, table, delete, pairs)


# Made-up pairs: one that overlaps itself, two sharing a first character, the same
# characters twice (the first wins), and one that gives a character beyond the BMP.
PAIRS = [
    (ord("a"), ord("a"), ord("b"), ord("c")),
    (ord("x"), ord("y"), ord("1"), ord("2")),
    (ord("x"), ord("z"), ord("3"), ord("4")),
    (ord("x"), ord("y"), ord("5"), ord("6")),
    (ord("q"), ord("r"), 0x1F600, ord("s")),
]


@given(st.text(st.sampled_from("aaxyzqrsب\u064b"), max_size=30), st.lists(st.sampled_from(PAIRS)))
def test_fold_pairs(text: str, pairs: list[tuple[int, int, int, int]]) -> None:
    table = Normalizer()._lut16_bytes
    if len(pairs) > python.MAX_PAIRS:
        with pytest.raises(ValueError, match="at most 8 pairs"):
            python.fold(text, table, 0xFFFFFFFD, pairs)
        with pytest.raises(ValueError, match="at most 8 pairs"):
            c.fold(text, table, 0xFFFFFFFD, pairs)
        return
    assert c.fold(text, table, 0xFFFFFFFD, pairs) == python.fold(text, table, 0xFFFFFFFD, pairs)


def test_bad_tables_are_refused_alike() -> None:
    for module in (c, python):
        with pytest.raises(ValueError, match="flags must have 65536 bytes"):
            module.tidiness("a", b"\0" * 10, True)
        with pytest.raises(ValueError, match="table must have 65536 uint32 entries"):
            module.fold("a", b"\0" * 10, 0, ())


escaped = st.text(st.sampled_from([*"%%%0123456789abcdefABCDEFxyz/-", "é", "س", "\ud800"]))


@given(st.one_of(escaped, any_text))
def test_unquote(text: str) -> None:
    assert c.unquote(text) == python.unquote(text)


_chunk = st.text(st.characters(codec=None, categories=None), min_size=1, max_size=5).filter(
    lambda chunk: not any(ch.isspace() for ch in chunk)
)
_field = st.lists(_chunk, max_size=3).map(" ".join)


@given(
    st.lists(st.tuples(_chunk, st.sampled_from([" ", "\n\u3000", "\x1c", "\t"])), max_size=10),
    st.lists(st.tuples(_field, _field), max_size=10),
    st.integers(1, 6),
)
def test_join_terms(
    pieces: list[tuple[str, str]], values: list[tuple[str, str]], longest: int
) -> None:
    text = "".join(chunk + space for chunk, space in pieces)
    terms = [python.TERM_SEPARATOR.join(value) for value in values]
    memory = {chunk: terms[i] for i, (chunk, _) in enumerate(pieces) if i < len(terms)}
    results = []
    for module in (c, python):
        learned: list[str] = []
        mine = dict(memory)
        learn = learned.append
        result = module.join_terms(text, mine, 2, longest, lambda chunk: learn(chunk) or "L\tM")  # noqa: B023
        results.append((result, learned, mine))
    assert results[0] == results[1]


def test_join_terms_errors_alike() -> None:
    for module in (c, python):
        with pytest.raises(ValueError, match="2 tab-separated fields"):
            module.join_terms("a", {"a": "x\ty\tz"}, 2, 255, str)
        with pytest.raises(TypeError):
            module.join_terms("a", ["a"], 2, 255, str)


def test_the_constants_agree() -> None:
    for flag in python.Flag:
        assert flag.name is not None  # a single flag has its name
        assert getattr(c, flag.name) == flag.value
    assert c.TERM_SEPARATOR == python.TERM_SEPARATOR


def _cli(args: tuple[str, ...], stdin: bytes, pure: bool) -> bytes:
    """The CLI's stdout in a process of its own: indexer.scan picks its loops at import."""
    env = {**os.environ, PURE_PYTHON_VARIABLE: "1" if pure else "0"}
    done = run_process(*args, stdin=stdin, env=env)
    assert done.code == 0, done.err
    return done.stdout


SENTENCES = (FIXTURES / "analysis_sentences.txt").read_bytes()


def test_the_parse_of_real_articles_is_the_same_without_the_extension() -> None:
    if not ANT.is_file():
        pytest.skip(f"needs {ANT} (../shared beside the repository)")
    with gzip.open(ANT, "rb") as lines:
        first = b"".join(itertools.islice(lines, 1500))
    args = ("parse", "--format", "jsonl", "-")
    with_c = _cli(args, first, pure=False)
    assert with_c.count(b"\n") > 1400 and with_c == _cli(args, first, pure=True)


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("parse", str(FIXTURES / "ant-sample.jsonl"), str(FIXTURES / "spellings.jsonl")), b""),
        (("parse", str(FIXTURES / "seed-article.txt"), str(FIXTURES / "variants.jsonl")), b""),
        (("analyze", "--analyzer", "text", "-"), SENTENCES),
        (("analyze", "--analyzer", "grams", "-"), SENTENCES),
        (("analyze", "--analyzer", "keyword", "  وزارة   الخارجية\u00a0ﻻ"), b""),
        (("normalize",), SENTENCES),
    ],
)
def test_the_cli_gives_the_same_bytes_without_the_extension(
    args: tuple[str, ...], stdin: bytes
) -> None:
    with_c = _cli(args, stdin, pure=False)
    assert with_c and with_c == _cli(args, stdin, pure=True)
