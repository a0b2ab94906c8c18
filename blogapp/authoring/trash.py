"""The trash: deleting a post asks first and moves it here, with its comments; from
/admin/trash it is restored or deleted for good, and ``flask purge-trash`` deletes what
has been there longer than ``TRASH_DAYS``.

A trashed post keeps its row, so its comments (rows pointing at it) and revisions stay
untouched. Its status becomes ``trashed``: ``Post.visible()`` and the search index only
take published or scheduled posts, so it leaves pages, feeds, the sitemap and search in
the same commit (the search subscriber sees a post that is no longer indexable), and
restoring puts the status back, which indexes it again.
"""

from datetime import timedelta

import click
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import writer_required
from ..extensions import db
from ..models import Post
from ..models.types import utcnow

# cli_group=None: ``flask purge-trash``, not ``flask trash purge-trash``.
bp = Blueprint("trash", __name__, url_prefix="/admin", cli_group=None)


def trash_slug(post):
    # Never a real slug (make_slug yields no "~"), unique because the id is.
    return f"~trash-{post.id}"


def move_to_trash(post):
    post.trashed_status, post.trashed_slug = post.status, post.slug
    post.slug, post.status, post.trashed_at = trash_slug(post), "trashed", utcnow()


def free_slug(wanted, post):
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever no other post uses."""
    taken = set(db.session.scalars(db.select(Post.slug).where(
        Post.id != post.id, (Post.slug == wanted) | Post.slug.startswith(wanted + "-"))))
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = wanted[:200 - len(suffix)] + suffix
    return slug


def restore(post):
    """Take ``post`` out of the trash; returns the slug it had when another post now has it."""
    wanted = post.trashed_slug or f"post-{post.id}"
    slug = free_slug(wanted, post)
    post.slug, post.status = slug, post.trashed_status or "draft"
    post.trashed_at = post.trashed_status = post.trashed_slug = None
    return wanted if slug != wanted else None


def _own_post(post_id, trashed):
    post = db.session.get(Post, post_id)
    if post is not None and not current_user.may_edit(post):
        abort(403, description=_("你只能编辑自己的文章。"))
    if post is None or (post.status == "trashed") != trashed:
        abort(404, description=_("回收站里没有这篇文章。") if trashed else _("找不到这篇文章。"))
    return post


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@writer_required
def confirm_trash(post_id):
    """GET asks (a page of its own, so it works without JavaScript); POST moves it."""
    post = _own_post(post_id, trashed=False)
    if request.method == "GET":
        return render_template("authoring/confirm.html", post=post, action="trash")
    title = post.title
    move_to_trash(post)
    db.session.commit()
    flash(_("《%(title)s》已移到回收站，%(days)d 天后自动删除。", title=title,
            days=current_app.config["TRASH_DAYS"]), "success")
    return redirect(url_for("authoring.post_list"))


@bp.route("/trash/")
@writer_required
def trash_list():
    select = db.select(Post).filter_by(status="trashed").order_by(Post.trashed_at.desc(), Post.id)
    if not current_user.can_edit_any_post:
        select = select.where(Post.author_id == current_user.id)
    return render_template("authoring/trash.html", posts=db.session.scalars(select).all(),
                           days=current_app.config["TRASH_DAYS"])


@bp.route("/trash/<int:post_id>/restore", methods=["POST"])
@writer_required
def restore_post(post_id):
    post = _own_post(post_id, trashed=True)
    taken = restore(post)
    db.session.commit()
    if taken:
        flash(_("URL 别名“%(old)s”已被另一篇文章使用，恢复的文章改用“%(new)s”。",
                old=taken, new=post.slug), "info")
    flash(_("已恢复《%(title)s》。", title=post.title), "success")
    return redirect(url_for("authoring.edit", post_id=post.id))


@bp.route("/trash/<int:post_id>/delete", methods=["GET", "POST"])
@writer_required
def delete_for_good(post_id):
    post = _own_post(post_id, trashed=True)
    if request.method == "GET":
        return render_template("authoring/confirm.html", post=post, action="delete")
    title = post.title
    db.session.delete(post)
    db.session.commit()
    flash(_("已永久删除《%(title)s》。", title=title), "success")
    return redirect(url_for("trash.trash_list"))


def purge(days):
    """Delete posts trashed more than ``days`` days ago, one by one so that every
    subscriber (search, page cache, ``post_after_delete``) hears of each; returns the count."""
    cutoff = utcnow() - timedelta(days=days)
    posts = db.session.scalars(db.select(Post).where(
        Post.status == "trashed", Post.trashed_at < cutoff)).all()
    for post in posts:
        db.session.delete(post)
    db.session.commit()
    return len(posts)


@bp.cli.command("purge-trash")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Age in days (default: the TRASH_DAYS setting).")
def purge_trash_command(days):
    """Delete for good the posts that have been in the trash longer than TRASH_DAYS."""
    days = current_app.config["TRASH_DAYS"] if days is None else days
    click.echo(f"purged {purge(days)} post(s) trashed more than {days} day(s) ago")

