"""The outbox of index changes shared by every web node (issue #9 "Several web nodes").

Each node keeps its own Whoosh replica. Whenever a transaction changes what a post is
found by, ``sync.py`` adds one ``search_outbox`` row per post to that same transaction,
so the row exists exactly when the change does: a rollback leaves neither. Nodes apply
the rows in id order (``replica.py``), always reading the post's *current* row, so a row
only says "look at post N again": applying one twice, or late, is harmless.

Rows are written right before COMMIT (``before_commit``), not at the first flush: on
PostgreSQL a row with a smaller id may become visible after a larger one, and keeping
the time between taking an id and committing short keeps that window to milliseconds
even for a long import. ``replica.py`` still copes with the window (see its gaps).
"""

from datetime import timedelta

from sqlalchemy import BigInteger, Integer, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.types import UTCDateTime, utcnow

OPS = ("upsert", "delete")


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"
    # AUTOINCREMENT on SQLite: ids are never reused after pruning, so "last applied id"
    # stays meaningful; BIGINT elsewhere because the table only ever counts up.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    # No foreign key: the row must outlive a deleted post (it tells nodes to drop it).
    post_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # Informational: applying reads the post's current state whatever the op says.
    op: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)

    def __repr__(self):
        return f"<SearchOutbox {self.id} {self.op} post {self.post_id}>"


def enqueue(session, upserts=(), deletes=()):
    """Add rows for these post ids to ``session``'s transaction (core insert: no flush)."""
    now = utcnow()
    deletes = set(deletes)
    rows = [{"post_id": pid, "op": "delete", "created_at": now} for pid in sorted(deletes)]
    rows += [{"post_id": pid, "op": "upsert", "created_at": now}
             for pid in sorted(set(upserts) - deletes)]
    if rows:
        session.connection().execute(insert(SearchOutbox), rows)
    return len(rows)


def high_water(session):
    """The largest outbox id (0 when the table is empty)."""
    return session.scalar(select(func.max(SearchOutbox.id))) or 0


def oldest_id(session):
    return session.scalar(select(func.min(SearchOutbox.id)))


def settled_id(session, grace_seconds):
    """The newest id older than the grace period (0 when there is none).

    Rows that old are taken as committed (their transactions ended), and so is any id
    missing below them: only younger ids can still turn up (``replica.snapshot_position``).
    With no row that old nothing has been pruned either (the low-water mark is older than
    the retention), so any id from 1 up may still turn up.
    """
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    return session.scalar(
        select(func.max(SearchOutbox.id)).where(SearchOutbox.created_at < cutoff)) or 0


def prune(session, retention_days):
    """Delete rows older than the retention, keeping the newest of them as a marker.

    The kept row is the low-water mark: a node whose last applied id lies below it has
    missed rows that no longer exist and must rebuild (``replica.RebuildNeeded``). Without
    it an emptied table could not tell a node that was away too long from a current one.
    """
    cutoff = utcnow() - timedelta(days=retention_days)
    marker = session.scalar(select(func.max(SearchOutbox.id)).where(SearchOutbox.created_at < cutoff))
    if marker is None:
        return 0
    result = session.execute(delete(SearchOutbox).where(SearchOutbox.id < marker))
    session.commit()
    return result.rowcount or 0
