"""Post lifecycle hooks (``post_after_publish``, ``post_after_delete``) from session events.

Like the search index, plugins hear about a post only once its transaction committed: a
subscriber of the committed-changes dispatcher (``blogapp.database``) collects at flush
and announces after the outermost commit. Hooks get a
:class:`PostSnapshot`, because after a commit the post itself can no longer be loaded.
"""

from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import inspect

from .database import Subscriber, on_committed_changes
from .models import Post

_KEY = "post_events"


@dataclass(frozen=True)
class PostSnapshot:
    id: int
    slug: str
    title: str
    author_id: int
    status: str


def _snapshot(post):
    return PostSnapshot(post.id, post.slug, post.title, post.author_id, post.status)


def _became_or_stayed_public(post):
    if not post.is_visible:
        return False
    attrs = inspect(post).attrs
    return any(attrs[name].history.has_changes()
               for name in ("status", "published_at", "title", "body", "slug"))


def collect(session, events):
    if not has_app_context() or "plugins" not in current_app.extensions:
        return events
    if events is None:
        events = {"pm": current_app.extensions["plugins"], "published": {}, "deleted": {}}
    for obj in session.deleted:
        if isinstance(obj, Post):
            events["published"].pop(obj.id, None)
            events["deleted"][obj.id] = _snapshot(obj)
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Post) and obj not in session.deleted and _became_or_stayed_public(obj):
            events["published"][obj.id] = _snapshot(obj)
    return events


def announce(events, session):
    pm = events["pm"]
    for post in events["published"].values():
        pm.notify("post_after_publish", post=post)
    for post in events["deleted"].values():
        pm.notify("post_after_delete", post=post)


def init_app(app):
    on_committed_changes(Subscriber(_KEY, collect=collect, announce=announce))
