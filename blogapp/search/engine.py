"""The Whoosh adapter: the only module that imports ``whoosh``.

Documents arrive already analysed (lists of ``(token, position)``), so the schema holds
no custom analyzer object and the index can be read by any process. Queries arrive as
an engine-neutral :class:`~.query.QueryPlan`. Swapping the engine means rewriting this
module only.
"""

import threading
import time
from datetime import timezone

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.scoring import BM25F

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 4
TEXT_FIELDS = {"title": 4.0, "tags": 2.5, "body": 1.0}
FILTER_FIELDS = {"author": "author", "tag": "tag_keys", "category": "category_keys"}
COORDINATION = 0.9


class IndexBusy(Exception):
    """The index could not be locked for writing in time."""


class Analysed(str):
    """Field text carrying its tokens (Whoosh takes a list as words, so a str it is)."""

    tokens: list


def analysed(text, tokens):
    value = Analysed(text)
    value.tokens = tokens
    return value


class PreTokenized(Tokenizer):
    """Feeds the tokens of an :class:`Analysed` value to Whoosh (stateless, picklable)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # Plain strings only arrive from Whoosh's own query helpers: one token each.
        for text, pos in getattr(value, "tokens", None) or [(value, 0)]:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            yield token


def make_schema():
    fields = {
        name: TEXT(analyzer=PreTokenized(), phrase=True, field_boost=boost, stored=True)
        for name, boost in TEXT_FIELDS.items()
    }
    return Schema(
        id=ID(stored=True, unique=True),
        slug=STORED(),
        author=KEYWORD(lowercase=True, commas=True, stored=True),
        author_name=STORED(),
        tag_keys=KEYWORD(lowercase=True, commas=True),
        category_keys=KEYWORD(lowercase=True, commas=True),
        published=DATETIME(stored=True, sortable=True),
        # "1" for posts indexed before their publication time: the few documents a query
        # must check against the clock (cheaper than a date range over every document).
        scheduled=KEYWORD(),
        **fields,
    )


def _naive_utc(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _alternative_query(field, alternative):
    tokens = list(alternative.tokens)
    if len(tokens) == 1:
        return wq.Term(field, tokens[0], boost=alternative.weight)
    # A phrase scores the sum of its words; divided by their number it weighs like one
    # term, so "Horizontal Pod Autoscaler" does not outrank "HPA" for being three words.
    return wq.Phrase(field, tokens, boost=alternative.weight / len(tokens))


def _clause_query(clause, reader=None):
    """Any alternative in any text field. With a ``reader``, leaves that cannot match (a
    term absent from that field) are left out: glossary expansion adds many spellings a
    given blog never uses, and every leaf costs a posting-list walk."""
    leaves = [
        _alternative_query(field, alt)
        for alt in clause.alternatives
        for field in TEXT_FIELDS
        if reader is None or all(reader.doc_frequency(field, token) for token in alt.tokens)
    ]
    return wq.Or(leaves, boost=clause.weight) if leaves else wq.NullQuery


class WhooshIndex:
    """One Whoosh index directory: writing documents and searching them."""

    # How often a searcher checks for other processes' commits (seconds).
    REFRESH_INTERVAL = 0.05

    def __init__(self, path):
        self.path = str(path)
        self._local = threading.local()
        self._writes = 0  # commits made through this object: searchers refresh at once

    # -- lifecycle -------------------------------------------------------------------
    @classmethod
    def create(cls, path):
        whoosh_index.create_in(str(path), make_schema())
        return cls(path)

    @staticmethod
    def exists(path):
        return whoosh_index.exists_in(str(path))

    def _open(self):
        return whoosh_index.open_dir(self.path)

    # -- writing ---------------------------------------------------------------------
    def write(self, upserts=(), deletes=(), timeout=20.0):
        """Apply document upserts and deletions in one commit; :class:`IndexBusy` on lock timeout."""
        ix = self._open()
        try:
            writer = ix.writer(timeout=timeout, delay=0.05)
        except LockError:
            raise IndexBusy(f"the search index at {self.path} is locked by another writer") from None
        try:
            for doc_id in deletes:
                writer.delete_by_term("id", str(doc_id))
            for doc in upserts:
                writer.update_document(**self._fields(doc))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()
        self._writes += 1

    def bulk_writer(self, procs=1):
        """A writer for a full build (bigger memory budget; ``procs`` processes)."""
        return _BulkWriter(self._open(), procs)

    @staticmethod
    def _fields(doc):
        fields = {
            "id": str(doc["id"]),
            "slug": doc["slug"],
            "author": ",".join(doc["author_keys"]),
            "author_name": doc["author_name"],
            "tag_keys": ",".join(doc["tag_keys"]),
            "category_keys": ",".join(doc["category_keys"]),
            "published": _naive_utc(doc["published_at"]),
            "scheduled": "1" if doc["scheduled"] else "",
        }
        for name in TEXT_FIELDS:
            fields[name] = analysed(doc["text"][name], doc["tokens"][name])
            fields[f"_stored_{name}"] = doc["text"][name]
        return fields

    # -- reading ---------------------------------------------------------------------
    def searcher(self):
        """This thread's searcher, reopened when the index has changed since last use."""
        local = self._local
        searcher = getattr(local, "searcher", None)
        now = time.monotonic()
        if searcher is None:
            searcher = local.searcher = self._open().searcher(weighting=BM25F())
            local.checked, local.writes = now, self._writes
        elif now - local.checked > self.REFRESH_INTERVAL or local.writes != self._writes:
            local.checked, local.writes = now, self._writes
            if not searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and so keeps showing
                # documents that were deleted (or replaced) in those segments.
                searcher.close()
                searcher = local.searcher = self._open().searcher(weighting=BM25F())
        return searcher

    def close(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None

    def doc_count(self):
        return self.searcher().doc_count()

    def doc_frequency(self, token):
        """In how many documents ``token`` occurs, in any text field."""
        reader = self.searcher().reader()
        return sum(reader.doc_frequency(field, token) for field in TEXT_FIELDS)

    def matches_anything(self, alternative):
        """Whether any document contains the term or phrase ``alternative``."""
        if len(alternative.tokens) == 1:
            return self.doc_frequency(alternative.tokens[0]) > 0
        if not all(self.doc_frequency(token) for token in alternative.tokens):
            return False
        query = wq.Or([_alternative_query(field, alternative) for field in TEXT_FIELDS])
        return not self.searcher().search(query, limit=1).is_empty()

    def close_terms(self, word, maxdist):
        """Indexed terms within ``maxdist`` edits of ``word``, most frequent first."""
        reader = self.searcher().reader()
        found = {}
        for field in ("title", "body"):
            for term in reader.terms_within(field, word, maxdist, prefix=1):
                found[term] = found.get(term, 0) + reader.doc_frequency(field, term)
        return sorted(found, key=lambda term: (-found[term], term))

    def _not_yet_due(self, searcher, now):
        """Ids of scheduled documents whose publication time is still ahead."""
        naive_now = _naive_utc(now)
        due_later = []
        for docnum in searcher.docs_for_query(wq.Term("scheduled", "1")):
            fields = searcher.stored_fields(docnum)
            if fields["published"] > naive_now:
                due_later.append(wq.Term("id", fields["id"]))
        return due_later

    def search(self, plan, page, per_page, sort, now):
        """Run ``plan``; return ``(total, [hit dict, ...])`` for the requested page."""
        searcher = self.searcher()
        reader = searcher.reader()
        clauses = [q for q in (_clause_query(c, reader) for c in plan.clauses) if q is not wq.NullQuery]
        filters = []
        for name, values in plan.filters.items():
            field = FILTER_FIELDS[name]
            filters.append(wq.Or([wq.Term(field, value) for value in values]))
        for clause in plan.required:
            filters.append(_clause_query(clause, reader))
        if not clauses and plan.clauses:
            return 0, []  # nothing asked for occurs in the index
        if clauses:
            query = wq.Or(clauses, scale=COORDINATION) if len(clauses) > 1 else clauses[0]
        else:
            query = wq.Every()
        hidden = self._not_yet_due(searcher, now)
        hidden += [q for q in (_clause_query(c, reader) for c in plan.excluded) if q is not wq.NullQuery]
        kwargs = {"filter": wq.And(filters) if filters else None,
                  "mask": wq.Or(hidden) if hidden else None}
        by_date = sort == "date" or not clauses
        if by_date:
            kwargs.update(sortedby="published", reverse=True)
        # One pass that scores every match gives the total too; Whoosh's top-k pass plus
        # its separate counting pass costs more on queries that match most documents.
        results = searcher.search(query, limit=None, **kwargs)
        total = len(results)
        start = (page - 1) * per_page
        hits = [
            {
                "id": int(hit["id"]),
                "slug": hit["slug"],
                "title": hit["title"],
                "body": hit["body"],
                "author": hit["author"],
                "author_name": hit["author_name"],
                "published_at": hit["published"].replace(tzinfo=timezone.utc),
                # Sorted by date, Whoosh's "score" is the sort key: no relevance to show.
                "score": 0.0 if by_date else round(float(hit.score or 0.0), 4),
            }
            for hit in results[start:start + per_page]
        ]
        return total, hits


class _BulkWriter:
    def __init__(self, ix, procs=1):
        self._ix = ix
        # procs > 1: Whoosh's multiprocessing writer indexes in sub-processes (the
        # documents arrive analysed, so the work there is pure Whoosh).
        self._writer = ix.writer(limitmb=128, procs=procs, multisegment=procs > 1)

    def add(self, doc):
        self._writer.add_document(**WhooshIndex._fields(doc))

    def commit(self):
        self._writer.commit()
        self._ix.close()

    def cancel(self):
        self._writer.cancel()
        self._ix.close()
