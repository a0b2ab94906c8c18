"""The antispam plugin, driven through the real comment form: honeypot, per-IP rate limit,
link count, disallowed and moderation words, duplicates, and blocking the plugin."""

import re
from datetime import datetime, timezone

import pytest

from blogapp import create_app
from blogapp.database import create_schema
from blogapp.extensions import db
from blogapp.models import Post, User
from conftest import csrf_token, login
from plugins.comments import reasons
from plugins.comments.models import Comment

SLUG = "hello"


@pytest.fixture
def post(app, make_user, make_post):
    make_post(SLUG, make_user("writer"), title="Hello world")
    app.config["COMMENT_MODERATION"] = "hold_none"  # what antispam leaves alone is approved
    app.config["COMMENT_RATE_LIMIT"] = "100/minute"  # the rate limit tests set their own
    return SLUG


def submit(client, ip="203.0.113.7", **fields):
    data = {"body": "A thoughtful comment.", "author_name": "Reader",
            "author_email": "reader@example.com",
            "csrf_token": csrf_token(client, f"/posts/{SLUG}"), **fields}
    return client.post(f"/posts/{SLUG}/comments", data=data, environ_base={"REMOTE_ADDR": ip})


def saved(app):
    """``[(body, status, reason), ...]`` of every stored comment, oldest first."""
    with app.app_context():
        return [(c.body_raw, c.status, c.status_reason)
                for c in db.session.scalars(db.select(Comment).order_by(Comment.id))]


def other_app(tmp_path, **config):
    """A second, separate app with the same post, for blocking and isolation tests."""
    app = create_app({"TESTING": True, "SECRET_KEY": "other", "SEARCH_AUTO_REBUILD": False,
                      "COMMENT_MODERATION": "hold_none", **config},
                     instance_path=tmp_path / "other-instance")
    with app.app_context():
        create_schema()
        author = User(username="writer", role="author")
        db.session.add(author)
        db.session.flush()
        db.session.add(Post(slug=SLUG, title="Hello world", body="Body.", status="published",
                            author_id=author.id, published_at=datetime.now(timezone.utc)))
        db.session.commit()
    return app


def dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# -- honeypot -------------------------------------------------------------------------------

def test_form_has_a_hidden_honeypot_styled_by_the_plugin_stylesheet(client, post):
    html = client.get(f"/posts/{SLUG}").get_data(as_text=True)
    form = html[html.index('id="comment-form"'):]
    honeypot = re.search(r'<div class="hp-field" aria-hidden="true">(.*?)</div>', form, re.S)
    assert honeypot, "the honeypot must sit inside the comment form"
    field = honeypot.group(1)
    assert 'name="website_confirm"' in field and 'type="text"' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in honeypot.group(0) and "<script" not in form
    head = html[:html.index("</head>")]
    href = re.search(r'<link rel="stylesheet" href="([^"]*antispam[^"]*\.css(?:\?v=\w+)?)">', head).group(1)
    with client.get(href) as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
        rule = css.get_data(as_text=True)
    assert ".hp-field" in rule and "-10000px" in rule


def test_filled_honeypot_is_rejected_and_nothing_is_saved(app, client, post):
    response = submit(client, website_confirm="http://bot.example")
    assert response.status_code == 400
    assert saved(app) == []
    assert submit(client, website_confirm="").status_code == 302
    assert [status for _, status, _ in saved(app)] == ["approved"]


# -- rate limit -----------------------------------------------------------------------------

def test_rate_limit_answers_429_with_retry_after(app, client, post):
    app.config["COMMENT_RATE_LIMIT"] = "2/minute"
    assert submit(client, body="first").status_code == 302
    assert submit(client, body="second").status_code == 302
    refused = submit(client, body="third, too fast")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "评论太频繁" in page and "third, too fast" in page  # the form keeps the text
    # Another address is counted separately.
    assert submit(client, ip="198.51.100.9", body="from elsewhere").status_code == 302
    assert [body for body, _, _ in saved(app)] == ["first", "second", "from elsewhere"]


def test_several_limits_each_apply(app, client, post):
    app.config["COMMENT_RATE_LIMIT"] = "5/minute;2/hour"
    assert submit(client, body="first").status_code == 302
    assert submit(client, body="second").status_code == 302
    refused = submit(client, body="third")
    assert refused.status_code == 429 and 60 < int(refused.headers["Retry-After"]) <= 3600


def test_two_apps_do_not_share_rate_limit_counters(app, client, post, tmp_path, another_database):
    app.config["COMMENT_RATE_LIMIT"] = "1/minute"
    second = other_app(tmp_path, COMMENT_RATE_LIMIT="1/minute", **another_database())
    try:
        assert submit(client, body="one").status_code == 302
        assert submit(client, body="two").status_code == 429
        assert submit(second.test_client(), body="one").status_code == 302
    finally:
        dispose(second)


def test_logged_in_moderators_are_not_rate_limited_or_held(app, client, post, make_user):
    app.config["COMMENT_RATE_LIMIT"] = "1/minute"
    make_user("mod", role="moderator")
    login(client, "mod")
    links = "https://a.example https://b.example https://c.example"
    for n in range(3):
        assert submit(client, body=f"note {n} {links}").status_code == 302
    assert [status for _, status, _ in saved(app)] == ["approved"] * 3


# -- content rules --------------------------------------------------------------------------

def test_more_links_than_allowed_are_held(app, client, post):
    assert submit(client, body="see https://a.example and https://b.example").status_code == 302
    # Bare domains are no http(s) URL in the text, but become links in the HTML.
    assert submit(client, body="www.a.com www.b.org www.c.net").status_code == 302
    markdown_links = "[x](http://a.example) [y](http://b.example) http://c.example"
    assert submit(client, body=markdown_links).status_code == 302
    statuses = [(status, reason) for _, status, reason in saved(app)]
    assert statuses[0] == ("approved", "")
    assert [s for s, _ in statuses[1:]] == ["pending", "pending"]
    # Stored untranslated, shown in the moderator's language.
    for lang, shown in (("zh", "3 个链接，超过 2 个"), ("en", "3 links, more than 2 allowed")):
        with app.test_request_context(headers={"Accept-Language": lang}):
            assert all(reasons.text(reason) == shown for _, reason in statuses[1:])
    app.config["COMMENT_MAX_LINKS"] = 5
    assert submit(client, body="www.d.com www.e.org www.f.net").status_code == 302
    assert saved(app)[-1][1] == "approved"


def test_disallowed_words_mark_spam_wherever_they_appear(app, client, post):
    app.config["COMMENT_DISALLOWED_WORDS"] = ["casino", "Cheap Pills"]
    assert submit(client, body="Best CaSiNo bonus here").status_code == 302
    assert submit(client, body="innocent", author_name="cheap pills shop").status_code == 302
    assert submit(client, body="innocent 2", author_url="https://casino.example").status_code == 302
    assert submit(client, body="innocent 3", author_email="win@casino.example").status_code == 302
    assert submit(client, body="a normal comment").status_code == 302
    assert [status for _, status, _ in saved(app)] == ["spam"] * 4 + ["approved"]
    assert "casino" in saved(app)[0][2]
    html = client.get(f"/posts/{SLUG}").get_data(as_text=True)
    assert "bonus here" not in html and "a normal comment" in html


def test_moderation_words_hold_the_comment(app, client, post):
    app.config["COMMENT_MODERATION_WORDS"] = ["bitcoin"]
    app.config["COMMENT_DISALLOWED_WORDS"] = ["casino"]
    assert submit(client, body="I like Bitcoin").status_code == 302
    assert submit(client, body="bitcoin casino").status_code == 302  # spam beats hold
    assert [status for _, status, _ in saved(app)] == ["pending", "spam"]
    assert "bitcoin" in saved(app)[0][2]


def test_duplicate_comment_is_refused(app, client, post):
    assert submit(client, body="Same words.").status_code == 302
    again = submit(client, body="Same words.", author_email="READER@example.com")
    assert again.status_code == 400
    assert "重复的评论" in again.get_data(as_text=True)
    assert submit(client, body="Same words.", author_email="someone@example.com").status_code == 302
    assert len(saved(app)) == 2
    # Once the first is in the trash, the same text may be sent again.
    with app.app_context():
        db.session.get(Comment, 1).status = "trash"
        db.session.commit()
    assert submit(client, body="Same words.").status_code == 302
    assert len(saved(app)) == 3


# -- blocked --------------------------------------------------------------------------------

def test_blocked_antispam_adds_no_field_and_no_limit(tmp_path):
    app = other_app(tmp_path, BLOCKED_PLUGINS=["antispam"], COMMENT_RATE_LIMIT="1/minute")
    try:
        client = app.test_client()
        assert "antispam" not in app.extensions["plugins"].loaded()
        html = client.get(f"/posts/{SLUG}").get_data(as_text=True)
        assert 'id="comment-form"' in html
        assert "website_confirm" not in html and "hp-field" not in html and "antispam" not in html
        assert client.get("/antispam/static/antispam.css").status_code == 404
        for body in ("one", "two", "two"):  # no rate limit, no duplicate check either
            assert submit(client, body=body).status_code == 302
        assert [status for _, status, _ in saved(app)] == ["approved"] * 3
    finally:
        dispose(app)
