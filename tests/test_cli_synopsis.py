"""The README's command synopsis (the block under "## CLI") and each command's
`--help` list the same commands and the same options: an option added to a command
module and not to the README, or left in the README after it went, fails here."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from indexer.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"
PREFIX = "arabic-search "
OPTION = re.compile(r"--[a-z][a-z-]*")
# [BACKEND], [BACKEND but --home], [parse's options but --workers]: a group, less one.
GROUP = re.compile(r"\[(BACKEND|parse's options)(?: but (--[a-z-]+))?\]")


def synopsis_lines() -> list[str]:
    """The block's lines, each continuation line joined to the line it continues."""
    text = README.read_text(encoding="utf-8")
    block = text.split("\n## CLI\n", 1)[1].split("```\n")[1]
    lines: list[str] = []
    for line in block.splitlines():
        if line.startswith(" ") and lines:
            lines[-1] += line
        elif line.strip():
            lines.append(line)
    return lines


def readme_options() -> dict[str, set[str]]:
    """Each command of the synopsis, with every option it lists, groups expanded."""
    lines = synopsis_lines()
    backend = [line for line in lines if line.startswith("BACKEND:")]
    assert len(backend) == 1, "the synopsis defines BACKEND once"
    groups = {"BACKEND": set(OPTION.findall(backend[0]))}
    commands: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("BACKEND:"):
            continue
        assert line.startswith(PREFIX), line
        # `status [--json] [BACKEND] | rollback [BACKEND] | unlock [...]`: three commands.
        for part in line.removeprefix(PREFIX).split(" | "):
            name = part.split()[0]
            options = commands.setdefault(name, set())
            for group, left_out in GROUP.findall(part):
                options |= groups[group] - {left_out}
            options |= set(OPTION.findall(GROUP.sub("", part)))
            if name == "parse":
                groups["parse's options"] = options
    return commands


def help_options() -> dict[str, set[str]]:
    """Each command of the parser, with the long options its --help lists."""
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: {o for a in parser._actions for o in a.option_strings if o.startswith("--")}
        - {"--help"}
        for name, parser in commands.choices.items()
    }


def test_the_readme_synopsis_has_every_command_and_only_commands() -> None:
    assert sorted(readme_options()) == sorted(help_options())


def test_the_readme_synopsis_and_help_list_the_same_options() -> None:
    readme, helped = readme_options(), help_options()
    for name, options in helped.items():
        assert sorted(options - readme[name]) == [], f"{name}: in --help, not in the README"
        assert sorted(readme[name] - options) == [], f"{name}: in the README, not in --help"


def test_the_parser_of_the_synopsis_reads_groups() -> None:
    """The groups are expanded, less what `but` leaves out."""
    readme = readme_options()
    assert "--home" in readme["rollback"] and "--home" not in readme["unlock"]
    assert "--format" in readme["reindex"] and "--workers" not in readme["reindex"]
