"""What every bench times with: the wall-clock seconds of one call (perf_counter).

The benches run as scripts (`python bench/NAME.py`), so they import this by its bare
name; compare the figures as ratios within one run (docs/benchmarks.md)."""

from __future__ import annotations

import time
from collections.abc import Callable


def timed(fn: Callable[[], object]) -> float:
    """Seconds that fn() took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
