"""Bilingual (Chinese/English) full-text search over published posts.

Layers, each replaceable on its own:

- ``analysis``: text -> tokens (Chinese segmentation, identifier splitting, folding).
- ``glossary``: zh<->en Kubernetes synonyms applied at query time.
- ``query``: a reader's query string -> an engine-neutral :class:`~.query.QueryPlan`.
- ``engine``: the one adapter that talks to Whoosh (schema, index, searching).
- ``highlight``: ``<mark>``-ed snippets from stored text.
- ``service``: the facade the app uses (search, index updates, rebuilds).
- ``sync``: SQLAlchemy session events that keep the index current after commits.
- ``outbox``: the table of index changes shared by every node; ``replica``: applying it
  to this node's index (background thread, ``flask search-sync``). See docs/scaling.md.

Nothing here knows about Flask views; ``init_app`` only binds the service to an app.
"""

from . import service as _service
from .service import SearchService, search_service

__all__ = ["SearchService", "init_app", "search_service"]


def init_app(app):
    from . import outbox, replica  # noqa: F401  (outbox registers its table for create_all)

    service = _service.init_app(app)
    config = app.config
    grace = float(config.get("SEARCH_SYNC_GRACE", 120.0))
    service.rebuild_position = replica.rebuild_position(grace)
    follower = replica.Follower(
        app, service,
        interval=float(config.get("SEARCH_SYNC_INTERVAL", 1.0)),
        grace=grace,
        retention_days=float(config.get("SEARCH_OUTBOX_RETENTION_DAYS", 7)),
        auto_rebuild=config.get("SEARCH_AUTO_REBUILD", True),
    )
    app.extensions["search_follower"] = follower
    enabled = config.get("SEARCH_SYNC")
    if enabled is None:  # default: on, except in tests (a test that wants it says so)
        enabled = not app.testing
    if enabled:
        # Started by the first request, in the process that serves it: never in CLI
        # commands, and after gunicorn has forked its workers.
        app.before_request(follower.start)
    return service
