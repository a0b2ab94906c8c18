"""The page cache: which pages are cached, their keys, fetching and storing them, and
conditional answers (ETag, Last-Modified, 304).

Visitors with a session are answered by ``_lookup``, the app's first ``before_request``
function; the others by ``fastpath`` with the same ``page_key``, ``fetch`` and
``conditional``. A miss is kept by ``_store`` (the entry, from the view's answer) and
``_capture`` (saved with the headers the whole stack set). Every entry carries the
generation it was stored under; ``invalidation`` replaces the generation. What is cached
and what never is: see the package docstring.
"""

import hashlib
import os
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import urlencode

from cachelib import FileSystemCache
from flask import current_app, g, request, session
from flask.globals import request_ctx
from flask_wtf.csrf import generate_csrf

from ..extensions import cache
from ..i18n import locale_for

# Endpoint -> the query arguments its page depends on (``lang`` is always understood).
CACHEABLE = {
    "blog.index": frozenset({"page"}),
    "blog.post": frozenset({"reply_to"}),
    "blog.author": frozenset({"page"}),
    "blog.category": frozenset({"page"}),
    "blog.tag": frozenset({"page"}),
    "blog.month": frozenset({"page"}),
    "feeds.site_feed": frozenset(),
    "feeds.author_feed": frozenset(),
    "feeds.category_feed": frozenset(),
    "feeds.tag_feed": frozenset(),
    "feeds.sitemap": frozenset(),
}
PLACEHOLDER = b"__blogapp_csrf_token__"
GENERATION_KEY = "page-generation"
LOCAL_ENTRIES = 500


@dataclass(frozen=True)
class Entry:
    """A stored page: the body with ``PLACEHOLDER`` where the CSRF token was, and the
    headers the full stack gave it (security headers, Vary, Content-Type)."""

    body: bytes
    headers: tuple
    etag: str
    last_modified: float
    expires_at: float
    tokened: bool
    generation: str


@dataclass
class Settings:
    """Per app, so a plugin may add a reader page: ``.endpoints[endpoint] = {args}``."""

    endpoints: dict
    cookies: frozenset  # cookies that do not make a page personal
    session_keys: frozenset  # session keys that do not either
    release: str | None = None  # see _release
    local: dict = field(default_factory=dict)  # see fetch
    fragments: OrderedDict = field(default_factory=OrderedDict)  # see fragments.memoized
    generation_seen: tuple | None = None  # see current_generation


def _release(app):
    """A hash of the code, templates, translations and static files this process renders
    with, computed once: after a deploy the pages stored by the old release (files and
    Redis outlive restarts) are not served. Same files, same hash: nodes share pages."""
    settings = app.extensions["page_cache"]
    if settings.release is None:
        roots = {app.root_path, os.path.join(app.root_path, app.template_folder or "")}
        for blueprint in app.blueprints.values():
            roots.add(blueprint.root_path)
            if blueprint.template_folder:
                roots.add(os.path.join(blueprint.root_path, blueprint.template_folder))
        files = set()
        for root in roots:
            for folder, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                files.update(os.path.join(folder, name) for name in names)
        base = os.path.commonpath(sorted(roots))
        digest = hashlib.blake2s(digest_size=8)
        for path in sorted(files):
            digest.update(os.path.relpath(path, base).encode() + b"\0")
            with open(path, "rb") as fh:
                digest.update(hashlib.blake2s(fh.read()).digest())
        settings.release = digest.hexdigest()
    return settings.release


def backend(app):
    """The app's cache backend (usable without an app context)."""
    return app.extensions["cache"][cache]


def page_key(app, req, language):
    """The cache key of ``req`` (any werkzeug request): the release, the interface
    language, scheme, host and path, and the sorted query arguments but ``lang`` (the
    language is in the key already, however the reader chose it)."""
    query = ""
    if req.query_string:
        query = urlencode(sorted((k, v) for k, v in req.args.items(multi=True) if k != "lang"))
    return f"page:{_release(app)}:{language}:{req.scheme}://{req.host}{req.script_root}" \
           f"{req.path}?{query}"


def current_generation(app):
    """The generation of the data pages show (see ``invalidation``), from the shared store.

    Every cache hit asks, so with the default FileSystemCache the value is kept with the
    identity of its file: cachelib replaces a key's file (a new inode) on every write, so
    an unchanged ``stat`` means an unchanged generation, for a sixth of a read's cost."""
    store = backend(app)
    settings = app.extensions["page_cache"]
    info = None
    if isinstance(store, FileSystemCache):
        try:
            info = os.stat(store._get_filename(GENERATION_KEY))
        except OSError:
            info = None
        else:
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
            seen = settings.generation_seen
            if seen is not None and seen[0] == stamp:
                return seen[1]
    generation = store.get(GENERATION_KEY)
    if generation is None:  # first use, or evicted: never reuse an old generation
        generation = uuid.uuid4().hex
        store.set(GENERATION_KEY, generation, timeout=0)
        info = None  # stat the new file next time
    if info is not None:
        settings.generation_seen = (stamp, generation)
    return generation


def fetch(app, key):
    """The stored entry for ``key`` if it is current, else None; and the generation.

    Each process keeps the entries it used (``LOCAL_ENTRIES`` at most): a hit then reads
    only the generation from the shared store, not the page."""
    store = backend(app)
    generation = current_generation(app)
    local = app.extensions["page_cache"].local
    entry = local.get(key)
    if entry is None or entry.generation != generation:
        entry = store.get(key)
        if isinstance(entry, Entry) and entry.generation == generation:
            if len(local) >= LOCAL_ENTRIES:
                local.clear()
            local[key] = entry
    if not isinstance(entry, Entry) or entry.generation != generation \
            or entry.expires_at <= time.time():
        entry = None
    return entry, generation


def _anonymous_key():
    """The key of a request the cache may answer, or None (see the package docstring)."""
    if request.method not in ("GET", "HEAD"):
        return None
    settings = current_app.extensions["page_cache"]
    understood = settings.endpoints.get(request.endpoint)
    if understood is None:
        return None
    if any(name not in understood and name != "lang" for name in request.args):
        return None
    if any(name not in settings.cookies for name in request.cookies):
        return None
    if any(name not in settings.session_keys for name in session):
        return None
    language = locale_for(request) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return page_key(current_app, request, language)


def _lookup():
    """Visitors with a session come here (the others are answered by ``fastpath``)."""
    key = _anonymous_key()
    if key is None:
        return None
    g.page_cache = state = {"key": key, "generation": None}
    if not current_app.config["PAGE_CACHE"]:
        return None
    try:
        entry, state["generation"] = fetch(current_app, key)
    except Exception:  # noqa: BLE001 - a cache outage costs speed, never the page
        current_app.logger.exception("page cache: lookup failed")
        g.page_cache = None
        return None
    if entry is None:
        return None
    state["hit"] = True
    body, raw = entry.body, None
    if entry.tokened:
        body = body.replace(PLACEHOLDER, generate_csrf().encode("ascii"))
        raw = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    response = current_app.response_class(body, content_type=dict(entry.headers)["Content-Type"])
    return conditional(response, entry, raw, request.environ)


def conditional(response, entry, raw_token, environ):
    """ETag, Last-Modified and Cache-Control of a cacheable page; 304 when the client's
    copy is current. A tokened page's ETag includes the visitor's token (hashed): only
    their own copy, holding their own token, is answered with 304."""
    if entry.tokened:
        response.set_etag(f"{entry.etag}-{token_tag(raw_token)}", weak=True)
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.set_etag(entry.etag)
        response.headers["Cache-Control"] = "no-cache"
    response.last_modified = entry.last_modified
    response = response.make_conditional(environ)
    # make_conditional adds a Date; the server adds its own (gunicorn always does), and
    # two Date headers are invalid.
    del response.headers["Date"]
    return response


def token_tag(raw_token):
    """The visitor's part of a tokened page's ETag: a short hash of their raw token."""
    return hashlib.blake2s(str(raw_token).encode(), digest_size=6).hexdigest()


def _storable(response):
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return False
    if response.headers.getlist("Set-Cookie"):
        return False  # set by the view: personal
    if request_ctx.flashes:
        return False  # a flash message was shown on this page
    allowed = current_app.extensions["page_cache"].session_keys
    return all(name in allowed for name in session)


def _store(response):
    """First after-request function: build the entry from the view's answer."""
    state = g.get("page_cache")
    if not state or state.get("hit") or not _storable(response):
        return response
    body = response.get_data()
    token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    tokened = bool(token) and token.encode("ascii") in body
    if tokened:
        body = body.replace(token.encode("ascii"), PLACEHOLDER)
    now = time.time()
    expires_at = now + current_app.config["PAGE_CACHE_TIMEOUT"]
    if state["generation"] is not None:
        expires_at = min(expires_at, next_publication(now))
    # SHA-256 runs in hardware on current CPUs: ~3x faster than BLAKE2s on a 40 KB page.
    entry = Entry(body=body, headers=(), etag=hashlib.sha256(body).hexdigest()[:24],
                  last_modified=now, expires_at=expires_at, tokened=tokened,
                  generation=state["generation"])
    if state["generation"] is not None and expires_at > now + 1:
        state["entry"] = entry
    raw = session.get(current_app.config["WTF_CSRF_FIELD_NAME"]) if tokened else None
    return conditional(response, entry, raw, request.environ)


_PER_RESPONSE = {"set-cookie", "content-length", "date", "etag", "last-modified",
                 "cache-control"}


def _capture(response):
    """Last after-request function: store the entry with the headers the whole stack set
    (security headers, Vary), so the fast path can answer with them."""
    state = g.get("page_cache")
    entry = state and state.get("entry")
    if entry is not None:
        headers = tuple((k, v) for k, v in response.headers if k.lower() not in _PER_RESPONSE)
        try:
            backend(current_app).set(state["key"], replace(entry, headers=headers),
                                     timeout=max(1, int(entry.expires_at - time.time())))
        except Exception:  # noqa: BLE001
            current_app.logger.exception("page cache: store failed")
    return response


def next_publication(now):
    """When the next scheduled post becomes due (a page stored before must expire then)."""
    from ..extensions import db
    from ..models import Post

    due = db.session.scalar(
        db.select(db.func.min(Post.published_at)).where(
            Post.status.in_(("published", "scheduled")),
            Post.published_at > datetime.fromtimestamp(now, timezone.utc)))
    return due.timestamp() if due is not None else float("inf")

