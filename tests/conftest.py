"""The rootdir conftest: it puts tests/ on sys.path, where test modules find helpers.py
(the paths, the CLI helpers, the waits), and ends the CLI processes a test started.

Test modules import helpers, never this file: tests/integration/conftest.py is a module
named `conftest` too, and whichever of the two pytest loaded last holds that name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from helpers import STARTED


@pytest.fixture(autouse=True)
def end_cli_processes() -> Iterator[None]:
    """A child process of the CLI that outlives its test (one that failed while the
    process was waiting for more input, say) is killed and reaped with it."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(BrokenPipeError):  # what it did not read
                    stream.close()
