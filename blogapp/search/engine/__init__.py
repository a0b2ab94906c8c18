"""The Whoosh adapter: this package is the only place that imports ``whoosh``.

Documents arrive already analysed (lists of ``(token, position)``) and queries as an
engine-neutral :class:`~blogapp.search.query.QueryPlan`. Swapping the engine means
rewriting this package only.
"""

from .index import (
    FILTER_FIELDS,
    SCHEMA_VERSION,
    TEXT_FIELDS,
    Analysed,
    IndexBusy,
    PreTokenized,
    ToAnalyse,
    WhooshIndex,
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
