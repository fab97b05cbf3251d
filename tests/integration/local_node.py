"""A real OpenSearch node for the integration tests, from engine/ (Maven Central jars).

    node = LocalNode(data=tmp_path / "data")   # data=None: a throw-away folder
    url = node.start()                          # builds engine/ first if needed
    ...
    node.stop()

The node runs in its own JVM, stops when its standard input closes (so a test run
that dies takes it along), and writes its log to a file beside its data.

What every local node shares (this one and elastic_node.ElasticNode) is here too:
NodeProcess (its log file, the wait until healthy, stop) and mvn_package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
JAR = ENGINE / "target/local-node.jar"
SOURCES = [ENGINE / "pom.xml", *ENGINE.glob("src/**/*.java")]
HEAP = os.environ.get("ARABIC_SEARCH_NODE_HEAP", "768m")


class NodeError(RuntimeError):
    """The node could not be built or started (the message says why)."""


def build() -> None:
    """mvn package, when the jar is missing or older than its sources."""
    mvn_package(ENGINE / "pom.xml", [JAR], SOURCES)


def mvn_package(
    pom: Path, products: list[Path], sources: list[Path], *args: str, java_home: Path | None = None
) -> None:
    """`mvn package` of `pom` (with `args`, run by the JDK at `java_home` if given) when a
    product is missing or older than a source. It then touches the products: Maven may
    leave an unchanged file as it was, and their times are the stamp of this build."""
    if all(p.exists() for p in products):
        built = min(p.stat().st_mtime for p in products)
        if all(built >= s.stat().st_mtime for s in sources):
            return
    if not shutil.which("mvn") or not shutil.which("java"):
        raise NodeError("the local nodes need java (17+) and mvn on PATH")
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(pom), *args, "package"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "JAVA_HOME": str(java_home)} if java_home else None,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise NodeError(f"building {pom.parent.relative_to(ROOT)}/ with mvn failed:\n{tail}")
    for product in products:
        product.touch()


def healthy(url: str, timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(
            f"{url}/_cluster/health?wait_for_status=yellow&timeout=2s", timeout=timeout
        ) as response:
            return json.load(response).get("status") in ("yellow", "green")
    except OSError:
        return False


class NodeProcess:
    """A local node's process: a log file of its own, the wait until it is healthy (with
    a deadline, failing loudly with the log's path), and stop."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.url: str | None = None
        self._log_dir = Path(tempfile.mkdtemp(prefix="arabic-search-node-log"))

    @property
    def log(self) -> Path:
        return self._log_dir / "node.log"

    def _wait_until_healthy(self, url: Callable[[], str | None], timeout: float) -> str:
        """Poll until the node at `url()` (None while it is not known yet) is healthy."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            found = url()
            if found is not None and healthy(found):
                self.url = found
                return found
            status = self.process.poll()
            if status is not None:
                self.stop()
                raise NodeError(
                    f"the node exited ({status}) before it was healthy; its log: {self.log}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise NodeError(
                    f"the node was not healthy after {timeout:.0f} s; its log: {self.log}"
                )
            time.sleep(0.2)

    def _ask_to_stop(self, process: subprocess.Popen[str]) -> None:
        process.terminate()

    def _kill(self, process: subprocess.Popen[str]) -> None:
        process.kill()

    def stop(self, timeout: float = 60.0) -> None:
        """Ask the node to shut down cleanly; kill it if it has not within `timeout` s."""
        if self.process is None:
            return
        process, self.process = self.process, None
        self._ask_to_stop(process)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill(process)
            process.wait()


class LocalNode(NodeProcess):
    def __init__(self, data: Path | None = None, port: int = 0) -> None:
        super().__init__()
        self.data = data
        self.port = port

    def start(self, timeout: float = 180.0) -> str:
        build()
        command = [
            "java",
            f"-Xms{HEAP}",
            f"-Xmx{HEAP}",
            "-cp",
            f"{JAR}{os.pathsep}{ENGINE / 'target/lib/*'}",
            "arabicsearch.LocalNode",
            "--port",
            str(self.port),
            "--until-stdin-closes",
        ]
        if self.data is not None:
            command += ["--data", str(self.data)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
            )
        url = self._read_url(timeout)
        return self._wait_until_healthy(lambda: url, timeout)

    def _read_url(self, timeout: float) -> str:
        """The node's one line on stdout, `listening on URL`, read with a time limit."""
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        lines: list[str] = []
        reader = threading.Thread(
            target=lambda: lines.append(stdout.readline()),
            daemon=True,
        )
        reader.start()
        reader.join(timeout)
        if not lines or not lines[0].startswith("listening on "):
            self.stop()
            raise NodeError(f"the node did not start; its log: {self.log}")
        return lines[0].split()[-1]

    def _ask_to_stop(self, process: subprocess.Popen[str]) -> None:
        """Close its stdin: it shuts down cleanly."""
        if process.stdin:
            process.stdin.close()
