"""Keeping the index current: SQLAlchemy session events.

``after_flush`` collects what changed into ``session.info``; ``after_flush_postexec``
turns the collected posts into documents (by then new rows are persistent, so their
relationships load); ``after_commit`` applies them and ``after_rollback`` drops them.
The index only ever sees committed data, and a failed transaction leaves no trace.

``before_commit`` also writes the changed post ids to the shared outbox (``outbox.py``)
inside the committing transaction, for the other nodes' replicas (``replica.py``).
"""

from flask import current_app, has_app_context
from sqlalchemy import inspect

from ..database import follow_savepoints, listen_on_session
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


def after_flush(session, flush_context):
    service = _service(session)
    if service is None:
        return
    changes = session.info.setdefault(
        _KEY, {"service": service, "upserts": {}, "deletes": set(), "flushed": [],
               "outbox_upserts": set(), "outbox_deletes": set()}
    )
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


def after_flush_postexec(session, flush_context):
    changes = session.info.get(_KEY)
    if not changes or not changes["flushed"]:
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
    changes = session.info.get(_KEY)
    if changes and (changes["outbox_upserts"] or changes["outbox_deletes"]):
        outbox.enqueue(session, changes["outbox_upserts"], changes["outbox_deletes"])
        changes["outbox_upserts"], changes["outbox_deletes"] = set(), set()


def after_commit(session):
    if session.in_nested_transaction():
        return  # a released savepoint: the outer transaction may still roll back
    changes = session.info.pop(_KEY, None)
    batch = changes and changes["service"].batching()
    if batch is not None:
        batch.update(changes.get("batch", ()), changes["deletes"], changes["upserts"])
        return
    if changes and (changes["upserts"] or changes["deletes"]):
        changes["service"].apply(
            list(changes["upserts"].values()), changes["deletes"], session.get_bind()
        )


def after_rollback(session):
    # A rolled-back savepoint: follow_savepoints restores what was collected before it.
    if not session.in_nested_transaction():
        session.info.pop(_KEY, None)


def register(app):
    """Listen on the shared session; each app finds its own search service."""
    listen_on_session(after_flush=after_flush, after_flush_postexec=after_flush_postexec,
                      before_commit=before_commit, after_commit=after_commit,
                      after_rollback=after_rollback)
    follow_savepoints(_KEY)
