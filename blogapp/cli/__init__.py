"""``flask`` commands of the blog core; each module adds its group of commands."""


def init_app(app):
    from ..search import cli as search_cli
    from . import content, database, plugins, users, wordpress

    for module in (database, users, content, wordpress, plugins, search_cli):
        for command in module.COMMANDS:
            app.cli.add_command(command)
