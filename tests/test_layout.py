"""The layout map of docs/design.md names each package of `indexer`, and nothing else
of it: a package added, moved or removed without the map fails here."""

from __future__ import annotations

import re

from helpers import ROOT

PACKAGE = ROOT / "indexer"


def layout_map() -> dict[str, str]:
    """The map's `indexer/...` lines: each package path, with what its line says."""
    text = (ROOT / "docs/design.md").read_text(encoding="utf-8")
    block = text.split("\n## Layout\n", 1)[1].split("```\n")[1]
    rows = (line.split(maxsplit=1) for line in block.splitlines())
    return {row[0]: row[1] for row in rows if row[0].startswith("indexer/")}


def packages() -> set[str]:
    """Every package directory of `indexer`, as `indexer/.../`."""
    return {f"{init.parent.relative_to(ROOT).as_posix()}/" for init in PACKAGE.rglob("__init__.py")}


def test_every_module_is_in_a_package() -> None:
    """No module sits in a plain folder (a namespace package the map would not see)."""
    loose = [
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.suffix in {".py", ".pyi", ".c"} and not (path.parent / "__init__.py").exists()
    ]
    assert loose == []


def test_the_map_names_every_package_and_only_packages() -> None:
    named = set(layout_map())
    assert sorted(packages() - named) == [], "packages missing from the map in docs/design.md"
    assert sorted(named - packages()) == [], "the map in docs/design.md names no such package"


def test_the_files_a_line_names_are_in_its_package() -> None:
    for package, says in layout_map().items():
        for name in re.findall(r"\b[\w.]+\.(?:pyi|py|c)\b", says):
            assert (ROOT / package / name).is_file(), f"{package}{name} (docs/design.md)"
