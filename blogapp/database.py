"""Database setup: binds Flask-SQLAlchemy and Flask-Migrate, tunes SQLite connections.

Flask-Migrate is bound on first use (:func:`migrations`), by the ``flask db`` commands and
``flask init-db``: importing it imports Alembic, which cost every web worker 10 MiB of
memory and 0.3 s of start-up for commands it never runs.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from .extensions import db

# Flask-Migrate's default ``migrations/`` is relative to the working directory; anchor it to
# the checkout so ``flask db ...`` works from anywhere (the package is installed editable).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _tune_sqlite(dbapi_connection, connection_record):
    # WAL lets readers carry on while a writer commits (several gunicorn workers);
    # SQLite leaves foreign keys off unless asked on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLite's own lower() folds ASCII only; PostgreSQL's folds every script. Python's
    # makes case-insensitive lookups (user names, e-mails) match on both alike.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def init_app(app):
    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
    app.cli.add_command(_MigrationCommands("db", help="Database migrations (Flask-Migrate)."))


def migrations(app):
    """Flask-Migrate's configuration of ``app`` (``app.extensions["migrate"]``), binding
    Flask-Migrate first if no command has yet."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from . import plugin_migrations

        migrate = Migrate(
            app, db, directory=str(MIGRATIONS_DIR),
            # Batch operations (copy-and-move tables) are how SQLite alters a table;
            # rendering them everywhere keeps a revision generated against PostgreSQL
            # usable on SQLite.
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
            render_item=render_item,
        )
        # Plugins' own migration branches join the core's (plugin_migrations.py).
        migrate.configure(plugin_migrations.configure)
    return app.extensions["migrate"]


class _MigrationCommands(click.Group):
    """``flask db ...``: Flask-Migrate's command group, imported when a ``db`` command is
    parsed; until then ``flask --help`` lists it by this name and help text."""

    def _adopt(self, ctx):
        migrations(ctx.ensure_object(ScriptInfo).load_app())
        from flask_migrate.cli import db as commands

        # Its options (-d, -x), its callback (they go to flask.g) and its subcommands.
        self.params, self.callback = commands.params, commands.callback
        self.commands = commands.commands
        # The core and each plugin are branches of their own: "upgrade" means all heads.
        for param in self.commands["upgrade"].params:
            if param.name == "revision":
                param.default = "heads"

    def parse_args(self, ctx, args):
        self._adopt(ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx):
        self._adopt(ctx)
        return super().list_commands(ctx)


def include_object(obj, name, type_, reflected, compare_to):
    """Autogenerate filter: leave alone tables the database has but the models do not.

    Plugin models exist only when their plugin is loaded, so a site that blocks a plugin
    must never be offered a DROP of that plugin's tables (and its data).
    """
    return not (type_ == "table" and reflected and compare_to is None)


def render_item(type_, obj, autogen_context):
    """Autogenerate writes a column of a custom type (``UTCDateTime``) as the plain type
    it stores, so revision files never import application code that may change."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def schema_differences():
    """What autogenerate would change: ``[]`` when the models and the database agree."""
    from . import models  # noqa: F401  (registers the core tables)

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    # The same comparison options ``flask db migrate`` uses for this app.
    configured = migrations(current_app).configure_args
    options = {key: configured[key] for key in ("compare_type", "include_object")}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


@contextlib.contextmanager
def read_snapshot(session):
    """A new read-only Session on ``session``'s engine whose queries all see one snapshot.

    For reads that must agree with each other across many statements (a rebuild reads the
    outbox position and then every post). The caller's session and its isolation level are
    left alone: the snapshot has a connection of its own, rolled back on the way out.

    - SQLite: pysqlite emits no BEGIN before a SELECT (its legacy transaction handling),
      so each query would read the newest commit. An explicit BEGIN makes them one read
      transaction, which in WAL mode reads one snapshot while writers go on committing.
    - Others (PostgreSQL): REPEATABLE READ, whose snapshot is taken by the first query.
    """
    engine = session.get_bind().engine  # an Engine, or the engine of a bound Connection
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
        else:
            connection.execution_options(isolation_level="REPEATABLE READ")
        with Session(connection, autoflush=False) as snapshot:
            yield snapshot


def listen_on_session(**handlers):
    """Attach session event handlers (``after_commit=fn``, ...) once per process.

    ``db.session`` is shared by every app in the process, so handlers look up their app
    through ``current_app``; registering twice would run them twice.
    """
    for name, handler in handlers.items():
        if not event.contains(db.session, name, handler):
            event.listen(db.session, name, handler)


# -- the committed-changes dispatcher ---------------------------------------------------
# Search sync, page-cache invalidation and the post hooks all need the same thing: what a
# transaction changed, told once it is committed and never when it rolls back. One set of
# session listeners does the bookkeeping for all of them (savepoints included); each
# subscriber only says what to collect and what to do with it.

_CHANGES = "committed_changes"
_SAVEPOINTS = "committed_changes:savepoints"


@dataclass
class Subscriber:
    """What one part of the app collects at flush time and announces after the commit.

    ``collect(session, bucket)`` runs in ``after_flush`` and returns the new bucket (None
    at first); ``announce(bucket, session)`` runs after the outermost commit, once, when
    the bucket is not None. Optional: ``after_flush_postexec(session, bucket)``,
    ``before_commit(session)`` (read the bucket with :func:`collected`) and
    ``orm_execute(state, bucket)`` for bulk statements that bypass the flush, returning the
    new bucket. ``keep_on_savepoint_rollback``: a rolled-back savepoint keeps what was
    collected in it (for announcements that are harmless when extra).
    """

    name: str
    collect: Callable
    announce: Callable
    after_flush_postexec: Callable | None = None
    before_commit: Callable | None = None
    orm_execute: Callable | None = None
    keep_on_savepoint_rollback: bool = False


_SUBSCRIBERS: dict[str, Subscriber] = {}


def on_committed_changes(subscriber):
    """Subscribe to committed changes (once per process and name: ``db.session`` is shared
    by every app, so subscribers find their app through ``current_app``)."""
    _SUBSCRIBERS.setdefault(subscriber.name, subscriber)
    listen_on_session(after_flush=_after_flush, after_flush_postexec=_after_flush_postexec,
                      before_commit=_before_commit, after_commit=_after_commit,
                      after_rollback=_after_rollback, do_orm_execute=_do_orm_execute,
                      after_transaction_create=_savepoint_begins,
                      after_transaction_end=_savepoint_ends)


def collected(session, name):
    """What subscriber ``name`` has collected in this transaction so far (or None)."""
    return session.info.get(_CHANGES, {}).get(name)


def _store(session, name, bucket):
    if bucket is not None:
        session.info.setdefault(_CHANGES, {})[name] = bucket


def _after_flush(session, flush_context):
    for name, subscriber in _SUBSCRIBERS.items():
        _store(session, name, subscriber.collect(session, collected(session, name)))


def _after_flush_postexec(session, flush_context):
    for name, subscriber in _SUBSCRIBERS.items():
        bucket = collected(session, name)
        if subscriber.after_flush_postexec is not None and bucket is not None:
            subscriber.after_flush_postexec(session, bucket)


def _before_commit(session):
    for subscriber in _SUBSCRIBERS.values():
        if subscriber.before_commit is not None:
            subscriber.before_commit(session)


def _do_orm_execute(state):
    for name, subscriber in _SUBSCRIBERS.items():
        if subscriber.orm_execute is not None:
            bucket = subscriber.orm_execute(state, collected(state.session, name))
            _store(state.session, name, bucket)


def _after_commit(session):
    if session.in_nested_transaction():
        return  # a released savepoint: the outer transaction may still roll back
    changes = session.info.pop(_CHANGES, None) or {}
    for name, subscriber in _SUBSCRIBERS.items():
        if changes.get(name) is not None:
            subscriber.announce(changes[name], session)


def _after_rollback(session):
    if not session.in_nested_transaction():
        session.info.pop(_CHANGES, None)
        return
    # A rolled-back savepoint: back to what was collected before it began, so its changes
    # are never announced and the outer transaction's are never lost.
    stack = session.info.get(_SAVEPOINTS)
    if not stack:
        return
    restored = _copy_collected(stack[-1])
    current = session.info.get(_CHANGES, {})
    for name, subscriber in _SUBSCRIBERS.items():
        if subscriber.keep_on_savepoint_rollback and name in current:
            restored[name] = current[name]
    session.info[_CHANGES] = restored


def _savepoint_begins(session, transaction):
    if transaction.nested:
        session.info.setdefault(_SAVEPOINTS, []).append(
            _copy_collected(session.info.get(_CHANGES, {})))


def _savepoint_ends(session, transaction):
    if transaction.nested and session.info.get(_SAVEPOINTS):
        session.info[_SAVEPOINTS].pop()


def _copy_collected(value):
    if isinstance(value, dict):
        return {key: _copy_collected(item) for key, item in value.items()}
    if isinstance(value, (set, list)):
        return type(value)(value)
    return value


def refresh_statistics():
    """Let the query planner see the data as it is now (``ANALYZE``), after bulk changes.

    SQLite keeps no statistics until asked: without them it picks the narrow
    ``(status, published_at)`` index for the sidebar's per-category counts and reads every
    wide post row (~35 ms at 10k posts) instead of the covering per-category index (~1 ms).
    PostgreSQL's autovacuum analyses on its own; running it there too is harmless.
    """
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def create_schema():
    """Create every table that does not exist yet (core and plugin models)."""
    from . import models  # noqa: F401  (registers the core tables)

    db.create_all()
