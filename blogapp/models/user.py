"""User accounts and their roles."""

from flask_login import UserMixin
from sqlalchemy import Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .types import UTCDateTime, utcnow

ROLES = ("admin", "editor", "author", "moderator")
# Roles that may write posts, and roles that may touch everyone's posts.
WRITER_ROLES = frozenset({"admin", "editor", "author"})
EDITOR_ROLES = frozenset({"admin", "editor"})
MODERATOR_ROLES = frozenset({"admin", "editor", "moderator"})
# How passwords are hashed: Werkzeug's scrypt, deliberately slow (about 0.1 s of CPU) to
# resist guessing. The tests lower it (tests/conftest.py), as Django's test settings do:
# they create and log in hundreds of users.
PASSWORD_HASH_METHOD = "scrypt"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # None means the account cannot log in (e.g. an author created by an import).
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="author")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    posts = relationship("Post", back_populates="author", lazy="dynamic")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def name(self):
        """The name readers see."""
        return self.display_name or self.username

    @property
    def can_write(self):
        return self.role in WRITER_ROLES

    @property
    def can_edit_any_post(self):
        return self.role in EDITOR_ROLES

    @property
    def can_moderate(self):
        return self.role in MODERATOR_ROLES

    def may_edit(self, post):
        """Editors and admins edit every post; authors only their own."""
        return self.can_edit_any_post or (self.can_write and post.author_id == self.id)

    @classmethod
    def by_username(cls, username):
        """Look a user up by name, ignoring case (``Admin`` and ``admin`` are one account)."""
        return db.session.scalar(
            db.select(cls).where(func.lower(cls.username) == (username or "").lower())
        )

    def __repr__(self):
        return f"<User {self.username} ({self.role})>"


# One account per name whatever its case (by_username ignores case): enforced by the
# database too, so no import or race can store "Alice" next to "alice".
Index("uq_users_username_lower", func.lower(User.username), unique=True)
