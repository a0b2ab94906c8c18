"""``flask comments list|approve|spam|delete|close|open``."""

import json

import click
from flask.cli import AppGroup

from blogapp.plugin_api import current_blog, db

from .actions import change_status
from .models import MAX_ID, STATUSES, Comment, set_closed

comments_group = AppGroup("comments", help="Moderate comments.")


@comments_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None)
@click.option("--json", "as_json", is_flag=True)
def list_command(status, as_json):
    """List comments, newest first."""
    select = db.select(Comment).order_by(Comment.created_at.desc(), Comment.id.desc())
    if status:
        select = select.filter_by(status=status)
    comments = db.session.scalars(select).all()
    rows = [{"id": c.id, "post": c.post.slug, "status": c.status, "author": c.author_name,
             "email": c.author_email, "created_at": c.created_at.isoformat(),
             "body": c.body_raw} for c in comments]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        snippet = " ".join(row["body"].split())[:60]
        click.echo(f"{row['id']:>6}  {row['status']:<8} {row['post']:<30} {row['author']}: {snippet}")
    click.echo(f"{len(rows)} comments")


def _ids_or_fail(ids):
    storable = [i for i in ids if 0 < i <= MAX_ID]  # larger ones cannot be looked up
    found = set(db.session.scalars(db.select(Comment.id).filter(Comment.id.in_(storable))))
    missing = sorted(set(ids) - found)
    if missing:
        raise click.ClickException(f"no comment with id {', '.join(map(str, missing))}")
    return ids


@comments_group.command("approve")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-pending", is_flag=True, help="Approve every pending comment.")
def approve_command(ids, all_pending):
    """Approve comments by id (or all pending ones)."""
    if all_pending:
        ids = db.session.scalars(db.select(Comment.id).filter_by(status="pending")).all()
    elif not ids:
        raise click.UsageError("give comment ids or --all-pending")
    click.echo(f"Approved {change_status(_ids_or_fail(list(ids)), 'approve')} comments.")


@comments_group.command("spam")
@click.argument("ids", nargs=-1, type=int, required=True)
def spam_command(ids):
    """Mark comments as spam."""
    click.echo(f"Marked {change_status(_ids_or_fail(list(ids)), 'spam')} comments as spam.")


@comments_group.command("delete")
@click.argument("ids", nargs=-1, type=int, required=True)
def delete_command(ids):
    """Delete comments for good (their replies too)."""
    click.echo(f"Deleted {change_status(_ids_or_fail(list(ids)), 'delete')} comments.")


def _set_closed(slug, closed):
    post = current_blog().post_by_slug(slug)
    if post is None:
        raise click.ClickException(f"no post with slug {slug}")
    set_closed(post.id, closed)
    db.session.commit()


@comments_group.command("close")
@click.argument("slug")
def close_command(slug):
    """Close a post to new comments (existing ones stay visible)."""
    _set_closed(slug, True)
    click.echo(f"Comments on {slug} are closed.")


@comments_group.command("open")
@click.argument("slug")
def open_command(slug):
    """Open a post to comments again."""
    _set_closed(slug, False)
    click.echo(f"Comments on {slug} are open.")
