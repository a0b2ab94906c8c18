"""Default configuration; every value can be overridden by instance/config.py,
``BLOGAPP_*`` environment variables or the ``test_config`` mapping."""

import os
import secrets

SITE_NAME = "K8s 笔记"
SITE_DESCRIPTION = "Kubernetes 中文/English 技术博客"
# Display timezone for dates; stored times are always UTC.
TIMEZONE = "Asia/Shanghai"
POSTS_PER_PAGE = 10
# Atom feeds carry whole articles (True) or only their excerpts (False).
FEED_FULL_CONTENT = True

SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: SQLite in the instance folder
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Forms: CSRF tokens never expire mid-edit of a long article; the session still ends on logout.
WTF_CSRF_TIME_LIMIT = None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind https set both to true (BLOGAPP_FORCE_HTTPS=true BLOGAPP_SESSION_COOKIE_SECURE=true).
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_SECURE = False
FORCE_HTTPS = False
# Behind nginx or another reverse proxy: honour X-Forwarded-For/Proto/Host (PROXY_FIX_HOPS).
PROXY_FIX = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

SECRET_KEY_FILE = "secret_key"

# Failed logins allowed per client address and user name before answering 429.
LOGIN_FAILURE_LIMIT = "5/5minute"
RATELIMIT_STORAGE_URI = "memory://"

# Plugins: None loads every plugin found (bundled and installed); a list loads only those.
PLUGINS = None
BLOCKED_PLUGINS: list = []


def load_or_create_secret_key(instance_path):
    """Return the instance's secret key, generating it once on first run.

    The key lives in the instance folder (never in the repo) so each site has its own and
    restarts keep sessions valid. The file is created with 0600 permissions.
    """
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    try:
        with open(path, encoding="ascii") as fh:
            key = fh.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
