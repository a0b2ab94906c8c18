"""The page cache's fast path: a WSGI middleware that answers cache hits of visitors
without a session before Flask handles the request at all (no routing, no session, no
extension hooks), with the headers the full stack gave the page when it was stored.

Visitors with a session cookie (or any cookie but ``lang``) go through Flask, where
``pages._lookup`` answers their hits. A page with a form needs a CSRF token: a new
visitor gets one here, with its session cookie (``visitor_tokens``).

A hit is the hottest path of the site (every anonymous reader of a popular article), so
it avoids per-request work that gives the same result each time: the header list of an
entry is prepared once, the language of an
``Accept-Language`` value is remembered, and werkzeug's response object is used only
for conditional requests (``If-None-Match`` / ``If-Modified-Since``), where its rules
for 304 answers matter.
"""

import threading

from werkzeug.http import http_date

from ..i18n import COOKIE_NAME as LANG_COOKIE
from ..i18n import LANGUAGES, locale_for
from .pages import LOCAL_ENTRIES, PLACEHOLDER, conditional, fetch, page_key, token_tag
from .visitor_tokens import VisitorTokens, new_raw_token

_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
_REMEMBERED_LANGUAGES = 256  # distinct Accept-Language values kept per process


class CachedPages:
    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.prepared = {}  # page key -> (entry, its fixed headers)
        self.languages = {}  # Accept-Language value -> language
        self._tokens = None
        self._tokens_lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        answer = None
        if method in ("GET", "HEAD") and self.app.config["PAGE_CACHE"]:
            try:
                answer = self.hit(environ)
            except Exception:  # noqa: BLE001 - Flask answers instead (and logs its own)
                self.app.logger.exception("page cache: fast path failed")
        if answer is None:
            return self.wsgi_app(environ, start_response)
        if callable(answer):  # a werkzeug response (conditional requests)
            return answer(environ, start_response)
        headers, body = answer
        start_response("200 OK", headers)
        return [] if method == "HEAD" else [body]

    def hit(self, environ):
        """``(headers, body)``, a werkzeug response, or None when Flask must answer."""
        app = self.app
        req = app.request_class(environ)
        cookies = req.cookies if "HTTP_COOKIE" in environ else {}
        if any(name != LANG_COOKIE for name in cookies):
            return None  # a session or a personal cookie: Flask decides
        if environ.get("QUERY_STRING"):
            wanted = req.args.get("lang")
            if wanted in LANGUAGES and cookies.get(LANG_COOKIE) != wanted:
                return None  # Flask remembers the choice in the lang cookie
        language = locale_for(req) if cookies else self.language(req)
        key = page_key(app, req, language or app.config["BABEL_DEFAULT_LOCALE"])
        entry, _ = fetch(app, key)
        if entry is None:
            return None
        tokens = self.tokens()
        if any(name in environ for name in _CONDITIONAL) or tokens.session is None:
            return self.conditional_answer(entry, environ, tokens)
        # No Date: the server adds it (gunicorn always does; a second one is wrong).
        headers = list(self.fixed_headers(key, entry))
        body = entry.body
        if entry.tokened:
            raw, token, cookie = tokens.mint()
            body = body.replace(PLACEHOLDER, token)
            headers += [("ETag", f'W/"{entry.etag}-{token_tag(raw)}"'),
                        ("Cache-Control", "private, no-cache"), ("Set-Cookie", cookie)]
        else:
            headers += [("ETag", f'"{entry.etag}"'), ("Cache-Control", "no-cache")]
        headers.append(("Content-Length", str(len(body))))
        return headers, body

    def language(self, req):
        """The language of a request without cookies (nor a known ``lang``): its
        Accept-Language, each value's match remembered."""
        accept = req.environ.get("HTTP_ACCEPT_LANGUAGE", "")
        language = self.languages.get(accept)
        if language is None:
            language = locale_for(req) or ""
            if len(self.languages) >= _REMEMBERED_LANGUAGES:
                self.languages.clear()
            self.languages[accept] = language
        return language

    def fixed_headers(self, key, entry):
        """The headers of ``entry`` every visitor gets, prepared once per entry."""
        prepared = self.prepared.get(key)
        if prepared is None or prepared[0] is not entry:
            headers = list(entry.headers)
            if entry.tokened and not any(k.lower() == "vary" and "cookie" in v.lower()
                                         for k, v in headers):
                headers.append(("Vary", "Cookie"))  # it sets the session cookie
            headers.append(("Last-Modified", http_date(entry.last_modified)))
            if len(self.prepared) >= LOCAL_ENTRIES:
                self.prepared.clear()
            prepared = self.prepared[key] = (entry, tuple(headers))
        return prepared[1]

    def tokens(self):
        if self._tokens is None:
            with self._tokens_lock:
                if self._tokens is None:
                    self._tokens = VisitorTokens(self.app)
        return self._tokens

    def conditional_answer(self, entry, environ, tokens):
        """The general answer through werkzeug: 304 rules, any session interface."""
        app = self.app
        response = app.response_class(entry.body, headers=list(entry.headers))
        raw = None
        if entry.tokened:
            raw = new_raw_token()
            response.set_data(entry.body.replace(PLACEHOLDER, tokens.form_token(raw)))
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
