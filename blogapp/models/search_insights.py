"""What readers search for, and the synonym groups editors add from it.

``SearchLogEntry``: one row per day and normalised query, counting its searches and
keeping the latest number of results; nothing identifies a reader (no IP, no cookie).
Written in batches off the request path (``blogapp.search_log``), never shown to readers,
so it does not change the page-cache generation. ``SynonymGroup``: terms editors made
equivalent for search (``/admin/search-insights``, ``flask synonyms``); a change does
change the generation, which is how every node learns of it.
"""

from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

QUERY_LENGTH = 200
TERM_SEPARATOR = "|"


class SearchLogEntry(db.Model):
    __tablename__ = "search_log"
    __table_args__ = (Index("ix_search_log_day_query", "day", "query", unique=True),)
    page_cache_ignore = True  # readers never see it: no reason to empty the page cache

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    query: Mapped[str] = mapped_column(String(QUERY_LENGTH), nullable=False)
    searches: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    results: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SynonymGroup(db.Model):
    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Terms joined by "|" (a term never contains one: the forms refuse it).
    terms_text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    @property
    def terms(self):
        return [term for term in self.terms_text.split(TERM_SEPARATOR) if term]

    @terms.setter
    def terms(self, terms):
        self.terms_text = TERM_SEPARATOR.join(terms)
