"""Reader-facing comment routes: post a comment, edit/delete it within the window, JSON."""

from flask import (Blueprint, abort, current_app, flash, jsonify, make_response, redirect,
                   render_template, request, url_for)
from blogapp.plugin_api import gettext as _

from blogapp.plugin_api import current_blog, db

from . import reasons, tokens
from .api import comments_api
from .actions import edit_body
from .forms import CommentEditForm, CommentForm
from .models import MAX_DEPTH, MAX_ID, Comment, comments_closed, parse_id
from .policy import judge
from .sanitize import MAX_BODY_CHARS, render_comment, safe_url
from .threads import build_tree, approved_comments, tree_as_json

# Static files under /comments/static (the app's own /static is taken).
bp = Blueprint("comments", __name__, template_folder="templates", static_folder="static",
               static_url_path="/comments/static")


def visible_post(slug):
    post = current_blog().post_by_slug(slug, visible_only=True)
    if post is None:
        abort(404, description=_("找不到这篇文章。"))
    return post


def _show_form_again(post, form, message, status, preview=None):
    """Re-render the article with the form, its error (or the preview asked for) and the
    commenter's text kept: they reach this plugin's ``post_footer`` slot through the slot
    context the page passes on."""
    slot_context = {"comment_form": form, "comment_error": message, "comment_preview": preview}
    return make_response(render_template("blog/post.html", post=post,
                                         slot_context=slot_context), status)


def _parent_for(form, post):
    if not form.parent_id.data:
        return None, None
    parent = db.session.get(Comment, parse_id(form.parent_id.data))
    if parent is None or parent.post_id != post.id or parent.status != "approved":
        return None, _("回复的评论不存在。")
    if parent.depth >= MAX_DEPTH:
        return None, _("回复最多嵌套 %(depth)d 层。", depth=MAX_DEPTH)
    return parent, None


def _request_info():
    return {
        "ip": request.remote_addr or "",
        "user_agent": (request.user_agent.string or "")[:300],
        "form": request.form.to_dict(),
        "user": current_blog().current_user(),
    }


def _form_for(user):
    """The submitted comment form; a logged-in user's name and e-mail come from their
    account, whatever was sent (they are not asked for them)."""
    if user is None:
        return CommentForm()
    data = request.form.copy()
    data["author_name"], data["author_email"] = user.name, user.email or ""
    form = CommentForm(formdata=data)
    if not user.email:  # an account without an address may still comment
        form.author_email.validators = []
    return form


@bp.route("/comments/preview", methods=["POST"])
def preview():
    """The comment as it would be stored and shown (the same sanitizer), for the form's
    live preview; CSRF-protected like every POST."""
    body = request.form.get("body", "")
    if len(body) > MAX_BODY_CHARS:
        return jsonify({"error": _("评论最长 %(max)d 字。", max=MAX_BODY_CHARS)}), 400
    return jsonify({"html": render_comment(body) if body.strip() else ""})


@bp.route("/posts/<slug>/comments", methods=["POST"])
def create(slug):
    post = visible_post(slug)
    if comments_closed(post.id):
        abort(403, description=_("这篇文章已关闭评论。"))
    user = current_blog().current_user()
    form = _form_for(user)
    if request.form.get("preview"):  # the preview button (without JavaScript): nothing saved
        error = next(iter(form.body.errors), None) if not form.body.validate(form) else None
        preview = None if error else render_comment(form.body.data)
        return _show_form_again(post, form, error, 400 if error else 200, preview=preview)
    if not form.validate():
        first_error = next(iter(form.errors.values()))[0]
        return _show_form_again(post, form, first_error, 400)
    parent, error = _parent_for(form, post)
    if error:
        return _show_form_again(post, form, error, 400)
    info = _request_info()
    comment = Comment(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 1,
        user_id=info["user"].id if info["user"] is not None else None,
        author_name=form.author_name.data,  # cleaned by the form's filter
        author_email=form.author_email.data.strip(),
        author_url=safe_url(form.author_url.data),
        body_raw=form.body.data,
        body_html=render_comment(form.body.data),
        notify_replies=bool(form.notify_replies.data),
        ip=info["ip"],
        user_agent=info["user_agent"],
    )
    verdict = judge(comment, info, info["user"])
    if verdict is not None:
        response = _show_form_again(post, form, verdict.reason, verdict.status)
        if verdict.retry_after:
            response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    db.session.add(comment)
    db.session.commit()
    comments_api().notify("comment_after_save", comment=comment)
    if comment.status == "approved":
        flash(_("评论已发表。"), "success")
    # A held comment is announced right above the form, where the reader is looking
    # (the section's "waiting" notice, shown to the browser holding its cookie).
    # Back to the comment, or (held) to the notice that it waits, right above the form:
    # both carry the id comment-<id>.
    response = redirect(url_for("blog.post", slug=post.slug, _anchor=f"comment-{comment.id}"))
    response.set_cookie(tokens.cookie_name(comment.id), tokens.make_token(comment),
                        max_age=current_app.config["COMMENT_EDIT_WINDOW"], httponly=True,
                        samesite="Lax", secure=request.is_secure, path="/")
    return response


def _own_comment(comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status == "trash":
        abort(404, description=_("找不到这条评论。"))
    if not tokens.token_allows(request.cookies.get(tokens.cookie_name(comment_id)), comment):
        abort(403, description=_("只能在发表后 %(window)s内修改或删除自己的评论。",
                                  window=tokens.window_text()))
    return comment


@bp.route(f"/comments/<int(max={MAX_ID}):comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id):
    comment = _own_comment(comment_id)
    form = CommentEditForm(body=comment.body_raw)
    if form.validate_on_submit():
        # A site that holds comments for a first look must not let an approved comment
        # be swapped for other text afterwards: the edit goes back to the queue.
        held = (comment.status == "approved" and not current_blog().can_moderate(current_blog().current_user())
                and current_app.config["COMMENT_MODERATION"] in ("hold_first", "hold_all"))
        old_status = comment.status
        if held:
            comment.status, comment.status_reason = "pending", reasons.encode(reasons.EDITED)
        edit_body(comment, form.body.data)
        if held:
            comments_api().notify("comment_status_changed", comment=comment,
                                  old_status=old_status, new_status="pending")
            flash(_("评论已修改，审核通过后重新显示。"), "success")
            return redirect(url_for("blog.post", slug=comment.post.slug, _anchor="comments"))
        flash(_("评论已修改。"), "success")
        return redirect(url_for("blog.post", slug=comment.post.slug, _anchor=f"comment-{comment.id}"))
    status = 400 if form.errors else 200
    return render_template("comments/edit.html", form=form, comment=comment,
                           window=tokens.window_text()), status


@bp.route(f"/comments/<int(max={MAX_ID}):comment_id>/delete", methods=["POST"])
def delete(comment_id):
    comment = _own_comment(comment_id)
    slug = comment.post.slug
    old = comment.status
    comment.status = "trash"
    db.session.commit()
    comments_api().notify("comment_status_changed", comment=comment, old_status=old,
                          new_status="trash")
    flash(_("评论已删除。"), "success")
    response = redirect(url_for("blog.post", slug=slug, _anchor="comments"))
    response.delete_cookie(tokens.cookie_name(comment_id), path="/")
    return response


@bp.route("/api/posts/<slug>/comments")
def api_list(slug):
    post = visible_post(slug)
    comments = approved_comments(post.id)
    return jsonify({"post": post.slug, "count": len(comments), "closed": comments_closed(post.id),
                    "comments": tree_as_json(build_tree(comments))})
