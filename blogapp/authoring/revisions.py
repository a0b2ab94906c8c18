"""Revisions: every save that changes a post's title or Markdown keeps a revision; the
post's revision page lists them, shows what each differs from the current text, and
restores one (restoring is itself a save, so it becomes the newest revision).

Revisions are recorded by a ``before_flush`` listener rather than by the editor, so every
way a post changes (editor, ``flask import-posts``, the WordPress import, the demo) keeps
one. A save that changes neither title nor body (a re-import of the same files, a save
that only moves the publication time) keeps none: history shows edits, not clicks.
"""

import difflib

from flask import Blueprint, abort, flash, has_request_context, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import inspect

from ..auth.permissions import writer_required
from ..database import listen_on_session
from ..extensions import db
from ..models import Post, PostRevision
from ..templating import local_time
from .views import _editable_post

bp = Blueprint("revisions", __name__, url_prefix="/admin/posts")


# -- recording ------------------------------------------------------------------------------

def _latest(session, post_id):
    return session.scalar(db.select(PostRevision).filter_by(post_id=post_id)
                          .order_by(PostRevision.id.desc()).limit(1))


def _changed(session, post):
    """Whether ``post`` is new, or its title or body differs from its newest revision."""
    state = inspect(post)
    if state.pending:
        return True
    if not (state.attrs.title.history.has_changes() or state.attrs.body.history.has_changes()):
        return False
    # History says "assigned"; the newest revision says whether the text really differs
    # (an import assigns every field each time).
    with session.no_autoflush:
        latest = _latest(session, post.id)
    return latest is None or (latest.title, latest.body) != (post.title, post.body or "")


def _saved_by(post):
    """Who saves: the logged-in writer, else (imports, commands) the post's author."""
    if has_request_context() and current_user.is_authenticated:
        return {"author_id": current_user.id}
    if post.author_id is not None:
        return {"author_id": post.author_id}
    return {"author": post.author}


def record_revisions(session, flush_context, instances):
    """``before_flush``: a revision for each new or textually changed post."""
    for post in [*session.new, *session.dirty]:
        if isinstance(post, Post) and post not in session.deleted and _changed(session, post):
            session.add(PostRevision(post=post, title=post.title, body=post.body or "",
                                     **_saved_by(post)))


@bp.record_once
def _listen(state):
    # Once per process: db.session is shared by every app (database.listen_on_session).
    listen_on_session(before_flush=record_revisions)


# -- pages ----------------------------------------------------------------------------------

def diff_lines(old, new):
    """``[(kind, text)]`` of a line diff from ``old`` to ``new``: kind is ``" "``, ``"-"``,
    ``"+"`` or ``"@"`` (a hunk header), three lines of context."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3)
    return [(line[0], line[1:] if line[0] != "@" else line) for line in list(lines)[2:]]


def _revision_of(post, revision_id):
    revision = db.session.get(PostRevision, revision_id)
    if revision is None or revision.post_id != post.id:
        abort(404, description=_("这篇文章没有这个修订。"))
    return revision


@bp.route("/<int:post_id>/revisions")
@writer_required
def revision_list(post_id):
    post = _editable_post(post_id)
    revisions = db.session.scalars(db.select(PostRevision).filter_by(post_id=post.id)
                                   .order_by(PostRevision.id.desc())).all()
    return render_template("authoring/revisions.html", post=post, revisions=revisions)


@bp.route("/<int:post_id>/revisions/<int:revision_id>")
@writer_required
def revision_diff(post_id, revision_id):
    post = _editable_post(post_id)
    revision = _revision_of(post, revision_id)
    # Read as "what restoring this revision would change in the current text".
    lines = diff_lines(post.body or "", revision.body)
    same = (revision.title, revision.body) == (post.title, post.body)
    return render_template("authoring/revision.html", post=post, revision=revision,
                           lines=lines, same=same)


@bp.route("/<int:post_id>/revisions/<int:revision_id>/restore", methods=["POST"])
@writer_required
def restore_revision(post_id, revision_id):
    post = _editable_post(post_id)
    revision = _revision_of(post, revision_id)
    if (revision.title, revision.body) == (post.title, post.body):
        flash(_("当前内容与这个修订相同，没有改动。"), "info")
        return redirect(url_for("revisions.revision_list", post_id=post.id))
    when = revision.created_at
    post.title, post.body = revision.title, revision.body
    db.session.commit()  # record_revisions keeps this as the newest revision
    flash(_("已恢复 %(when)s 的版本。", when=local_time(when, "%Y-%m-%d %H:%M")), "success")
    return redirect(url_for("authoring.edit", post_id=post.id))

