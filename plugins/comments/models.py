"""Comment storage: the comments themselves and per-post settings (comments closed)."""

import re

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.plugin_api import UTCDateTime, db, utcnow

STATUSES = ("pending", "approved", "spam", "trash")
MAX_DEPTH = 5  # a reply to a comment at depth 5 is refused
MAX_ID = 2**63 - 1  # the largest id the database can hold


def parse_id(text):
    """A comment id typed by someone (form field, cookie name), or None when ``text`` is not
    a plain decimal number the database can look up (``abc``, ``²``, 30 digits...)."""
    if not re.fullmatch(r"[0-9]{1,19}", text or ""):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    depth: Mapped[int] = mapped_column(Integer, default=1)  # 1 = top level
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(100))
    author_email: Mapped[str] = mapped_column(String(254), index=True)
    author_url: Mapped[str] = mapped_column(String(500), default="")
    # What the commenter sent, and the sanitized HTML that pages show.
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    status_reason: Mapped[str] = mapped_column(String(300), default="")
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    # One-way: the core Post model knows nothing of comments.
    post = relationship("Post")
    parent = relationship("Comment", remote_side=[id])

    def __repr__(self):
        return f"<Comment {self.id} on post {self.post_id} ({self.status})>"


class CommentThread(db.Model):
    """Per-post comment settings; a post without a row has comments open."""

    __tablename__ = "comment_threads"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


def on_live_posts():
    """SQL condition: the comment's post is not in the trash (its comments went with it:
    moderators neither see nor count them until the post is restored)."""
    return ~Comment.post.has(status="trashed")


def comments_closed(post_id):
    thread = db.session.get(CommentThread, post_id)
    return bool(thread and thread.closed)


def set_closed(post_id, closed):
    thread = db.session.get(CommentThread, post_id) or CommentThread(post_id=post_id)
    thread.closed = closed
    db.session.add(thread)
