"""Database setup: binds Flask-SQLAlchemy and tunes SQLite connections."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


def _tune_sqlite(dbapi_connection, connection_record):
    # WAL lets readers carry on while a writer commits (several gunicorn workers);
    # SQLite leaves foreign keys off unless asked on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def init_app(app):
    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)


def listen_on_session(**handlers):
    """Attach session event handlers (``after_commit=fn``, ...) once per process.

    ``db.session`` is shared by every app in the process, so handlers look up their app
    through ``current_app``; registering twice would run them twice.
    """
    for name, handler in handlers.items():
        if not event.contains(db.session, name, handler):
            event.listen(db.session, name, handler)


def create_schema():
    """Create every table that does not exist yet (core and plugin models)."""
    from . import models  # noqa: F401  (registers the core tables)

    db.create_all()
