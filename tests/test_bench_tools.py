"""The page benchmark's tools do what its report claims (not its figures: those are bench/).

A real gunicorn serving the bare app on a free loopback port, the real wrk: the run counts
requests, an error page is refused as throughput, and stopping leaves no worker behind.
The dataset cache is built with the real ``flask`` commands, kept while the importer
gives the same posts and rebuilt when it does not.
"""

import contextlib
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.db_agnostic  # the bare benchmark app uses no database


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bare_app, corpus, dataset, page_bench, servers, wrk  # noqa: E402

needs_wrk = pytest.mark.skipif(not shutil.which("wrk"), reason="the Debian package wrk is not installed")


def test_bare_page_is_a_fixed_20_kib_html_page():
    client = bare_app.app.test_client()
    first, second = client.get("/"), client.get("/")
    assert first.status_code == 200
    assert first.content_type == "text/html; charset=utf-8"
    assert len(first.data) == 20 * 1024
    assert first.data == second.data


@needs_wrk
def test_wrk_under_gunicorn_counts_requests_refuses_errors_and_stops_clean(tmp_path):
    server = servers.Server("bare-test", "bench.bare_app:app", log_dir=tmp_path)
    try:
        server.start()
        workers = server.worker_pids()
        assert len(workers) == servers.WORKERS
        assert all(w["rss"] > 10 for w in server.worker_rss_mib().values())

        result = wrk.run(server.base_url + "/", threads=1, connections=2, seconds=1)
        assert result["requests"] > 0
        assert result["bytes_per_request"] > 20 * 1024  # body plus headers
        assert result["latency_us"]["p50"] <= result["latency_us"]["p99"]

        with pytest.raises(wrk.WrkError, match="status"):
            wrk.run(server.base_url + "/no-such-page", threads=1, connections=2, seconds=1)
    finally:
        server.stop()
    assert server.proc.poll() is not None
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]


def test_server_that_cannot_start_says_why(tmp_path):
    server = servers.Server("broken", "bench.no_such_module:app", log_dir=tmp_path)
    with pytest.raises(servers.ServerError, match="gunicorn exited"):
        server.start(timeout=60)
    assert server.proc.poll() is not None


@pytest.mark.parametrize("argv, message", [
    (["--docs", "1"], "--docs must be at least 2"),
    (["--duration", "0"], "--duration must be at least 1"),
    (["--connections", "1", "--wrk-threads", "2"], "--connections must be at least"),
    (["--cache-config", "[1]"], "must be a JSON object"),
    (["--cache-config", "{"], "not JSON"),
])
def test_bad_options_exit_2_with_a_reason(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        page_bench.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@contextlib.contextmanager
def _db(database):
    """A connection that commits and closes at the end of the ``with``."""
    conn = sqlite3.connect(database)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _set_key(folder, key):
    path = folder / "dataset.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["key"] = key
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_dataset_is_imported_once_kept_for_the_same_posts_rebuilt_for_others(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "CACHE_DIR", tmp_path / "cache")
    folder, meta = dataset.prepare(4, seed=7)
    database = folder / "instance" / "blog.sqlite"
    slugs = [doc.slug for doc in corpus.generate(4, seed=7)]
    assert meta["import"]["output"] == "Imported 4 files: 4 created, 0 updated, 0 failed."
    assert meta["article_slug"] in slugs and meta["article_author"] in corpus.AUTHORS
    assert (folder / "baseline-index").is_dir() and not (folder / "corpus").exists()
    with _db(database) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT slug FROM posts")) == sorted(slugs)
        assert conn.execute("SELECT password_hash IS NOT NULL FROM users WHERE username = ?",
                            (meta["user"],)).fetchone() == (1,)

    assert dataset.prepare(4, seed=7)[1]["created"] == meta["created"]  # reused as it is

    _set_key(folder, "other-code")  # the importer changed, but gives the same posts
    kept = dataset.prepare(4, seed=7)[1]
    assert kept["created"] == meta["created"] and kept["verified"]
    assert kept["key"] == dataset.source_key()[0]

    with _db(database) as conn:  # now the cached posts differ from an import
        conn.execute("UPDATE posts SET body_html = body_html || '<p>old renderer</p>'")
    _set_key(folder, "other-code")
    rebuilt = dataset.prepare(4, seed=7)[1]
    assert "verified" not in rebuilt
    with _db(database) as conn:
        assert not conn.execute("SELECT count(*) FROM posts WHERE body_html LIKE '%old renderer%'"
                                ).fetchone()[0]
