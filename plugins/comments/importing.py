"""Comments that come with an imported post (the ``import_comments`` hook).

Each WordPress comment is remembered in ``ImportedComment``, so importing the same file
again creates nothing (and leaves what moderators changed since alone). Replies keep
their parent; a reply deeper than ``MAX_DEPTH`` joins its parent's siblings, the way
WordPress shows threads deeper than its limit. WordPress comments are HTML with blank
lines for paragraphs, not Markdown, so they are given explicit paragraphs (``wpautop``)
before the usual comment sanitizing; ``body_raw`` keeps the original.
``comment_before_save``/``comment_after_save`` are not called: an import is not a visitor
(no spam checks, no mail to moderators).
"""

import html

from blogapp.plugin_api import db, hookimpl

from . import reasons
from .models import MAX_DEPTH, Comment
from .models_import import ImportedComment
from .sanitize import render_comment, safe_url

IMPORT_REASON = reasons.IMPORTED


def _new_comment(post, data, parent, blog):
    if parent is not None:
        while parent.depth >= MAX_DEPTH and parent.parent is not None:
            parent = parent.parent
    name = " ".join(html.unescape(data.get("author_name") or "").split())[:100]
    return Comment(
        post_id=post.id,
        parent=parent,
        depth=parent.depth + 1 if parent is not None else 1,
        author_name=name or "Anonymous",
        author_email=(data.get("author_email") or "").strip()[:254],
        author_url=safe_url(data.get("author_url"))[:500],
        body_raw=data.get("content") or "",
        body_html=render_comment(blog.wpautop(data.get("content") or "")),
        status=data["status"],
        status_reason="" if data["status"] == "approved" else IMPORT_REASON,
        ip=(data.get("author_ip") or "")[:45],
        created_at=data["date"],
        updated_at=data["date"],
    )


@hookimpl
def import_comments(post, comments, blog):
    known = {row.wp_id: row.comment_id for row in db.session.scalars(
        db.select(ImportedComment).filter_by(post_id=post.id))}
    incoming = {data["wp_id"]: data for data in comments}
    placed = {}  # wp id -> Comment (existing or new)
    created = 0

    def place(wp_id, chain=()):
        nonlocal created
        if wp_id in placed:
            return placed[wp_id]
        if wp_id in known:
            placed[wp_id] = db.session.get(Comment, known[wp_id])
            return placed[wp_id]
        data = incoming.get(wp_id)
        if data is None or wp_id in chain:  # unknown parent (trashed, elsewhere) or a loop
            return None
        parent_id = data.get("parent_wp_id")
        parent = place(parent_id, (*chain, wp_id)) if parent_id else None
        comment = _new_comment(post, data, parent, blog)
        db.session.add(comment)
        db.session.flush()
        db.session.add(ImportedComment(comment_id=comment.id, post_id=post.id, wp_id=wp_id))
        placed[wp_id] = comment
        created += 1
        return comment

    for data in sorted(comments, key=lambda d: (d["date"], d["wp_id"])):
        place(data["wp_id"])
    return created
