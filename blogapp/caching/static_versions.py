"""Versioned static URLs: ``url_for('static', filename='site.css')`` gains ``?v=<hash>``.

The version is a hash of the file's content, so a changed file gets a new URL and browsers
may keep a versioned one for a year (``immutable``). Unversioned URLs, and versions that
no longer match the file, get a short ``max-age`` (``STATIC_MAX_AGE``) so a change shows
up soon. Works for every blueprint's static folder too (plugins' stylesheets).
"""

import hashlib
import os

from flask import current_app, request
from werkzeug.security import safe_join

FAR_FUTURE = 365 * 24 * 3600


class StaticVersions:
    """Content hashes of static files, recomputed when a file's mtime or size changes."""

    def __init__(self):
        self._known = {}  # path -> ((mtime_ns, size), version)

    def version(self, folder, filename):
        path = safe_join(folder, filename) if folder else None
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        signature = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(path)
        if known is not None and known[0] == signature:
            return known[1]
        with open(path, "rb") as fh:
            version = hashlib.sha256(fh.read()).hexdigest()[:12]
        self._known[path] = (signature, version)
        return version


def _static_folder(app, endpoint):
    if endpoint == "static":
        return app.static_folder
    if endpoint and endpoint.endswith(".static"):
        blueprint = app.blueprints.get(endpoint[: -len(".static")])
        if blueprint is not None:
            return blueprint.static_folder
    return None


def _add_version(endpoint, values):
    if "v" in values or "filename" not in values or not endpoint.endswith("static"):
        return
    app = current_app._get_current_object()
    version = app.extensions["static_versions"].version(_static_folder(app, endpoint),
                                                        values["filename"])
    if version:
        values["v"] = version


def _cache_headers(response):
    folder = _static_folder(current_app, request.endpoint)
    if folder is None or response.status_code not in (200, 206, 304):
        return response
    wanted = request.args.get("v")
    current = current_app.extensions["static_versions"].version(
        folder, (request.view_args or {}).get("filename", ""))
    cache_control = response.cache_control
    cache_control.no_cache = None
    cache_control.public = True
    if wanted and wanted == current:
        cache_control.max_age = FAR_FUTURE
        cache_control.immutable = True
    else:
        cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
    return response


def init_app(app):
    app.config.setdefault("STATIC_MAX_AGE", 300)
    app.extensions["static_versions"] = StaticVersions()
    app.url_defaults(_add_version)
    app.after_request(_cache_headers)
