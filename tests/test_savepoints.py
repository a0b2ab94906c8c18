"""Savepoints (``session.begin_nested()``): the search index and the post hooks only ever see
what the outermost commit made real, and a rolled-back savepoint loses nothing around it."""

from datetime import datetime, timedelta, timezone

import pytest

from blogapp import hookspecs
from blogapp.extensions import db
from blogapp.models import Post


class _Recorder:
    def __init__(self):
        self.published = []

    @hookspecs.hookimpl
    def post_after_publish(self, post):
        self.published.append(post.slug)


@pytest.fixture
def recorder(app):
    plugin = _Recorder()
    app.extensions["plugins"].register(plugin, name="savepoint-recorder")
    return plugin


def _post(slug, word, author_id):
    return Post(slug=slug, title=f"{word} notes", body=f"All about the {word}.",
                status="published", author_id=author_id,
                published_at=datetime.now(timezone.utc) - timedelta(hours=1))


def _found(client, word):
    return [hit["slug"] for hit in client.get(f"/api/search?q={word}").get_json()["results"]]


def test_released_savepoint_then_outer_rollback_leaves_no_trace(app, client, make_user,
                                                                 recorder):
    author = make_user("sam")
    with app.app_context():
        with db.session.begin_nested():
            db.session.add(_post("quokka", "quokka", author))
        db.session.rollback()
    assert _found(client, "quokka") == []
    assert recorder.published == []


def test_rolled_back_savepoint_keeps_the_outer_changes(app, client, make_user, recorder):
    author = make_user("sam")
    with app.app_context():
        db.session.add(_post("axolotl", "axolotl", author))
        db.session.flush()
        savepoint = db.session.begin_nested()
        db.session.add(_post("pangolin", "pangolin", author))
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    assert _found(client, "axolotl") == ["axolotl"]
    assert _found(client, "pangolin") == []
    assert recorder.published == ["axolotl"]


def test_released_savepoint_counts_at_the_outer_commit(app, client, make_user, recorder):
    author = make_user("sam")
    with app.app_context():
        with db.session.begin_nested():
            db.session.add(_post("narwhal", "narwhal", author))
        assert recorder.published == []  # not before the real commit
        db.session.commit()
    assert _found(client, "narwhal") == ["narwhal"]
    assert recorder.published == ["narwhal"]


def test_one_dispatcher_feeds_every_subscriber_with_savepoint_semantics(app, make_user):
    """blogapp.database's dispatcher: collected at flush, announced once after the outer
    commit, a rolled-back savepoint drops its own part (or keeps it when asked)."""
    from flask import current_app, has_app_context

    from blogapp.database import Subscriber, on_committed_changes

    announced = []

    def collect(session, bucket):
        if not has_app_context() or not current_app.config.get("RECORD_CHANGES"):
            return bucket  # the subscriber stays for the process: only this test's app
        slugs = {obj.slug for obj in session.new if isinstance(obj, Post)}
        return (bucket or set()) | slugs if slugs else bucket

    for name, keep in (("test-dropping", False), ("test-keeping", True)):
        on_committed_changes(Subscriber(
            name, collect=collect, keep_on_savepoint_rollback=keep,
            announce=lambda bucket, session, name=name: announced.append((name, sorted(bucket)))))
    app.config["RECORD_CHANGES"] = True
    author = make_user("sam")
    with app.app_context():
        db.session.add(_post("outer", "outer", author))
        db.session.flush()
        savepoint = db.session.begin_nested()
        db.session.add(_post("inner", "inner", author))
        db.session.flush()
        savepoint.rollback()
        assert announced == []  # flushed, not committed
        db.session.commit()
        db.session.add(_post("gone", "gone", author))
        db.session.flush()
        db.session.rollback()
    assert sorted(announced) == [("test-dropping", ["outer"]),
                                 ("test-keeping", ["inner", "outer"])]
