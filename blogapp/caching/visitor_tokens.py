"""A new visitor's CSRF token and session cookie, minted by the page cache's fast path.

A cached page with a form (the comment form of every article) needs a CSRF token of the
visitor's own; a visitor without a session gets a new one, exactly as Flask-WTF's
``generate_csrf`` and Flask's ``SecureCookieSessionInterface.save_session`` would make
them, so Flask reads both back on the next request. Minting is most of the cost of such a
cache hit, so the serializers are built once per process, each with its signing key
derived once, and without the zlib attempt of itsdangerous' URL-safe payloads: for a
token-sized payload compression never wins (``tests/test_visitor_tokens.py`` checks), so the
bytes are those the stock serializers give.
"""

import hashlib
import os

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer
from werkzeug.http import dump_cookie

WTF_CSRF_SALT = "wtf-csrf-token"  # flask_wtf.csrf.generate_csrf signs with this salt


class _MintingSerializer(URLSafeTimedSerializer):
    """A copy of a stock ``URLSafeTimedSerializer`` for signing small payloads quickly."""

    def __init__(self, stock):  # noqa: super().__init__ is the stock one's: its settings
        self.__dict__.update(stock.__dict__)
        signer = super().make_signer()
        key = signer.derive_key()  # an HMAC of the secret per call, otherwise
        signer.derive_key = lambda secret_key=None: key
        self._signer = signer

    def make_signer(self, salt=None):
        return self._signer if salt is None else super().make_signer(salt)

    def dump_payload(self, obj):
        return base64_encode(Serializer.dump_payload(self, obj))


def new_raw_token():
    """A visitor's secret, kept in their session, as Flask-WTF's ``generate_csrf`` makes it."""
    return hashlib.sha1(os.urandom(64)).hexdigest()


class VisitorTokens:
    """Mints form tokens, and with Flask's cookie session the session cookies, of one app."""

    def __init__(self, app):
        interface = app.session_interface
        self.field = app.config["WTF_CSRF_FIELD_NAME"]
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        self.csrf = _MintingSerializer(URLSafeTimedSerializer(secret, salt=WTF_CSRF_SALT))
        self.session = None  # another session interface (server-side, say) sets its own
        if type(interface) is SecureCookieSessionInterface:  # a subclass may sign otherwise
            self.session = _MintingSerializer(interface.get_signing_serializer(app))
            self.cookie = dict(
                key=interface.get_cookie_name(app), domain=interface.get_cookie_domain(app),
                path=interface.get_cookie_path(app), secure=interface.get_cookie_secure(app),
                httponly=interface.get_cookie_httponly(app),
                samesite=interface.get_cookie_samesite(app),
                partitioned=interface.get_cookie_partitioned(app),
            )

    def form_token(self, raw):
        return self.csrf.dumps(raw).encode("ascii")

    def mint(self):
        """``(raw token, form token, Set-Cookie value)`` for one new visitor."""
        raw = new_raw_token()
        cookie = dump_cookie(value=self.session.dumps({self.field: raw}), **self.cookie)
        return raw, self.form_token(raw), cookie
