"""Bilingual (Chinese/English) full-text search over published posts.

Layers, each replaceable on its own:

- ``analysis``: text -> tokens (Chinese segmentation, identifier splitting, folding).
- ``glossary``: zh<->en Kubernetes synonyms applied at query time.
- ``query``: a reader's query string -> an engine-neutral :class:`~.query.QueryPlan`.
- ``engine``: the one adapter that talks to Whoosh (schema, index, searching).
- ``highlight``: ``<mark>``-ed snippets from stored text.
- ``service``: the facade the app uses (search, index updates, rebuilds).
- ``sync``: SQLAlchemy session events that keep the index current after commits.

Nothing here knows about Flask views; ``init_app`` only binds the service to an app.
"""

from .service import SearchService, init_app, search_service

__all__ = ["SearchService", "init_app", "search_service"]
