"""``flask create-user``."""

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import ROLES, User


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="author", show_default=True)
@click.option("--email", default=None, help="Contact address (unique).")
@click.option("--display-name", default=None, help="Name shown to readers.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(username, role, email, display_name, password_stdin):
    """Create a user, or set the password and role of an existing one."""
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() or ch == "/" for ch in username):
        raise click.UsageError("USERNAME must be 1-64 characters with no spaces or '/'.")
    user = User.by_username(username)
    if user is not None and user.username != username:
        # Names ignore case ("Alice" logs in as alice): a second account differing only in
        # case would be unreachable, and silently changing alice's password is worse.
        raise click.ClickException(
            f"the user name {username} is taken by {user.username} (user names ignore case); "
            f"run create-user {user.username} to change that account.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters.")
    if email and db.session.scalar(db.select(User).filter(User.email == email, User.username != username)):
        raise click.ClickException(f"the email {email} belongs to another user.")
    created = user is None
    if created:
        user = User(username=username, display_name=display_name or username)
        db.session.add(user)
    elif display_name:
        user.display_name = display_name
    user.role = role
    if email:
        user.email = email
    user.set_password(password)
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {role} {user.username}.")


COMMANDS = [create_user_command]
