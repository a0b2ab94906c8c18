"""Database models of the blog core. Plugins define their own models in their packages."""

from .legacy import LegacyPostId
from .post import STATUSES, Post
from .search_insights import SearchLogEntry, SynonymGroup
from .taxonomy import Category, Tag, post_tags
from .user import ROLES, User

__all__ = ["Category", "LegacyPostId", "Post", "ROLES", "STATUSES", "SearchLogEntry", "SynonymGroup",
           "Tag", "User", "post_tags"]
