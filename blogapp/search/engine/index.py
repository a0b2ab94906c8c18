"""The Whoosh index: opening it, committing changes, and searching it.

Queries arrive as an engine-neutral :class:`~blogapp.search.query.QueryPlan`.
"""

import threading
import time
from datetime import timezone

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from .collapse import other_versions
from .postings import _leaves, _Reads
from .facets import facet_counts
from .scoring import clause_docs, matched_docs, rank
from .schema import BM25, FILTER_FIELDS, TEXT_FIELDS, make_schema
from .writing import _BulkWriter, _fields, _naive_utc


class IndexBusy(Exception):
    """The index could not be locked for writing in time."""


def _alternative_query(field, alternative):
    tokens = list(alternative.tokens)
    if len(tokens) == 1:
        return wq.Term(field, tokens[0], boost=alternative.weight)
    # A phrase scores the sum of its words; divided by their number it weighs like one
    # term, so "Horizontal Pod Autoscaler" does not outrank "HPA" for being three words.
    return wq.Phrase(field, tokens, boost=alternative.weight / len(tokens))


class WhooshIndex:
    """One Whoosh index directory: writing documents and searching them."""

    # How often a searcher checks for other processes' commits (seconds).
    REFRESH_INTERVAL = 0.05

    def __init__(self, path):
        self.path = str(path)
        self._writes = 0  # commits made through this object: the searcher refreshes at once
        # One searcher for all of the process's threads, used under ``_reading``: Whoosh's
        # readers share file handles (seek + read), so they are not safe for concurrent
        # use, and a searcher per thread cost ~5 MiB per thread at 10k posts (more at
        # 100k: per-document norms and caches). Searches are CPU-bound under the GIL, so
        # threads taking turns lose no throughput.
        self._reading = threading.RLock()
        self._searcher = None
        self._checked = 0.0
        self._seen_writes = 0

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
                writer.update_document(**_fields(doc))
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

    # -- reading ---------------------------------------------------------------------
    def searcher(self):
        """The process's searcher, reopened when the index has changed since last use.
        Callers hold ``_reading`` while they use it."""
        searcher = self._searcher
        now = time.monotonic()
        if searcher is None:
            searcher = self._searcher = self._open().searcher(weighting=BM25)
            self._checked, self._seen_writes = now, self._writes
        elif now - self._checked > self.REFRESH_INTERVAL or self._seen_writes != self._writes:
            self._checked, self._seen_writes = now, self._writes
            if not searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and so keeps showing
                # documents that were deleted (or replaced) in those segments.
                # Forget it before anything can fail: a closed searcher left behind would
                # fail every later search.
                self._searcher = None
                searcher.close()
                searcher = self._searcher = self._open().searcher(weighting=BM25)
        return searcher

    def close(self):
        """Close the searcher; the next search opens a new one."""
        with self._reading:
            searcher, self._searcher = self._searcher, None
            if searcher is not None:
                searcher.close()

    def __del__(self):
        # A retired generation's files are closed as soon as nobody searches it any more.
        try:
            self.close()
        except Exception:  # noqa: BLE001 - nothing sensible to do during collection
            pass

    def doc_count(self):
        with self._reading:
            return self.searcher().doc_count()

    # Above this many postings the union of a word's fields is not worth reading.
    EXACT_FREQUENCY_LIMIT = 64

    def doc_frequency(self, token, fields=TEXT_FIELDS):
        """In how many documents ``token`` occurs in any of ``fields``.

        Exact for rare words (a document holding the word in two fields counts once);
        for common ones, whose postings are costly to union, the largest field's count
        (spelling help only compares such counts on a log scale)."""
        with self._reading:
            searcher = self.searcher()
            reader = searcher.reader()
            frequencies = [reader.doc_frequency(field, token) for field in fields]
            if sum(frequencies) > self.EXACT_FREQUENCY_LIMIT:
                return max(frequencies)
            if sum(1 for frequency in frequencies if frequency) > 1:
                query = wq.Or([wq.Term(field, token) for field in fields])
                return sum(1 for _ in searcher.docs_for_query(query))
            return sum(frequencies)

    def matches_anything(self, alternative):
        """Whether any document contains the term or phrase ``alternative``."""
        if len(alternative.tokens) == 1:
            return self.doc_frequency(alternative.tokens[0]) > 0
        if not all(self.doc_frequency(token) for token in alternative.tokens):
            return False
        query = wq.Or([_alternative_query(field, alternative) for field in TEXT_FIELDS])
        with self._reading:
            return not self.searcher().search(query, limit=1).is_empty()

    def close_terms(self, word, maxdist):
        """Indexed terms within ``maxdist`` edits (Levenshtein: a swap is two) of
        ``word`` sharing its first letter, in no particular order."""
        found = set()
        with self._reading:
            reader = self.searcher().reader()
            for field in TEXT_FIELDS:
                found.update(reader.terms_within(field, word, maxdist, prefix=1))
        return found

    def _not_yet_due(self, searcher, now):
        """Docnums of scheduled documents whose publication time is still ahead."""
        naive_now = _naive_utc(now)
        return {
            docnum for docnum in searcher.docs_for_query(wq.Term("scheduled", "1"))
            if searcher.stored_fields(docnum)["published"] > naive_now
        }

    def search(self, plan, page, per_page, sort, now, prefer=None):
        """Run ``plan``; return ``(total, [hit dict, ...])`` for the requested page. With
        ``prefer`` (a language), versions of one article collapse into the one in it."""
        total, hits, _ = self.search_with_facets(plan, page, per_page, sort, now, prefer)
        return total, hits

    def search_with_facets(self, plan, page, per_page, sort, now, prefer=None, facets=0):
        """Like :meth:`search`, plus ``{facet: [(value, count), ...]}``, the ``facets``
        largest counts per facet over all matches (``facets.py``; none when 0)."""
        with self._reading:
            return self._search(self.searcher(), plan, page, per_page, sort, now, prefer,
                                facets)

    def _search(self, searcher, plan, page, per_page, sort, now, prefer=None, facets=0):
        reads = _Reads(searcher)
        if plan.clauses and not any(_leaves(reads, c) for c in plan.clauses):
            return 0, [], {}  # nothing asked for occurs in the index
        filtered = {}
        for name, values in plan.filters.items():
            field = FILTER_FIELDS[name]
            filtered[name] = set(searcher.docs_for_query(
                wq.Or([wq.Term(field, v) for v in values])))
        required = None
        for clause in plan.required:
            docs = clause_docs(reads, clause)
            required = docs if required is None else required & docs
        allowed = required
        for docs in filtered.values():
            allowed = docs if allowed is None else allowed & docs
        hidden = self._not_yet_due(searcher, now)
        for clause in plan.excluded:
            hidden |= clause_docs(reads, clause)
        counted = {}
        if facets:
            matched = (matched_docs(reads, plan.clauses) if plan.clauses
                       else set(searcher.reader().all_doc_ids()))
            if required is not None:
                matched &= required
            matched -= hidden | reads.stats.deleted_set
            counted = facet_counts(searcher, reads, matched, filtered, prefer, facets)
        collapsed = {}
        if prefer:
            collapsed = other_versions(searcher, reads, plan.clauses, allowed, hidden, prefer)
            for docs in collapsed.values():
                hidden |= set(docs)
        start = (page - 1) * per_page
        if plan.clauses:
            by_date = sort == "date"
            total, found = rank(reads, plan.clauses, allowed, hidden, start + per_page, by_date)
            if by_date:
                docnums = self._newest(searcher, found, start + per_page)
                page_hits = [(docnum, None) for docnum in docnums]
            else:
                page_hits = found
        else:  # filters only: newest first
            if allowed is None:
                allowed = set(searcher.reader().all_doc_ids())
            allowed = allowed - hidden
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
                "lang": fields.get("lang") or None,
                "other_versions": [_version(searcher.stored_fields(other))
                                   for other in collapsed.get(docnum, ())],
            })
        return total, hits, counted

    @staticmethod
    def _newest(searcher, docnums, limit):
        """The ``limit`` newest of ``docnums`` (Whoosh sorts by the date column)."""
        if not docnums:
            return []
        results = searcher.search(wq.Every(), filter=docnums, limit=limit,
                                  sortedby="published", reverse=True)
        return [hit.docnum for hit in results]


def _version(fields):
    """What a hit says of another language version of itself."""
    return {"lang": fields.get("lang"), "slug": fields["slug"], "title": fields["title"]}
