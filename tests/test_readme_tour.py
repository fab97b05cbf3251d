"""The README's five-minute tour runs as printed, after `make demo`: its commands are
read out of README.md's tour section and run in a temporary folder, after what the
demo does (on the bundled sample, not the 31k corpus), each checked against the exit
code and output printed under it."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from helpers import ROOT, run_cli

from indexer.cli.options import HOME_VARIABLE

TOUR_HEADING = "## A five-minute tour"
ELIDED = ("...", "…")  # an output line that stands for lines left out, or cut short
# What differs from run to run: version names, times taken, creation times.
VARYING = (
    (re.compile(r"articles-\d{8}t\d{12}"), "VERSION"),
    (re.compile(r" in \d+\.\d s \([\d,]+ records/s\)"), " in S s (R records/s)"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"), "TIME"),
)


@dataclass(frozen=True)
class Step:
    command: str  # as printed, after "$ "
    output: list[str]  # the lines printed under it

    @property
    def exit_code(self) -> int:
        """2 where the output printed is an error line (a refusal), else 0."""
        return 2 if any(line.startswith("arabic-search ") for line in self.output) else 0


def tour_steps(readme: str) -> list[Step]:
    """The `$ ` commands of the tour's code blocks (indented ones too), in order, each
    with the lines printed under it."""
    section = readme.split(TOUR_HEADING, 1)[1].split("\n## ", 1)[0]
    steps: list[Step] = []
    fence = None  # the indentation of the open code block's fence
    for raw in section.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            fence = None if fence is not None else len(raw) - len(raw.lstrip())
        elif fence is not None and line.startswith("$ "):
            steps.append(Step(line[2:], []))
        elif fence is not None and steps:
            steps[-1].output.append(raw[fence:])
    for step in steps:  # the blank lines between two commands are no output
        while step.output and not step.output[-1].strip():
            step.output.pop()
    return steps


def demo_reindex(makefile: str) -> list[str]:
    """The demo's reindex, from the Makefile, on the bundled sample."""
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(.*)$", makefile, re.MULTILINE))
    [command] = re.findall(r"^\t\$\(BIN\)/arabic-search (reindex .*)$", makefile, re.MULTILINE)
    command = command.replace("$(DEMO_DATA)", "tests/fixtures/ant-sample.jsonl")
    command = command.replace("$(DEMO_HOME)", variables["DEMO_HOME"])
    return shlex.split(command)


def masked(text: str) -> str:
    for pattern, stands_for in VARYING:
        text = pattern.sub(stands_for, text)
    return text


def test_the_tour_is_parsed_as_printed() -> None:
    steps = tour_steps((ROOT / "README.md").read_text(encoding="utf-8"))
    assert steps[0].command == "B=.venv/bin/arabic-search"
    assert [s.command.split()[1] for s in steps[1:]] == [
        "reindex",
        "search",
        "status",
        "reindex",
        "reindex",
    ]
    assert [s.exit_code for s in steps] == [0, 0, 0, 0, 2, 0]


def test_the_readme_tour_runs_as_printed_after_make_demo(tmp_path: Path) -> None:
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the tour's paths are relative
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in (HOME_VARIABLE, "ARABIC_SEARCH_BACKEND", "ES_URL", "OPENSEARCH_URL")
    }
    demo = run_cli(*demo_reindex((ROOT / "Makefile").read_text()), cwd=tmp_path, env=env)
    assert demo.code == 0, demo.err
    steps = tour_steps((ROOT / "README.md").read_text(encoding="utf-8"))
    assert steps[0].command == "B=.venv/bin/arabic-search"
    for step in steps[1:]:
        words = shlex.split(step.command, comments=True)
        assert words[0] == "$B", step.command
        result = run_cli(*words[1:], cwd=tmp_path, env=env)
        assert result.code == step.exit_code, (step.command, result.err)
        printed = [masked(line) for line in step.output]
        if step.exit_code:  # an error line, wrapped in the README, with its counts elided
            for piece in " ".join(printed).split("(...)"):
                assert piece.strip() in masked(result.error_line()), (step.command, piece)
        elif result.out and not any(e in line for line in printed for e in ELIDED):
            assert masked(result.out).splitlines() == printed, step.command
        else:
            lines = masked(result.out + result.err).splitlines()
            for line in printed:
                elided = not line or any(e in line for e in ELIDED)
                assert elided or line in lines, (step.command, line)
