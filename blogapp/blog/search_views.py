"""Search pages: ``/search`` for readers, ``/api/search`` for programs (same results)."""

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from ..i18n import current_language
from ..search import search_service
from ..search.serialize import results_to_dict
from . import search_facets
from .translation_links import requested_language

bp = Blueprint("search", __name__)

MAX_PAGE = 1000
MAX_PER_PAGE = 50
SORTS = ("relevance", "date")


def _int_arg(name, default, low, high):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"'{name}' must be a whole number.")
    if not low <= value <= high:
        abort(400, description=f"'{name}' must be between {low} and {high}.")
    return value


def _sort_arg():
    sort = request.args.get("sort") or "relevance"
    if sort not in SORTS:
        abort(400, description=f"'sort' must be one of: {', '.join(SORTS)}.")
    return sort


def _correct_arg():
    """``correct=0``: search the words as typed, without spelling correction."""
    raw = request.args.get("correct", "1")
    if raw not in ("0", "1"):
        abort(400, description="'correct' must be 0 or 1.")
    return raw == "1"


def _post_url(slug):
    return url_for("blog.post", slug=slug)


@bp.route("/search")
def search_page():
    query = request.args.get("q", "")
    page = _int_arg("page", 1, 1, MAX_PAGE)
    sort = _sort_arg()
    correct = _correct_arg()
    language = requested_language()
    results = search_service(current_app).search(
        query, page=page, per_page=current_app.config["POSTS_PER_PAGE"], sort=sort,
        correct=correct, language=language, prefer=current_language(),
        facets=search_facets.COUNTED,
    )
    if page > 1 and page > results.pages:
        abort(404, description=_("没有这一页。"))
    facets, chips = search_facets.build(results, query, language)
    return render_template("search/results.html", results=results, q=query, sort=sort,
                           correct=None if correct else 0, language=language,
                           facets=facets, chips=chips, facet_headings=search_facets.HEADINGS)


@bp.route("/api/search")
def search_api():
    query = request.args.get("q", "")
    if not query.strip():
        abort(400, description="'q' is required.")
    page = _int_arg("page", 1, 1, MAX_PAGE)
    per_page = _int_arg("per_page", 10, 1, MAX_PER_PAGE)
    language = requested_language()
    results = search_service(current_app).search(
        query, page=page, per_page=per_page, sort=_sort_arg(), correct=_correct_arg(),
        language=language, prefer=current_language(), facets=search_facets.COUNTED,
    )
    facets, _chips = search_facets.build(results, query, language)
    return jsonify({**results_to_dict(results, _post_url),
                    "facets": search_facets.facets_json(facets)})
