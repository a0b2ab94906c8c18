"""The editor's live preview: ``static/editor.js`` posts the Markdown here while the author
types (debounced) and shows the answer beside the form, without a reload.

It is rendered exactly like a saved article: the Markdown renderer and sanitizer that fill
``Post.body_html`` (``content/rendering.py``), then the article page's markup of headings,
code blocks and tables (``content/reader.py``). The editor's preview button (no
JavaScript) uses the same function. Like every POST it needs the CSRF token
(CSRFProtect: 400 with a message without one); nothing is stored.
"""

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _

from ..auth.permissions import writer_required
from ..content.reader import build
from ..content.rendering import markdown_to_html
from .forms import PostForm

bp = Blueprint("preview", __name__, url_prefix="/admin/posts")

# The editor's own limit on a body (PostForm.body's Length validator).
MAX_BODY = next(v.max for v in PostForm.body.kwargs["validators"] if hasattr(v, "max"))


def render_preview(markdown_text):
    """What the article page would show as the body of ``markdown_text``."""
    return build(markdown_to_html(markdown_text or "")).html


@bp.route("/preview", methods=["POST"])
@writer_required
def live_preview():
    body = request.form.get("body", "")
    if len(body) > MAX_BODY:
        abort(413, description=_("正文太长，最多 %(max)d 字。", max=MAX_BODY))
    response = jsonify(html=str(render_preview(body)))
    response.headers["Cache-Control"] = "no-store"  # a draft, never kept by any cache
    return response
