"""A seeded generator of news articles, for measuring how cost grows with the corpus
(bench/scale.py): any number of articles made from real ones (the ANT corpus there, a
fixture in tests/test_synthetic.py).

Each article takes a real one as its template:
  - the body keeps the template's shape (paragraphs, sentences in each) and its first
    sentence half the time; every other sentence is drawn from all the sentences of
    the template's category;
  - the title is the first half of the template's title and the second half of
    another title of the category;
  - the category, source and author are the template's; the url is new (so the id is
    new), and so is the date (uniform over 2000-2026);
  - words that occur once in the real corpus are replaced, at a rate that falls as the
    corpus grows, by words made up for the occasion. Without them the vocabulary would
    stop growing at the real corpus's own; news keeps naming new people and places,
    roughly as Heaps' law says (V = K n^beta), and the rate follows the law fitted on
    the real corpus (`Pool.heaps`).
No two articles share a fingerprint (the duplicate detector's key,
indexer.ingest.articles.fingerprint), nor one with a real article: an article whose
fingerprint is known is drawn again.

How far the result's term statistics are from the real corpus: `term_statistics` of
both, printed by bench/scale.py (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from indexer.analysis.normalize import default_normalizer
from indexer.ingest.articles import Article, fingerprint
from indexer.ingest.cleaning import clean_text

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_WORD = re.compile(r"\w+")
START = datetime(2000, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2026, 12, 1, tzinfo=UTC) - START).total_seconds())
MAX_REDRAWS = 1000  # draws of one article before the pool is called too small
# Letters of made-up words' endings: a counter written in these.
_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


def words(text: str) -> list[str]:
    """The normalized words of `text`, as the term statistics count them (close to the
    analyzers' `exact` terms, without the cost of the full analysis)."""
    return _WORD.findall(default_normalizer().normalize(text).lower())


@dataclass(frozen=True, slots=True)
class Template:
    title: tuple[str, ...]
    paragraphs: tuple[int, ...]  # sentences in each paragraph
    first: str  # the first sentence
    category: str
    source: str | None
    author: str | None


@dataclass(frozen=True, slots=True)
class Heaps:
    """V(n) = k * n ** beta: the vocabulary of n articles."""

    k: float
    beta: float

    def new_words(self, n: int) -> float:
        """How many words the n-th article brings that none before had (dV/dn)."""
        return self.beta * self.k * math.pow(max(n, 1), self.beta - 1)


def fit_exponent(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares of log y against log x: (slope, intercept), y = e^intercept x^slope."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    var = sum((x - mx) ** 2 for x in lx)
    slope = sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / var if var else 0.0
    return slope, my - slope * mx


def heaps_fit(curve: list[tuple[int, int]]) -> Heaps:
    """Heaps' law fitted on a vocabulary curve, (articles, distinct words), past its
    first tenth (where the common words still arrive)."""
    tail = [(n, v) for n, v in curve if n >= curve[-1][0] / 10] or curve
    beta, log_k = fit_exponent([n for n, _ in tail], [v for _, v in tail])
    return Heaps(math.exp(log_k), beta)


class Pool:
    """The real articles, cut into what the generator recombines."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.templates: list[Template] = []
        self.sentences: dict[str, list[str]] = {}
        self.titles: dict[str, list[tuple[str, ...]]] = {}
        texts = []
        self.fingerprints: set[str] = set()  # the real articles': no copy of one is made
        for a in articles:
            self.fingerprints.add(a.fingerprint)
            category = a.category or "-"
            paragraphs = [_SENTENCE_END.split(p) for p in a.body.split("\n") if p.strip()]
            if not paragraphs:
                continue
            flat = [s for p in paragraphs for s in p]
            self.sentences.setdefault(category, []).extend(flat)
            title = tuple(a.title.split())
            self.titles.setdefault(category, []).append(title)
            self.templates.append(
                Template(title, tuple(map(len, paragraphs)), flat[0], category, a.source, a.author)
            )
            texts.append(f"{a.title}\n{a.body}")
        counts = Counter(w for text in texts for w in _WORD.findall(text))
        # Words seen once, as written (the made-up replacement keeps their form).
        self.rare = frozenset(w for w, c in counts.items() if c == 1)
        self.size = len(texts)
        self.statistics = term_statistics(texts)
        self.heaps = self.statistics.heaps
        # Rare words a generated article carries on average: as many as a real one.
        self.rare_per_article = max(len(self.rare) / max(self.size, 1), 1e-9)


def _made_up(word: str, serial: int) -> str:
    """`word` with an ending no other made-up word has: a new word, of a real word's form."""
    ending = []
    while True:
        serial, digit = divmod(serial, len(_LETTERS))
        ending.append(_LETTERS[digit])
        if not serial:
            break
    return word + "".join(ending)


class Generator:
    """Articles as ANT JSON Lines records (the fields `parse` reads), reproducible from
    the seed: the first n of any run are the same n."""

    def __init__(self, pool: Pool, seed: int = 1) -> None:
        self.pool = pool
        self.random = random.Random(seed)
        self.seed = seed
        self.fingerprints = set(pool.fingerprints)  # the real ones' and those made
        self.made = 0  # articles made so far
        self.made_up = 0  # made-up words so far
        self.redrawn = 0  # articles drawn again for a fingerprint already made

    def _sentence(self, text: str, rate: float) -> str:
        if rate <= 0 or not any(w in self.pool.rare for w in _WORD.findall(text)):
            return text
        out = []
        for token in text.split(" "):
            core = _WORD.search(token)
            if core and core[0] in self.pool.rare and self.random.random() < rate:
                self.made_up += 1
                token = token.replace(core[0], _made_up(core[0], self.made_up), 1)
            out.append(token)
        return " ".join(out)

    def _draw(self, n: int) -> dict[str, Any]:
        rng, pool = self.random, self.pool
        t = rng.choice(pool.templates)
        sentences = pool.sentences[t.category]
        # The share of rare words replaced by new ones, so that the vocabulary grows
        # as the real corpus's Heaps' law says it would at this size.
        rate = min(1.0, pool.heaps.new_words(n) / pool.rare_per_article)
        paragraphs = []
        for p, count in enumerate(t.paragraphs):
            drawn = [rng.choice(sentences) for _ in range(count)]
            if p == 0 and rng.random() < 0.5:
                drawn[0] = t.first
            paragraphs.append(" ".join(self._sentence(s, rate) for s in drawn))
        body = "\n".join(paragraphs)
        other = rng.choice(pool.titles[t.category])
        half = (len(t.title) + 1) // 2
        title = " ".join(t.title[:half] + other[len(other) // 2 :])
        when = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        source = t.source or "news"
        return {
            "url": f"https://{source}.example/{t.category}/{self.seed}/{n}",
            "src": t.source,
            "cat": None if t.category == "-" else t.category,
            "title": title,
            "time": when.isoformat(),
            "author": t.author,
            "abstract": body[:200].rsplit(" ", 1)[0],
            "text": body,
        }

    def articles(self, count: int) -> Iterator[dict[str, Any]]:
        """The next `count` articles."""
        for n in range(self.made + 1, self.made + count + 1):
            for _ in range(MAX_REDRAWS):
                record = self._draw(n)
                key = fingerprint(record["title"], clean_text(record["text"]))
                if key not in self.fingerprints:
                    break
                self.redrawn += 1
            else:
                raise ValueError(
                    f"article {n}: {MAX_REDRAWS} draws in a row made fingerprints already "
                    "made; the pool is too small for this many articles"
                )
            self.fingerprints.add(key)
            self.made = n
            yield record


@dataclass(frozen=True, slots=True)
class TermStatistics:
    """What the cost of an index depends on, of n articles."""

    articles: int
    tokens: int
    vocabulary: int
    heaps: Heaps  # fitted on the corpus's own vocabulary curve
    df1: float  # share of the vocabulary in one article only
    df_le_10: float  # in 10 articles or fewer
    top100_tokens: float  # share of all tokens that the 100 most frequent words make
    df_slope: float  # Zipf exponent of document frequency against rank (ranks 10-10,000)
    max_df: float  # document frequency of the most common word, as a share of articles

    def row(self) -> str:
        return (
            f"{self.articles:>9,} {self.tokens / self.articles:>7.0f} {self.vocabulary:>10,} "
            f"{self.heaps.beta:>6.3f} {self.df1:>6.1%} {self.df_le_10:>7.1%} "
            f"{self.top100_tokens:>8.1%} {self.df_slope:>8.3f} {self.max_df:>7.1%}"
        )

    HEADER = (
        f"{'articles':>9} {'tok/art':>7} {'vocabulary':>10} {'heaps':>6} {'df=1':>6} "
        f"{'df<=10':>7} {'top100':>8} {'df slope':>8} {'max df':>7}"
    )


def term_statistics(texts: Iterable[str]) -> TermStatistics:
    df: Counter[str] = Counter()
    tf: Counter[str] = Counter()
    curve: list[tuple[int, int]] = []
    n = tokens = 0
    for n, text in enumerate(texts, 1):
        found = words(text)
        tokens += len(found)
        tf.update(found)
        df.update(set(found))
        if n % 500 == 0:
            curve.append((n, len(df)))
    curve.append((n, len(df)))
    ranked = [d for _, d in df.most_common()]
    ranks = range(10, min(10_000, len(ranked)))
    slope, _ = fit_exponent([r + 1 for r in ranks], [ranked[r] for r in ranks])
    return TermStatistics(
        articles=n,
        tokens=tokens,
        vocabulary=len(df),
        heaps=heaps_fit(curve),
        df1=sum(1 for d in ranked if d == 1) / len(ranked),
        df_le_10=sum(1 for d in ranked if d <= 10) / len(ranked),
        top100_tokens=sum(c for _, c in tf.most_common(100)) / tokens,
        df_slope=-slope,
        max_df=ranked[0] / n,
    )
