"""``/admin/search-insights`` for editors and admins: what readers searched for and found
nothing or little, each with a one-click "add as synonym of ..." form, and the synonym
groups kept in the database (edit, remove)."""

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _

from ..auth.permissions import role_required
from ..extensions import db
from ..models import SynonymGroup
from ..search import search_service
from . import report, synonyms

bp = Blueprint("insights", __name__, url_prefix="/admin/search-insights")
editor_required = role_required(lambda user: user.can_edit_any_post,
                                _("只有编辑和管理员可以查看搜索洞察。"))


def _days():
    raw = request.values.get("days", "30")
    if raw not in {str(days) for days in report.PERIODS}:
        abort(400, description=_("days 只能是 7、30 或 90。"))
    return int(raw)


def _page(days, error=None, status=200):
    glossary_terms = sorted(set(search_service(current_app).glossary.terms()))
    return render_template(
        "insights/index.html", days=days, periods=report.PERIODS, error=error,
        no_results=report.no_results(days), few_results=report.few_results(days),
        groups=synonyms.groups(), glossary_terms=glossary_terms, few=report.FEW_RESULTS,
    ), status


@bp.route("/")
@editor_required
def index():
    return _page(_days())


@bp.route("/synonyms", methods=["POST"])
@editor_required
def add_synonym():
    days = _days()
    query, target = request.form.get("query", ""), request.form.get("target", "")
    try:
        group, note = synonyms.add([query, target], join_existing=True)
    except synonyms.SynonymProblem as problem:
        return _page(days, error=str(problem), status=400)
    flash(_("“%(query)s”现在是“%(target)s”的同义词（%(note)s）。", query=query.strip(),
            target=target.strip(), note=note), "success")
    return redirect(url_for("insights.index", days=days))


@bp.route("/synonyms/<int:group_id>", methods=["POST"])
@editor_required
def edit_synonyms(group_id):
    days = _days()
    try:
        if request.form.get("action") == "remove":
            synonyms.remove(group_id)
            flash(_("同义词组已删除。"), "success")
        else:
            synonyms.edit(group_id, request.form.get("terms", "").split("|"))
            flash(_("同义词组已保存。"), "success")
    except synonyms.SynonymProblem as problem:
        status = 404 if db.session.get(SynonymGroup, group_id) is None else 400
        return _page(days, error=str(problem), status=status)
    return redirect(url_for("insights.index", days=days))
