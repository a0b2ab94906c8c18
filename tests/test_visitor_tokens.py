"""The fast path's CSRF tokens and session cookies for new visitors are exactly what
Flask-WTF and Flask's cookie session make, and Flask accepts them back."""

import pytest
from flask import session
from flask_wtf.csrf import validate_csrf
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from wtforms import ValidationError

from blogapp.caching.visitor_tokens import WTF_CSRF_SALT, VisitorTokens


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_790_000_000)


def test_minted_values_are_the_bytes_the_stock_serializers_give(app, frozen_clock):
    tokens = VisitorTokens(app)
    stock_csrf = URLSafeTimedSerializer(app.secret_key, salt=WTF_CSRF_SALT)
    stock_session = app.session_interface.get_signing_serializer(app)
    for _ in range(200):
        raw, token, cookie = tokens.mint()
        assert token.decode() == stock_csrf.dumps(raw)
        assert cookie.startswith(f"session={stock_session.dumps({'csrf_token': raw})};")


def test_flask_reads_the_minted_session_and_accepts_its_token_only(app):
    tokens = VisitorTokens(app)
    (raw, token, cookie), (_, other_token, _) = tokens.mint(), tokens.mint()
    with app.test_request_context(headers={"Cookie": cookie.split(";", 1)[0]}):
        assert session["csrf_token"] == raw
        validate_csrf(token.decode())
        with pytest.raises(ValidationError):
            validate_csrf(other_token.decode())


def test_the_cookie_has_the_attributes_flask_gives_its_session_cookie(app, frozen_clock):
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Strict")
    raw, _, cookie = VisitorTokens(app).mint()
    with app.test_request_context():
        session["csrf_token"] = raw
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    assert cookie == response.headers["Set-Cookie"]


@pytest.mark.plugins("comments")
def test_with_another_session_interface_a_cached_article_still_gives_a_working_token(
        app, make_user, make_post):
    """A session interface of the site's own makes its own cookie (through werkzeug)."""
    from flask.sessions import SecureCookieSessionInterface

    from comment_helpers import new_comment_id, post_comment
    from test_caching import TOKEN, get

    class SiteSessions(SecureCookieSessionInterface):
        salt = "site-sessions"

    app.session_interface = SiteSessions()
    app.config["COMMENT_MODERATION"] = "hold_none"
    make_post("pods", make_user("writer", role="author"), title="Pods")
    get(app, app.test_client(), "/posts/pods")  # rendered and stored
    visitor = app.test_client()
    page, statements = get(app, visitor, "/posts/pods")
    assert statements == 0  # the fast path answered
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    new_comment_id(post_comment(visitor, "pods", body="自己的会话", token=token))
