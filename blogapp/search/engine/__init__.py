"""The Whoosh adapter: this package is the only place that imports ``whoosh``.

Documents arrive already analysed (lists of ``(token, position)``) and queries as an
engine-neutral :class:`~blogapp.search.query.QueryPlan`. Swapping the engine means
rewriting this package only.

- ``schema``: the index schema, its fields, and the tokenizer for pre-analysed text.
- ``postings``: fast block reads of Whoosh's codec and per-searcher statistics, for
  term-at-a-time scoring (``blogapp/search/ranking.py``).
- ``writing``: documents as Whoosh fields, and the bulk writer of a full build.
- ``index``: :class:`WhooshIndex` (opening, committing changes, searching).
"""

from .index import IndexBusy, WhooshIndex
from .schema import (
    FILTER_FIELDS,
    SCHEMA_VERSION,
    TEXT_FIELDS,
    Analysed,
    PreTokenized,
    ToAnalyse,
    analysed,
    make_schema,
)

__all__ = [
    "FILTER_FIELDS",
    "SCHEMA_VERSION",
    "TEXT_FIELDS",
    "Analysed",
    "IndexBusy",
    "PreTokenized",
    "ToAnalyse",
    "WhooshIndex",
    "analysed",
    "make_schema",
]
