"""Invalidation of the page cache by generation: a subscriber of the committed-changes
dispatcher (``blogapp.database.on_committed_changes``).

The current generation is a random token in the shared store; a stored page of another
generation is a miss, so replacing it invalidates every page of every process and node
sharing the store. The events:

- at flush, the transaction is marked when it added, changed or deleted a mapped object
  whose class does not set ``page_cache_ignore = True`` (posts, comments, tags, users,
  plugin models alike: the core knows no plugin); bulk UPDATE/DELETE statements, which
  bypass the flush, mark it too.
- after the outermost commit the mark replaces the generation; a rollback drops it.

Savepoints: committing one does not invalidate (readers see nothing until the real
commit); rolling one back keeps the mark, as the outer transaction may still commit.
"""

import uuid

from flask import current_app, has_app_context

from ..database import Subscriber, on_committed_changes
from .pages import GENERATION_KEY, backend

_KEY = "page_cache"


def _counts(obj):
    return not getattr(type(obj), "page_cache_ignore", False)


def _collect(session, marked_app):
    """The app whose pages the transaction changes (the bucket), or the earlier mark."""
    if marked_app is not None or not has_app_context() \
            or "page_cache" not in current_app.extensions:
        return marked_app
    changed = (
        any(_counts(obj) for obj in session.new)
        or any(_counts(obj) for obj in session.deleted)
        or any(_counts(obj) and session.is_modified(obj) for obj in session.dirty)
    )
    return current_app._get_current_object() if changed else None


def _orm_execute(state, marked_app):
    # Bulk UPDATE/DELETE statements bypass the flush; count them as changes too.
    if (state.is_update or state.is_delete) and has_app_context() \
            and "page_cache" in current_app.extensions:
        return current_app._get_current_object()
    return marked_app


def _announce(app, session):
    new_generation(app)


def new_generation(app):
    """Invalidate every stored page of ``app`` (and of all apps sharing its cache)."""
    try:
        backend(app).set(GENERATION_KEY, uuid.uuid4().hex, timeout=0)
    except Exception:  # noqa: BLE001 - the change is saved; pages expire by timeout
        app.logger.exception("page cache: could not invalidate; pages expire by timeout")


def init_app(app):
    """Listen to ``db.session`` (once per process: the session is shared by every app, so
    the handlers find their app through ``current_app``)."""
    # A rolled-back savepoint keeps the mark: the outer transaction may still commit
    # other changes, and an extra invalidation is harmless where a missed one is not.
    on_committed_changes(Subscriber(_KEY, collect=_collect, announce=_announce,
                                    orm_execute=_orm_execute, keep_on_savepoint_rollback=True))
