"""The moderation queue at /moderation/: filter by status, bulk actions, edit."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from blogapp.plugin_api import gettext as _
from blogapp.plugin_api import lazy_gettext, ngettext

from blogapp.plugin_api import db, role_required

from . import reasons
from .actions import ACTIONS, change_status, edit_body
from .forms import CommentEditForm
from .models import MAX_ID, STATUSES, Comment, parse_id

bp = Blueprint("moderation", __name__, url_prefix="/moderation", template_folder="templates")

moderator_required = role_required(lambda user: user.can_moderate,
                                   lazy_gettext("只有版主、编辑和管理员可以审核评论。"))
PER_PAGE = 50


@bp.route("/")
@moderator_required
def queue():
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        abort(400, description=f"status must be one of {', '.join(STATUSES)}.")
    # id breaks ties (imported comments share a second): PostgreSQL leaves their order open,
    # and pages of the queue would then repeat or skip comments.
    select = (db.select(Comment).filter_by(status=status)
              .order_by(Comment.created_at.desc(), Comment.id.desc()))
    page = db.paginate(select, per_page=PER_PAGE, error_out=False)
    counts = dict(db.session.execute(
        db.select(Comment.status, db.func.count(Comment.id)).group_by(Comment.status)).all())
    return render_template("comments/moderation.html", page=page, status=status,
                           statuses=STATUSES, counts=counts, status_label=reasons.status_label,
                           reason_text=reasons.text)


@bp.route("/bulk", methods=["POST"])
@moderator_required
def bulk():
    action = request.form.get("action", "")
    ids = [i for i in map(parse_id, request.form.getlist("ids")) if i is not None]
    if action not in (*ACTIONS, "delete"):
        abort(400, description=_("未知的操作。"))
    if not ids:
        flash(_("请先勾选评论。"), "error")
    else:
        count = change_status(ids, action)
        flash(ngettext("已处理 %(num)d 条评论。", "已处理 %(num)d 条评论。", count), "success")
    return redirect(url_for("moderation.queue", status=request.form.get("status", "pending")))


@bp.route(f"/<int(max={MAX_ID}):comment_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit(comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404, description=_("找不到这条评论。"))
    form = CommentEditForm(body=comment.body_raw)
    if form.validate_on_submit():
        edit_body(comment, form.body.data)
        flash(_("评论已修改。"), "success")
        return redirect(url_for("moderation.queue", status=comment.status))
    return render_template("comments/edit.html", form=form, comment=comment), 400 if form.errors else 200
