"""Categories and tags: a display name plus a URL slug (Chinese names keep Chinese slugs)."""

from sqlalchemy import Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..content.slugs import make_slug
from ..extensions import db

post_tags = Table(
    "post_tags",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The primary key leads with post_id; a tag's archive looks posts up by tag_id.
    Index("ix_post_tags_tag_id", "tag_id"),
)


class _Term:
    """Shared lookup for name+slug tables."""

    @classmethod
    def get_or_create(cls, name):
        """Return the term whose slug matches ``name``'s slug, creating it if needed."""
        name = " ".join(name.split())
        slug = make_slug(name)
        if not slug:
            raise ValueError(f"{cls.__name__.lower()} name {name!r} has no usable characters")
        term = db.session.scalar(db.select(cls).filter_by(slug=slug))
        if term is None:
            term = cls(name=name, slug=slug)
            db.session.add(term)
        return term


class Category(_Term, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)

    posts = relationship("Post", back_populates="category", lazy="dynamic")

    def __repr__(self):
        return f"<Category {self.slug}>"


class Tag(_Term, db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)

    posts = relationship("Post", secondary=post_tags, back_populates="tags", lazy="dynamic")

    def __repr__(self):
        return f"<Tag {self.slug}>"
