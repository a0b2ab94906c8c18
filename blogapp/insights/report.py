"""The insights editors read: queries that found nothing or little, and what is searched most."""

from dataclasses import dataclass
from datetime import date, timedelta

from ..extensions import db
from ..models import SearchLogEntry

PERIODS = (7, 30, 90)
FEW_RESULTS = 2  # "few results": at most this many
TOP = 20


@dataclass(frozen=True)
class Row:
    query: str
    searches: int
    results: int  # the latest count

    def as_dict(self):
        return {"query": self.query, "searches": self.searches, "results": self.results}


def _rows(days, condition, limit):
    since = date.today() - timedelta(days=days - 1)
    latest_day = db.func.max(SearchLogEntry.day)
    grouped = (db.select(SearchLogEntry.query, db.func.sum(SearchLogEntry.searches).label("n"),
                         latest_day.label("last"))
               .where(SearchLogEntry.day >= since).group_by(SearchLogEntry.query).subquery())
    latest = (db.select(grouped.c.query, grouped.c.n, SearchLogEntry.results)
              .join(SearchLogEntry, (SearchLogEntry.query == grouped.c.query)
                    & (SearchLogEntry.day == grouped.c.last))
              .where(condition(SearchLogEntry.results))
              .order_by(grouped.c.n.desc(), grouped.c.query).limit(limit))
    return [Row(query, int(n), int(results)) for query, n, results in db.session.execute(latest)]


def no_results(days, limit=TOP):
    return _rows(days, lambda results: results == 0, limit)


def few_results(days, limit=TOP):
    return _rows(days, lambda results: (results > 0) & (results <= FEW_RESULTS), limit)


def most_searched(days, limit=TOP):
    """Queries that found something, most searched first (the empty page's "popular")."""
    return _rows(days, lambda results: results > 0, limit)


def insights(days):
    return {"days": days, "no_results": [r.as_dict() for r in no_results(days)],
            "few_results": [r.as_dict() for r in few_results(days)]}
