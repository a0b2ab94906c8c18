"""Which comment each imported WordPress comment became (so importing twice adds nothing)."""

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from blogapp.plugin_api import db


class ImportedComment(db.Model):
    """A WordPress comment id (unique per post) and the comment created for it."""

    __tablename__ = "comment_imports"
    __table_args__ = (UniqueConstraint("post_id", "wp_id"),)

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    wp_id: Mapped[int] = mapped_column(Integer)

    def __repr__(self):
        return f"<ImportedComment wp {self.wp_id} -> comment {self.comment_id}>"
