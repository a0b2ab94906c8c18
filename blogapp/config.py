"""Default configuration; every value can be overridden by instance/config.py,
``BLOGAPP_*`` environment variables or the ``test_config`` mapping."""

import os
import secrets
import time



def N_(text):
    """Marks a string for extraction; it is translated where it is shown."""
    return text


# The defaults below are translated for English readers; a site's own name is shown as set.
SITE_NAME = N_("K8s 笔记")
SITE_DESCRIPTION = N_("Kubernetes 中文/English 技术博客")
# Display timezone for dates; stored times are always UTC.
TIMEZONE = "Asia/Shanghai"
# Interface language: "zh" (Simplified Chinese, the source language) or "en". Readers
# choose with ?lang=, the lang cookie or Accept-Language; this is the fallback and the
# language of mails.
BABEL_DEFAULT_LOCALE = "zh"
POSTS_PER_PAGE = 10
# Atom feeds carry whole articles (True) or only their excerpts (False).
FEED_FULL_CONTENT = True
# Search insights (/admin/search-insights): days of searches kept (query, result count,
# date; nothing about the reader). Older days are deleted hourly by the recorder.
SEARCH_LOG_DAYS = 90

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
# When the counters' storage (Redis) is down: False lets logins through uncounted, True
# refuses every login (503) until it is back.
LOGIN_THROTTLE_FAIL_CLOSED = False
# memory:// counts per process; left at that, REDIS_URL is used when set (see below).
RATELIMIT_STORAGE_URI = "memory://"

# Redis (e.g. "redis://127.0.0.1:6379/0"): when set, the page cache and the rate limits
# (login, comments) live there, shared by every worker and node.
REDIS_URL = None
# Anonymous page cache (blogapp/caching/). CACHE_TYPE None picks RedisCache when
# REDIS_URL is set, else FileSystemCache in instance/cache (shared by all workers of a host).
PAGE_CACHE = True
PAGE_CACHE_TIMEOUT = 600  # seconds; edits invalidate at once, this only bounds staleness
CACHE_TYPE = None
CACHE_THRESHOLD = 2000  # FileSystemCache: entries kept before the oldest are removed
# Cookies (besides the session and lang cookies) that do not make a page personal.
PAGE_CACHE_COOKIES: list = []
# Static files: versioned URLs (?v=<hash>) are cached for a year, others this long.
STATIC_MAX_AGE = 300

# Plugins: None loads every plugin found (bundled and installed); a list loads only those.
PLUGINS = None
BLOCKED_PLUGINS: list = []


def storage_uri(config, key):
    """The rate-limit storage named by ``config[key]``; ``memory://`` gives way to
    ``REDIS_URL`` when that is set, so limits hold across workers and nodes."""
    uri = config.get(key) or "memory://"
    if uri == "memory://" and config.get("REDIS_URL"):
        return config["REDIS_URL"]
    return uri


def _read_key(path):
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    except FileNotFoundError:
        return ""


def load_or_create_secret_key(instance_path):
    """Return the instance's secret key, generating it once on first run.

    The key lives in the instance folder (never in the repo) so each site has its own and
    restarts keep sessions valid. Creation is exclusive (``O_EXCL``): when several
    workers start at once on a fresh instance, one writes the key and the others read
    that same key, so a session made by one worker is valid on all of them.
    """
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    key = _read_key(path)
    if key:
        return key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):  # another process is writing it right now
            key = _read_key(path)
            if key:
                return key
            time.sleep(0.01)
        raise RuntimeError(f"{path} exists but stays empty; delete it and start again") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
