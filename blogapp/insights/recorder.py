"""Recording searches off the request path.

A search hands its normalised query and result count to :meth:`SearchRecorder.record`,
which only puts them on a bounded queue (microseconds; a full queue drops the entry). A
daemon thread empties the queue every ``FLUSH_SECONDS`` into one transaction of upserts,
one row per day and query (``models.SearchLogEntry``), and deletes rows older than
``SEARCH_LOG_DAYS`` once an hour. Whatever goes wrong there (a full disk, a locked or
missing table) is logged and the batch dropped: a search never waits for the log, never
fails because of it. Nothing about the reader is kept: no IP, no cookie, no user id.
"""

import logging
import queue
import threading
import time
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from ..extensions import db
from ..models import SearchLogEntry
from ..models.search_insights import QUERY_LENGTH
from ..search.suggest import CONTROL_CHARS

log = logging.getLogger(__name__)
FLUSH_SECONDS = 2.0
QUEUE_SIZE = 10_000
PRUNE_EVERY = 3600.0


def normalise(query):
    """The form a query is counted under: NFKC, lower case, one space between words."""
    text = unicodedata.normalize("NFKC", CONTROL_CHARS.sub(" ", query or ""))
    return " ".join(text.lower().split())[:QUERY_LENGTH]


class SearchRecorder:
    def __init__(self, app):
        self.app = app
        self.queue = queue.Queue(maxsize=QUEUE_SIZE)
        self.dropped = 0
        self._pruned_at = 0.0
        self._flush_lock = threading.Lock()
        self._thread = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        background = app.config.get("SEARCH_LOG_BACKGROUND")
        # Default: a thread writes the log, except in tests (they call flush themselves,
        # and a thread would outlive the test's database).
        self.background = (not app.testing) if background is None else bool(background)

    def record(self, query, results):
        """Note one search (called by the search views; never raises, never blocks)."""
        text = normalise(query)
        if not text:
            return
        try:
            self.queue.put_nowait((datetime.now(timezone.utc).date(), text, int(results)))
        except queue.Full:
            self.dropped += 1
            return
        if self._thread is None and self.background:
            self._start()

    def _start(self):
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="search-log", daemon=True)
                self._thread.start()

    def _run(self):
        while not self._stop.wait(FLUSH_SECONDS):
            self.flush()

    def stop(self, timeout=10):
        """Stop the thread after a last flush (app teardown in tests and tools)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.flush()

    def flush(self):
        """Write what is queued (the thread calls this; tests and commands may too).
        Returns how many searches were written."""
        with self._flush_lock:
            batch = []
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            if not batch and time.time() - self._pruned_at < PRUNE_EVERY:
                return 0
            try:
                with self.app.app_context():  # its teardown returns the session
                    self._write(batch)
                    db.session.commit()
                    if time.time() - self._pruned_at >= PRUNE_EVERY:
                        prune(self.app.config["SEARCH_LOG_DAYS"])
                        self._pruned_at = time.time()
            except Exception:  # noqa: BLE001 - the log is best effort, searches are not
                log.exception("search log: %d searches not recorded", len(batch))
                return 0
            return len(batch)

    @staticmethod
    def _write(batch):
        """One upsert per (day, query): INSERT ... ON CONFLICT DO UPDATE, atomic in both
        SQLite and PostgreSQL, so workers and nodes writing the same query at the same
        moment add up instead of colliding on the unique (day, query) index."""
        if not batch:
            return
        searches = Counter((day, text) for day, text, _ in batch)
        latest = {(day, text): results for day, text, results in batch}
        # Sorted: workers upserting the same rows must lock them in one order, or PostgreSQL
        # finds a deadlock and drops one worker's batch.
        rows = [{"day": day, "query": text, "searches": count, "results": latest[(day, text)]}
                for (day, text), count in sorted(searches.items())]
        insert = _dialect_insert(db.engine.dialect.name)(SearchLogEntry.__table__)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["day", "query"],
            set_={"searches": SearchLogEntry.__table__.c.searches + insert.excluded.searches,
                  "results": insert.excluded.results}), rows)


def _dialect_insert(name):
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def prune(days):
    """Delete log rows older than ``days`` days; returns how many."""
    cutoff = date.today() - timedelta(days=int(days))
    result = db.session.execute(db.delete(SearchLogEntry).where(SearchLogEntry.day < cutoff))
    db.session.commit()
    return result.rowcount or 0
