"""A real OpenSearch node for the integration tests, from engine/ (Maven Central jars).

    node = LocalNode(data=tmp_path / "data")   # data=None: a throw-away folder
    url = node.start()                          # builds engine/ first if needed
    ...
    node.stop()

    nodes = LocalCluster(root=tmp_path)         # three nodes, three JVMs, one cluster
    urls = nodes.start()                        # each node's url; all three joined
    nodes.stop_node(1); nodes.start_node(1)     # node-1 goes, then rejoins on its data
    nodes.wait_for_health("green")
    nodes.close()                               # stops them; removes throw-away data

Each node runs in its own JVM, stops when its standard input closes (so a test run
that dies takes it along), and writes its log to a file beside its data.

What every local node shares (this one and elastic_node.ElasticNode) is here too:
NodeProcess (its log file, the wait until healthy, stop) and mvn_package.

Run as a program, it starts a local three-node cluster in the foreground until Ctrl-C
(`make cluster`):

    python tests/integration/local_node.py --cluster [--port N] [--transport-port N] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
JAR = ENGINE / "target/local-node.jar"
SOURCES = [ENGINE / "pom.xml", *ENGINE.glob("src/**/*.java")]
HEAP = os.environ.get("ARABIC_SEARCH_NODE_HEAP", "768m")
# Each node of a LocalCluster: three of them, with the tests' own Python and the other
# engines beside, on a machine of a few GiB.
CLUSTER_HEAP = os.environ.get("ARABIC_SEARCH_CLUSTER_HEAP", "512m")


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


@dataclass(frozen=True)
class Member:
    """A node's place in a cluster of local nodes: its own name and transport port, and
    what every node of the cluster is given alike, the transport addresses where it
    finds the others and the names that vote for the first cluster-manager."""

    name: str
    transport_port: int
    seed_hosts: tuple[str, ...]
    cluster_managers: tuple[str, ...]

    def args(self) -> list[str]:
        return [
            "--name",
            self.name,
            "--transport-port",
            str(self.transport_port),
            "--seed-hosts",
            ",".join(self.seed_hosts),
            "--cluster-managers",
            ",".join(self.cluster_managers),
        ]


class LocalNode(NodeProcess):
    """One node: a cluster of its own, or with `member`, one node of a LocalCluster."""

    def __init__(
        self,
        data: Path | None = None,
        port: int = 0,
        member: Member | None = None,
        heap: str = HEAP,
    ) -> None:
        super().__init__()
        self.data = data
        self.port = port
        self.member = member
        self.heap = heap

    def start(self, timeout: float = 180.0) -> str:
        self.launch()
        return self.wait_until_up(timeout)

    def launch(self) -> None:
        """Start its JVM and return at once: the nodes of a cluster start together, and
        none is healthy before enough of them have met to elect a cluster-manager."""
        build()
        command = [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-cp",
            f"{JAR}{os.pathsep}{ENGINE / 'target/lib/*'}",
            "arabicsearch.LocalNode",
            "--port",
            str(self.port),
            "--until-stdin-closes",
            *(self.member.args() if self.member else []),
        ]
        if self.data is not None:
            command += ["--data", str(self.data)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
            )

    def wait_until_up(self, timeout: float = 180.0) -> str:
        """Its url, once it listens and is healthy (fails loudly at the deadline)."""
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


def free_ports(count: int) -> list[int]:
    """`count` ports free on 127.0.0.1 now: each asked of the kernel while the others
    are held, so they differ. A cluster's nodes are given theirs before they start,
    since each must know where the others are."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def health(url: str, params: Mapping[str, str], within: float = 10.0) -> dict[str, Any]:
    """GET /_cluster/health with `params` (wait_for_status, ...): its answer, 408 (a
    wait that timed out) included; an error that is not an answer raises OSError."""
    query = urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health?{query}", timeout=within) as answer:
            found: dict[str, Any] = json.load(answer)
            return found
    except urllib.error.HTTPError as err:
        if err.code != 408:  # 503: no cluster-manager yet
            raise
        found = json.load(err)
        return found


class LocalCluster:
    """Three (`size`) local nodes, a JVM each, that form one cluster on 127.0.0.1:
    node-0, node-1, node-2, each with its own HTTP and transport port (free ones unless
    given) and its own data folder under `root` (a throw-away folder unless given).
    A node can be stopped and started again on its data: it rejoins, on its url."""

    def __init__(
        self,
        root: Path | None = None,
        size: int = 3,
        http_ports: Sequence[int] | None = None,
        transport_ports: Sequence[int] | None = None,
        heap: str = CLUSTER_HEAP,
    ) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="arabic-search-cluster"))
        self._throw_away = root is None
        self.http_ports = list(http_ports or free_ports(size))
        transport = list(transport_ports or free_ports(size))
        names = tuple(f"node-{i}" for i in range(size))
        seeds = tuple(f"127.0.0.1:{port}" for port in transport)
        self.nodes = [
            LocalNode(
                data=self.root / name,
                port=port,
                member=Member(name, transport_port, seeds, names),
                heap=heap,
            )
            for name, port, transport_port in zip(names, self.http_ports, transport, strict=True)
        ]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.http_ports]

    def start(self, timeout: float = 180.0) -> list[str]:
        """Start every node, together, and wait until the cluster has them all."""
        build()  # once, before the JVMs start
        try:
            for node in self.nodes:
                node.launch()
            for node in self.nodes:
                node.wait_until_up(timeout)
            self.wait_for_health(timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self.urls

    def stop_node(self, index: int) -> None:
        """Stop one node cleanly (its data stays); wait until the others see it gone
        (whatever the health: an index without replicas may have lost a shard)."""
        self.nodes[index].stop()
        self.wait_for_health(status="red", timeout=120.0)

    def start_node(self, index: int, timeout: float = 180.0) -> str:
        """Start a stopped node again on its data, and wait until it has rejoined."""
        node = self.nodes[index]
        node.launch()
        url = node.wait_until_up(timeout)
        self.wait_for_health(timeout=timeout)
        return url

    def running(self) -> int:
        return sum(node.process is not None for node in self.nodes)

    def wait_for_health(
        self, status: str = "yellow", at: int | None = None, timeout: float = 120.0
    ) -> dict[str, Any]:
        """Poll until the cluster, asked at node `at` (else the first one running), has
        exactly its running nodes and at least `status`; fail loudly at the deadline,
        with the last answer and the nodes' logs."""
        if at is None:
            at = next(i for i, node in enumerate(self.nodes) if node.process is not None)
        url, nodes = self.urls[at], self.running()
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | str = "no answer"
        while time.monotonic() < deadline:
            try:
                asked = {"wait_for_status": status, "wait_for_nodes": str(nodes), "timeout": "2s"}
                last = health(url, asked)
                if not last.get("timed_out") and last.get("number_of_nodes") == nodes:
                    return last
            except OSError as err:
                last = str(err)
            time.sleep(0.2)
        logs = ", ".join(str(node.log) for node in self.nodes)
        raise NodeError(
            f"the cluster at {url} did not reach {nodes} nodes and {status} within "
            f"{timeout:.0f} s; last health: {last}; the logs: {logs}"
        )

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def close(self) -> None:
        """Stop every node, and remove the data folders when they were throw-away ones."""
        self.stop()
        if self._throw_away:
            shutil.rmtree(self.root, ignore_errors=True)


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run a local OpenSearch cluster of three nodes in the foreground until Ctrl-C."
    )
    parser.add_argument("--cluster", action="store_true", help="three nodes (the only mode)")
    parser.add_argument(
        "--port", type=int, default=9200, help="node-0's HTTP port; node-N's is PORT+N"
    )
    parser.add_argument(
        "--transport-port", type=int, default=9300, help="node-0's transport port; +N likewise"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(".opensearch-cluster"),
        help="node-N's data in DATA/node-N",
    )
    args = parser.parse_args()
    if not args.cluster:
        parser.error("give --cluster (make opensearch runs a single node)")
    signal.signal(signal.SIGTERM, _interrupt)  # a kill stops the nodes in order, as Ctrl-C
    nodes = LocalCluster(
        root=args.data.resolve(),
        http_ports=[args.port + i for i in range(3)],
        transport_ports=[args.transport_port + i for i in range(3)],
    )
    try:
        try:
            nodes.start()
            for node, url in zip(nodes.nodes, nodes.urls, strict=True):
                assert node.member is not None
                print(
                    f"{node.member.name}: {url}, transport 127.0.0.1:{node.member.transport_port},"
                    f" data in {node.data}, log {node.log}",
                    flush=True,
                )
            print(f"one cluster of three: OPENSEARCH_URL={nodes.urls[0]}; Ctrl-C stops all three")
            while all(node.process and node.process.poll() is None for node in nodes.nodes):
                time.sleep(1)
            print("a node stopped on its own; stopping the others", file=sys.stderr)
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C (or make's TERM after the terminal's INT) must not cut
            # the stop short and leave a node running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            nodes.stop()
    except NodeError as err:
        sys.exit(f"local_node: {err}")


if __name__ == "__main__":
    main()
