"""Uploading, listing, deleting and serving images.

``POST /admin/media/`` takes one image (the editor's upload form, or its script asking
for JSON) and answers with the Markdown that shows it; ``/admin/media/`` lists every
upload to reuse (copy its Markdown) or delete; ``/media/<name>`` serves the stored bytes
with their real type, ``nosniff`` and a year of caching (a name is a content hash, so it
never changes meaning).
"""

import re
from pathlib import PurePath

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.permissions import writer_required
from ..extensions import db
from ..models import Media, Post
from .storage import NAME, storage_for
from .validation import CONTENT_TYPES, Refused, process

bp = Blueprint("media", __name__)

MB = 1024 * 1024
PER_PAGE = 48
YEAR = 365 * 24 * 3600


def max_bytes():
    return int(current_app.config["MEDIA_MAX_MB"] * MB)


@bp.url_value_preprocessor
def _limit_upload(endpoint, values):
    # Runs before any before_request (CSRFProtect reads the form there): an upload larger
    # than the limit (plus room for the form around it) is refused before it is read.
    if endpoint == "media.media_list" and request.method == "POST":
        request.max_content_length = max_bytes() + 64 * 1024


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def _refuse(message, status):
    if _wants_json():
        return jsonify(error=message), status
    return _list_page(error=message), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    return _refuse(_("图片太大（最大 %(mb)d MB）。", mb=current_app.config["MEDIA_MAX_MB"]), 413)


def markdown_for(media):
    """``![name](/media/<hash>.png)``: the uploader's file name as a first alt text."""
    alt = re.sub(r"[\[\]\\]", "", PurePath(media.original_name or "").stem)[:100] or _("图片")
    return f"![{alt}]({url_for('media.serve', name=media.name)})"


def _list_page(error=None):
    select = db.select(Media).order_by(Media.created_at.desc(), Media.id.desc())
    page = db.paginate(select, per_page=PER_PAGE, error_out=False)
    return render_template("media/list.html", page=page, error=error, markdown_for=markdown_for,
                           max_mb=current_app.config["MEDIA_MAX_MB"])


def _store(upload):
    """Check, strip and keep ``upload``; return its ``Media`` row (an existing one when
    the same image was uploaded before)."""
    image = process(upload.read(max_bytes() + 1), max_bytes(),
                    current_app.config["MEDIA_MAX_PIXELS"])
    storage = storage_for(current_app)
    if not storage.exists(image.name):  # also mends a row whose file went missing
        storage.save(image.name, image.data)
    existing = db.session.scalar(db.select(Media).filter_by(name=image.name))
    if existing is not None:
        return existing
    media = Media(name=image.name, content_type=image.content_type, size=len(image.data),
                  width=image.width, height=image.height, uploaded_by=current_user.id,
                  original_name=(upload.filename or "")[:255])
    db.session.add(media)
    try:
        db.session.commit()
    except IntegrityError:  # the same image, uploaded at the same moment by someone else
        db.session.rollback()
        return db.session.scalar(db.select(Media).filter_by(name=image.name))
    return media


@bp.route("/admin/media/", methods=["GET", "POST"])
@writer_required
def media_list():
    if request.method == "GET":
        return _list_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _refuse(_("请选择一个图片文件。"), 400)
    try:
        media = _store(upload)
    except Refused as refused:
        return _refuse(str(refused), refused.status)
    markdown = markdown_for(media)
    if _wants_json():
        return jsonify(name=media.name, url=url_for("media.serve", name=media.name),
                       markdown=markdown), 201
    flash(_("已上传。在正文中插入：%(markdown)s", markdown=markdown), "success")
    return redirect(url_for("media.media_list"), 303)


def _posts_using(media):
    """Posts whose Markdown shows ``media`` (deleting it would break their image)."""
    return db.session.scalars(db.select(Post).where(Post.body.contains(f"/media/{media.name}"))
                              .order_by(Post.id)).all()


@bp.route("/admin/media/<int:media_id>/delete", methods=["GET", "POST"])
@writer_required
def delete(media_id):
    media = db.session.get(Media, media_id)
    if media is None:
        abort(404, description=_("没有这个文件。"))
    if not (current_user.can_edit_any_post or media.uploaded_by == current_user.id):
        abort(403, description=_("你只能删除自己上传的文件。"))
    if request.method == "GET":
        return render_template("media/confirm.html", media=media, posts=_posts_using(media))
    name = media.name
    db.session.delete(media)
    db.session.commit()
    # After the commit: a failed commit must not leave a row whose file is gone.
    storage_for(current_app).delete(name)
    flash(_("已删除 %(name)s。", name=media.original_name or name), "success")
    return redirect(url_for("media.media_list"))


@bp.route("/media/<name>")
def serve(name):
    if not NAME.match(name):
        abort(404)
    try:
        stream = storage_for(current_app).open(name)
    except FileNotFoundError:
        abort(404, description=_("没有这个文件。"))
    response = send_file(stream, mimetype=CONTENT_TYPES[name.rsplit(".", 1)[1]],
                         max_age=YEAR, conditional=True, etag=name.split(".")[0])
    # The name is a hash of the bytes: they never change, so caches need not ask again.
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
