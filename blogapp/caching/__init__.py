"""HTTP caching: the anonymous page cache, conditional answers (304), its invalidation,
and far-future headers for static files.

Where things are:

- ``pages``: the page cache itself: which endpoints are cached, page keys, fetching and
  storing pages, conditional answers (ETag, Last-Modified, 304).
- ``fastpath``: WSGI middleware answering the hits of visitors without a session before
  Flask handles the request.
- ``invalidation``: the SQLAlchemy session events that replace the generation after a
  commit that changed what pages show.
- ``static_versions``: versioned static URLs (``?v=<hash>``) and their cache headers.
- ``init_app`` (here): the wiring of all of the above into an app.

The page cache is ``extensions.cache`` (Flask-Caching). By default it is a
``FileSystemCache`` in ``instance/cache``: unlike ``SimpleCache`` (one dict per process)
it is shared by every gunicorn worker and by ``flask`` commands on the host, so an edit
made in one process invalidates the pages of all the others. With ``REDIS_URL`` set it is
a ``RedisCache`` and shared by every node.

What is cached: the 200 answers to anonymous GET/HEAD requests of the endpoints in
``CACHEABLE`` (``pages``) whose query arguments are all understood. The key is the
release (a hash of the code, templates and static files), the interface language, the
host, the path and the sorted arguments.

What never is: any other method or endpoint (admin, login, search, API, ...) unless a
plugin adds it to ``app.extensions["page_cache"].endpoints``. A request
is not anonymous (never looked up, never stored) when it carries a cookie other than the
session and language cookies (``PAGE_CACHE_COOKIES``: remember-me, a plugin's comment
token, ...), or its session holds anything but a CSRF token (a login, a flash message,
...). A response is not stored when it sets a cookie of its own or showed a flash message.

A hit is answered before any view runs: without a session by ``fastpath``, with one from
a ``before_request`` function that runs first: no view, no query, no template, no user
loading. Pages with a form carry the visitor's CSRF token: it is stored as
``PLACEHOLDER`` and the visitor's own token (``generate_csrf``) is put back when serving,
with ``Cache-Control: private`` so shared proxies never keep a tokened copy.

Invalidation is by generation (``invalidation``): every stored page carries the
generation it was stored under, a random token replaced after each commit that added,
changed or deleted any mapped object (posts, comments, tags, categories, users, plugin
models alike: the core knows no plugin); a page of an older generation is a miss. A model
whose rows never show on a page opts out with the class attribute
``page_cache_ignore = True``. Time also changes pages: a stored page expires when the
next scheduled post becomes due.
"""

from ..extensions import cache
from ..i18n import COOKIE_NAME as LANG_COOKIE
from . import fastpath, invalidation, static_versions
from .pages import CACHEABLE, Settings, _capture, _lookup, _store


def _cache_config(app):
    config = app.config
    config.setdefault("WTF_CSRF_FIELD_NAME", "csrf_token")
    if not config.get("CACHE_TYPE"):
        if config.get("REDIS_URL"):
            config["CACHE_TYPE"] = "RedisCache"
            config.setdefault("CACHE_REDIS_URL", config["REDIS_URL"])
        else:
            config["CACHE_TYPE"] = "FileSystemCache"
    if config["CACHE_TYPE"] in ("FileSystemCache", "filesystem") and not config.get("CACHE_DIR"):
        config["CACHE_DIR"] = f"{app.instance_path}/cache"
    config.setdefault("CACHE_KEY_PREFIX", "blogapp:")


def init_app(app):
    _cache_config(app)
    cache.init_app(app)
    app.extensions["page_cache"] = Settings(
        endpoints=dict(CACHEABLE),
        cookies=frozenset([app.config["SESSION_COOKIE_NAME"], LANG_COOKIE,
                           *app.config.get("PAGE_CACHE_COOKIES", ())]),
        # The CSRF token is swapped per visitor; Flask-Login writes "_fresh" to anonymous
        # sessions too.
        session_keys=frozenset([app.config["WTF_CSRF_FIELD_NAME"], "_permanent", "_fresh"]),
    )
    # First in line: a hit is answered before any other before_request function runs.
    app.before_request_funcs.setdefault(None, []).insert(0, _lookup)
    app.after_request(_store)  # after-request functions run last-registered first:
    app.after_request_funcs.setdefault(None, []).insert(0, _capture)  # this one runs last
    fastpath.init_app(app)
    invalidation.init_app(app)
    static_versions.init_app(app)
