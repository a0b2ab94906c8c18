"""Uploaded images (``blogapp/media/``): one row per stored file, named by its content hash."""

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class Media(db.Model):
    __tablename__ = "media"
    # Readers see media through posts; uploading or deleting one changes no cached page.
    page_cache_ignore = True

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<32 hex digits of the SHA-256 of the stored bytes>.<extension>": the same image
    # uploaded twice is one row and one file.
    name: Mapped[str] = mapped_column(String(40), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)  # bytes stored
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # The uploader's file name, shown in the list and offered as the image's alt text.
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                    index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)

    uploader = relationship("User")

    def __repr__(self):
        return f"<Media {self.name}>"
