"""Old permalinks of imported posts: ``/YYYY/MM/DD/<slug>/`` and ``/?p=<id>`` (WordPress).

Both answer 301 to ``/posts/<slug>`` for a post readers may see; anything else falls
through (``/?p=`` to the front page, a dated link to 404).
"""

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import LegacyPostId

bp = Blueprint("legacy", __name__)

_MAX_ID = 2**63 - 1  # SQLite integers; bigger numbers cannot be anybody's id


def _moved(rows):
    for row in rows:
        if row.post.is_visible:
            return redirect(url_for("blog.post", slug=row.post.slug), 301)
    return None


def redirect_for_query():
    """The 301 for ``/?p=<id>`` when ``id`` is an imported, visible post; else None."""
    legacy_id = request.args.get("p", type=int)
    if legacy_id is None or not 0 < legacy_id <= _MAX_ID:
        return None
    return _moved(db.session.scalars(
        db.select(LegacyPostId).filter_by(legacy_id=legacy_id).order_by(LegacyPostId.id.desc())))


@bp.route("/<int:year>/<int:month>/<int:day>/<slug>/", strict_slashes=False)
def dated_permalink(year, month, day, slug):
    response = _moved(db.session.scalars(
        db.select(LegacyPostId).filter_by(legacy_slug=slug.lower())
        .order_by(LegacyPostId.id.desc())))
    if response is None:
        abort(404, description=_("找不到这篇文章。"))
    return response
