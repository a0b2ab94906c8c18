"""The Whoosh index: schema, posting reads, writing and searching.

Documents arrive already analysed (lists of ``(token, position)``), so the schema holds
no custom analyzer object and the index can be read by any process. Queries arrive as
an engine-neutral :class:`~blogapp.search.query.QueryPlan`.
"""

import multiprocessing
import os
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
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from ..ranking import ScoreTable, length_norms, phrase_docs

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 5
TEXT_FIELDS = {"title": 4.0, "tags": 2.5, "body": 1.0}
FILTER_FIELDS = {"author": "author", "tag": "tag_keys", "category": "category_keys"}
BM25 = BM25F(B=0.75, K1=1.2)  # Whoosh's defaults; ranking.py computes the same formula


class IndexBusy(Exception):
    """The index could not be locked for writing in time."""


class Analysed(str):
    """Field text carrying its tokens (Whoosh takes a list as words, so a str it is)."""

    tokens: list


def analysed(text, tokens):
    value = Analysed(text)
    value.tokens = tokens
    return value


class ToAnalyse(str):
    """Field text that the indexing process analyses itself (a parallel rebuild).

    ``key`` names an analysis function registered by :meth:`WhooshIndex.bulk_writer`
    before Whoosh forks its writer processes, which therefore inherit it.
    """

    key: str


# Analysis functions of running parallel builds, by key (inherited by forked writers).
_DEFERRED_ANALYSIS = {}


class PreTokenized(Tokenizer):
    """Feeds the tokens of an :class:`Analysed` value to Whoosh (stateless, picklable)."""

    # Pickled by this name into every index's TOC: indexes written before the engine
    # module became a package (and older code reading newer indexes) keep finding it.
    __module__ = "blogapp.search.engine"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        tokens = getattr(value, "tokens", None)
        if tokens is None and isinstance(value, ToAnalyse):
            tokens = _DEFERRED_ANALYSIS[value.key](str(value))
        # Plain strings only arrive from Whoosh's own query helpers: one token each.
        for text, pos in tokens or [(value, 0)]:
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


def _leaves(reads, clause):
    """``(field, alternative, boost)`` for every alternative in every text field.

    Leaves that cannot match (a token absent from that field) are left out: glossary
    expansion adds many spellings a given blog never uses.
    """
    return [
        # A phrase scores the sum of its words; divided by their number it weighs like
        # one term, so "Horizontal Pod Autoscaler" does not outrank "HPA" for being three.
        (field, alt, alt.weight / len(alt.tokens))
        for alt in clause.alternatives
        for field in TEXT_FIELDS
        if all(reads.doc_frequency(field, token) for token in alt.tokens)
    ]


# -- fast reads for term-at-a-time scoring (see ranking.py) -------------------------------
# Whoosh-Reloaded is pinned (setup.cfg): the block-level reads below use its W3 codec's
# private attributes, and fall back to the public per-posting API if they are missing.
_LENGTH_OF_BYTE = [1] + [byte_to_length(code) for code in range(1, 256)]


def _read_postings(reader, field, token):
    """``(ids, weights, values)`` of ``token`` in one segment (deleted documents included).

    ``values`` hold the encoded positions; Whoosh unpickles them with each block anyway.
    """
    try:
        matcher = reader.postings(field, token)
    except TermNotFound:
        return (), (), ()
    if isinstance(matcher, FilterMatcher):  # deletions: the caller drops them once
        matcher = matcher.child
    ids, weights, values = [], [], []
    if isinstance(matcher, W3LeafMatcher):
        # Whole blocks at a time instead of three method calls per posting.
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            values.extend(matcher._values)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
    return ids, weights, values


def _field_lengths(reader, field):
    """Every document's length of ``field`` in one segment (1 when unknown, as Whoosh)."""
    count = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
        raw = column._dbfile.get(column._basepos, column._count) if column else b""
    except AttributeError:
        return [reader.doc_field_length(doc, field, 1) for doc in range(count)]
    lengths = [_LENGTH_OF_BYTE[code] for code in raw]
    return lengths + [1] * (count - len(lengths))


class _SearcherStats:
    """What stays true for one searcher: length norms and document frequencies."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.segments = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.deleted = [offset + doc for reader, offset in self.segments
                        if reader.has_deletions() for doc in reader.deleted_docs_set]
        self._norms = {}
        self._frequencies = {}

    def norms(self, reader, field):
        key = (id(reader), field)
        norms = self._norms.get(key)
        if norms is None:
            average = self.searcher.avg_field_length(field)
            norms = self._norms[key] = length_norms(
                _field_lengths(reader, field), average, BM25.B, BM25.K1)
        return norms

    def doc_frequency(self, field, token):
        key = (field, token)
        frequency = self._frequencies.get(key)
        if frequency is None:
            frequency = self._frequencies[key] = self.searcher.doc_frequency(field, token)
        return frequency


def _stats(searcher):
    stats = getattr(searcher, "_blogapp_stats", None)
    if stats is None:
        stats = searcher._blogapp_stats = _SearcherStats(searcher)
    return stats


class _Reads:
    """One search's posting reads, each (segment, field, token) decoded once."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.stats = _stats(searcher)
        self.segments = self.stats.segments
        self.doc_frequency = self.stats.doc_frequency
        self._postings = {}
        self._decode = {}

    def postings(self, reader, field, token):
        key = (id(reader), field, token)
        found = self._postings.get(key)
        if found is None:
            found = self._postings[key] = _read_postings(reader, field, token)
        return found

    def decoder(self, field):
        """Positions of an encoded posting value of ``field``."""
        if field not in self._decode:
            self._decode[field] = self.searcher.schema[field].format.decode_positions
        return self._decode[field]

    def matches(self, field, tokens):
        """Per segment: ``(reader, offset, docs)`` with the term or phrase; docs None = all postings."""
        for reader, offset in self.segments:
            if len(tokens) == 1:
                yield reader, offset, None
            else:
                lists = [self.postings(reader, field, token) for token in tokens]
                yield reader, offset, phrase_docs(lists, self.decoder(field))

    def docs(self, field, tokens):
        """Global docnums containing the term or phrase (deleted ones included)."""
        found = set()
        for reader, offset, docs in self.matches(field, tokens):
            if docs is None:
                docs = self.postings(reader, field, tokens[0])[0]
            found.update(doc + offset for doc in docs)
        return found


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

    def bulk_writer(self, procs=1, analyse=None):
        """A writer for a full build (bigger memory budget; ``procs`` processes).

        With ``analyse`` (text -> ``[(token, position)]``) and several processes, the
        writer processes analyse the documents too (``writer.analyses`` is then True and
        documents may come without tokens): analysis is most of a rebuild's work.
        """
        return _BulkWriter(self._open(), procs, analyse)

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

    @staticmethod
    def _deferred_fields(doc, key):
        """Like :meth:`_fields`, for a document the writer process will analyse."""
        fields = WhooshIndex._fields({**doc, "tokens": dict.fromkeys(TEXT_FIELDS, None)})
        for name in TEXT_FIELDS:
            fields[name] = ToAnalyse(doc["text"][name])
            fields[name].key = key
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
        searcher = self._open().searcher(weighting=BM25)
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
        """Docnums of scheduled documents whose publication time is still ahead."""
        naive_now = _naive_utc(now)
        return {
            docnum for docnum in searcher.docs_for_query(wq.Term("scheduled", "1"))
            if searcher.stored_fields(docnum)["published"] > naive_now
        }

    @staticmethod
    def _clause_docs(reads, clause):
        """Docnums matching any alternative of ``clause`` (unscored)."""
        found = set()
        for field, alt, _ in _leaves(reads, clause):
            found |= reads.docs(field, alt.tokens)
        return found

    @staticmethod
    def _scores(reads, clauses):
        """BM25 scores of every document matching any clause (term-at-a-time)."""
        table = ScoreTable()
        searcher, stats = reads.searcher, reads.stats
        for clause in clauses:
            for field, alt, boost in _leaves(reads, clause):
                boost *= clause.weight
                for reader, offset, docs in reads.matches(field, alt.tokens):
                    norms = stats.norms(reader, field)
                    # A phrase scores the sum of its words' scores, where it occurs.
                    for token in alt.tokens:
                        ids, weights, _ = reads.postings(reader, field, token)
                        factor = searcher.idf(field, token) * (BM25.K1 + 1) * boost
                        table.add_term(ids, weights, norms, factor, offset, only=docs)
        table.restrict(hidden=stats.deleted)
        return table

    def search(self, plan, page, per_page, sort, now):
        """Run ``plan``; return ``(total, [hit dict, ...])`` for the requested page."""
        searcher = self.searcher()
        reads = _Reads(searcher)
        if plan.clauses and not any(_leaves(reads, c) for c in plan.clauses):
            return 0, []  # nothing asked for occurs in the index
        allowed = None
        for name, values in plan.filters.items():
            field = FILTER_FIELDS[name]
            docs = set(searcher.docs_for_query(wq.Or([wq.Term(field, v) for v in values])))
            allowed = docs if allowed is None else allowed & docs
        for clause in plan.required:
            docs = self._clause_docs(reads, clause)
            allowed = docs if allowed is None else allowed & docs
        hidden = self._not_yet_due(searcher, now)
        for clause in plan.excluded:
            hidden |= self._clause_docs(reads, clause)
        start = (page - 1) * per_page
        if plan.clauses:
            table = self._scores(reads, plan.clauses)
            table.restrict(allowed, hidden)
            total = len(table)
            if sort == "date":
                docnums = self._newest(searcher, set(table.docs()), start + per_page)
                page_hits = [(docnum, None) for docnum in docnums]
            else:
                page_hits = table.top(start + per_page)
        else:  # filters only: newest first
            if allowed is None:
                allowed = set(searcher.reader().all_doc_ids())
            allowed -= hidden
            total = len(allowed)
            page_hits = [(docnum, None) for docnum in self._newest(searcher, allowed, start + per_page)]
        hits = []
        for docnum, score in page_hits[start:start + per_page]:
            fields = searcher.stored_fields(docnum)
            hits.append({
                "id": int(fields["id"]),
                "slug": fields["slug"],
                "title": fields["title"],
                "body": fields["body"],
                "author": fields["author"],
                "author_name": fields["author_name"],
                "published_at": fields["published"].replace(tzinfo=timezone.utc),
                # Sorted by date there is no relevance to show.
                "score": 0.0 if score is None else round(float(score), 4),
            })
        return total, hits

    @staticmethod
    def _newest(searcher, docnums, limit):
        """The ``limit`` newest of ``docnums`` (Whoosh sorts by the date column)."""
        if not docnums:
            return []
        results = searcher.search(wq.Every(), filter=docnums, limit=limit,
                                  sortedby="published", reverse=True)
        return [hit.docnum for hit in results]


class _BulkWriter:
    def __init__(self, ix, procs=1, analyse=None):
        self._ix = ix
        # procs > 1: Whoosh's multiprocessing writer indexes in forked sub-processes,
        # one segment each. Handing them the analysis as well spreads all the work over
        # the processes; they can only inherit the analysis function by fork.
        self.analyses = bool(analyse and procs > 1
                             and multiprocessing.get_start_method() == "fork")
        self._key = None
        if self.analyses:
            analyse("warm up 预热")  # lazily loaded dictionaries: load once, before the fork
            self._key = f"{os.getpid()}-{id(self)}"
            _DEFERRED_ANALYSIS[self._key] = analyse
        # A large memory budget: fewer temporary runs to merge at commit.
        self._writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)

    def add(self, doc):
        if doc.get("tokens") is None:
            self._writer.add_document(**WhooshIndex._deferred_fields(doc, self._key))
        else:
            self._writer.add_document(**WhooshIndex._fields(doc))

    def commit(self):
        try:
            self._writer.commit()
        finally:
            self._done()

    def cancel(self):
        try:
            self._writer.cancel()
        finally:
            self._done()

    def _done(self):
        _DEFERRED_ANALYSIS.pop(self._key, None)
        self._ix.close()
