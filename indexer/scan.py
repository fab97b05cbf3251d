"""The per-character loops of ingestion and indexing: the C extension when it is built,
else the pure-Python reference (indexer/_scan_py.py). Every caller imports them from here.

`pip install` builds indexer/_scan.c when a C compiler is there and goes on without it
when not (setup.py); ARABIC_SEARCH_PURE_PYTHON=1 forces the Python path, so the tests
can run both ways. The two give the same results (tests/test_scan.py); the C is faster.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING

from indexer import _scan_py
from indexer._scan_py import BMP_SIZE, MAX_PAIRS, MAX_WIDTH, TERM_SEPARATOR, Flag

PURE_PYTHON_VARIABLE = "ARABIC_SEARCH_PURE_PYTHON"


def _checked(extension: ModuleType) -> ModuleType:
    """The extension, once its constants are found equal to the reference's."""
    expected = {
        **{flag.name: flag.value for flag in Flag if flag.name},
        "BMP_SIZE": BMP_SIZE,
        "MAX_PAIRS": MAX_PAIRS,
        "MAX_WIDTH": MAX_WIDTH,
        "TERM_SEPARATOR": TERM_SEPARATOR,
    }
    for name, value in expected.items():
        if getattr(extension, name, None) != value:
            raise ImportError(
                f"indexer/_scan.c and indexer/_scan_py.py disagree on {name}: "
                "rebuild the extension (pip install -e .) after making them agree"
            )
    return extension


def _implementation() -> ModuleType:
    if os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        return _scan_py
    try:
        from indexer import _scan
    except ImportError:  # not built: no compiler at install time
        return _scan_py
    return _checked(_scan)


_IMPLEMENTATION = _implementation()
IMPLEMENTATION = "C" if _IMPLEMENTATION is not _scan_py else "Python"

if TYPE_CHECKING:  # both implementations have the reference's signatures
    from indexer._scan_py import collapse, fold, join_terms, tidiness, unquote
else:
    tidiness = _IMPLEMENTATION.tidiness
    collapse = _IMPLEMENTATION.collapse
    fold = _IMPLEMENTATION.fold
    unquote = _IMPLEMENTATION.unquote
    join_terms = _IMPLEMENTATION.join_terms

__all__ = [
    "BMP_SIZE",
    "IMPLEMENTATION",
    "PURE_PYTHON_VARIABLE",
    "TERM_SEPARATOR",
    "Flag",
    "collapse",
    "fold",
    "join_terms",
    "tidiness",
    "unquote",
]
