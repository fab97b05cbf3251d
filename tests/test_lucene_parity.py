"""The analyzers of mappings/articles.json, run by Lucene, give the Python tokens.

mappings/articles.json is translated into Lucene CustomAnalyzer specs (the same
char_filter rules, parsed the way Elasticsearch parses them), run with Java and
the Lucene releases of the engines the project targets (from Maven Central, see
LUCENES) over thousands of real sentences, and compared token by token (term,
offsets, position) with indexer.analysis.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import pytest
from es_rules import parse_es_mapping_rule
from helpers import ROOT
from sentences import fixture_sentences, shared_sentences

from indexer.analysis.analyzers import default_analyzers

pytestmark = pytest.mark.lucene


@dataclass(frozen=True)
class Lucene:
    """A Lucene release and the JDK that compiles and runs AnalyzeWithLucene with it."""

    version: str
    java_home: Path | None = None  # None: the java and javac on PATH (Java 17)


# Lucene 10 is built for Java 21; CI machines have this JDK beside the default Java 17.
TEMURIN_25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
LUCENES = [
    Lucene("9.12.3"),  # OpenSearch 2.19
    Lucene("10.3.2", TEMURIN_25),  # Elasticsearch 9
]
LUCENE_IDS = [f"lucene-{lucene.version}" for lucene in LUCENES]

LUCENE_DIR = ROOT / "tests/lucene"
POM = LUCENE_DIR / "pom.xml"  # the jars' dependencies, for Maven
# Resolved class paths, one file per version (gitignored, like any Maven target/).
CLASSPATH_CACHE = LUCENE_DIR / "target"
RUNNER = LUCENE_DIR / "AnalyzeWithLucene.java"
MAPPINGS = ROOT / "mappings/articles.json"

# Elasticsearch built-in token filters and their Lucene SPI names.
BUILTIN_FILTERS = {
    "lowercase": "lowercase",
    "decimal_digit": "decimalDigit",
    "arabic_normalization": "arabicNormalization",
    "arabic_stem": "arabicStem",
    "trim": "trim",
}

# Sentences where a Lucene release and the Python analyzer may differ, each with its reason.
# Keyed by name; `match` is a substring of the sentence.
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {}


# word_delimiter_graph's settings and the Lucene factory's names for them (flags as 0/1).
WORD_DELIMITER_FLAGS = {
    "generate_word_parts": "generateWordParts",
    "generate_number_parts": "generateNumberParts",
    "catenate_words": "catenateWords",
    "catenate_numbers": "catenateNumbers",
    "catenate_all": "catenateAll",
    "preserve_original": "preserveOriginal",
    "split_on_case_change": "splitOnCaseChange",
    "split_on_numerics": "splitOnNumerics",
    "stem_english_possessive": "stemEnglishPossessive",
}


def _word_delimiter_params(definition: dict[str, Any], types: str) -> list[str]:
    """The factory's parameters; the type table is the file `types` (the same rules)."""
    flags = {k: v for k, v in definition.items() if k in WORD_DELIMITER_FLAGS}
    assert set(definition) == {"type", "adjust_offsets", "type_table", *flags}, definition
    adjust = str(definition["adjust_offsets"]).lower()
    return [
        *(f"{WORD_DELIMITER_FLAGS[k]}={int(v)}" for k, v in flags.items()),
        f"adjustOffsets={adjust}",
        f"types={types}",
    ]


def _pattern_params(definition: dict[str, Any]) -> str:
    """A pattern_replace's pattern and replacement, percent-encoded (one may hold a space)."""
    pattern, replacement = (quote(definition[k], safe="") for k in ("pattern", "replacement"))
    return f"pattern={pattern} replacement={replacement}"


def _lucene_escape(s: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in s)


def write_lucene_specs(index_body: dict[str, Any], workdir: Path) -> list[str]:
    """Translate the analysis settings into the runner's spec; returns analyzer order."""
    analysis = index_body["settings"]["analysis"]
    lines, order = [], []

    def char_filter_line(name: str) -> str:
        definition = analysis["char_filter"][name]
        if definition["type"] == "pattern_replace":
            return f"charfilter patternReplace {_pattern_params(definition)}"
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
        if kind == "pattern_replace":
            return f"filter patternReplace {_pattern_params(definition)} replace=all"
        if kind == "word_delimiter_graph":
            table = "".join(rule + "\n" for rule in definition["type_table"])
            (workdir / f"{name}.txt").write_text(table, encoding="utf-8")
            params = _word_delimiter_params(definition, f"{name}.txt")
            return "filter wordDelimiterGraph " + " ".join(params)
        if kind == "length":
            return f"filter length min={definition['min']} max={definition['max']}"
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


def _skip_or_fail(reason: str) -> NoReturn:
    # CI has Maven and Java (.ci/run): there a missing one is a broken install, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=true: .ci/run should have installed it)")
    pytest.skip(reason)


def lucene_jars(version: str) -> list[Path]:
    """The jars of Lucene `version` in the local Maven repository (~/.m2), which Maven
    fills from Maven Central the first time; their class path is cached in CLASSPATH_CACHE."""
    cached = CLASSPATH_CACHE / f"lucene-{version}.classpath"
    fresh = cached.is_file() and cached.stat().st_mtime >= POM.stat().st_mtime
    if not (fresh and all(j.is_file() for j in _read_classpath(cached))):
        _resolve_classpath(version, cached)
    return _read_classpath(cached)


def _read_classpath(path: Path) -> list[Path]:
    return [Path(j) for j in path.read_text(encoding="utf-8").strip().split(os.pathsep)]


def _resolve_classpath(version: str, out: Path) -> None:
    mvn = shutil.which("mvn")
    if not mvn:
        _skip_or_fail(
            "mvn not installed (it fetches Lucene from Maven Central): apt-get install maven"
        )
    CLASSPATH_CACHE.mkdir(exist_ok=True)
    partial = out.with_suffix(f".{os.getpid()}.tmp")  # another run may be resolving it too
    command = [
        mvn,
        "--quiet",
        "--batch-mode",
        "--file",
        str(POM),
        "dependency:build-classpath",
        f"-Dlucene.version={version}",
        f"-Dmdep.outputFile={partial}",
        "-Dstyle.color=never",
    ]
    resolve = subprocess.run(command, capture_output=True, text=True)
    if resolve.returncode != 0:
        _skip_or_fail(
            f"Maven could not resolve Lucene {version}:\n{resolve.stdout}{resolve.stderr}"
        )
    partial.replace(out)


def jdk_tools(lucene: Lucene) -> tuple[str, str]:
    """The java and javac for `lucene`."""
    if lucene.java_home is None:
        java, javac = shutil.which("java"), shutil.which("javac")
        if not (java and javac):
            _skip_or_fail(
                "java and javac (JDK 17) not installed: apt-get install default-jdk-headless"
            )
        return java, javac
    java_path, javac_path = (lucene.java_home / "bin" / tool for tool in ("java", "javac"))
    if not (java_path.is_file() and javac_path.is_file()):
        # Not a skip: a missing JDK would silently leave Lucene 10 (Elasticsearch) untested.
        message = f"Lucene {lucene.version} needs a JDK 21+ at {lucene.java_home}, found none"
        pytest.fail(message, pytrace=False)
    return str(java_path), str(javac_path)


@pytest.fixture(scope="module", params=LUCENES, ids=LUCENE_IDS)
def lucene_runner(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """The command that runs AnalyzeWithLucene with one Lucene release (see LUCENES)."""
    lucene: Lucene = request.param
    java, javac = jdk_tools(lucene)
    jars = [str(j) for j in lucene_jars(lucene.version)]
    classes = tmp_path_factory.mktemp(f"lucene-{lucene.version}-classes")
    subprocess.run(
        [javac, "-cp", os.pathsep.join(jars), "-d", str(classes), str(RUNNER)], check=True
    )
    return [java, "-cp", os.pathsep.join([str(classes), *jars]), "AnalyzeWithLucene"]


def run_lucene(runner: list[str], workdir: Path, sentences: list[str]) -> list[str]:
    framed = workdir / "sentences.bin"
    with framed.open("wb") as f:
        for s in sentences:
            data = s.encode("utf-8")
            f.write(struct.pack(">i", len(data)) + data)
    out = workdir / "tokens.txt"
    subprocess.run(
        [*runner, str(workdir), str(workdir / "spec.txt"), str(framed), str(out)], check=True
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


def lucene_differences(runner: list[str], workdir: Path, texts: list[str]) -> list[tuple[int, str]]:
    """(text index, message) for every text and analyzer where Lucene and Python differ."""
    order = write_lucene_specs(json.loads(MAPPINGS.read_text(encoding="utf-8")), workdir)
    lines = run_lucene(runner, workdir, texts)
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


def test_python_analyzers_match_lucene(lucene_runner: list[str], tmp_path: Path) -> None:
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


def test_random_strings_match_lucene(lucene_runner: list[str], tmp_path: Path) -> None:
    import random

    rng = random.Random(20211123)
    texts = [
        "".join(rng.choice(_FUZZ_ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(5000)
    ]
    failures = [message for _, message in lucene_differences(lucene_runner, tmp_path, texts)]
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} in all)"


@pytest.mark.parametrize("lucene", LUCENES, ids=LUCENE_IDS)
def test_packaged_stop_list_is_the_one_elasticsearch_uses(lucene: Lucene) -> None:
    jar = next(j for j in lucene_jars(lucene.version) if "analysis-common" in j.name)
    with zipfile.ZipFile(jar) as z:
        theirs = z.read("org/apache/lucene/analysis/ar/stopwords.txt").decode("utf-8")
    ours = (ROOT / "indexer/analysis/stopwords_ar.txt").read_text(encoding="utf-8")
    assert ours == theirs
