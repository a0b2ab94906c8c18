"""Database models of the blog core. Plugins define their own models in their packages."""

from .legacy import LegacyPostId
from .media import Media
from .post import STATUSES, Post
from .revision import PostRevision
from .search_insights import SearchLogEntry, SynonymGroup
from .taxonomy import Category, Tag, post_tags
from .user import ROLES, User

__all__ = ["Category", "LegacyPostId", "Media", "Post", "PostRevision", "ROLES", "STATUSES",
           "SearchLogEntry", "SynonymGroup", "Tag", "User", "post_tags"]
