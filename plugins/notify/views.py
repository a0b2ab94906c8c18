"""The one-click moderation links: GET shows a confirmation page, POST acts."""

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _

from blogapp.extensions import db
from blogapp.models import User
from blogapp.plugins import plugin_manager

from .tokens import InvalidLink, read_token

bp = Blueprint("notify", __name__, url_prefix="/notify", template_folder="templates")

COMMENTS_TABLE = "comments"
NEW_STATUS = {"approve": "approved", "delete": "trash"}


def comment_model():
    """The comments plugin's mapped class, found by its table (plugins never import each other)."""
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.local_table, "name", None) == COMMENTS_TABLE:
            return mapper.class_
    return None


@bp.after_request
def private(response):
    # The URL holds a bearer token: keep it out of caches (and, by the page's
    # <meta name="referrer">, out of Referer headers).
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/moderate/<token>", methods=["GET", "POST"])
def moderate(token):
    try:
        comment_id, action, moderator_id = read_token(token)
    except InvalidLink as error:
        abort(400, description=str(error))
    moderator = db.session.get(User, moderator_id)
    if moderator is None or not moderator.can_moderate:
        abort(400, description=_("这个审核链接已失效：发给的账号不再是版主。"))
    Comment = comment_model()
    comment = db.session.get(Comment, comment_id) if Comment is not None else None
    if comment is None:
        abort(404, description=_("这条评论已不存在。"))
    post = comment.post
    if comment.status != "pending":  # someone already decided: a stale link changes nothing
        return render_template("notify/moderate.html", comment=comment, post=post,
                               action=action, moderator=moderator, handled=True), 409
    if request.method == "GET":
        return render_template("notify/moderate.html", comment=comment, post=post,
                               action=action, moderator=moderator, handled=False)
    old_status, new_status = comment.status, NEW_STATUS[action]
    comment.status = new_status
    comment.status_reason = "" if action == "approve" else f"通过邮件链接删除（{moderator.username}）"
    db.session.commit()
    plugin_manager(current_app).notify("comment_status_changed", comment=comment,
                                       old_status=old_status, new_status=new_status)
    if action == "approve":
        flash(_("评论已批准。"), "success")
        return redirect(url_for("blog.post", slug=post.slug, _anchor=f"comment-{comment.id}"))
    flash(_("评论已删除（移到回收站）。"), "success")
    return redirect(url_for("blog.post", slug=post.slug, _anchor="comments"))
