"""``/healthz``: is the database reachable and the search index usable?"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except SQLAlchemyError as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    search = current_app.extensions.get("search")
    if search is not None:
        try:
            status = search.status()
            checks["search_index"] = {"ok": status["index"] is not None and not search.needs_rebuild(),
                                      **{k: status[k] for k in ("documents", "pending", "rebuilding")}}
        except Exception as exc:  # noqa: BLE001 - health checks report, they do not fail
            checks["search_index"] = {"ok": False, "error": type(exc).__name__}
    healthy = all(check["ok"] for check in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503
