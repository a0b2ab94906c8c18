"""Invalidation of the page cache by generation, from SQLAlchemy session events.

The current generation is a random token in the shared store; a stored page of another
generation is a miss, so replacing it invalidates every page of every process and node
sharing the store. The events:

- ``after_flush`` marks the session (``session.info``) when the flush added, changed or
  deleted a mapped object whose class does not set ``page_cache_ignore = True`` (posts,
  comments, tags, users, plugin models alike: the core knows no plugin);
  ``do_orm_execute`` marks it for bulk UPDATE/DELETE statements, which bypass the flush.
- ``after_commit`` of the outermost transaction takes the mark and replaces the generation.
- ``after_rollback`` of the outermost transaction drops the mark.

Savepoints: committing one does not invalidate (readers see nothing until the real
commit); rolling one back keeps the mark, as the outer transaction may still commit.
"""

import uuid

from flask import current_app, has_app_context

from ..database import listen_on_session
from .pages import GENERATION_KEY, backend

_DIRTY = "page_cache_dirty"


def _counts(obj):
    return not getattr(type(obj), "page_cache_ignore", False)


def _after_flush(session, flush_context):
    if not has_app_context() or "page_cache" not in current_app.extensions:
        return
    changed = (
        any(_counts(obj) for obj in session.new)
        or any(_counts(obj) for obj in session.deleted)
        or any(_counts(obj) and session.is_modified(obj) for obj in session.dirty)
    )
    if changed:
        session.info[_DIRTY] = current_app._get_current_object()


def _do_orm_execute(state):
    # Bulk UPDATE/DELETE statements bypass the flush; count them as changes too.
    if (state.is_update or state.is_delete) and has_app_context() \
            and "page_cache" in current_app.extensions:
        state.session.info[_DIRTY] = current_app._get_current_object()


def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint: wait for the real commit before readers see anything
    app = session.info.pop(_DIRTY, None)
    if app is not None:
        new_generation(app)


def _after_rollback(session):
    # A rolled-back savepoint keeps the mark: the outer transaction may still commit
    # other changes, and an extra invalidation is harmless where a missed one is not.
    if not session.in_nested_transaction():
        session.info.pop(_DIRTY, None)


def new_generation(app):
    """Invalidate every stored page of ``app`` (and of all apps sharing its cache)."""
    try:
        backend(app).set(GENERATION_KEY, uuid.uuid4().hex, timeout=0)
    except Exception:  # noqa: BLE001 - the change is saved; pages expire by timeout
        app.logger.exception("page cache: could not invalidate; pages expire by timeout")


def init_app(app):
    """Listen to ``db.session`` (once per process: the session is shared by every app, so
    the handlers find their app through ``current_app``)."""
    listen_on_session(after_flush=_after_flush, after_commit=_after_commit,
                      after_rollback=_after_rollback, do_orm_execute=_do_orm_execute)
