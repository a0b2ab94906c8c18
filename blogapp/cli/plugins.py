"""``flask plugins``."""

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ..plugins import plugin_manager


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def plugins_command(as_json):
    """List loaded plugins with their version, source and hooks."""
    plugins = plugin_manager(current_app).describe()
    if as_json:
        click.echo(json.dumps(plugins, indent=2))
        return
    if not plugins:
        click.echo("No plugins loaded.")
    for plugin in plugins:
        click.echo(f"{plugin['name']} {plugin['version'] or ''} ({plugin['source']})")
        click.echo(f"    hooks: {', '.join(plugin['hooks']) or '-'}")


COMMANDS = [plugins_command]
