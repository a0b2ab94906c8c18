"""Reading comments back: approved trees per post and counts for listings."""

from flask import g

from blogapp.extensions import db

from .models import Comment


def approved_comments(post_id):
    return db.session.scalars(
        db.select(Comment).filter_by(post_id=post_id, status="approved").order_by(Comment.created_at, Comment.id)
    ).all()


def build_tree(comments):
    """``[(comment, [children...]), ...]``; replies to hidden comments move to the top."""
    by_id = {c.id: c for c in comments}
    children = {c.id: [] for c in comments}
    roots = []
    for comment in comments:
        if comment.parent_id in by_id:
            children[comment.parent_id].append(comment)
        else:
            roots.append(comment)

    def node(comment):
        return {"comment": comment, "replies": [node(child) for child in children[comment.id]]}

    return [node(root) for root in roots]


def approved_count(post_id):
    """Approved comments of a post, counted once per request for all posts on the page."""
    counts = g.get("_comment_counts")
    if counts is None:
        rows = db.session.execute(
            db.select(Comment.post_id, db.func.count(Comment.id))
            .where(Comment.status == "approved").group_by(Comment.post_id)
        )
        counts = g._comment_counts = dict(rows.all())
    return counts.get(post_id, 0)


def tree_as_json(tree):
    return [
        {
            "id": node["comment"].id,
            "parent_id": node["comment"].parent_id,
            "author": node["comment"].author_name,
            "author_url": node["comment"].author_url or None,
            "created_at": node["comment"].created_at.isoformat(),
            "body_html": node["comment"].body_html,
            "replies": tree_as_json(node["replies"]),
        }
        for node in tree
    ]
