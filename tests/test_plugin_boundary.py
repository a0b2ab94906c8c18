"""The plugin boundary: the plugin API, plugin-owned hookspecs, and plugins that implement
another plugin's hooks loading harmlessly when that plugin is blocked."""

from datetime import datetime, timezone

from blogapp.extensions import db
from blogapp.models import Post, User
from blogapp.plugin_api import Blog, current_blog
from conftest import close_app, make_app

SLUG = "hello"


def _site(app):
    with app.app_context():
        author = User(username="writer", role="author")
        moderator = User(username="mod", role="moderator", email="mod@example.com")
        db.session.add_all([author, moderator])
        db.session.flush()
        db.session.add(Post(slug=SLUG, title="Hello world", body="Body.", status="published",
                            author_id=author.id, published_at=datetime.now(timezone.utc)))
        db.session.commit()
        return moderator.id


def test_every_app_has_one_blog_handed_to_hooks(app):
    pm = app.extensions["plugins"]
    with app.app_context():
        blog = current_blog()
    assert isinstance(blog, Blog) and pm.blog is blog and blog.app is app
    assert blog.service("comments") is not None and blog.has_hook("comment_after_save")


def test_with_comments_blocked_antispam_and_notify_load_and_do_nothing(tmp_path, caplog):
    app = make_app(tmp_path, BLOCKED_PLUGINS=["comments"], MAIL_SERVER="127.0.0.1",
                   MAIL_PORT=9)  # nothing listens: a mail attempt would log a warning
    try:
        moderator_id = _site(app)
        loaded = app.extensions["plugins"].loaded()
        assert {"antispam", "notify"} <= set(loaded) and "comments" not in loaded
        with app.app_context():
            blog = current_blog()
            assert blog.service("comments") is None
            assert not blog.has_hook("comment_before_save")
            assert not blog.has_hook("comment_after_save")
            # An announcement of a hook nobody declared is quietly dropped.
            blog.notify("comment_after_save", comment=None, comments_api=None)
        client = app.test_client()
        html = client.get(f"/posts/{SLUG}").get_data(as_text=True)
        assert 'id="comment-form"' not in html and "website_confirm" not in html
        assert client.post(f"/posts/{SLUG}/comments", data={"body": "x"}).status_code in (
            400, 404, 405)
        with app.test_request_context():
            from plugins.notify.tokens import make_token

            token = make_token(1, "approve", moderator_id)
        assert client.get(f"/notify/moderate/{token}").status_code == 404
        assert "notify:" not in caplog.text and "Traceback" not in caplog.text
    finally:
        close_app(app)
