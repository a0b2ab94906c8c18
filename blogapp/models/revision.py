"""Post revisions: the title and Markdown of a post as each save left it, with who saved it
and when. Kept by ``blogapp/authoring/revisions.py``; deleted with their post (the
foreign key cascades, as for comments)."""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class PostRevision(db.Model):
    __tablename__ = "post_revisions"
    # Readers never see revisions: adding one must not empty the page cache by itself.
    page_cache_ignore = True

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    # Who saved it; None for a user who no longer exists.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")

    # One-way: Post knows nothing of its revisions (its model stays as small as it is).
    post = relationship("Post")
    author = relationship("User")

    def __repr__(self):
        return f"<PostRevision {self.id} of post {self.post_id}>"
