"""Several web nodes (issue #9): two gunicorn servers on one PostgreSQL database, each with
its own instance folder and so its own search index, kept in step by the search outbox.

1. A post published through node A's editor is found through node B's /api/search within
   2 s (a functional requirement of the issue, checked here; not a benchmark).
2. Node B is stopped while 100 posts are published through A; restarted, it catches up to
   exactly the results A gives for several queries.
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from http_client import Browser
from services import free_port

# db_agnostic: the nodes always share a PostgreSQL database of their own, whatever the run selects.
pytestmark = [pytest.mark.slow, pytest.mark.db_agnostic]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUERIES = ["zebracorn", "etcd 备份", "HPA", "滚动更新", "tag:multinode", "author:writer",
           "category:ops zebracorn", "-HPA zebracorn"]


class Client(Browser):
    """A browser that also fetches CSRF tokens and walks search results."""

    def csrf(self, path):
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        return _CSRF.search(page.decode()).group(1)

    def search(self, query):
        """``(total, every slug found)``, newest first, page by page as the API gives them.

        Newest first is the same on every node holding the same posts; the relevance order
        of equal scores depends on each index's own history (see docs/scaling.md).
        """
        slugs, page = [], 1
        while True:
            status, body = self.request(
                "GET", f"/api/search?q={quote(query)}&per_page=50&sort=date&page={page}")
            assert status == 200, (query, status, body[:300])
            data = json.loads(body)
            slugs += [hit["slug"] for hit in data["results"]]
            if len(slugs) >= data["total"] or not data["results"]:
                return data["total"], slugs
            page += 1


class Node:
    """One web server: gunicorn with two workers on its own instance folder."""

    def __init__(self, name, root, env):
        self.name, self.port = name, free_port()
        self.instance = root / name
        self.instance.mkdir()
        self.env = dict(env, BLOGAPP_INSTANCE_PATH=str(self.instance),
                        BLOGAPP_BIND=f"127.0.0.1:{self.port}")
        self.proc = None

    def start(self):
        self.log = open(self.instance / "gunicorn.log", "a")
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                     env=self.env, cwd=PROJECT_ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                if Client(self.port).request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            assert self.proc.poll() is None, self.log_text()[-3000:]
            assert time.monotonic() < deadline, f"node {self.name} not healthy in 90 s"
            time.sleep(0.2)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()

    def log_text(self):
        return (self.instance / "gunicorn.log").read_text(errors="replace")

    def errors(self):
        return [line for line in self.log_text().splitlines()
                if "Traceback" in line or "[ERROR]" in line or "WORKER TIMEOUT" in line]


@pytest.fixture
def database(postgres_server):
    """A database of its own on the session's PostgreSQL server."""
    name = f"multinode_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield postgres_server.url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def nodes(database, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOGAPP_")}
    env.update({
        "BLOGAPP_SQLALCHEMY_DATABASE_URI": database,
        "BLOGAPP_SECRET_KEY": "multinode-secret",  # nodes behind one proxy share sessions
        "WEB_CONCURRENCY": "2",  # two workers: two appliers share each node's index
        "BLOGAPP_LOG_LEVEL": "warning",
        "BLOGAPP_MAIL_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",  # the servers' own warnings are not this test's subject
    })
    a, b = Node("a", tmp_path, env), Node("b", tmp_path, env)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "init-db"], env=a.env, cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=120)
    subprocess.run([*flask, "create-user", "writer", "--role", "author", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=a.env, cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=120)
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        for node in (a, b):
            if node.proc is not None:
                node.stop()


def _author(node):
    client = Client(node.port)
    status, _ = client.request("POST", "/login", {"username": "writer", "password": PASSWORD,
                                                  "csrf_token": client.csrf("/login")})
    assert status == 302, status
    return client


def _publish(client, slug, body, tags="multinode", category="ops"):
    form = {"csrf_token": client.csrf("/admin/posts/new"), "title": f"Post {slug}", "slug": slug,
            "body": body, "category": category, "tags": tags, "published_at": "",
            "publish": "发布"}
    status, page = client.request("POST", "/admin/posts/new", form)
    assert status == 302, (status, page[:500])


def test_publish_on_one_node_is_found_on_the_other_and_a_stopped_node_catches_up(nodes):
    a, b = nodes
    author = _author(a)
    reader_a, reader_b = Client(a.port), Client(b.port)

    _publish(author, "first-zebracorn", "zebracorn：etcd 备份与滚动更新。")
    published = time.monotonic()
    waited = {}
    while len(waited) < 2:
        for name, reader in (("A", reader_a), ("B", reader_b)):
            if name not in waited and reader.search("zebracorn")[1] == ["first-zebracorn"]:
                waited[name] = time.monotonic() - published
        assert time.monotonic() - published < 10, f"not found on every node: {waited}"
        time.sleep(0.02)
    print(f"\nmultinode: published on A, found on A after {waited['A']:.2f} s, "
          f"on B after {waited['B']:.2f} s")
    waited = waited["B"]
    assert waited <= 2.0, f"found on node B only after {waited:.2f} s (goal: 2 s)"

    b.stop()
    for i in range(100):
        body = f"zebracorn 第 {i} 篇：" + ("HPA 扩容。" if i % 3 == 0 else "etcd 备份与滚动更新。")
        _publish(author, f"batch-{i:03d}", body, tags="multinode" if i % 2 else "other")
    b.start()
    expected = {query: reader_a.search(query) for query in QUERIES}
    assert expected["zebracorn"][0] == 101
    deadline = time.monotonic() + 60  # a bound for a loaded machine, not a goal
    while True:
        got = {query: reader_b.search(query) for query in QUERIES}
        if got == expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got == expected
    assert not a.errors() and not b.errors(), (a.errors() + b.errors())[:10]
