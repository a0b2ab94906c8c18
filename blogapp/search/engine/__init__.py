"""The Whoosh adapter: this package is the only place that imports ``whoosh``.

Documents arrive already analysed (lists of ``(token, position)``) and queries as an
engine-neutral :class:`~blogapp.search.query.QueryPlan`. Swapping the engine means
rewriting this package only.

- ``schema``: the index schema, its fields, and the tokenizer for pre-analysed text.
- ``blocks``: decoding Whoosh's posting blocks (ids and weights; positions on demand).
- ``postings``: posting reads (``blocks`` or the public API) and per-searcher statistics.
- ``scoring``: term-at-a-time scoring of a query's clauses (``blogapp/search/ranking.py``),
  phrase positions checked only where they can change the total or the page.
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
