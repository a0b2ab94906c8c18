"""Security headers, CSRF on every state-changing route, role checks on every staff route,
safe login redirects and throttled logins."""

import pytest

from blogapp.extensions import db
from blogapp.models import User
from conftest import csrf_token, login

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _url(rule):
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if type(converter).__name__ == "IntegerConverter" else "x"
    return rule.build(values, append_unknown=False)[1]


def test_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(client, make_user):
    make_user("ann", role="author")
    response = login(client, "ann")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_on_https(tmp_path, make_user):
    from blogapp import create_app
    from blogapp.database import create_schema
    from blogapp.extensions import db
    from blogapp.models import User

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SESSION_COOKIE_SECURE": True,
                      "SEARCH_AUTO_REBUILD": False}, instance_path=tmp_path)
    with app.app_context():
        create_schema()
        user = User(username="ann", role="author")
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", base_url="https://localhost", data={
        "username": "ann", "password": "correct horse battery", "csrf_token": token})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie


def test_every_state_changing_route_requires_a_csrf_token(app, client, make_user):
    make_user("boss", role="admin")
    login(client, "boss")
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            response = client.open(_url(rule), method=method, data={"action": "approve", "ids": "1"})
            assert response.status_code == 400, f"{method} {rule.rule} accepted a request without CSRF"
            checked += 1
    assert checked >= 8


STAFF_PREFIXES = {"/admin/": "can_write", "/moderation/": "can_moderate"}


@pytest.mark.parametrize("role", [None, "author", "moderator", "editor", "admin"])
def test_every_staff_route_checks_the_role(app, client, make_user, make_post, role):
    from blogapp.models.user import EDITOR_ROLES, MODERATOR_ROLES, WRITER_ROLES

    # The first prefix that matches decides (the more specific come first).
    allowed = {"/admin/search-insights/": EDITOR_ROLES, "/admin/": WRITER_ROLES,
               "/moderation/": MODERATOR_ROLES}
    owner = make_user("owner", role="admin")
    make_post("x", owner)
    if role:
        make_user("visitor", role=role)
        login(client, "visitor")
    checked = 0
    for rule in app.url_map.iter_rules():
        prefix = next((p for p in allowed if rule.rule.startswith(p)), None)
        if prefix is None or "GET" not in rule.methods:
            continue
        response = client.get(_url(rule))
        checked += 1
        if role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule
        elif role not in allowed[prefix] or (role == "author" and "post_id" in rule.arguments):
            # Authors pass the role check but post 1 belongs to someone else.
            assert response.status_code == 403, f"{role} reached {rule.rule}"
        else:
            # Allowed roles get past the check (an editor of someone else's post: 200; a
            # missing object: 404), never a 403 or a login redirect.
            assert response.status_code in (200, 404), (role, rule.rule, response.status_code)
    assert checked >= 3
    assert EDITOR_ROLES <= WRITER_ROLES


def test_the_site_stores_passwords_as_scrypt_hashes(app, client, runner, monkeypatch):
    """The tests hash with a cheap method (conftest); the site itself uses scrypt."""
    from blogapp.models import user as user_model
    from conftest import PRODUCTION_PASSWORD_HASH

    monkeypatch.setattr(user_model, "PASSWORD_HASH_METHOD", PRODUCTION_PASSWORD_HASH)
    result = runner.invoke(args=["create-user", "carol", "--role", "author", "--password-stdin"],
                           input="a long pass phrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalar(db.select(User.password_hash).filter_by(username="carol"))
    assert stored.startswith("scrypt:") and "a long pass phrase" not in stored
    assert login(client, "carol", "a long pass phrase").status_code == 302


def test_failed_logins_are_throttled(client, make_user):
    make_user("ann", role="author")
    for _ in range(5):
        assert login(client, "ann", "wrong password").status_code == 401
    blocked = login(client, "ann", "wrong password")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Even the right password waits: guessing must not be able to continue.
    assert login(client, "ann").status_code == 429
    # Another account from the same address is not affected.
    make_user("bob", role="author")
    assert login(client, "bob").status_code == 302
