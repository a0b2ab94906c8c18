"""The page cache's fast path: a WSGI middleware that answers cache hits of visitors
without a session before Flask handles the request at all (no routing, no session, no
extension hooks), with the headers the full stack gave the page when it was stored.

Visitors with a session cookie (or any cookie but ``lang``) go through Flask, where
``pages._lookup`` answers their hits. A page with a form needs a CSRF token: a new
visitor gets one here the way Flask-WTF makes it (a random raw token in a new session,
signed for the form), and the session cookie from the app's own session interface.
"""

import hashlib
import os

from itsdangerous import URLSafeTimedSerializer

from ..i18n import COOKIE_NAME as LANG_COOKIE
from ..i18n import LANGUAGES, locale_for
from .pages import PLACEHOLDER, conditional, fetch, page_key

WTF_CSRF_SALT = "wtf-csrf-token"  # flask_wtf.csrf.generate_csrf signs with this salt


class CachedPages:
    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        response = None
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and self.app.config["PAGE_CACHE"]:
            try:
                response = self.hit(environ)
            except Exception:  # noqa: BLE001 - Flask answers instead (and logs its own)
                self.app.logger.exception("page cache: fast path failed")
        if response is None:
            return self.wsgi_app(environ, start_response)
        return response(environ, start_response)

    def hit(self, environ):
        app = self.app
        req = app.request_class(environ)
        cookies = req.cookies
        if any(name != LANG_COOKIE for name in cookies):
            return None  # a session or a personal cookie: Flask decides
        wanted = req.args.get("lang") if "lang" in req.args else None
        if wanted in LANGUAGES and cookies.get(LANG_COOKIE) != wanted:
            return None  # Flask remembers the choice in the lang cookie
        language = locale_for(req) or app.config["BABEL_DEFAULT_LOCALE"]
        entry, _ = fetch(app, page_key(app, req, language))
        if entry is None:
            return None
        response = app.response_class(entry.body, headers=list(entry.headers))
        raw = None
        if entry.tokened:
            raw = hashlib.sha1(os.urandom(64)).hexdigest()
            secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
            token = URLSafeTimedSerializer(secret, salt=WTF_CSRF_SALT).dumps(raw)
            response.set_data(entry.body.replace(PLACEHOLDER, token.encode("ascii")))
            session = app.session_interface.session_class()
            session[app.config["WTF_CSRF_FIELD_NAME"]] = raw
            app.session_interface.save_session(app, session, response)
        return conditional(response, entry, raw, environ)


def init_app(app):
    # Innermost, under ProxyFix when there is one: keys use the corrected host and scheme.
    outer = app.wsgi_app
    if hasattr(outer, "app") and type(outer).__name__ == "ProxyFix":
        outer.app = CachedPages(app, outer.app)
    else:
        app.wsgi_app = CachedPages(app, outer)
