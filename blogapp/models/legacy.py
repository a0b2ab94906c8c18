"""Where an imported post lived before: its id and slug on the old site (old permalinks)."""

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class LegacyPostId(db.Model):
    """One imported post's identity on its source site (e.g. a WordPress post id)."""

    __tablename__ = "legacy_post_ids"
    __table_args__ = (UniqueConstraint("source", "legacy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300))  # the old site's base URL
    legacy_id: Mapped[int] = mapped_column(Integer, index=True)
    legacy_slug: Mapped[str] = mapped_column(String(200), index=True, default="")
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)

    # One-way: Post knows nothing of where it came from.
    post = relationship("Post")

    def __repr__(self):
        return f"<LegacyPostId {self.source} #{self.legacy_id} -> post {self.post_id}>"
