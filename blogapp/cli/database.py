"""``flask init-db``."""

import click
from flask.cli import with_appcontext

from ..database import create_schema


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database tables that do not exist yet (safe to run again)."""
    create_schema()
    click.echo("Database ready.")


COMMANDS = [init_db_command]
