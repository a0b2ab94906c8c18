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
