"""The search facade the application uses: searching, index updates and rebuilds.

One :class:`SearchService` per app (``app.extensions["search"]``). Analysis resources
(glossary, segmenter dictionary) load on first use, not at start-up.
"""

import contextlib
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..database import read_snapshot
from .analysis import Analyzer
from .documents import indexable_posts, post_document
from .engine import SCHEMA_VERSION, IndexBusy, WhooshIndex
from .glossary import Glossary
from .highlight import snippet
from .query import QueryPlanner, assign_units
from .spelling import SpellingCorrector
from .store import IndexStore, RebuildRunning

log = logging.getLogger(__name__)

__all__ = ["IndexBusy", "RebuildRunning", "SearchResults", "SearchService", "init_app",
           "search_service"]


@dataclass
class SearchResults:
    query: str
    total: int = 0
    page: int = 1
    per_page: int = 10
    suggestion: str | None = None
    hits: list = field(default_factory=list)
    empty_query: bool = False
    # {facet: [(value, count), ...]} over all matches, when asked for (engine/facets.py)
    facets: dict = field(default_factory=dict)

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


class SearchService:
    def __init__(self, index_dir, extra_synonyms=(), write_timeout=20.0, rebuild_procs=None):
        self.store = IndexStore(index_dir)
        self.rebuild_procs = rebuild_procs or min(2, os.cpu_count() or 1)
        self.write_timeout = write_timeout
        self._extra_synonyms = [list(group) for group in extra_synonyms]
        self._resources_lock = threading.Lock()
        self._planner = None
        self._runtime_synonyms = ()  # groups editors keep in the database (set_runtime_synonyms)
        self.spelling = None  # built with the planner (it reads the glossary)
        self._index_version = None
        self._index = None
        self._current_schema = True
        self._batch = threading.local()  # ids collected by deferred() in this thread
        # Called when the live index is missing or has an old schema (starts a rebuild).
        self.on_stale = None
        # ``fn(session) -> dict``: the outbox position of what ``session``'s snapshot
        # shows (set by ``replica``); saved with the new generation so changes the
        # rebuild did not read are applied after the swap, and those it read are not.
        self.rebuild_position = None
        # ``fn()`` before every search (the app brings database synonyms up to date), and
        # ``fn(text, total, page)`` after a reader's search (the app logs it, off the
        # request path); both optional, set by the app (``blogapp.insights``).
        self.before_search = None
        self.after_search = None

    # -- lazily built analysis resources --------------------------------------------------
    def add_synonyms(self, groups):
        """Extend the glossary (before first use, e.g. from plugins)."""
        self._extra_synonyms.extend(list(group) for group in groups)
        self._planner = None

    @property
    def planner(self):
        if self._planner is None:
            with self._resources_lock:
                if self._planner is None:
                    glossary = Glossary.load(self._extra_synonyms)
                    words = glossary.cjk_words()
                    multiwords = glossary.multiword_terms(Analyzer(words))
                    self.spelling = SpellingCorrector(glossary)
                    # The index holds joined glossary terms: another glossary needs a rebuild.
                    self._index_version = f"{SCHEMA_VERSION}-{glossary.fingerprint()}"
                    for terms in self._runtime_synonyms:  # query expansion only, see below
                        glossary.add(list(terms))
                    self._planner = QueryPlanner(Analyzer(words, multiwords), glossary)
        return self._planner

    def set_runtime_synonyms(self, groups):
        """Synonym groups editors keep in the database join the glossary at once, for
        query expansion. The analyzer (segmenter words, joined multiword terms) and the
        index version stay those of the configured glossary, so nothing is rebuilt: a
        multiword term the index never joined is searched as its words (``fallback``).
        Returns whether anything changed."""
        groups = tuple(tuple(group) for group in groups)
        if groups == self._runtime_synonyms:
            return False
        analyzer = self.planner.analyzer
        glossary = Glossary.load(self._extra_synonyms)
        for terms in groups:
            glossary.add(list(terms))
        with self._resources_lock:
            self._runtime_synonyms = groups
            self._planner = QueryPlanner(analyzer, glossary)
        return True

    @property
    def analyzer(self):
        return self.planner.analyzer

    @property
    def glossary(self):
        """The glossary queries are expanded with (built-in, generated, configured, plugins')."""
        return self.planner.glossary

    @property
    def index_version(self):
        """Label of the index this code and glossary build (schema version + glossary)."""
        return self.planner and self._index_version

    # -- the live index ---------------------------------------------------------------
    def live_index(self, for_writing=False):
        """The current generation's index, or None when none has been built yet."""
        path = self.store.current_path()
        if path is None:
            if self.on_stale and not for_writing:
                self.on_stale()  # posts may exist from before the index did: build it
            return None
        if self._index is None or self._index.path != str(path):
            self._index = WhooshIndex(path)
            self._current_schema = self.store.version(path) == self.index_version
        if not self._current_schema and self.on_stale and not for_writing:
            self.on_stale()  # starts one background rebuild; later calls do nothing
        return self._index

    def _writable_index(self):
        index = self.live_index(for_writing=True)
        if index is not None:
            return index
        with self.store.creation_lock():
            if self.store.current_path() is None:
                build = self.store.new_build_dir()
                WhooshIndex.create(build)
                self.store.publish(build, self.index_version)
        return self.live_index(for_writing=True)

    # -- searching --------------------------------------------------------------------
    def search(self, text, page=1, per_page=10, sort="relevance", now=None, correct=True,
               language=None, prefer=None, record=True, facets=0):
        """Search published posts; ``correct=False`` searches misspelt words as typed;
        ``record=False`` for searches no reader typed (related articles); ``facets``: how
        many values of each facet to count (``SearchResults.facets``).

        ``language`` ("zh"/"en") keeps posts in that language only; otherwise, with
        ``prefer`` (the reader's language), an article matching in both languages is one
        hit, in ``prefer``, naming its other versions (``other_versions``)."""
        if self.before_search is not None:
            self.before_search()
        results = self._search(text, page, per_page, sort, now, correct, language, prefer,
                               facets)
        if record and self.after_search is not None:
            self.after_search(text, results.total, page)
        return results

    def _search(self, text, page, per_page, sort, now, correct, language=None, prefer=None,
                facets=0):
        plan = self.planner.plan(text)
        results = SearchResults(query=plan.text, page=page, per_page=per_page)
        if plan.is_empty:
            results.empty_query = not (plan.excluded or plan.text)
            return results
        index = self.live_index()
        if index is None:
            return results
        self._resolve_unknown_words(index, plan, correct)
        if plan.corrections:
            suggestion = plan.text
            for typed, fixed in plan.corrections.items():
                # As a whole word, whatever case it was typed in (``Kubelte``).
                suggestion = re.sub(rf"(?i)(?<![0-9a-z]){re.escape(typed)}(?![0-9a-z])",
                                    lambda _, fixed=fixed: fixed, suggestion)
            results.suggestion = suggestion
        if plan.is_empty or plan.unmatchable:
            return results
        now = now or datetime.now(timezone.utc)
        if language:
            plan.filters = {**plan.filters, "lang": [language]}
        total, hits, results.facets = index.search_with_facets(
            plan, page, per_page, sort, now, prefer=None if language else prefer, facets=facets)
        phrases = {alt.shown for clause in plan.clauses for alt in clause.alternatives}
        for hit in hits:
            hit["snippet"] = snippet(hit.pop("body"), phrases)
        results.total, results.hits = total, hits
        return results

    def _resolve_unknown_words(self, index, plan, correct=True):
        """Correct or drop words the index has never seen.

        A multi-word term no post holds is replaced by its words (``etcd 备份``). An
        ASCII word with a better supported spelling nearby is replaced by it
        (``statefullset`` -> ``statefulset``, see ``spelling.py``) and reported as the
        query shown. When at least half of what the reader asked for is unknown to the
        blog (``Docker Swarm``), nothing is returned rather than pages that match only
        the other half.
        """
        kept, unknown = [], 0
        attempts = {}  # word -> its correction (or None), each word looked up once
        dropped = set()  # terms the index lacks: their weak word clauses go with them
        todo = list(plan.clauses)
        while todo:
            clause = todo.pop(0)
            if clause.part_of is not None:
                if id(clause.part_of) not in dropped:
                    kept.append(clause)
            elif clause in plan.required:
                kept.append(clause)
            elif correct and (correction := self._correction(index, clause, attempts)):
                plan.corrections[clause.label] = correction
                kept.extend(self.planner.free_text_clauses(correction))
            elif self._known(index, clause):
                kept.append(clause)
            elif clause.fallback:
                # No post holds the term: its words, each at full weight, stand for it
                # (a missing alternative never hides what the reader's words find).
                dropped.add(id(clause))
                todo[:0] = clause.fallback
            else:
                unknown += 1
        known = sum(1 for clause in kept if clause.part_of is None)
        plan.clauses = kept if unknown < max(known, 1) or plan.required else []
        assign_units(plan.clauses, plan.required)
        # Every word asked for was unknown: that means "nothing found", not "everything".
        plan.unmatchable = unknown > 0 and not plan.clauses

    # Looking for a correction costs milliseconds (an edit-distance automaton over the
    # terms); readers misspell a word or two, and a pasted page must not cost seconds.
    MAX_SPELLING_LOOKUPS = 3

    def _correction(self, index, clause, attempts):
        """The correction of ``clause``'s word (see ``spelling.py``), or None."""
        word = clause.label
        if word not in attempts:
            if not self.spelling.worth_looking(index, clause):
                return None
            if len(attempts) >= self.MAX_SPELLING_LOOKUPS:
                return None
            attempts[word] = self.spelling.best(index, clause)
        return attempts[word]

    @staticmethod
    def _known(index, clause):
        # Single terms first: a phrase check costs a search.
        ordered = sorted(clause.alternatives, key=lambda alt: len(alt.tokens))
        return any(index.matches_anything(alt) for alt in ordered)

    # -- writing ----------------------------------------------------------------------
    def document(self, post, analyse=True):
        return post_document(post, self.analyzer, analyse=analyse)

    def apply(self, upserts, deletes, bind=None):
        """Apply committed changes; on failure remember them so nothing is lost."""
        ids = {doc["id"] for doc in upserts} | set(deletes)
        try:
            index = self._writable_index()
            index.write(upserts, deletes, timeout=self.write_timeout)
        except Exception as exc:  # noqa: BLE001 - the database commit has happened: never undo it
            log.warning("search index update deferred (%s): posts %s", exc, sorted(ids))
            try:
                self.store.add_pending(ids)
            except OSError:
                log.exception("cannot record pending search updates; run 'flask reindex'")
            return False
        if self.store.rebuild_running():
            # The rebuild may have read these posts before the change: it replays them.
            self.store.add_pending(ids)
        elif bind is not None and self.store.has_pending():
            # Called after a commit, when the caller's session can run no more SQL.
            from sqlalchemy.orm import Session

            with Session(bind) as session:
                try:
                    self.catch_up(session)
                except (IndexBusy, OSError) as exc:
                    log.warning("pending search index updates still deferred: %s", exc)
        return True

    # Above this many changed posts a full rebuild (in two processes) beats a batch write.
    REBUILD_THRESHOLD = 500

    @contextlib.contextmanager
    def deferred(self, session):
        """Collect this thread's index changes and apply them once at the end.

        Bulk imports commit post by post; indexing each commit separately would cost a
        Whoosh commit per post. Nothing is lost if the block fails half-way: what was
        committed is applied (or rebuilt) on the way out.
        """
        if getattr(self._batch, "ids", None) is not None:
            yield  # already inside a batch
            return
        self._batch.ids = set()
        try:
            yield
        finally:
            ids, self._batch.ids = self._batch.ids, None
            # With no index yet (a first import, load-demo) build it whole too: a rebuild
            # claims its outbox position, an index the batch created empty would claim
            # none and every node's outbox pass would index the same posts again.
            if len(ids) > self.REBUILD_THRESHOLD or (ids and self.store.current_path() is None):
                try:
                    self.rebuild(session)
                except RebuildRunning:
                    self.store.add_pending(ids)  # the running rebuild replays them
                except OSError as exc:  # the posts are committed; the outbox still lists them
                    log.warning("search index not rebuilt after the batch (%s); "
                                "run 'flask reindex'", exc)
            elif ids:
                self.store.add_pending(ids)
                try:
                    self.catch_up(session)
                except (IndexBusy, OSError) as exc:
                    log.warning("search index update deferred: %s", exc)

    def batching(self):
        """The id set of the batch this thread is in, or None."""
        return getattr(self._batch, "ids", None)

    def catch_up(self, session):
        """Apply pending updates (reads the posts' current state from the database)."""
        ids = self.store.take_pending()
        if not ids:
            return 0
        docs = [self.document(post) for post in indexable_posts(session, ids)]
        deletes = ids - {doc["id"] for doc in docs}
        try:
            self._writable_index().write(docs, deletes, timeout=self.write_timeout)
        except (IndexBusy, OSError):
            self.store.add_pending(ids)
            raise
        return len(ids)

    def rebuild(self, session, progress=None):
        """Build a fresh index from the database and swap it in; return ``(docs, seconds)``.

        The outbox position and every post are read in one database snapshot (a session
        of its own on ``session``'s engine), so the new generation claims exactly the
        changes it read: what commits meanwhile is applied after the swap, and nothing
        it read is indexed again.
        """
        started = time.perf_counter()
        with self.store.rebuild_lock():
            self.store.remove_stale_builds()
            build = self.store.new_build_dir()
            writer = WhooshIndex.create(build).bulk_writer(
                procs=self.rebuild_procs, analyse=self.analyzer.index_tokens)
            count, position = 0, None
            try:
                with read_snapshot(session) as snapshot:
                    if self.rebuild_position:
                        position = self.rebuild_position(snapshot)
                    for post in indexable_posts(snapshot, release=True):
                        writer.add(self.document(post, analyse=not writer.analyses))
                        count += 1
                        if progress:
                            progress(count)
                writer.commit()  # after the snapshot ends: SQLite can checkpoint meanwhile
            except BaseException:
                writer.cancel()
                raise
            if position is not None:
                self.store.write_position(build, position)
            self.store.publish(build, self.index_version)
            self.catch_up(session)
        return count, time.perf_counter() - started

    def needs_rebuild(self):
        """No index yet, or one written by another schema version."""
        path = self.store.current_path()
        return path is None or self.store.version(path) != self.index_version

    def close(self):
        """Close the open index files (app teardown, tests)."""
        if self._index is not None:
            self._index.close()

    def status(self):
        path = self.store.current_path()
        return {
            "index": str(path) if path else None,
            "schema_version": self.store.version(path) if path else None,
            "documents": self.live_index().doc_count() if path else 0,
            "pending": self.store.has_pending(),
            "rebuilding": self.store.rebuild_running(),
        }


def search_service(app):
    return app.extensions["search"]


def _background_rebuild(app, service):
    """Rebuild in a thread of this process; requests go on with the old index meanwhile."""

    def run():
        from ..extensions import db

        with app.app_context():
            try:
                count, seconds = service.rebuild(db.session)
                log.info("search index rebuilt for a new schema: %d posts in %.1f s", count, seconds)
            except RebuildRunning:
                pass  # another worker is already on it
            except Exception:  # noqa: BLE001 - a background thread has nobody to report to
                log.exception("background search index rebuild failed; run 'flask reindex'")

    started = []

    def start():
        if not started:
            started.append(True)
            threading.Thread(target=run, name="search-rebuild", daemon=True).start()

    return start


def init_app(app):

    index_dir = app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.instance_path, "index")
    service = SearchService(
        index_dir,
        extra_synonyms=app.config.get("SEARCH_SYNONYMS", ()),
        write_timeout=app.config.get("SEARCH_WRITE_TIMEOUT", 20.0),
        rebuild_procs=app.config.get("SEARCH_REBUILD_PROCS"),
    )
    app.extensions["search"] = service
    if app.config.get("SEARCH_AUTO_REBUILD", True):
        service.on_stale = _background_rebuild(app, service)
    from . import sync

    sync.register(app)
    return service
