"""Keeping the index current: a subscriber of the committed-changes dispatcher
(``blogapp.database.on_committed_changes``).

``collect`` (at flush) notes what changed; ``after_flush_postexec`` turns the collected
posts into documents (by then new rows are persistent, so their relationships load);
``announce`` applies them after the outermost commit, and the dispatcher drops them on
rollback (a rolled-back savepoint only drops its own). The index only ever sees
committed data, and a failed transaction leaves no trace.

``before_commit`` also writes the changed post ids to the shared outbox (``outbox.py``)
inside the committing transaction, for the other nodes' replicas (``replica.py``).
"""

from flask import current_app, has_app_context
from sqlalchemy import inspect

from ..database import Subscriber, collected, on_committed_changes
from ..models import Category, Post, Tag, User
from . import outbox
from .documents import is_indexable

_KEY = "search_changes"


def _service(session):
    if not has_app_context():
        return None
    return current_app.extensions.get("search")


# Renaming a tag, category or author changes what its posts are found by.
_RENAMES = {Category: ("name", "slug"), Tag: ("name", "slug"), User: ("username", "display_name")}


def _renamed(obj):
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in _RENAMES[type(obj)])


def collect(session, changes):
    service = _service(session)
    if service is None:
        return changes
    if changes is None:
        changes = {"service": service, "upserts": {}, "deletes": set(), "flushed": [],
                   "outbox_upserts": set(), "outbox_deletes": set()}
    for obj in session.deleted:
        if isinstance(obj, Post) and obj.id is not None:
            changes["upserts"].pop(obj.id, None)
            changes["deletes"].add(obj.id)
            changes["outbox_deletes"].add(obj.id)
    posts = [obj for obj in [*session.new, *session.dirty] if isinstance(obj, Post)]
    with session.no_autoflush:  # loading a tag's posts must not start a nested flush
        for obj in session.dirty:
            if type(obj) in _RENAMES and _renamed(obj):
                posts.extend(obj.posts)
    changes["flushed"].extend(post for post in posts if post not in session.deleted)
    return changes


def after_flush_postexec(session, changes):
    if not changes["flushed"]:
        return
    service, posts = changes["service"], changes["flushed"]
    changes["flushed"] = []
    changes["outbox_upserts"].update(p.id for p in posts if p.id is not None)
    if service.batching() is not None:
        # Inside SearchService.deferred(): only remember which posts to index later.
        changes["batch"] = changes.get("batch", set()) | {p.id for p in posts if p.id is not None}
        return
    for post in posts:
        if post.id is None:
            continue
        if is_indexable(post):
            changes["deletes"].discard(post.id)
            changes["upserts"][post.id] = service.document(post)
        else:
            changes["upserts"].pop(post.id, None)
            changes["deletes"].add(post.id)


def before_commit(session):
    """Write the outbox rows last thing before COMMIT (see ``outbox.py`` for why)."""
    if _service(session) is None:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # what commit would flush anyway: its posts must be in the outbox
    changes = collected(session, _KEY)
    if changes and (changes["outbox_upserts"] or changes["outbox_deletes"]):
        outbox.enqueue(session, changes["outbox_upserts"], changes["outbox_deletes"])
        changes["outbox_upserts"], changes["outbox_deletes"] = set(), set()


def announce(changes, session):
    """After the outermost commit: apply the documents (or hand them to a batch)."""
    batch = changes["service"].batching()
    if batch is not None:
        batch.update(changes.get("batch", ()), changes["deletes"], changes["upserts"])
        return
    if changes["upserts"] or changes["deletes"]:
        changes["service"].apply(
            list(changes["upserts"].values()), changes["deletes"], session.get_bind()
        )


def register(app):
    """Subscribe once per process; each app finds its own search service."""
    on_committed_changes(Subscriber(_KEY, collect=collect, announce=announce,
                                    after_flush_postexec=after_flush_postexec,
                                    before_commit=before_commit))
