"""A real OpenSearch node for the integration tests, from engine/ (Maven Central jars).

    node = LocalNode(data=tmp_path / "data")   # data=None: a throw-away folder
    url = node.start()                          # builds engine/ first if needed
    ...
    node.stop()

The node runs in its own JVM, stops when its standard input closes (so a test run
that dies takes it along), and writes its log to a file beside its data.
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
    if JAR.exists() and all(JAR.stat().st_mtime >= s.stat().st_mtime for s in SOURCES):
        return
    if not shutil.which("mvn") or not shutil.which("java"):
        raise NodeError("the local OpenSearch node needs java (17+) and mvn on PATH")
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(ENGINE / "pom.xml"), "package"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise NodeError(f"building engine/ with mvn failed:\n{tail}")


def healthy(url: str, timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(
            f"{url}/_cluster/health?wait_for_status=yellow&timeout=2s", timeout=timeout
        ) as response:
            return json.load(response).get("status") in ("yellow", "green")
    except OSError:
        return False


class LocalNode:
    def __init__(self, data: Path | None = None, port: int = 0) -> None:
        self.data = data
        self.port = port
        self.process: subprocess.Popen[str] | None = None
        self.url: str | None = None
        self._log_dir = Path(tempfile.mkdtemp(prefix="arabic-search-node-log"))

    @property
    def log(self) -> Path:
        return self._log_dir / "node.log"

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
        self.url = self._read_url(timeout)
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise NodeError(f"the node did not become healthy; its log: {self.log}")
            time.sleep(0.2)
        return self.url

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

    def stop(self) -> None:
        """Close its stdin (it shuts down cleanly), kill it if it does not."""
        if self.process is None:
            return
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
