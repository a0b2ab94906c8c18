"""Shared fixtures (flaskr style): ``app``, ``client``, ``runner``, plus helpers for users,
posts and the read-only material in ``../shared``."""

import json
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from blogapp import create_app
from blogapp.database import create_schema
from blogapp.extensions import db
from blogapp.models import Post, User
from blogapp.models import user as user_model
from databases import SELECTED_URL, URL_VARIABLE, PostgresSchemas, describe, wanted_dialect

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
PASSWORD = "correct horse battery"


def shared_path(*parts):
    """Path inside ``../shared``; skip when it is absent, except under CI where it must exist."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared material {path} is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    return path


# --- password hashing: a cheap method in this process (apps started as subprocesses keep
# scrypt). test_security checks that the site stores scrypt hashes.
PRODUCTION_PASSWORD_HASH = user_model.PASSWORD_HASH_METHOD


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(user_model, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
        yield


# --- which database: SQLite, or PostgreSQL with a fresh schema per test (tests/databases.py)

def pytest_configure(config):
    try:
        wanted_dialect()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config):
    return describe()


@pytest.fixture(scope="session")
def _schemas(request):
    """Schema maker on the PostgreSQL server of this run; None when the run is on SQLite."""
    if wanted_dialect() != "postgresql":
        yield None
        return
    if SELECTED_URL.startswith("postgresql"):  # a server of the operator's choosing
        schemas = PostgresSchemas(SELECTED_URL)
    else:  # BLOGAPP_TEST_DATABASE=postgresql: a throwaway server for this session
        schemas = PostgresSchemas(request.getfixturevalue("postgres_server").url)
    yield schemas
    schemas.close()


def _isolated_database(schemas):
    """Point every app built meanwhile at a database of its own, through the environment.

    ``create_app`` reads ``BLOGAPP_SQLALCHEMY_DATABASE_URI``, and so do subprocesses that
    inherit the environment (gunicorn, ``flask`` commands), whichever way a test builds them.
    """
    with pytest.MonkeyPatch.context() as patch:
        if schemas is None:
            patch.delenv(URL_VARIABLE, raising=False)  # SQLite in each app's instance folder
            yield None
            return
        url = schemas.create()
        patch.setenv(URL_VARIABLE, url)
        try:
            yield url
        finally:
            schemas.drop(url)


@pytest.fixture(scope="module", autouse=True)
def _module_database(_schemas):
    """For module-scoped apps (built before any test's own database exists)."""
    yield from _isolated_database(_schemas)


@pytest.fixture(autouse=True)
def database_url(_schemas):
    """This test's PostgreSQL URL (its own schema), or None on SQLite."""
    yield from _isolated_database(_schemas)


@pytest.fixture
def another_database(_schemas):
    """Config for an app that must not share the test's database (SQLite: none needed)."""
    urls = []

    def make():
        if _schemas is None:
            return {}
        urls.append(_schemas.create())
        return {"SQLALCHEMY_DATABASE_URI": urls[-1]}

    yield make
    for url in urls:
        _schemas.drop(url)


@pytest.fixture(autouse=True)
def _plugins_from_marker(request, monkeypatch):
    """``@pytest.mark.plugins("comments", ...)``: load only those plugins (BLOGAPP_PLUGINS)."""
    marker = request.node.get_closest_marker("plugins")
    if marker is not None:
        monkeypatch.setenv("BLOGAPP_PLUGINS", json.dumps(list(marker.args)))


def close_app(app):
    """Close what an app holds open: its searcher and its database connections."""
    app.extensions["search"].close()
    app.extensions["search_log"].stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "POSTS_PER_PAGE": 5,
         # Tests that want the background rebuild turn it on themselves.
         "SEARCH_AUTO_REBUILD": False},
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        create_schema()
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    def make(username, role="author", password=PASSWORD):
        with app.app_context():
            user = User(username=username, display_name=username.title(), role=role)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_post(app):
    """Create a post; ``days_ago`` negative means a future (scheduled) date."""

    def make(slug, author_id, *, title=None, body="Body text.", status="published", days_ago=1,
             category=None, tags=()):
        from blogapp.models import Category, Tag

        with app.app_context():
            category_obj = Category.get_or_create(category) if category else None
            tag_objs = [Tag.get_or_create(name) for name in tags]
            post = Post(
                slug=slug,
                title=title or slug.replace("-", " ").title(),
                body=body,
                status=status,
                author_id=author_id,
                published_at=datetime.now(timezone.utc) - timedelta(days=days_ago),
            )
            post.category = category_obj
            post.tags = tag_objs
            db.session.add(post)
            db.session.commit()
            return post.id

    return make


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/login"):
    """Fetch ``path`` and return the CSRF token of its first form."""
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username, password=PASSWORD):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def make_app(tmp_path, **config):
    """An app of its own (CSRF on), for settings that are read at start-up."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False, **config},
                     instance_path=tmp_path)
    with app.app_context():
        create_schema()
    return app


def _service(cls):
    """Start a throwaway server; skip when it is not installed, except under CI."""
    from services import ServiceUnavailable

    try:
        return cls()
    except ServiceUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc} (required under CI; .ci/run installs it)")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session; ``.url`` is a SQLAlchemy URL."""
    from services import PostgresServer

    server = _service(PostgresServer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis server for the session; ``.url`` is ``redis://127.0.0.1:PORT/0``."""
    from services import RedisServer

    server = _service(RedisServer)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def payloads():
    """The 6,613 lines of the shared XSS payload list."""
    path = shared_path("fixtures", "xss", "xss-payload-list.txt")
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert len(lines) == 6613
    return lines
