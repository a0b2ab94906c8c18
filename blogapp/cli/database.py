"""``flask init-db``: bring the database schema to the newest migration.

The same as ``flask db upgrade``, plus what an operator wants to hear: whether a database
made before migrations existed was adopted, the revision reached, and a warning when the
models have changes no migration covers yet.
"""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from ..database import migrations, refresh_statistics, schema_differences
from ..extensions import db


def _first_line(exc):
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _describe(difference):
    """``add_table search_outbox``-style summary of one autogenerate difference."""
    if isinstance(difference, list):  # column-level changes come grouped
        difference = difference[0]
    kind, *rest = difference
    names = [item if isinstance(item, str) else getattr(item, "name", None) for item in rest]
    return f"{kind} {'.'.join(name for name in names if isinstance(name, str))[:80]}".strip()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema (flask db upgrade; safe to run again)."""
    from alembic import command
    from alembic.util import CommandError

    config = migrations(current_app).migrate.get_config()
    try:
        tables = set(sa.inspect(db.engine).get_table_names())
        if tables and "alembic_version" not in tables:
            # Made by ``create_all`` before migrations: the first revision keeps every
            # existing table and its rows and creates only what is missing.
            click.echo(f"Adopting a database made before migrations ({len(tables)} tables kept).")
        command.upgrade(config, "heads")  # the core's branch and every loaded plugin's
        refresh_statistics()
        differences = schema_differences()
        with db.engine.connect() as connection:
            revisions = sorted(connection.scalars(
                sa.text("SELECT version_num FROM alembic_version")))
    except (CommandError, RuntimeError, sa.exc.SQLAlchemyError) as exc:
        raise click.ClickException(f"database upgrade failed: {_first_line(exc)}") from exc
    if differences:
        shown = ", ".join(_describe(d) for d in differences[:3])
        click.echo(
            f"Warning: the models differ from the newest migration ({shown}"
            f"{', ...' if len(differences) > 3 else ''}); "
            "a developer should add one with flask db migrate.", err=True)
    click.echo(f"Schema at revision {', '.join(revisions)}.")
    click.echo("Database ready.")


COMMANDS = [init_db_command]
