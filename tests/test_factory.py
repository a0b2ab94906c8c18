"""The app factory: configuration layers, instance folder, secret key, SQLite settings."""

import pytest
from sqlalchemy import text

from blogapp import create_app
from blogapp.extensions import db


def test_defaults_and_testing_flag(tmp_path, monkeypatch):
    monkeypatch.delenv("BLOGAPP_SQLALCHEMY_DATABASE_URI", raising=False)  # set on PostgreSQL runs
    assert not create_app(instance_path=tmp_path).testing
    app = create_app({"TESTING": True}, instance_path=tmp_path)
    assert app.testing
    assert app.config["SITE_NAME"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path.resolve()}/blog.sqlite"


def test_config_layers_override_in_order(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('SITE_NAME = "from instance"\nPOSTS_PER_PAGE = 3\n')
    app = create_app(instance_path=tmp_path)
    assert app.config["SITE_NAME"] == "from instance"

    monkeypatch.setenv("BLOGAPP_SITE_NAME", "from env")
    monkeypatch.setenv("BLOGAPP_POSTS_PER_PAGE", "7")
    app = create_app(instance_path=tmp_path)
    assert app.config["SITE_NAME"] == "from env"
    assert app.config["POSTS_PER_PAGE"] == 7  # JSON-decoded, not the string "7"

    app = create_app({"SITE_NAME": "from test"}, instance_path=tmp_path)
    assert app.config["SITE_NAME"] == "from test"
    assert app.config["POSTS_PER_PAGE"] == 7


def test_instance_path_from_environment(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere"
    monkeypatch.setenv("BLOGAPP_INSTANCE_PATH", str(target))
    app = create_app()
    assert app.instance_path == str(target)
    assert (target / "secret_key").exists()


def test_database_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BLOGAPP_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/other.db")
    app = create_app(instance_path=tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/other.db")


def test_secret_key_generated_once_and_kept(tmp_path):
    first = create_app(instance_path=tmp_path).config["SECRET_KEY"]
    second = create_app(instance_path=tmp_path).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app(instance_path=tmp_path / "other").config["SECRET_KEY"] != first


@pytest.mark.db_agnostic  # SQLite-only settings: the SQLite pass covers them
def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"},
                     instance_path=tmp_path)
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_two_apps_keep_separate_databases(tmp_path, another_database):
    from blogapp.database import create_schema
    from blogapp.models import User

    one = create_app({"TESTING": True}, instance_path=tmp_path / "one")
    two = create_app({"TESTING": True, **another_database()}, instance_path=tmp_path / "two")
    with one.app_context():
        create_schema()
        db.session.add(User(username="only-in-one"))
        db.session.commit()
    with two.app_context():
        create_schema()
        assert User.by_username("only-in-one") is None
    with one.app_context():
        assert User.by_username("ONLY-in-one") is not None
