"""The analyzers of mappings/articles.json, run by Lucene, give the Python tokens.

mappings/articles.json is translated into Lucene CustomAnalyzer specs (the same
char_filter rules, parsed the way Elasticsearch parses them), run with Java and
Debian's liblucene8-java over thousands of real sentences, and compared token by
token (term, offsets, position) with indexer.analysis.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from es_rules import parse_es_mapping_rule
from sentences import ROOT, fixture_sentences, shared_sentences

from indexer.analysis.analyzers import default_analyzers

pytestmark = pytest.mark.lucene

LUCENE_JARS = [
    Path("/usr/share/java/lucene-core-8.7.0.jar"),
    Path("/usr/share/java/lucene-analyzers-common-8.7.0.jar"),
]
RUNNER = ROOT / "tests/lucene/AnalyzeWithLucene.java"
MAPPINGS = ROOT / "mappings/articles.json"

# Elasticsearch built-in token filters and their Lucene SPI names.
BUILTIN_FILTERS = {
    "lowercase": "lowercase",
    "decimal_digit": "decimalDigit",
    "arabic_normalization": "arabicNormalization",
    "arabic_stem": "arabicStem",
    "trim": "trim",
}

# Sentences where Lucene 8.7 and the Python analyzer may differ, each with its reason.
# Keyed by name; `match` is a substring of the sentence.
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {}


def _lucene_escape(s: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in s)


def write_lucene_specs(index_body: dict, workdir: Path) -> list[str]:
    """Translate the analysis settings into the runner's spec; returns analyzer order."""
    analysis = index_body["settings"]["analysis"]
    lines, order = [], []

    def char_filter_line(name: str) -> str:
        definition = analysis["char_filter"][name]
        assert definition["type"] == "mapping", definition
        rules = [parse_es_mapping_rule(r) for r in definition["mappings"]]
        (workdir / f"{name}.txt").write_text(
            "".join(f'"{_lucene_escape(a)}" => "{_lucene_escape(b)}"\n' for a, b in rules),
            encoding="utf-8",
        )
        return f"charfilter mapping mapping={name}.txt"

    def filter_line(name: str) -> str:
        if name in BUILTIN_FILTERS:
            return f"filter {BUILTIN_FILTERS[name]}"
        definition = analysis["filter"][name]
        kind = definition["type"]
        if kind == "stemmer_override":
            rules = [r.split(" => ") for r in definition["rules"]]
            (workdir / f"{name}.txt").write_text(
                "".join(f"{w}\t{s}\n" for w, s in rules), encoding="utf-8"
            )
            return f"filter stemmerOverride dictionary={name}.txt ignoreCase=false"
        if kind == "ngram":
            low, high = definition["min_gram"], definition["max_gram"]
            return f"filter nGram minGramSize={low} maxGramSize={high} preserveOriginal=false"
        words = definition["stopwords" if kind == "stop" else "keywords"]
        (workdir / f"{name}.txt").write_text("".join(w + "\n" for w in words), encoding="utf-8")
        ignore = str(definition.get("ignore_case", False)).lower()
        if kind == "stop":
            return f"filter stop words={name}.txt ignoreCase={ignore} format=wordset"
        if kind == "keyword_marker":
            return f"filter keywordMarker protected={name}.txt ignoreCase={ignore}"
        raise AssertionError(f"no Lucene translation for filter {name}: {definition}")

    for section, tokenizer in (("analyzer", None), ("normalizer", "keyword")):
        for name, definition in analysis[section].items():
            order.append(name)
            lines.append(f"analyzer {name}")
            lines += [char_filter_line(c) for c in definition.get("char_filter", [])]
            lines.append(f"tokenizer {tokenizer or definition['tokenizer']}")
            lines += [filter_line(f) for f in definition.get("filter", [])]
            lines.append("end")
    (workdir / "spec.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return order


def _skip_or_fail(reason: str) -> None:
    # CI installs both (.ci/run): there a missing Lucene is a broken install, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=true: .ci/run should have installed it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lucene_runner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (shutil.which("java") and shutil.which("javac")):
        _skip_or_fail("java and javac (JDK 17) not installed: apt-get install default-jdk-headless")
    missing = [str(j) for j in LUCENE_JARS if not j.is_file()]
    if missing:
        _skip_or_fail(
            f"Lucene jars missing ({', '.join(missing)}): apt-get install liblucene8-java"
        )
    classes = tmp_path_factory.mktemp("lucene-classes")
    classpath = ":".join(str(j) for j in LUCENE_JARS)
    subprocess.run(["javac", "-cp", classpath, "-d", str(classes), str(RUNNER)], check=True)
    return classes


def run_lucene(classes: Path, workdir: Path, sentences: list[str]) -> list[str]:
    framed = workdir / "sentences.bin"
    with framed.open("wb") as f:
        for s in sentences:
            data = s.encode("utf-8")
            f.write(struct.pack(">i", len(data)) + data)
    out = workdir / "tokens.txt"
    classpath = ":".join([str(classes), *(str(j) for j in LUCENE_JARS)])
    subprocess.run(
        [
            "java",
            "-cp",
            classpath,
            "AnalyzeWithLucene",
            str(workdir),
            str(workdir / "spec.txt"),
            str(framed),
            str(out),
        ],
        check=True,
    )
    return out.read_text(encoding="utf-8").split("\n")[:-1]


def _parse_tokens(line: str) -> list[tuple[str, int, int, int]]:
    if not line:
        return []
    tokens = []
    for item in line.split("\t"):
        codes, start, end, pos = item.split("\x1f")
        term = "".join(chr(int(c, 16)) for c in codes.split(".") if c)
        tokens.append((term, int(start), int(end), int(pos)))
    return tokens


def lucene_differences(classes: Path, workdir: Path, texts: list[str]) -> list[tuple[int, str]]:
    """(text index, message) for every text and analyzer where Lucene and Python differ."""
    order = write_lucene_specs(json.loads(MAPPINGS.read_text(encoding="utf-8")), workdir)
    lines = run_lucene(classes, workdir, texts)
    assert len(lines) == len(texts) * len(order)
    by_es_name = {a.es_name: a for a in default_analyzers().values()}
    assert sorted(by_es_name) == sorted(order)
    differences = []
    for i, text in enumerate(texts):
        for j, name in enumerate(order):
            lucene = _parse_tokens(lines[i * len(order) + j])
            python = [(t.token, t.start, t.end, t.position) for t in by_es_name[name].analyze(text)]
            if lucene != python:
                differences.append(
                    (i, f"[{name}] {text!r}\n  lucene: {lucene}\n  python: {python}")
                )
    return differences


def test_python_analyzers_match_lucene(lucene_runner: Path, tmp_path: Path) -> None:
    sentences = fixture_sentences() + shared_sentences()
    differences = lucene_differences(lucene_runner, tmp_path, sentences)
    differing = {i for i, _ in differences}
    unexplained = [
        message
        for i, message in differences
        if not any(case["match"] in sentences[i] for case in KNOWN_DIFFERENCES.values())
    ]
    print(f"{len(sentences)} sentences, {len(sentences) - len(differing)} identical")
    assert not unexplained, "\n".join(unexplained[:20]) + f"\n({len(unexplained)} in all)"
    if shared_sentences(news=1, wiki=1, classical=1):
        assert len(sentences) >= 5000
    assert (len(sentences) - len(differing)) / len(sentences) >= 0.999


# Characters that exercise every branch of the tokenizer and the char_filter:
# letters with hamza, harakat, digits of three kinds, joiners, quotes, ligatures,
# bidi and zero-width controls, emoji sequences, CJK, Thai, Hebrew, Latin.
_FUZZ_ALPHABET = (
    "ابتثجحخدذرسشصضطظعغفقكلمنهوية"
    "أإآؤئىءٱ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670ـ"
    "٠١٢٣٤٥٦٧٨٩۰۴0123456789"
    "abcXYZéİΣ"
    " .,:;'\"_-،؛؟«»٫٬\u200c\u200d\u200f\u202b\ufeff"
    "ﻻﷺﷲﺃ\u0653\u0654\u0655\u06d6\u06e5"
    "😀🏽\u20e3\ufe0f🇸🇦中あカ한ไ"
    "’\u05d0\u05d1·\n\t#*"
)


def test_random_strings_match_lucene(lucene_runner: Path, tmp_path: Path) -> None:
    import random

    rng = random.Random(20211123)
    texts = [
        "".join(rng.choice(_FUZZ_ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(5000)
    ]
    failures = [message for _, message in lucene_differences(lucene_runner, tmp_path, texts)]
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} in all)"
