"""Articles. Markdown source plus the HTML rendered from it when the source changes."""

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..content.languages import LANGUAGES, detect_language
from ..content.rendering import render_article
from ..extensions import db
from .taxonomy import post_tags
from .types import UTCDateTime, utcnow

STATUSES = ("draft", "published", "scheduled", "trashed")


class Post(db.Model):
    __tablename__ = "posts"
    # Listings, their page counts and the sidebar's per-category counts filter on status and
    # published_at (``visible()``), per author or category. These indexes answer them without
    # reading the wide rows (bodies): at 10k posts a sidebar count went from ~60 ms to ~1 ms.
    __table_args__ = (
        Index("ix_posts_visible", "status", "published_at"),
        Index("ix_posts_author_visible", "author_id", "status", "published_at"),
        Index("ix_posts_category_visible", "category_id", "status", "published_at"),
        # One post per language in a translation group; NULL groups (no translation) are
        # never equal to each other, on SQLite and PostgreSQL alike.
        UniqueConstraint("translation_group", "language", name="uq_posts_translation_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Cached renderings of ``body``; kept in step by the "set" event below, so views
    # never render Markdown per request.
    body_html: Mapped[str] = mapped_column(Text, default="")
    excerpt_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at = mapped_column(UTCDateTime, index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    # The trash (blogapp/authoring/trash.py). A trashed post's status is "trashed", so
    # visible() and the search index leave it out through the status alone and the covering
    # listing indexes above stay enough. Its slug is freed (a placeholder: slugs never
    # start with "~") for a new post to take; these remember what restoring puts back.
    trashed_at = mapped_column(UTCDateTime, index=True)
    trashed_status: Mapped[str | None] = mapped_column(String(16))
    trashed_slug: Mapped[str | None] = mapped_column(String(200))
    # "zh" or "en" (LANGUAGES); the posts of one translation group share a random key.
    # Left unset, it is detected from the body when the post is first saved.
    language: Mapped[str] = mapped_column(String(8), server_default="zh")
    translation_group: Mapped[str | None] = mapped_column(String(36), index=True)

    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))

    author = relationship("User", back_populates="posts")
    category = relationship("Category", back_populates="posts")
    tags = relationship("Tag", secondary=post_tags, back_populates="posts", order_by="Tag.name")

    @classmethod
    def visible(cls, now=None):
        """SQL condition for posts readers may see: published (or scheduled) and due; never
        drafts or trashed posts (their status is neither)."""
        now = now or utcnow()
        return (
            cls.status.in_(("published", "scheduled"))
            & cls.published_at.is_not(None)
            & (cls.published_at <= now)
        )

    @property
    def is_visible(self):
        return (
            self.status in ("published", "scheduled")
            and self.published_at is not None
            and self.published_at <= utcnow()
        )

    @property
    def display_status(self):
        """``scheduled`` only while the publication time is still ahead."""
        if self.status in ("published", "scheduled") and self.published_at \
                and self.published_at > utcnow():
            return "scheduled"
        return self.status

    def publish(self, when=None):
        """Publish now, or schedule for ``when`` if it lies in the future."""
        now = utcnow()
        self.published_at = when or self.published_at or now
        self.status = "scheduled" if self.published_at > now else "published"

    def unpublish(self):
        self.status = "draft"

    def __repr__(self):
        return f"<Post {self.slug} ({self.status})>"


@event.listens_for(Post, "before_insert")
def _detect_language(mapper, connection, target):
    """A post saved without a language gets the one its text is mostly written in."""
    if target.language not in LANGUAGES:
        target.language = detect_language(target.body_html)


@event.listens_for(Post.body, "set")
def _render_body(target, value, oldvalue, initiator):
    """Re-render the cached HTML whenever the Markdown source is assigned."""
    rendered = render_article(value or "")
    target.body_html = rendered.html
    target.excerpt_html = rendered.excerpt_html
