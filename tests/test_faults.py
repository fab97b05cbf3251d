"""Faults and hostile input: nothing lost, nothing hangs, memory stays bounded."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.search.query import SearchRequest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"


def cli(
    *args: str, cwd: Path = ROOT, stdin: int | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """The CLI in a child process (`env`: its whole environment; None: this one's)."""
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", *args],
        cwd=cwd,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def many_articles(path: Path, count: int) -> Path:
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


def test_kill_9_during_reindex_keeps_the_old_version_and_the_next_reindex_works(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    first = cli(
        "reindex", str(FIXTURES / "variants.jsonl"), "--backend", "embedded", "--home", str(home)
    )
    assert first.wait(timeout=120) == 0
    big = many_articles(tmp_path / "big.jsonl", 400)
    # From a pipe left open: the load cannot end before the kill, however fast it is.
    running = cli(
        "reindex", "-", "--format", "jsonl", "--backend", "embedded", "--home", str(home),
        stdin=subprocess.PIPE,
    )  # fmt: skip
    assert running.stdin is not None
    running.stdin.write(big.read_text(encoding="utf-8"))
    running.stdin.flush()
    versions = home / "versions"
    deadline = time.monotonic() + 60
    while len(list(versions.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # inside the load, which waits for more input
    assert running.poll() is None
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=30)
    running.stdin.close()
    assert len(list(versions.iterdir())) == 2  # the killed one is left behind

    search = cli("search", "القاهرة", "--json", "--backend", "embedded", "--home", str(home))
    out, err = search.communicate(timeout=120)
    assert search.returncode == 0, err
    assert json.loads(out)["total"] == 1  # still the first version

    again = cli(
        "reindex", str(FIXTURES / "trec"), "--allow-shrink",  # 3 articles after 7
        "--backend", "embedded", "--home", str(home),
    )  # fmt: skip
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    status = cli("status", "--json", "--backend", "embedded", "--home", str(home))
    state = json.loads(status.communicate(timeout=60)[0])
    assert state["documents"] == 3
    assert all(v["complete"] for v in state["versions"])  # the left-over is gone


def wait_for_checkpoint(home: Path, records: int) -> None:
    """Until a running embedded reindex has saved a checkpoint past `records`."""
    deadline = time.monotonic() + 120
    checkpoint: dict[str, Any] = {}
    while checkpoint.get("records", 0) < records and time.monotonic() < deadline:
        time.sleep(0.05)
        for meta in home.glob("versions/*/version.json"):
            with contextlib.suppress(OSError, ValueError):  # being replaced right now
                checkpoint = json.loads(meta.read_text(encoding="utf-8")).get("checkpoint", {})


def test_ctrl_c_during_reindex_says_where_it_stopped_and_how_to_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    big = many_articles(tmp_path / "big.jsonl", 3000)
    running = cli(
        "reindex",
        str(big),
        "--checkpoint-every",
        "200",
        "--backend",
        "embedded",
        "--home",
        str(home),
    )
    wait_for_checkpoint(home, records=200)
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 130
    lines = err.strip().splitlines()
    assert lines[-3] == "arabic-search reindex: interrupted"
    assert "kept with a checkpoint at record " in lines[-2] and "with --resume" in lines[-2]
    assert lines[-1].startswith("arabic-search reindex: stopped after read ")
    assert "Traceback" not in err


def test_kill_9_then_resume_continues_the_same_version_with_each_article_once(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    big = many_articles(tmp_path / "big.jsonl", 3000)
    embedded = ("--backend", "embedded", "--home", str(home))
    running = cli("reindex", str(big), "--checkpoint-every", "200", *embedded)
    wait_for_checkpoint(home, records=600)
    assert running.poll() is None, "the load ended before it could be killed"
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=30)
    [killed] = [p.name for p in (home / "versions").iterdir()]

    resumed = cli("reindex", "--resume", *embedded)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"resuming {killed} after record " in err
    assert "read 3000 / indexed 3000 / duplicates 0 / rejected 0" in err
    status = cli("status", "--json", *embedded)
    state = json.loads(status.communicate(timeout=60)[0])
    assert (state["current"], state["documents"]) == (killed, 3000)
    # Each article once: their common title finds each id once.
    title = json.loads(big.read_text(encoding="utf-8").splitlines()[0])["title"]
    backend, ids = EmbeddedBackend(home), []
    for page in range(1, 31):
        request = SearchRequest(query=title, size=100, page=page, highlight=False)
        ids += [hit.id for hit in backend.search("articles", request).hits]
    assert len(ids) == len(set(ids)) == 3000


def test_a_100_mb_line_is_rejected_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write('{"title": "قبل"}\n')
        f.write('{"text": "')  # 100 MB of UTF-8, written in pieces
        for _ in range(50):
            f.write("ب" * (1024 * 1024))
        f.write('"}\n')
        f.write('{"title": "بعد"}\n')
    # The child reports its own peak RSS: VmHWM of its address space, which (unlike
    # getrusage's maxrss) does not start from the forking parent's.
    report_peak = (
        "import re, sys; from indexer.cli import main; code = main(sys.argv[1:]); "
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]; "
        "print('PEAK_KB', hwm, file=sys.stderr); sys.exit(code)"
    )
    parse = subprocess.Popen(
        [sys.executable, "-c", report_peak, "parse", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = parse.communicate(timeout=300)
    peak_mb = int(err.split("PEAK_KB")[1].split()[0]) / 1024
    assert parse.returncode == 1
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["قبل", "بعد"]
    assert f"{path}:2: rejected: oversized" in err
    assert "read 3 / parsed 2 / duplicates 0 / rejected 1" in err
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB"  # the line alone is 100 MB


def test_csv_with_an_unclosed_quote_loses_that_row_only(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    rows = [f"عنوان {n},نص {n}" for n in range(1, 11)]
    rows[2] = 'عنوان 3,"نص بلا نهاية'
    path.write_text("title,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    parse = cli("parse", str(path))
    out, err = parse.communicate(timeout=60)
    assert len(out.splitlines()) == 9
    assert f"{path}:4: rejected: CSV: a quote opened on this line never closes" in err
    assert "read 10 / parsed 9 / duplicates 0 / rejected 1" in err


def test_symlink_loops_and_broken_links_are_not_followed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text('{"title": "خبر"}\n', encoding="utf-8")
    os.symlink(data, data / "loop")
    os.symlink(data / "missing.jsonl", data / "broken.jsonl")
    parse = cli("parse", str(data))
    out, err = parse.communicate(timeout=60)
    assert len(out.splitlines()) == 1
    assert "broken.jsonl: rejected: no such file" in err


def without_root_powers(args: list[str]) -> list[str]:
    """The command, run so that file permissions apply: root (CI runs as root) reads
    everything through CAP_DAC_OVERRIDE, which setpriv drops from the child."""
    if os.geteuid() != 0:
        return args
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *args]


def test_unreadable_files_and_directories_are_rejected_by_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "locked-dir").mkdir(parents=True)
    (data / "a.jsonl").write_text('{"title": "خبر"}\n', encoding="utf-8")
    (data / "locked.jsonl").write_text('{"title": "سر"}\n', encoding="utf-8")
    (data / "locked-dir" / "b.jsonl").write_text('{"title": "سر"}\n', encoding="utf-8")
    (data / "locked.jsonl").chmod(0)
    (data / "locked-dir").chmod(0)
    try:
        home = tmp_path / "home"
        for command in (["parse"], ["reindex", "--backend", "embedded", "--home", str(home)]):
            args = [sys.executable, "-m", "indexer.cli", *command, str(data)]
            result = subprocess.run(
                without_root_powers(args), capture_output=True, text=True, cwd=ROOT, check=False
            )
            assert result.returncode == 1, result.stderr
            assert f"{data / 'locked.jsonl'}: rejected: permission denied" in result.stderr
            assert f"{data / 'locked-dir'}: rejected: cannot list directory: Permission denied" in (
                result.stderr
            )
            done = "parsed" if command == ["parse"] else "indexed"
            assert f"read 3 / {done} 1 / duplicates 0 / rejected 2" in result.stderr
    finally:
        (data / "locked-dir").chmod(0o755)


class FakeClusterHandler(http.server.BaseHTTPRequestHandler):
    """Just enough of Elasticsearch over HTTPS for `status` on an empty cluster."""

    answers: ClassVar[dict[str, tuple[int, dict[str, Any]]]] = {
        "/_cluster/health": (200, {"status": "green"})
    }
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        path = self.path.partition("?")[0]
        status, body = self.answers.get(path, (200, {}) if "_mapping" in path else (404, {}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the refused handshakes


def test_tls_is_verified_and_a_bad_certificate_is_one_clear_error(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    self_signed = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        ["openssl", *self_signed, *subject, "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        check=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = QuietServer(("127.0.0.1", 0), FakeClusterHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://elastic:hunter2@127.0.0.1:{server.server_address[1]}"
    command = [sys.executable, "-m", "indexer.cli", "status", "--backend", "elasticsearch"]
    try:
        # A self-signed certificate the client was not given: refused, before any request.
        env = {**os.environ, "ES_URL": url}
        env.pop("ES_CA_CERTS", None)
        env.pop("ES_VERIFY_CERTS", None)
        refused = subprocess.run(
            [*command, "--retries", "0"], capture_output=True, text=True, env=env, check=False
        )
        assert refused.returncode == 3
        [line] = [x for x in refused.stderr.splitlines() if x.startswith("arabic-search")]
        assert line.startswith(
            f"arabic-search status: TLS to Elasticsearch at https://127.0.0.1:"
            f"{server.server_address[1]} failed ("
        )
        assert "CERTIFICATE_VERIFY_FAILED" in line and "set ES_CA_CERTS" in line
        assert "hunter2" not in refused.stderr and "Traceback" not in refused.stderr
        assert FakeClusterHandler.seen == []

        # With the CA bundle the same cluster is trusted.
        trusted = subprocess.run(
            command, capture_output=True, text=True, env={**env, "ES_CA_CERTS": str(cert)}
        )
        assert trusted.returncode == 0, trusted.stderr
        assert "alias articles -> (none)  (green)" in trusted.stdout
        assert "/_cluster/health" in FakeClusterHandler.seen
    finally:
        server.shutdown()


def test_help_and_errors_never_show_secrets(tmp_path: Path) -> None:
    env = {**os.environ, "ES_URL": "http://user:pa55word@127.0.0.1:9", "ES_API_KEY": "c2VjcmV0a2V5"}
    for args in (
        ["--help"],
        ["reindex", "--help"],
        ["status", "--backend", "elasticsearch", "--retries", "0"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "indexer.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        shown = result.stdout + result.stderr
        assert "pa55word" not in shown and "c2VjcmV0a2V5" not in shown
        assert "Traceback" not in shown
