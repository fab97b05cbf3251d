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
from pathlib import Path
from typing import Any, ClassVar

import pytest
from helpers import (
    FIXTURES,
    ROOT,
    answer_json,
    cli_process,
    feed,
    finished,
    many_articles,
    run_cli,
    run_process,
    wait_for,
)

from indexer.backends.cluster.engines import PlainHttp, TlsFailed, tls_failure
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.search.query import SearchRequest


def test_kill_9_during_reindex_keeps_the_old_version_and_the_next_reindex_works(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    embedded = ("--backend", "embedded", "--home", str(home))
    first = run_cli("reindex", str(FIXTURES / "variants.jsonl"), *embedded)
    assert first.code == 0, first.err
    lines = many_articles(tmp_path / "big.jsonl", 400).read_bytes().splitlines(keepends=True)
    # From a pipe left open: the load cannot end before the kill, however fast it is.
    running = cli_process("reindex", "-", "--format", "jsonl", *embedded, stdin=subprocess.PIPE)
    feed(running, b"".join(lines[:200]))  # read: inside the load, which waits for more
    versions = home / "versions"
    assert len(list(versions.iterdir())) == 2  # the new version, being loaded
    assert running.poll() is None
    running.send_signal(signal.SIGKILL)
    finished(running, timeout=30)
    assert running.returncode == -signal.SIGKILL
    assert len(list(versions.iterdir())) == 2  # the killed one is left behind

    search = run_cli("search", "القاهرة", "--json", *embedded)
    assert search.code == 0, search.err
    assert json.loads(search.out)["total"] == 1  # still the first version

    again = run_cli(
        "reindex",
        str(FIXTURES / "trec"),
        "--allow-shrink",
        *embedded,  # 3 articles after 7
    )
    assert again.code == 0, again.err
    state = json.loads(run_cli("status", "--json", *embedded).out)
    assert state["documents"] == 3
    assert all(v["complete"] for v in state["versions"])  # the left-over is gone


def checkpointed_records(home: Path) -> int:
    """Records done at the last checkpoint of an embedded reindex in progress (0: none)."""
    records = 0
    for meta in home.glob("versions/*/version.json"):
        with contextlib.suppress(OSError, ValueError):  # being replaced right now
            checkpoint = json.loads(meta.read_text(encoding="utf-8")).get("checkpoint", {})
            records = max(records, checkpoint.get("records", 0))
    return records


def wait_for_checkpoint(home: Path, records: int, running: subprocess.Popen[bytes]) -> None:
    """Until the running embedded reindex has saved a checkpoint past `records`."""
    what = f"checkpoint past record {records} under {home}"
    wait_for(lambda: checkpointed_records(home) >= records, what, running)


def test_ctrl_c_during_reindex_says_where_it_stopped_and_how_to_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lines = many_articles(tmp_path / "big.jsonl", 3000).read_bytes().splitlines(keepends=True)
    running = cli_process(
        *("reindex", "-", "--format", "jsonl", "--checkpoint-every", "200"),
        *("--backend", "embedded", "--home", str(home)),
        stdin=subprocess.PIPE,
    )
    # Half the input, from a pipe left open: the load is still running at the Ctrl-C.
    feed(running, b"".join(lines[:1500]))
    wait_for_checkpoint(home, 200, running)
    assert running.poll() is None, "the load ended before the Ctrl-C"
    running.send_signal(signal.SIGINT)
    result = finished(running, timeout=60)  # and the pipe closed
    assert result.code == 130, result.err
    lines_of_err = result.err.strip().splitlines()
    assert lines_of_err[-3] == "arabic-search reindex: interrupted"
    assert "kept with a checkpoint at record " in lines_of_err[-2]
    assert "with --resume" in lines_of_err[-2]
    assert lines_of_err[-1].startswith("arabic-search reindex: stopped after read ")
    assert "Traceback" not in result.err


def test_kill_9_then_resume_continues_the_same_version_with_each_article_once(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    big = many_articles(tmp_path / "big.jsonl", 3000)
    lines = big.read_bytes().splitlines(keepends=True)
    embedded = ("--backend", "embedded", "--home", str(home))
    args = ("reindex", "-", "--format", "jsonl", "--checkpoint-every", "200", *embedded)
    running = cli_process(*args, stdin=subprocess.PIPE)
    # Half the input, from a pipe left open: the load is still running at the kill.
    feed(running, b"".join(lines[:1500]))
    wait_for_checkpoint(home, 600, running)
    assert running.poll() is None, "the load ended before it could be killed"
    running.send_signal(signal.SIGKILL)
    finished(running, timeout=30)
    assert running.returncode == -signal.SIGKILL
    [killed] = [p.name for p in (home / "versions").iterdir()]

    # Its own paths and options, from the checkpoint: "-", so the input again on stdin.
    resumed = run_cli("reindex", "--resume", *embedded, stdin=b"".join(lines))
    assert resumed.code == 0, resumed.err
    assert f"resuming {killed} after record " in resumed.err
    assert "read 3000 / indexed 3000 / duplicates 0 / rejected 0" in resumed.err
    state = json.loads(run_cli("status", "--json", *embedded).out)
    assert (state["current"], state["documents"]) == (killed, 3000)
    # Each article once: their common title finds each id once.
    title = json.loads(lines[0])["title"]
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
    parse = run_cli("parse", str(path))
    out, err = parse.out, parse.err
    assert len(out.splitlines()) == 9
    assert f"{path}:4: rejected: CSV: a quote opened on this line never closes" in err
    assert "read 10 / parsed 9 / duplicates 0 / rejected 1" in err


def test_symlink_loops_and_broken_links_are_not_followed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text('{"title": "خبر"}\n', encoding="utf-8")
    os.symlink(data, data / "loop")
    os.symlink(data / "missing.jsonl", data / "broken.jsonl")
    parse = run_cli("parse", str(data))
    out, err = parse.out, parse.err
    assert len(out.splitlines()) == 1
    assert "broken.jsonl: rejected: no such file" in err


def without_root_powers() -> list[str]:
    """What runs a command so that file permissions apply: root (CI runs as root) reads
    everything through CAP_DAC_OVERRIDE, which setpriv drops from the child."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


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
            # In a process of its own: one without root's powers.
            result = run_process(*command, str(data), prefix=without_root_powers())
            assert result.code == 1, result.err
            assert f"{data / 'locked.jsonl'}: rejected: permission denied" in result.err
            assert f"{data / 'locked-dir'}: rejected: cannot list directory: Permission denied" in (
                result.err
            )
            done = "parsed" if command == ["parse"] else "indexed"
            assert f"read 3 / {done} 1 / duplicates 0 / rejected 2" in result.err
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
        # A pattern that matches no index (<alias>-*): nothing, as the engine answers.
        empty = path.endswith(("/_mapping", "/_settings"))
        status, body = self.answers.get(path, (200, {}) if empty else (404, {}))
        answer_json(self, status, body)

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
    # The CLI in a process of its own: the TLS server answers from this one's thread.
    command = ("status", "--backend", "elasticsearch")
    try:
        # A self-signed certificate the client was not given: refused, before any request.
        env = {**os.environ, "ES_URL": url}
        env.pop("ES_CA_CERTS", None)
        env.pop("ES_VERIFY_CERTS", None)
        refused = run_process(*command, "--retries", "0", env=env)
        assert refused.code == 3, refused.err
        line = refused.error_line()
        assert line.startswith(
            f"arabic-search status: TLS to Elasticsearch at https://127.0.0.1:"
            f"{server.server_address[1]} failed ("
        )
        assert "CERTIFICATE_VERIFY_FAILED" in line and "set ES_CA_CERTS" in line
        assert "hunter2" not in refused.err and "Traceback" not in refused.err
        assert FakeClusterHandler.seen == []

        # With the CA bundle the same cluster is trusted: it answers that it has no alias.
        trusted = run_process(*command, env={**env, "ES_CA_CERTS": str(cert)})
        assert trusted.code == 2, trusted.err
        assert trusted.error_line().startswith(
            "arabic-search status: alias 'articles' does not exist"
        )
        assert "/_cluster/health" in FakeClusterHandler.seen
    finally:
        server.shutdown()


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_https_to_a_plain_http_server_says_to_use_http(engine: str, tmp_path: Path) -> None:
    """Not "set the CA certificates": the server speaks no TLS at all."""
    prefix = {"elasticsearch": "ES_", "opensearch": "OPENSEARCH_"}[engine]
    product = {"elasticsearch": "Elasticsearch", "opensearch": "OpenSearch"}[engine]
    server = QuietServer(("127.0.0.1", 0), FakeClusterHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    env = {f"{prefix}URL": f"https://admin:hunter2@127.0.0.1:{port}", "PATH": "/usr/bin:/bin"}
    try:
        result = run_cli("status", "--backend", engine, "--retries", "0", cwd=tmp_path, env=env)
    finally:
        server.shutdown()
    assert result.code == 3, result.err
    line = result.error_line()
    assert line.startswith(
        f"arabic-search status: {product} at https://127.0.0.1:{port} failed the TLS handshake ("
    )
    assert line.endswith(
        "): the server at that url does not speak TLS, it answers plain HTTP; use http:// "
        f"in {prefix}URL (http://127.0.0.1:{port})"
    )
    assert "CA_CERTS" not in result.err and "hunter2" not in result.err + result.out
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("reason", "plain"),
    [
        ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", True),
        ("[SSL: RECORD_LAYER_FAILURE] record layer failure (_ssl.c:1000)", True),
        ("[SSL: PACKET_LENGTH_TOO_LONG] packet length too long (_ssl.c:1000)", True),
        ("[SSL: HTTP_REQUEST] http request (_ssl.c:1000)", True),
        ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (_ssl.c:1006)", False),
    ],
)
def test_each_openssl_wording_of_plain_http_is_told_apart(reason: str, plain: bool) -> None:
    """OpenSSL's versions word the same failure differently; the others are TLS's."""
    failure = tls_failure(reason)
    assert isinstance(failure, TlsFailed) and isinstance(failure, PlainHttp) == plain


def test_help_and_errors_never_show_secrets(tmp_path: Path) -> None:
    env = {**os.environ, "ES_URL": "http://user:pa55word@127.0.0.1:9", "ES_API_KEY": "c2VjcmV0a2V5"}
    for args in (
        ["--help"],
        ["reindex", "--help"],
        ["status", "--backend", "elasticsearch", "--retries", "0"],
    ):
        result = run_cli(*args, cwd=tmp_path, env=env)
        shown = result.out + result.err
        assert "pa55word" not in shown and "c2VjcmV0a2V5" not in shown
        assert "Traceback" not in shown
