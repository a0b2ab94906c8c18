"""Two nodes (two app objects) sharing one real Redis (``redis_server``) and one database:
rate limits count across both, and an edit on one node refreshes the cached pages of the
other. A Redis outage costs speed, never a page or a login."""

import os

import pytest
import redis

from blogapp.extensions import db
from blogapp.models import Post, User
from comment_helpers import post_comment
from conftest import PASSWORD, close_app, csrf_token, login, make_app
from services import free_port

SLUG = "etcd-backup"


@pytest.fixture
def nodes(tmp_path, redis_server, monkeypatch):
    """Node A and node B: own instance folders, same Redis, same database."""
    redis.Redis.from_url(redis_server.url).flushdb()
    monkeypatch.setenv("BLOGAPP_PLUGINS", '["comments", "antispam"]')
    shared = {"REDIS_URL": redis_server.url}
    if not os.environ.get("BLOGAPP_SQLALCHEMY_DATABASE_URI"):  # else both use that one
        shared["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    apps = [make_app(tmp_path / name, **shared) for name in ("a", "b")]
    yield apps
    for app in apps:
        close_app(app)


@pytest.fixture
def article(nodes):
    from blogapp.models import User
    from datetime import datetime, timedelta, timezone

    with nodes[0].app_context():
        user = User(username="writer", role="author")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        db.session.add(Post(slug=SLUG, title="etcd 备份", body="Back up *etcd*.",
                            status="published", author_id=user.id,
                            published_at=datetime.now(timezone.utc) - timedelta(days=1)))
        db.session.commit()


def fail_login(client):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": "writer", "password": "wrong",
                                       "csrf_token": token})


def test_login_failures_count_across_nodes(nodes, article):
    a, b = (app.test_client() for app in nodes)
    statuses = [fail_login(client).status_code for client in (a, b, a, b, a)]
    assert statuses == [401] * 5
    assert fail_login(b).status_code == 429
    assert fail_login(a).status_code == 429


def test_comment_rate_limit_counts_across_nodes(nodes, article):
    for app in nodes:
        app.config["COMMENT_RATE_LIMIT"] = "2/minute"
    a, b = (app.test_client() for app in nodes)
    assert post_comment(a, SLUG, body="一").status_code == 302
    assert post_comment(b, SLUG, body="二").status_code == 302
    assert post_comment(a, SLUG, body="三").status_code == 429


def test_an_edit_on_one_node_refreshes_the_cached_page_on_the_other(nodes, article):
    a, b = nodes
    reader = b.test_client()
    assert "etcd 备份" in reader.get(f"/posts/{SLUG}").get_data(as_text=True)
    # Node A serves the page node B stored, without running its view.
    statements = []
    with a.app_context():
        engine = db.engine
    from sqlalchemy import event

    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert "etcd 备份" in a.test_client().get(f"/posts/{SLUG}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []
    with a.app_context():
        db.session.scalar(db.select(Post).filter_by(slug=SLUG)).title = "etcd 备份与恢复"
        db.session.commit()
    assert "etcd 备份与恢复" in reader.get(f"/posts/{SLUG}").get_data(as_text=True)


def test_a_site_that_fails_closed_refuses_logins_while_redis_is_down(tmp_path, monkeypatch):
    monkeypatch.setenv("BLOGAPP_PLUGINS", "[]")
    app = make_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                   LOGIN_THROTTLE_FAIL_CLOSED=True)
    try:
        with app.app_context():
            user = User(username="writer", role="author")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        client = app.test_client()
        refused = login(client, "writer")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
        assert "登录暂时不可用" in refused.get_data(as_text=True)
        assert client.get("/").status_code == 200  # readers are not affected
    finally:
        close_app(app)


def test_redis_down_costs_speed_not_pages_nor_logins(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("BLOGAPP_PLUGINS", '["comments"]')
    app = make_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    try:
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
        assert fail_login(client).status_code == 401  # no such user; still no 500
        assert "page cache: lookup failed" in caplog.text
    finally:
        close_app(app)
