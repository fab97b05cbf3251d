"""Real Elasticsearch nodes (9.5.3, 8.19.21) for the integration tests, from Maven Central.

    node = ElasticNode("9.5.3")          # or "8.19.21"; data=None: in the node's own folder
    url = node.start()                   # builds engine/elasticsearch for the version if needed
    node.stop(); url = node.start()      # the same node and data again (a new port if port=0)
    node.close()                         # stop, and remove the node's folder

engine/elasticsearch (Maven) unpacks Elasticsearch's integ-test distribution and builds
the project's test plugin for the version (the analysis components and `GET /` that
distribution lacks; see docs/engines.md). Each node gets a folder of its own under the
system's temporary folder: a copy of the distribution (hard links where it can; the
config, which Elasticsearch writes to, copied), the plugin, its logs, its temporary
files and, unless `data` is given, its data. The folder lasts until close() (or the
end of the process), so a node stopped and started again keeps its data.

Elasticsearch refuses to run as root: the node runs as uid/gid 65534 (nobody) through
setpriv, which owns the node's folder and `data`. A `data` folder must therefore be one
that user can reach: not under pytest's tmp_path, whose root is private to root.

The node dies with this process: setpriv gives it PR_SET_PDEATHSIG (SIGKILL when the
thread that started it ends, so start nodes from the main thread or one that outlives
them), and Elasticsearch's server process exits when its launcher does.

As a script it builds, or runs one node in the foreground until Ctrl-C
(`make elasticsearch`): python tests/integration/elastic_node.py --version 9.5.3 --port 9200
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn

from local_node import ROOT, NodeError, NodeProcess, mvn_package

ENGINE = ROOT / "engine/elasticsearch"
PLUGIN = "arabic-search-test"  # the test plugin's name (pom.xml's plugin.name)
HEAP = os.environ.get("ARABIC_SEARCH_NODE_HEAP", "512m")
NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
TEMURIN_25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
JAVA_17 = Path("/usr/lib/jvm/java-17-openjdk-amd64")
# Variables that would reach the node's JVMs or move its folders; the node gets its own.
NOT_PASSED = {"JAVA_HOME", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS", "ES_HOME",
              "ES_PATH_CONF", "ES_JAVA_OPTS", "CLI_JAVA_OPTS"}  # fmt: skip


@dataclass(frozen=True)
class Release:
    profile: str  # its Maven profile in engine/elasticsearch/pom.xml
    java: int  # the Java it is built with and runs on


RELEASES = {"9.5.3": Release("es9", 21), "8.19.21": Release("es8", 17)}


def java_home(java: int) -> Path:
    """A JDK for that Java: Temurin 25 for 21+ (CI machines have it beside Debian's
    Java 17), else Debian's Java 17, else the java on PATH."""
    if java > 17:
        if not (TEMURIN_25 / "bin/java").exists():
            raise NodeError(f"Elasticsearch 9 needs a JDK 21+ at {TEMURIN_25}")
        return TEMURIN_25
    if (JAVA_17 / "bin/java").exists():
        return JAVA_17
    if java_bin := shutil.which("java"):
        return Path(java_bin).resolve().parent.parent
    raise NodeError("Elasticsearch 8 needs Java 17: no java on PATH")


def release(version: str) -> Release:
    if version not in RELEASES:
        raise NodeError(f"no Elasticsearch test node for {version}; there are {sorted(RELEASES)}")
    return RELEASES[version]


def build(version: str) -> Path:
    """mvn package of the version's profile, when the plugin or the distribution is
    missing or older than engine/elasticsearch's sources; returns the folder of both."""
    found = release(version)
    out = ENGINE / "target" / version
    sources = [ENGINE / "pom.xml", *(p for p in (ENGINE / "src").rglob("*") if p.is_file())]
    products = [
        out / "plugin" / PLUGIN / f"{PLUGIN}-{version}.jar",
        out / f"elasticsearch-{version}/bin/elasticsearch",
    ]
    mvn_package(
        ENGINE / "pom.xml", products, sources, f"-P{found.profile}", java_home=java_home(found.java)
    )
    return out


def _link_or_copy(source: str, destination: str) -> None:
    """Hard links cost no space; the distribution's files are root's, read-only to the
    node. Across file systems, a copy."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _chown(path: Path, *, files: bool) -> None:
    """Give the node's user `path` and the folders below it (and their files if `files`)."""
    for folder, _, names in os.walk(path):
        os.chown(folder, NOBODY, NOBODY)
        for name in names if files else ():
            os.chown(os.path.join(folder, name), NOBODY, NOBODY, follow_symlinks=False)


class ElasticNode(NodeProcess):
    """One Elasticsearch node of `version` on 127.0.0.1: `port` 0 takes a free port."""

    def __init__(self, version: str = "9.5.3", data: Path | None = None, port: int = 0) -> None:
        super().__init__()
        self.release = release(version)
        self.version = version
        self.data = data.resolve() if data is not None else None
        self.port = port
        self.folder: Path | None = None  # made by the first start
        self._remove: weakref.finalize[..., ElasticNode] | None = None

    @property
    def home(self) -> Path:
        """The node's copy of the distribution (ES_HOME)."""
        assert self.folder is not None
        return self.folder / f"elasticsearch-{self.version}"

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None
        return self.data if self.data is not None else self.folder / "data"

    def start(self, timeout: float = 180.0) -> str:
        if self.process is not None:
            raise NodeError("the node is running already")
        if self.folder is None:
            self._make_folder()
        assert self.folder is not None
        ports = self.folder / "logs/http.ports"
        ports.unlink(missing_ok=True)  # a stopped run's, naming its port
        self._write_config()
        env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
        env |= {
            "ES_JAVA_HOME": str(java_home(self.release.java)),
            "ES_JAVA_OPTS": f"-Xms{HEAP} -Xmx{HEAP}",
            "ES_TMPDIR": str(self.folder / "tmp"),
        }
        command = [*AS_NOBODY, "--pdeathsig", "KILL", "--", str(self.home / "bin/elasticsearch")]
        with self.log.open("a") as log:
            # Its own session: a Ctrl-C reaches this process only, which stops the node in
            # order, and a kill reaches the launcher and the server JVM together.
            self.process = subprocess.Popen(
                command,
                cwd=self.home,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        return self._wait_until_healthy(lambda: self._http_url(ports), timeout)

    @staticmethod
    def _http_url(ports: Path) -> str | None:
        """The address the node bound to, from the file it writes then (node.portsfile):
        whatever else may answer on a given port, this is the node's own word."""
        try:
            first = ports.read_text().split()[0]
        except (OSError, IndexError):
            return None
        return f"http://{first}"

    def _make_folder(self) -> None:
        """The node's folder: the distribution, its config, the plugin, logs, tmp, data."""
        if self.data is not None:
            # The node's user must get through every folder above it (made here if need be).
            above = next(p for p in self.data.parents if p.exists())
            reach = subprocess.run([*AS_NOBODY, "--", "test", "-x", str(above)], check=False)
            if reach.returncode != 0:
                raise NodeError(
                    f"uid {NOBODY}, which runs the node, cannot reach {self.data}: a folder "
                    "above it is closed to it; give a data folder it can reach, or none"
                )
            self.data.mkdir(parents=True, exist_ok=True)
            _chown(self.data, files=True)
        out = build(self.version)
        self.folder = Path(tempfile.mkdtemp(prefix=f"arabic-search-es-{self.version}-"))
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, True)  # at the latest
        distribution = out / f"elasticsearch-{self.version}"
        shutil.copytree(
            distribution,
            self.home,
            copy_function=_link_or_copy,
            ignore=lambda at, names: ["config"] if Path(at) == distribution else [],
        )
        shutil.copytree(distribution / "config", self.home / "config")
        shutil.copytree(out / "plugin" / PLUGIN, self.home / "plugins" / PLUGIN)
        for made in (self.folder / "logs", self.folder / "tmp", self.data_dir):
            made.mkdir(exist_ok=True)
        _chown(self.folder, files=False)
        _chown(self.home / "config", files=True)
        _chown(self.home / "plugins", files=True)

    def _write_config(self) -> None:
        assert self.folder is not None
        settings = {
            "cluster.name": "arabic-search-test",
            "node.name": f"es-{self.version}",
            "network.host": "127.0.0.1",
            "http.port": self.port,  # 0: a free one
            "transport.port": 0,
            "node.portsfile": True,  # logs/http.ports: the address it bound to
            "discovery.type": "single-node",
            "xpack.security.enabled": False,  # a test node: plain HTTP, no passwords
            "action.destructive_requires_name": True,  # the default; no wildcard deletes
            "cluster.routing.allocation.disk.threshold_enabled": False,  # however full the disk
            "path.data": str(self.data_dir),
            "path.logs": str(self.folder / "logs"),
        }
        config = self.home / "config/elasticsearch.yml"
        # JSON values are YAML: strings quoted, booleans and numbers as they are.
        config.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))
        os.chown(config, NOBODY, NOBODY)

    def _kill(self, process: subprocess.Popen[str]) -> None:
        """SIGKILL to the launcher and the server JVM (the session's process group); the
        launcher alone is asked to stop (SIGTERM), and it stops the server in order."""
        os.killpg(process.pid, signal.SIGKILL)

    def close(self) -> None:
        """Stop the node and remove its folder (a given `data` folder stays)."""
        self.stop()
        if self._remove is not None:
            self._remove()
            self.folder = self._remove = None


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run one Elasticsearch test node in the foreground until Ctrl-C."
    )
    parser.add_argument("--version", default="9.5.3", choices=sorted(RELEASES))
    parser.add_argument("--port", type=int, default=9200, help="0: a free port (default 9200)")
    parser.add_argument("--data", type=Path, help="its data folder (default: a throw-away one)")
    parser.add_argument(
        "--build",
        action="append",
        choices=sorted(RELEASES),
        metavar="VERSION",
        help="only build the node of VERSION (repeatable), and run none",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)  # a kill stops the node in order, as Ctrl-C does
    try:
        if args.build:
            for version in args.build:
                build(version)
            return
        node = ElasticNode(args.version, args.data.resolve() if args.data else None, args.port)
        try:
            url = node.start()
            print(f"Elasticsearch {args.version} on {url}, data in {node.data_dir}", flush=True)
            print(f"its log: {node.log}; Ctrl-C stops it", flush=True)
            assert node.process is not None
            node.process.wait()
            print(f"the node stopped ({node.process.returncode}); its log: {node.log}")
        except KeyboardInterrupt:
            pass
        finally:
            node.close()
    except NodeError as err:
        sys.exit(f"elastic_node: {err}")


if __name__ == "__main__":
    main()
