"""HTTP security headers, set by Flask-Talisman.

A Content-Security-Policy that allows no inline script at all (the site needs no
JavaScript), no framing, ``nosniff`` and a strict referrer policy. HTTPS redirects and
the ``Secure`` cookie flag follow ``FORCE_HTTPS`` / ``SESSION_COOKIE_SECURE``, which a
deployment behind https turns on.
"""

from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "https:"],
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app):
    # One Talisman per app: it keeps its settings on the instance, not per app.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
