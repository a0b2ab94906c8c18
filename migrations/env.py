"""Alembic environment for ``flask db ...`` (Flask-Migrate's ``flask`` template, adapted).

The metadata is the app's: core models plus the models of the plugins this app loaded.
Comparison options (``compare_type``, ``render_as_batch``, the ``include_object`` filter
that keeps blocked plugins' tables out of autogenerate) come from ``blogapp.database``.
"""

import logging
import warnings
from contextlib import contextmanager, nullcontext
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.exc import SAWarning

import blogapp.models  # noqa: F401  (the core tables, whatever the app imported so far)

config = context.config

# Logging from alembic.ini when run from the shell. Under a host that already configured
# logging (pytest, an app calling upgrade()) leave it alone, and never silence loggers
# that exist already (fileConfig's default would disable the app's own).
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

# SQLite cannot describe an index on an expression (users: unique lower(username)) to
# SQLAlchemy's reflection, which says so each time; autogenerate then leaves that index
# alone, which is what it should do: it is declared on the model and made by a revision.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index",
                        category=SAWarning)
warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified expression-based index",
                        category=UserWarning)

target_db = current_app.extensions["migrate"].db


def get_engine_url():
    return target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())


def run_migrations_offline():
    """``--sql``: emit the SQL instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        **current_app.extensions["migrate"].configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def process_revision_directives(context, revision, directives):
    """``flask db migrate`` with nothing to do writes no empty revision file."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


@contextmanager
def sqlite_migration_mode(connection):
    """Make SQLite migrations safe: foreign keys off, one real transaction.

    A batch operation rebuilds a table and drops the old one; with foreign keys on, that
    DROP runs the ON DELETE CASCADE of every referencing table (a rebuilt ``posts`` would
    take all comments with it). SQLite's recipe: keys off outside a transaction, rebuild,
    ``foreign_key_check``, keys on. And Python's sqlite3 commits DDL as it goes unless
    it is told to stay out of the way, so a failed migration would be half applied.
    """
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    raw = connection.connection.dbapi_connection
    previous, raw.isolation_level = raw.isolation_level, None  # we send BEGIN ourselves
    try:
        yield
    finally:
        # The connection goes back to the pool: leave it as _tune_sqlite made it.
        raw.isolation_level = previous
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def check_sqlite_foreign_keys(connection):
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(
            f"migration would leave {len(broken)} rows pointing at missing rows "
            f"(first in table {broken[0][0]!r}); nothing was changed"
        )


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        with sqlite_migration_mode(connection) if sqlite else nullcontext():
            context.configure(
                connection=connection, target_metadata=target_db.metadata,
                transactional_ddl=True, **conf_args,
            )
            with context.begin_transaction():
                if sqlite:
                    connection.exec_driver_sql("BEGIN")
                context.run_migrations()
                if sqlite:
                    check_sqlite_foreign_keys(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
