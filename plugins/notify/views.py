"""The mailed links: one-click moderation (GET shows a confirmation page, POST acts) and
reply-mail unsubscription (GET asks, POST does it, as RFC 8058 mail programs do).

The comment is looked up and changed through the comments plugin's service
(``blog.service("comments")``): this plugin never touches the comment tables, and the
status change is committed and announced the one way the comments plugin does it.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from blogapp.plugin_api import N_, current_blog
from blogapp.plugin_api import gettext as _

from .tokens import InvalidLink, read_token, read_unsubscribe_token

bp = Blueprint("notify", __name__, url_prefix="/notify", template_folder="templates")

ACTIONS = {"approve": "approve", "delete": "trash"}  # link action -> comments_api action


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
    blog = current_blog()
    moderator = blog.user(moderator_id)
    if not blog.can_moderate(moderator):
        abort(400, description=_("这个审核链接已失效：发给的账号不再是版主。"))
    comments = blog.service("comments")  # None when the comments plugin is blocked
    comment = comments.get(comment_id) if comments is not None else None
    if comment is None:
        abort(404, description=_("这条评论已不存在。"))
    post = comment.post
    if comment.status != "pending":  # someone already decided: a stale link changes nothing
        return render_template("notify/moderate.html", comment=comment, post=post,
                               action=action, moderator=moderator, handled=True), 409
    if request.method == "GET":
        return render_template("notify/moderate.html", comment=comment, post=post,
                               action=action, moderator=moderator, handled=False)
    if action == "approve":
        comments.change_status([comment.id], ACTIONS[action])
    else:
        comments.change_status([comment.id], ACTIONS[action],
                               reason=N_("通过邮件链接删除（%(moderator)s）"), moderator=moderator.username)
    if action == "approve":
        flash(_("评论已批准。"), "success")
        return redirect(url_for("blog.post", slug=post.slug, _anchor=f"comment-{comment.id}"))
    flash(_("评论已删除（移到回收站）。"), "success")
    return redirect(url_for("blog.post", slug=post.slug, _anchor="comments"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """No login, no CSRF token: the signed link is the proof, and all it can do is stop
    mails. Mail programs POST ``List-Unsubscribe=One-Click`` here (RFC 8058); a second
    unsubscription is a plain "already done", never an error."""
    try:
        comment_id = read_unsubscribe_token(token)
    except InvalidLink as error:
        abort(400, description=str(error))
    comments = current_blog().service("comments")
    comment = comments.get(comment_id) if comments is not None else None
    if comment is None:
        abort(404, description=_("这条评论已不存在，不会再有它的回复通知。"))
    if request.method == "GET":
        return render_template("notify/unsubscribe.html", comment=comment, post=comment.post,
                               done=not comment.notify_replies, changed=False)
    _, changed = comments.set_reply_mail(comment_id, False)
    return render_template("notify/unsubscribe.html", comment=comment, post=comment.post,
                           done=True, changed=changed)
