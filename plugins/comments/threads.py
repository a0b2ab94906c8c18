"""Reading comments back: approved trees per post and counts for listings."""

from flask import g

from blogapp.plugin_api import db

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


def approved_count(post_id, listing=()):
    """Approved comments of a post. In a listing, the first call counts those of every
    post on the page in one query (``listing``: the page's posts); only those, so the cost
    does not grow with the whole site's comments."""
    counts = g.setdefault("_comment_counts", {})
    if post_id not in counts:
        wanted = {post.id for post in listing} | {post_id}
        rows = db.session.execute(
            db.select(Comment.post_id, db.func.count(Comment.id))
            .where(Comment.status == "approved", Comment.post_id.in_(wanted))
            .group_by(Comment.post_id)
        )
        counts.update(dict.fromkeys(wanted, 0))
        counts.update(rows.all())
    return counts[post_id]


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
