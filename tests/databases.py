"""Which database the tests run on, and one isolated, empty database per test.

SQLite (the default): every app keeps its own file in its instance folder, so isolation is
free. PostgreSQL (``BLOGAPP_SQLALCHEMY_DATABASE_URI=postgresql...`` or
``BLOGAPP_TEST_DATABASE=postgresql``): each test, and each module for module-scoped apps,
gets a schema of its own on one server, reached through ``search_path`` in the URL. A fresh
schema is measured faster than ``CREATE DATABASE ... TEMPLATE`` (about 80 ms against 110 ms
with the tables created) and, unlike a template, starts as empty as a new site's database.
"""

import os
import time
import uuid

import sqlalchemy as sa

URL_VARIABLE = "BLOGAPP_SQLALCHEMY_DATABASE_URI"
# Read once at import: the fixtures below overwrite the variable test by test.
SELECTED_URL = os.environ.get(URL_VARIABLE, "")


CHOICES = ("sqlite", "postgresql")


def wanted_dialect():
    """``postgresql`` or ``sqlite``: what this run of the suite was asked to test on.

    ``BLOGAPP_TEST_DATABASE`` (what ``make test`` sets) wins; without it a PostgreSQL
    ``BLOGAPP_SQLALCHEMY_DATABASE_URI`` selects PostgreSQL. Anything else is a usage error.
    """
    chosen = os.environ.get("BLOGAPP_TEST_DATABASE", "")
    if chosen:
        if chosen not in CHOICES:
            raise ValueError(f"BLOGAPP_TEST_DATABASE={chosen!r}: use one of {', '.join(CHOICES)}")
        return chosen
    return "postgresql" if SELECTED_URL.startswith("postgresql") else "sqlite"


def describe():
    """One line for pytest's header: which database this run is on."""
    if wanted_dialect() == "sqlite":
        return "database: SQLite, one file per app instance"
    if SELECTED_URL.startswith("postgresql"):
        server = sa.make_url(SELECTED_URL).render_as_string(hide_password=True)
        return f"database: PostgreSQL at {server}, one schema per test"
    return "database: PostgreSQL, throwaway server (tests/services.py), one schema per test"


class PostgresSchemas:
    """Creates and drops throwaway schemas on one PostgreSQL server."""

    def __init__(self, server_url):
        self.server_url = sa.make_url(server_url)
        self.admin = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT",
                                      poolclass=sa.pool.NullPool)

    def create(self):
        """A new empty schema; returns its URL (``application_name`` names it too)."""
        name = "t_" + uuid.uuid4().hex[:16]
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        # The session time zone is not UTC on purpose: stored times must not depend on it.
        url = self.server_url.update_query_dict(
            {"options": f"-csearch_path={name} -ctimezone=Asia/Tokyo", "application_name": name})
        return url.render_as_string(hide_password=False)

    def drop(self, url):
        """Close what the test left connected to the schema, then drop it."""
        name = sa.make_url(url).query["application_name"]
        dispose_engines(name)
        with self.admin.connect() as conn:
            # Subprocesses (gunicorn, CLI) may still hold connections; end them so the
            # server does not run out of slots and DROP does not wait on their locks.
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()", (name,))
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")

    def close(self):
        self.admin.dispose()


def dispose_engines(name):
    """Dispose the engine of every app still alive on schema ``name``.

    Apps built inside a test (``create_app`` in the test body, ``make_app``) are freed by
    the garbage collector at some later moment; psycopg warns (an error under ``-W error``)
    when it meets a connection still open then. Flask-SQLAlchemy keeps its engines per app
    in ``_app_engines`` and offers no public way to list them.
    """
    from blogapp.extensions import db

    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            if engine.url.query.get("application_name") != name:
                continue
            # A background thread (search rebuild, outbox) may still be returning its
            # connection; one disposed while checked out would never be closed.
            deadline = time.monotonic() + 10
            while engine.pool.checkedout() and time.monotonic() < deadline:
                time.sleep(0.02)
            engine.dispose()
