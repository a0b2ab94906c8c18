"""What a search page offers when nothing was found, so it is never a dead end: the
glossary terms closest to what was typed (each with its other-language equivalent) and
the topics readers search most (from the search log, kept a minute per process)."""

import time

from flask import current_app, url_for
from rapidfuzz import fuzz, process

from ..search import search_service
from ..search.glossary import compact
from ..search.suggest import equivalent, normalized
from . import report

CLOSEST = 5
POPULAR = 8
POPULAR_DAYS = 30
POPULAR_SECONDS = 60
MIN_SIMILARITY = 60


def _terms():
    """``{compact key: (term, equivalent)}`` for every glossary term, kept per glossary."""
    glossary = search_service(current_app).glossary
    kept = current_app.extensions.get("empty_page_terms")
    if kept is None or kept[0] is not glossary:
        table = {}
        for concept in glossary.concepts():
            for term in concept.terms:
                table.setdefault(compact(term), (term, equivalent(concept, term)))
        kept = current_app.extensions["empty_page_terms"] = (glossary, table)
    return kept[1]


def closest_terms(query, limit=CLOSEST):
    key = normalized(query)
    if not key:
        return []
    table = _terms()
    found = process.extract(key, list(table), scorer=fuzz.ratio, limit=limit * 3,
                            score_cutoff=MIN_SIMILARITY)
    terms, seen = [], set()
    for choice, _, _ in found:
        term, other = table[choice]
        if term.lower() in seen:
            continue
        seen.add(term.lower())
        terms.append({"term": term, "equivalent": other,
                      "url": url_for("search.search_page", q=term)})
    return terms[:limit]


def popular_topics(limit=POPULAR):
    kept = current_app.extensions.get("empty_page_popular")
    if kept is None or time.monotonic() - kept[0] > POPULAR_SECONDS:
        try:
            rows = [row.query for row in report.most_searched(POPULAR_DAYS, limit)]
        except Exception:  # noqa: BLE001 - no log table (not migrated): no topics
            current_app.logger.exception("search insights: popular topics unavailable")
            rows = []
        kept = current_app.extensions["empty_page_popular"] = (time.monotonic(), rows)
    return [{"query": query, "url": url_for("search.search_page", q=query)} for query in kept[1]]


def no_results_help(query):
    return {"terms": closest_terms(query), "popular": popular_topics()}
