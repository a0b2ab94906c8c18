"""Post editor views. Authors act on their own posts; editors and admins on all."""

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import writer_required
from ..content.slugs import make_slug
from ..extensions import db
from ..models import Category, Post, Tag
from .forms import PostForm, split_tags
from .editor_fields import prepare
from .labels import status_label
from .preview import render_preview
from .translation_fields import apply_translation_fields, fill_translation_fields

bp = Blueprint("authoring", __name__, url_prefix="/admin/posts")
bp.add_app_template_filter(status_label)


def _editable_post(post_id):
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404, description=_("找不到这篇文章。"))
    if post.status == "trashed":  # restored from /admin/trash first, never edited there
        abort(404, description=_("这篇文章在回收站里，恢复后才能编辑。"))
    if not current_user.may_edit(post):
        abort(403, description=_("你只能编辑自己的文章。"))
    return post


@bp.route("/")
@writer_required
def post_list():
    select = (db.select(Post).where(Post.status != "trashed")
              .order_by(Post.updated_at.desc(), Post.id.desc()))  # ties: stable
    trashed = db.select(db.func.count(Post.id)).where(Post.status == "trashed")
    if not current_user.can_edit_any_post:
        select = select.where(Post.author_id == current_user.id)
        trashed = trashed.where(Post.author_id == current_user.id)
    return render_template("authoring/list.html", posts=db.session.scalars(select).all(),
                           trashed=db.session.scalar(trashed))


def _slug_taken(slug, post):
    other = db.session.scalar(db.select(Post).filter_by(slug=slug))
    return other is not None and other is not post


def _apply_form(form, post):
    """Copy the form into ``post``; return an error message instead when it cannot be saved."""
    slug = make_slug(form.slug.data or form.title.data, max_length=200)
    if not slug:
        return _("无法从标题生成 URL 别名，请填写 URL 别名。")
    if _slug_taken(slug, post):
        return _("URL 别名“%(slug)s”已被另一篇文章使用。", slug=slug)
    name = (form.category.data or "").strip()
    category = Category.get_or_create(name) if name else None
    tags = [Tag.get_or_create(name) for name in split_tags(form.tags.data)]
    if post.author_id is None:
        post.author_id = current_user.id
    post.title = form.title.data.strip()
    post.slug = slug
    post.body = form.body.data or ""
    post.category = category
    post.tags = tags
    if form.published_at.data:
        tz = ZoneInfo(current_app.config["TIMEZONE"])
        post.published_at = form.published_at.data.replace(tzinfo=tz)
    return apply_translation_fields(form, post)


def _editor(form, post):
    preview_html = None
    if form.preview.data:  # the preview button: what editor.js shows live, without JavaScript
        preview_html = render_preview(form.body.data)
    return render_template("authoring/edit.html", form=form, post=post, preview_html=preview_html,
                           suggestions=prepare(form))


def _saved_message(post, published):
    if post.display_status == "scheduled":
        when = post.published_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
        return _("已保存，将于 %(when)s 发布。", when=when.strftime("%Y-%m-%d %H:%M"))
    return _("已发布。") if published else _("已保存。")


def _save(form, post):
    """Handle a submitted editor form for a new (``post.id is None``) or existing post."""
    if form.preview.data or not form.validate_on_submit():
        return _editor(form, post), 200 if form.preview.data or not form.errors else 400
    error = _apply_form(form, post)
    if error:
        # Nothing of a refused form is kept: the half-applied post (a translation link the
        # database would refuse, say) must not be flushed by the editor's own queries.
        db.session.rollback()
        flash(error, "error")
        return _editor(form, post), 400
    if form.publish.data:
        if not form.published_at.data:
            post.published_at = None  # the field says "empty: now", even for a scheduled post
        post.publish()
    db.session.add(post)
    db.session.commit()
    flash(_saved_message(post, form.publish.data), "success")
    return redirect(url_for("authoring.edit", post_id=post.id))


@bp.route("/new", methods=["GET", "POST"])
@writer_required
def new():
    form = PostForm()
    # Not attached to the author yet: the relationship would pull a half-filled post
    # into the session before the form is known to be valid.
    post = Post(status="draft")
    if not form.is_submitted():
        return _editor(form, post)
    return _save(form, post)


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@writer_required
def edit(post_id):
    post = _editable_post(post_id)
    form = PostForm(obj=post)
    if not form.is_submitted():
        form.category.data = post.category.name if post.category else ""
        form.tags.data = ", ".join(tag.name for tag in post.tags)
        fill_translation_fields(form, post)
        if post.published_at:
            tz = ZoneInfo(current_app.config["TIMEZONE"])
            form.published_at.data = post.published_at.astimezone(tz).replace(tzinfo=None)
        return _editor(form, post)
    return _save(form, post)


@bp.route("/<int:post_id>/publish", methods=["POST"])
@writer_required
def publish(post_id):
    post = _editable_post(post_id)
    post.publish()
    db.session.commit()
    flash(_("已发布。") if post.is_visible else _("已定时发布。"), "success")
    return redirect(url_for("authoring.post_list"))


@bp.route("/<int:post_id>/unpublish", methods=["POST"])
@writer_required
def unpublish(post_id):
    post = _editable_post(post_id)
    post.unpublish()
    db.session.commit()
    flash(_("已撤回为草稿。"), "success")
    return redirect(url_for("authoring.post_list"))
