"""Snowball's Arabic stemmer in Python (the snowballstemmer package) against Lucene's
(org.tartarus.snowball.ext.ArabicStemmer, what the engines' `snowball` filter runs), on
every distinct word of the ANT corpus after our char filter, lowercase and digits.

    .venv/bin/python bench/snowball_parity.py [--lucene 9.12.3] [--java JAVA]

Needs the Lucene jars in ~/.m2 (Maven fetches them for the Lucene parity test) and a
JDK (Lucene 10 needs 21+). Prints how many words differ and the first few.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from indexer.analysis.analyzers import default_analyzers
from indexer.analysis.filters import SnowballStem

ROOT = Path(__file__).resolve().parent.parent
ANT = ROOT.parent / "shared/data/ant-news/ant_v2.1_multisource.jsonl.gz"
M2 = Path.home() / ".m2/repository/org/apache/lucene"
JAVA = """
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.tartarus.snowball.ext.ArabicStemmer;

public class Stems {
  public static void main(String[] args) throws Exception {
    ArabicStemmer s = new ArabicStemmer();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
             new FileInputStream(args[0]), StandardCharsets.UTF_8));
         Writer out = new BufferedWriter(new OutputStreamWriter(
             new FileOutputStream(args[1]), StandardCharsets.UTF_8))) {
      for (String w; (w = in.readLine()) != null; ) {
        s.setCurrent(w);
        s.stem();
        out.write(s.getCurrent() + "\\n");
      }
    }
  }
}
"""


def ant_words() -> list[str]:
    """The distinct words of the ANT articles' titles and texts, most frequent first."""
    exact = default_analyzers()["exact"]
    counts: collections.Counter[str] = collections.Counter()
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            counts.update(exact.terms(f"{record.get('title') or ''} {record.get('text') or ''}"))
    return [w for w, _ in counts.most_common()]


def lucene_stems(words: list[str], version: str, java: str) -> list[str]:
    jars = [
        M2 / f"{a}/{version}/{a}-{version}.jar" for a in ("lucene-core", "lucene-analysis-common")
    ]
    if missing := [j for j in jars if not j.is_file()]:
        sys.exit(f"snowball_parity: {missing[0]} is missing; run the Lucene parity test once")
    classpath = ":".join(map(str, jars))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "Stems.java").write_text(JAVA, encoding="utf-8")
        (folder / "words.txt").write_text("".join(w + "\n" for w in words), encoding="utf-8")
        javac = str(Path(java).with_name("javac"))
        subprocess.run([javac, "-cp", classpath, "-d", tmp, str(folder / "Stems.java")], check=True)
        subprocess.run(
            [
                java,
                "-cp",
                f"{tmp}:{classpath}",
                "Stems",
                str(folder / "words.txt"),
                str(folder / "out"),
            ],
            check=True,
        )
        return (folder / "out").read_text(encoding="utf-8").splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lucene", default="9.12.3")
    parser.add_argument("--java", default="java", help="the java binary (javac beside it)")
    args = parser.parse_args()
    words = ant_words()
    python = [SnowballStem().filter(w, False)[0] for w in words]
    lucene = lucene_stems(words, args.lucene, args.java)
    differ = [(w, p, j) for w, p, j in zip(words, python, lucene, strict=True) if p != j]
    print(f"{len(words):,} words, {len(differ)} stemmed differently by Lucene {args.lucene}")
    for word, py, java in differ[:20]:
        print(f"  {word}: python {py}, lucene {java}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
