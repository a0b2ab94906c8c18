"""This node's index as a replica of the shared outbox (``outbox.py``).

Each index generation carries a position, ``{"last_id": N, "gaps": {id: deadline}}``
(``store.POSITION_FILE``): it contains every outbox row up to ``last_id`` except the
gaps. Applying reads rows ``> last_id`` (and the gaps) in id order, re-reads those posts
from the database, writes them in one index commit, then saves the new position. A crash
between the two only means the same rows are applied again, which changes nothing.

Gaps: on PostgreSQL ids are taken at INSERT and become visible at COMMIT, so row 11 may
show up after row 12. A missing id below the newest seen row is kept as a gap and looked
for again on every pass until ``grace`` seconds after the row that followed it was
written; most gaps are rolled-back transactions and simply expire.

Appliers of one node (gunicorn workers sharing the folder, ``flask search-sync``) take
``store.sync_lock``, so one pass at a time reads and advances a position.
"""

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import outbox
from .documents import indexable_posts
from .outbox import SearchOutbox
from .store import RebuildRunning

log = logging.getLogger(__name__)

BATCH = 500
# Never remember more gaps than this (a broken sequence must not grow the file forever).
MAX_GAPS = 10_000


class RebuildNeeded(Exception):
    """The outbox cannot bring this node's index up to date: rebuild it."""


class Position:
    """How far one index generation has applied the outbox."""

    def __init__(self, last_id=0, gaps=None):
        self.last_id = last_id
        self.gaps = dict(gaps or {})  # id -> deadline (epoch seconds)

    @classmethod
    def load(cls, store, path):
        data = store.read_position(path)
        if data is None:  # an index built before the outbox existed, or an empty new one
            return cls()
        try:
            return cls(int(data["last_id"]), {int(k): float(v) for k, v in data["gaps"].items()})
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("unreadable outbox position in %s; applying the outbox from the start", path)
            return cls()

    def as_dict(self):
        """The JSON form saved in a generation (``store.POSITION_FILE``)."""
        return {"last_id": self.last_id, "gaps": {str(k): v for k, v in self.gaps.items()}}

    def save(self, store, path):
        store.write_position(path, self.as_dict())

    def advance(self, rows, grace, now):
        """Take in rows read in id order; remember ids skipped between them as gaps."""
        previous = self.last_id
        for row in rows:
            if row.id <= self.last_id:
                self.gaps.pop(row.id, None)  # a gap that has turned up
                continue
            deadline = row.created_at.timestamp() + grace
            if deadline > now and row.id - previous > 1:
                for missing in range(previous + 1, min(row.id, previous + 1 + MAX_GAPS)):
                    self.gaps[missing] = deadline
            previous = self.last_id = row.id
        self.gaps = {k: v for k, v in self.gaps.items() if v > now}
        if len(self.gaps) > MAX_GAPS:
            log.warning("more than %d outbox gaps; forgetting the oldest", MAX_GAPS)
            self.gaps = dict(sorted(self.gaps.items())[-MAX_GAPS:])


def apply_outbox(service, engine, grace, blocking=True):
    """Apply every outbox row this node's index lacks; return how many rows were read.

    Returns None when another applier of this node holds the lock (and ``blocking`` is
    off). Raises :class:`RebuildNeeded` when there is no index or rows it needs were pruned.
    """
    store = service.store
    with store.sync_lock(blocking) as locked:
        if not locked:
            return None
        if store.current_path() is None:
            raise RebuildNeeded("there is no search index yet")
        index = service.live_index(for_writing=True)
        path = Path(index.path)
        position = Position.load(store, path)
        total = 0
        while True:
            # A session per batch: a new transaction sees the latest commits (SQLite keeps
            # a reader on its snapshot) and no post is served stale from an identity map.
            with Session(engine) as session:
                oldest = outbox.oldest_id(session)
                if oldest is not None and position.last_id < oldest - 1:
                    raise RebuildNeeded(
                        f"this index applied the search outbox up to id {position.last_id}, "
                        f"but rows up to {oldest - 1} have been pruned")
                condition = SearchOutbox.id > position.last_id
                if position.gaps:
                    condition = or_(condition, SearchOutbox.id.in_(sorted(position.gaps)))
                rows = session.execute(
                    select(SearchOutbox.id, SearchOutbox.post_id, SearchOutbox.created_at)
                    .where(condition).order_by(SearchOutbox.id).limit(BATCH)).all()
                now = time.time()
                if not rows:
                    if position.gaps and any(v <= now for v in position.gaps.values()):
                        position.advance([], grace, now)
                        position.save(store, path)
                    return total
                post_ids = {row.post_id for row in rows}
                docs = [service.document(post) for post in indexable_posts(session, post_ids)]
            index.write(docs, post_ids - {doc["id"] for doc in docs}, timeout=service.write_timeout)
            position.advance(rows, grace, now)
            position.save(store, path)
            total += len(rows)
            if len(rows) < BATCH:
                return total


def snapshot_position(session, grace):
    """The position of everything visible in ``session``'s snapshot (``read_snapshot``).

    A rebuild reads this and every post in that one snapshot, so it claims exactly the
    outbox rows whose changes it read. SQLite takes ids inside its one write lock: every
    id up to the newest visible one has committed or never will, so there are no gaps.
    On PostgreSQL an id is taken at INSERT and visible at COMMIT: an id below the newest
    that the snapshot lacks may be a transaction still in flight (or a rolled-back one),
    so it stays open as a gap, waited for exactly as ``apply_outbox`` would wait for it.
    """
    if session.get_bind().dialect.name == "sqlite":
        return Position(outbox.high_water(session))
    # Ids missing below the newest row older than the grace are past any gap's deadline.
    settled = outbox.settled_id(session, grace)
    rows = session.execute(
        select(SearchOutbox.id, SearchOutbox.created_at)
        .where(SearchOutbox.id > settled).order_by(SearchOutbox.id)).all()
    position = Position(settled)
    position.advance(rows, grace, time.time())
    return position


def rebuild_position(grace):
    """For ``SearchService.rebuild``: ``fn(snapshot_session) -> position dict``."""

    def position(session):
        return snapshot_position(session, grace).as_dict()

    return position


class Follower:
    """The per-process background thread applying the outbox every ``interval`` seconds."""

    PRUNE_EVERY = 3600.0

    def __init__(self, app, service, interval=1.0, grace=120.0, retention_days=7,
                 auto_rebuild=True):
        self.app, self.service = app, service
        self.interval, self.grace = interval, grace
        self.retention_days, self.auto_rebuild = retention_days, auto_rebuild
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()
        self._warned = None
        # Passes this process completed and outbox rows they applied (benchmarks read them).
        self.passes = self.applied = 0

    def start(self):
        """Start once per process (lazily: a forked worker starts its own)."""
        if self._thread is not None and self._thread.is_alive():
            return  # every request passes here: no lock on the common path
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="search-outbox",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout=10):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        from ..extensions import db

        # Nodes prune at different moments; deleting the same old rows twice is harmless.
        next_prune = time.monotonic() + self.PRUNE_EVERY * (0.5 + (id(self) % 100) / 200)
        while not self._stop.wait(self.interval):
            with self.app.app_context():
                try:
                    self.pass_once(db.engine)
                    if self.retention_days and time.monotonic() >= next_prune:
                        next_prune = time.monotonic() + self.PRUNE_EVERY
                        with Session(db.engine) as session:
                            outbox.prune(session, self.retention_days)
                except Exception as exc:  # noqa: BLE001 - a background thread reports by logging
                    self._warn(f"search outbox not applied: {type(exc).__name__}: {exc}")

    def pass_once(self, engine):
        try:
            count = apply_outbox(self.service, engine, self.grace, blocking=False)
            self._warned = None
            if count is not None:  # None: another applier of this node had the lock
                self.passes += 1
                self.applied += count
        except RebuildNeeded as exc:
            if not self.auto_rebuild:
                self._warn(f"{exc}; run 'flask reindex'")
                return
            log.warning("%s: rebuilding the search index", exc)
            try:
                with Session(engine) as session:
                    self.service.rebuild(session)
            except RebuildRunning:
                pass  # another worker of this node is on it

    def _warn(self, message):
        # Once per distinct problem, not once a second.
        if message != self._warned:
            self._warned = message
            log.warning(message)
