"""``flask`` commands of the blog core; each module adds its group of commands."""


def init_app(app):
    from . import content, database, users

    for module in (database, users, content):
        for command in module.COMMANDS:
            app.cli.add_command(command)
