"""Load under gunicorn: the production server (``gunicorn -c gunicorn.conf.py wsgi:app``, 4
gthread workers) on a fresh instance, driven over real HTTP.

1. 200 readers post a comment at the same moment, each with its own session cookie and CSRF
   token: every answer is a 302, and exactly those 200 comments are stored.
2. Searches through ``/api/search`` keep running while another process saves posts and
   ``flask reindex`` rebuilds the index: every answer is 200 (or 400), and afterwards the
   index has every saved post.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from http_client import Browser
from services import free_port

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SLUG = "load-target"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _python(env, code, timeout=120):
    """Run ``code`` in a fresh interpreter with the site's environment (as a CLI would)."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("load-instance")
    port = free_port()
    # The site's settings only, but on the database this test run uses (SQLite or PostgreSQL).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BLOGAPP_") or k == "BLOGAPP_SQLALCHEMY_DATABASE_URI"}
    env.update({
        "WEB_CONCURRENCY": "4",
        "BLOGAPP_BIND": f"127.0.0.1:{port}",
        "BLOGAPP_INSTANCE_PATH": str(instance),
        "BLOGAPP_COMMENT_RATE_LIMIT": '"10000/minute"',
        "BLOGAPP_COMMENT_MODERATION": '"hold_none"',
        "BLOGAPP_MAIL_ENABLED": "false",
        "BLOGAPP_LOG_LEVEL": "warning",
        "PYTHONWARNINGS": "ignore",  # the server's own warnings are not this test's subject
    })
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "init-db"], env=env, cwd=PROJECT_ROOT,
                   check=True, capture_output=True, timeout=120)
    _python(env, f"""
        from datetime import datetime, timedelta, timezone
        from blogapp import create_app
        from blogapp.extensions import db
        from blogapp.models import Post, User
        app = create_app({{"SEARCH_AUTO_REBUILD": False}})
        with app.app_context():
            user = User(username="writer", display_name="Writer", role="author")
            db.session.add(user)
            db.session.flush()
            db.session.add(Post(slug="{SLUG}", title="负载测试 HPA", body="HPA 与 kube-proxy 的压力测试。",
                                status="published", author_id=user.id,
                                published_at=datetime.now(timezone.utc) - timedelta(days=1)))
            db.session.commit()
    """)
    log = open(instance / "gunicorn.log", "w")
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], env=env,
                            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = Browser(port).request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (instance / "gunicorn.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not become healthy in 60 s"
            time.sleep(0.2)
        yield {"port": port, "env": env, "instance": instance, "proc": proc,
               "db": (env.get("BLOGAPP_SQLALCHEMY_DATABASE_URI")
                      or f"sqlite:///{instance}/blog.sqlite"),
               "log": instance / "gunicorn.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _server_errors(server):
    """Each error the server logged, with the lines that follow it (the traceback's body)."""
    lines = server["log"].read_text(errors="replace").splitlines()
    return ["\n".join(lines[i:i + 30]) for i, line in enumerate(lines)
            if "Traceback" in line or "[ERROR]" in line or "WORKER TIMEOUT" in line]


def test_200_concurrent_comments_are_all_stored_once(server):
    port = server["port"]
    n = 200
    bodies = [f"并发评论 {i:03d}：HPA 在高峰期扩容得及时吗？ token-{i}-{os.getpid()}" for i in range(n)]
    results = [None] * n
    ready = threading.Barrier(n)

    def reader(i):
        client = Browser(port)
        try:
            status, page = client.request("GET", f"/posts/{SLUG}")
            token = _CSRF.search(page.decode()).group(1) if status == 200 else None
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            token, status = None, repr(exc)
        ready.wait(timeout=120)  # every POST leaves at the same moment
        if token is None:
            results[i] = ("GET", status)
            return
        form = {"csrf_token": token, "body": bodies[i], "author_name": f"读者{i}",
                "author_email": f"reader{i}@example.com", "author_url": "", "parent_id": ""}
        try:
            status, _ = client.request("POST", f"/posts/{SLUG}/comments", form=form)
            results[i] = ("POST", status)
        except Exception as exc:  # noqa: BLE001
            results[i] = ("POST", repr(exc))

    started = time.perf_counter()
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    seconds = time.perf_counter() - started

    statuses = {}
    for result in results:
        statuses[result] = statuses.get(result, 0) + 1
    engine = sa.create_engine(server["db"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT body_raw, status FROM comments")).fetchall()
    engine.dispose()
    stored = [body for body, _ in rows]
    lost = set(bodies) - set(stored)
    duplicates = len(stored) - len(set(stored))
    server_5xx = sum(c for (kind, s), c in statuses.items() if isinstance(s, int) and s >= 500)
    print(f"\nload: {n} concurrent comment POSTs (plus {n} GETs) in {seconds:.1f} s -> {statuses}; "
          f"stored {len(stored)}, lost {len(lost)}, duplicates {duplicates}, 5xx {server_5xx}")
    assert statuses == {("POST", 302): n}, statuses
    assert len(stored) == n and not lost and not duplicates
    assert {status for _, status in rows} == {"approved"}
    assert not _server_errors(server), _server_errors(server)[:10]


WRITER = """
import sys
from datetime import datetime, timedelta, timezone
from blogapp import create_app
from blogapp.extensions import db
from blogapp.models import Post, User
app = create_app({"SEARCH_AUTO_REBUILD": False})
count = int(sys.argv[1])
with app.app_context():
    author = db.session.scalar(db.select(User).filter_by(username="writer"))
    for i in range(count):
        post = Post(slug=f"saved-{i}", title=f"并发保存 {i} zebracorn",
                    body=f"zebracorn 第 {i} 篇：滚动更新与 etcd 备份。", status="published",
                    author_id=author.id,
                    published_at=datetime.now(timezone.utc) - timedelta(minutes=i + 1))
        db.session.add(post)
        db.session.commit()
        if i % 3 == 0:  # an edit of a post saved earlier
            post.body += " 更新过。"
            db.session.commit()
print("saved", count)
"""


def test_searches_while_posts_are_saved_and_the_index_is_rebuilt(server):
    port, env = server["port"], server["env"]
    queries = ["HPA", "kube-proxy", "滚动更新", "etcd 备份", "zebracorn", '"滚动更新"', "tag:x",
               "author:writer HPA", "-HPA zebracorn", "statefullset", "", "负载", "并发保存"]
    stop = threading.Event()
    outcomes = {}
    lock = threading.Lock()

    def searcher(k):
        client = Browser(port)
        i = k
        while not stop.is_set():
            q = queries[i % len(queries)]
            i += 1
            try:
                status, body = client.request("GET", f"/api/search?q={quote(q)}&per_page=20")
                ok = status in (200, 400) and json.loads(body) is not None
                key = status if ok else f"bad {status}"
            except Exception as exc:  # noqa: BLE001
                key = f"exception {type(exc).__name__}: {exc}"
            with lock:
                outcomes[key] = outcomes.get(key, 0) + 1

    searchers = [threading.Thread(target=searcher, args=(k,)) for k in range(8)]
    for thread in searchers:
        thread.start()
    try:
        n_posts = 40
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(n_posts)], env=env,
                                  cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        reindexes = []
        for _ in range(2):  # rebuilds, one after the other, while the writer saves
            time.sleep(0.5)
            reindexes.append(subprocess.run(
                [str(BIN / "flask"), "--app", "wsgi", "reindex"], env=env, cwd=PROJECT_ROOT,
                capture_output=True, text=True, timeout=180))
        out, err = writer.communicate(timeout=180)
        time.sleep(1)  # searches against the final state too
    finally:
        stop.set()
        for thread in searchers:
            thread.join(60)

    assert writer.returncode == 0, out + err
    for result in reindexes:
        assert result.returncode == 0, result.stdout + result.stderr

    # Nothing lost: every saved post is in the index, as the API finds it.
    status, body = Browser(port).request("GET", "/api/search?q=zebracorn&per_page=50")
    found = {hit["slug"] for hit in json.loads(body)["results"]}
    status2, body2 = Browser(port).request("GET", "/api/search?q=zebracorn&per_page=50&page=2")
    found |= {hit["slug"] for hit in json.loads(body2)["results"]}
    lost = {f"saved-{i}" for i in range(n_posts)} - found
    total = sum(outcomes.values())
    errors = {k: v for k, v in outcomes.items() if k not in (200, 400)}
    print(f"\nload: {total} /api/search requests during {n_posts} post saves (+{n_posts // 3 + 1} edits) "
          f"and {len(reindexes)} reindexes -> {outcomes}; errors {sum(errors.values())}; "
          f"posts missing from the index afterwards {len(lost)}")
    assert total > 100
    assert not errors, errors
    assert not lost, sorted(lost)
    assert not _server_errors(server), _server_errors(server)[:10]


def _load_key(instance, barrier, keys):
    from blogapp.config import load_or_create_secret_key

    barrier.wait()
    keys.put(load_or_create_secret_key(instance))


def test_workers_starting_together_share_one_secret_key(tmp_path):
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    differing = 0
    for trial in range(20):
        instance = tmp_path / f"i{trial}"
        instance.mkdir()
        barrier, keys = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_load_key, args=(str(instance), barrier, keys)) for _ in range(4)]
        for proc in procs:
            proc.start()
        seen = {keys.get(timeout=30) for _ in procs}
        for proc in procs:
            proc.join(30)
        differing += len(seen) > 1
    assert differing == 0, f"{differing}/20 simultaneous starts left workers with different keys"
