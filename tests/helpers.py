"""What the tests share: the paths, the CLI run in this process or in a child process,
inputs big enough to interrupt, and waits that fail at their deadline.

Test modules import it by name (`from helpers import ...`): tests/conftest.py, the
rootdir conftest, puts tests/ on sys.path. A test module imports no other test module,
nor a conftest: tests/ and tests/integration each have one, and both are `conftest`.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.server
import io
import json
import os
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.backends import Backend
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.cli import main
from indexer.index.checkpoints import Interrupted
from indexer.index.reindex import reindex

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"
BEIR = FIXTURES / "beir"
# The corpora of ../shared, beside the repository; tests that need them skip without.
SHARED = ROOT.parent / "shared"
ANT = SHARED / "data/ant-news/ant_v2.1_multisource.jsonl.gz"
ARCD = SHARED / "data/arcd"

CLI = (sys.executable, "-m", "indexer.cli")  # the entry point, in a child process


@dataclass(frozen=True)
class Result:
    """What a run of the CLI gave: its exit code, its stdout and its stderr (bytes)."""

    code: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8")

    def error_line(self) -> str:
        """The one line of stderr that starts with `arabic-search` (fails unless one)."""
        [line] = [x for x in self.err.splitlines() if x.startswith("arabic-search")]
        return line


def run_cli(
    *args: str,
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Result:
    """`arabic-search ARGS` in this process: `indexer.cli.main(ARGS)`, with a stdin,
    stdout and stderr of its own (sys.stdin and sys.stdin.buffer read `stdin`), and
    argparse's exits (usage errors, --help) as exit codes, as a process would give.

    `env`: the whole environment of the command, as for a process (None: this one);
    `cwd`: the folder it runs in (None: this one). Both are restored after it."""
    out, err = io.BytesIO(), io.BytesIO()
    with pytest.MonkeyPatch.context() as patch:
        given = io.BufferedReader(io.BytesIO(stdin))  # as sys.stdin.buffer: it peeks
        patch.setattr(sys, "stdin", io.TextIOWrapper(given, encoding="utf-8"))
        patch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8", write_through=True))
        patch.setattr(sys, "stderr", io.TextIOWrapper(err, encoding="utf-8", write_through=True))
        if env is not None:
            for name in list(os.environ):
                patch.delenv(name)
            for name, value in env.items():
                patch.setenv(name, value)
        if cwd is not None:
            patch.chdir(cwd)
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse: --help, or a usage error
            code = _exit_code(exit.code)
        sys.stdout.flush()
        sys.stderr.flush()
        # Read before the wrappers go: a TextIOWrapper closes its buffer when it goes.
        return Result(code, out.getvalue(), err.getvalue())


def _exit_code(code: str | int | None) -> int:
    """The status a process would exit with, given SystemExit's code."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


# The child processes the tests started; tests/conftest.py ends each with its test.
STARTED: list[subprocess.Popen[bytes]] = []


def cli_process(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    stdin: int = subprocess.DEVNULL,
    prefix: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """`python -m indexer.cli ARGS` in a child process, its stdout and stderr piped: for
    what needs a process of its own (a signal, kill -9, a lock held by another process,
    a peak of memory, dropped privileges, the C loops chosen at import, the entry point).

    `env`: its whole environment (None: this one's); `stdin`: subprocess.PIPE for a
    test that feeds it; `prefix`: a command that runs it (such as setpriv)."""
    process = subprocess.Popen(
        [*prefix, *CLI, *args],
        cwd=cwd,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    STARTED.append(process)
    return process


def finished(
    process: subprocess.Popen[bytes], stdin: bytes | None = None, timeout: float = 300
) -> Result:
    """Its exit code and output, once it has ended (given `stdin` and its end first)."""
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the CLI had not ended after {timeout:.0f} s: {err.decode()}")
    return Result(process.returncode, out, err)


def run_process(
    *args: str,
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    prefix: Sequence[str] = (),
) -> Result:
    """cli_process run to its end, given `stdin`."""
    process = cli_process(*args, env=env, cwd=cwd, stdin=subprocess.PIPE, prefix=prefix)
    return finished(process, stdin)


def wait_for(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    timeout: float = 120,
) -> None:
    """Poll until `condition()` holds; fail, saying `what` was waited for, at the
    deadline, or at once when `process` (the CLI that should bring it about) ends."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"the CLI ended ({process.returncode}) before {what}: {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {timeout:.0f} s")
        time.sleep(0.05)


def feed(process: subprocess.Popen[bytes], data: bytes, timeout: float = 120) -> None:
    """Write `data` to the process's stdin, which stays open, and wait until it has
    read all of it (nothing left in the pipe): it is then inside the load, which waits
    for more. Fails at the deadline, or if the process ends first."""
    assert process.stdin is not None
    stdin = process.stdin
    failed: list[BaseException] = []

    def write() -> None:
        try:
            stdin.write(data)
            stdin.flush()
        except BrokenPipeError as err:
            failed.append(err)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    wait_for(lambda: not writer.is_alive(), f"a write of {len(data):,} bytes", process, timeout)
    if failed:
        pytest.fail(f"the CLI ended before it read its input: {finished(process).err}")
    wait_for(lambda: unread(process) == 0, "the read of all it was given", process, timeout)


def unread(process: subprocess.Popen[bytes]) -> int:
    """Bytes written to the process's stdin that it has not read yet (FIONREAD)."""
    assert process.stdin is not None
    return int.from_bytes(
        fcntl.ioctl(process.stdin.fileno(), termios.FIONREAD, b"\0\0\0\0"), sys.byteorder
    )


def many_articles(path: Path, count: int) -> Path:
    """`count` articles in JSON Lines, each with a URL and words of its own."""
    template = json.loads(
        (FIXTURES / "ant-sample.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    words = template["text"].split()
    with path.open("w", encoding="utf-8") as f:
        for n in range(count):
            # Every other word new in each article: analysis learns as much as on real
            # text, so a load of a few thousand lasts long enough to be interrupted.
            text = " ".join(f"{w}{n}" if i % 2 else w for i, w in enumerate(words))
            doc = {**template, "url": f"http://example.test/{n}", "text": text}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def interrupted_load(backend: EmbeddedBackend, source: str) -> Interrupted:
    """A reindex of alias "news" stopped by Ctrl-C at its 15th record."""
    seen = 0

    def interrupt_at_15(outcome: object) -> None:
        nonlocal seen
        seen += 1
        if seen == 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(backend, [source], "news", on_outcome=interrupt_at_15)
    interrupted = backend.interrupted("news")
    assert interrupted is not None
    return interrupted


@contextlib.contextmanager
def reindex_paused(backend: Backend, source: str, alias: str, at: int) -> Iterator[None]:
    """A reindex of `alias` from `source` in a thread of this process, paused at its
    `at`th record, inside its lock, while the block runs; then it goes on to its end,
    and must succeed."""
    reached, go = threading.Event(), threading.Event()
    failed: list[BaseException] = []
    seen = 0

    def pause(outcome: object) -> None:
        nonlocal seen
        seen += 1
        if seen == at:
            reached.set()
            go.wait(timeout=120)

    def run() -> None:
        try:
            reindex(backend, [source], alias, on_outcome=pause)
        except BaseException as err:
            failed.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_for(lambda: reached.is_set() or not thread.is_alive(), f"record {at} of the reindex")
    try:
        yield
    finally:
        go.set()
        thread.join(timeout=120)
    assert not thread.is_alive() and not failed, failed


def answer_json(handler: http.server.BaseHTTPRequestHandler, status: int, body: object) -> None:
    """Answer a request as an Elasticsearch node does: JSON, with its product header."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("X-Elastic-Product", "Elasticsearch")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
