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
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.scoring import BM25F

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 5
TEXT_FIELDS = {"title": 4.0, "tags": 2.5, "body": 1.0}
FILTER_FIELDS = {"author": "author", "tag": "tag_keys", "category": "category_keys"}


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
        self._searchers = []  # every open searcher of every thread, to close them all
        self._searchers_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------
    @classmethod
    def create(cls, path):
        whoosh_index.create_in(str(path), make_schema())
        return cls(path)

    @staticmethod
    def exists(path):
        return whoosh_index.exists_in(str(path))

    def _open(self, attempts=5):
        # Plain reads instead of mmap: with mmap Whoosh also copies per-document arrays
        # into memory, which doubled each worker's resident size (measured: 263 MB vs
        # 113 MB at 10k posts) for about 20% faster queries.
        for attempt in range(attempts):
            try:
                return FileStorage(self.path, supports_mmap=False).open_index()
            except FileNotFoundError:
                # Another process committed between Whoosh listing the newest TOC file and
                # opening it (it deletes the previous one): read the new one.
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

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
            searcher = local.searcher = self._new_searcher()
            local.checked, local.writes = now, self._writes
        elif now - local.checked > self.REFRESH_INTERVAL or local.writes != self._writes:
            local.checked, local.writes = now, self._writes
            if not searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and so keeps showing
                # documents that were deleted (or replaced) in those segments.
                # Forget it before anything can fail: a closed searcher left behind would
                # fail every later search of this thread.
                local.searcher = None
                self._close_searcher(searcher)
                searcher = local.searcher = self._new_searcher()
        return searcher

    def _new_searcher(self):
        searcher = self._open().searcher(weighting=BM25F())
        with self._searchers_lock:
            self._searchers.append(searcher)
        return searcher

    def _close_searcher(self, searcher):
        with self._searchers_lock:
            if searcher in self._searchers:
                self._searchers.remove(searcher)
        searcher.close()

    def close(self):
        """Close every searcher (all threads'); the next search opens a new one."""
        with self._searchers_lock:
            searchers, self._searchers = self._searchers, []
        for searcher in searchers:
            searcher.close()
        self._local = threading.local()

    def __del__(self):
        # A retired generation's files are closed as soon as nobody searches it any more.
        try:
            self.close()
        except Exception:  # noqa: BLE001 - nothing sensible to do during collection
            pass

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

    @staticmethod
    def _doc_set(searcher, query):
        if isinstance(query, wq.Or):
            found = set()
            for sub in query.subqueries:
                found |= WhooshIndex._doc_set(searcher, sub)
            return found
        if isinstance(query, wq.And):
            sets = [WhooshIndex._doc_set(searcher, sub) for sub in query.subqueries]
            return set.intersection(*sets) if sets else set()
        return set(searcher.docs_for_query(query))

    def _count(self, searcher, query, filter_query, mask_query):
        """How many documents the search matches in all (not just the page shown)."""
        if isinstance(query, wq.Every):
            reader = searcher.reader()
            found = {n for n in range(searcher.doc_count_all()) if not reader.is_deleted(n)}
        else:
            found = self._doc_set(searcher, query)
        if filter_query is not None:
            found &= self._doc_set(searcher, filter_query)
        if mask_query is not None:
            found -= self._doc_set(searcher, mask_query)
        return len(found)

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
            # Plain OR: BM25 sums reward documents matching more clauses already, and
            # Whoosh's coordination wrapper costs a walk over the matched terms per hit.
            query = wq.Or(clauses) if len(clauses) > 1 else clauses[0]
        else:
            query = wq.Every()
        hidden = self._not_yet_due(searcher, now)
        hidden += [q for q in (_clause_query(c, reader) for c in plan.excluded) if q is not wq.NullQuery]
        kwargs = {"filter": wq.And(filters) if filters else None,
                  "mask": wq.Or(hidden) if hidden else None}
        by_date = sort == "date" or not clauses
        if by_date:
            kwargs.update(sortedby="published", reverse=True)
        start = (page - 1) * per_page
        # Top-k scoring lets Whoosh skip blocks that cannot reach the page; the total is
        # counted separately as a union of posting lists (C-level set operations).
        results = searcher.search(query, limit=start + per_page, **kwargs)
        total = self._count(searcher, query, kwargs["filter"], kwargs["mask"])
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
