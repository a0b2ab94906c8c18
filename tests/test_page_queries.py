"""What an uncached page costs in SQL, as readers see it: the sidebar's category counts are
kept until something changes (and stay right), an article's byline comes with the post, and
listings count comments for their own posts in one query, never for the whole site."""

import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from blogapp.extensions import db
from blogapp.models import Category, Post
from test_caching import change, sql

pytestmark = pytest.mark.plugins("comments")

SIDEBAR_COUNT = "count(posts.id)"


@pytest.fixture(autouse=True)
def no_page_cache(app):
    app.config["PAGE_CACHE"] = False  # every request renders its page


@pytest.fixture
def writer(make_user):
    return make_user("writer", role="author")


def sidebar(response):
    """``{category name: count}`` as the sidebar shows them."""
    aside = response.get_data(as_text=True).split('<aside class="sidebar"', 1)[1]
    categories = aside.split('id="sidebar-categories"', 1)[1].split("</section>", 1)[0]
    return {name: int(count) for name, count in
            re.findall(r'>([^<]+)</a> <span class="count">\((\d+)\)</span>', categories)}


def visit(app, client, path):
    """The response and the statements it ran, less the search synonyms' check (at most
    once a second per process, on a connection of its own: not a cost of the page)."""
    with sql(app) as statements:
        response = client.get(path)
    statements[:] = [s for s in statements if "synonym_groups" not in s]
    assert response.status_code == 200
    return response, statements


def counted(statements):
    return sum(SIDEBAR_COUNT in statement for statement in statements)


def test_sidebar_counts_are_kept_until_a_change_and_then_right(app, client, writer, make_post):
    make_post("one", writer, category="Ops")
    make_post("two", writer, category="Ops")
    make_post("three", writer, category="Dev")
    first, statements = visit(app, client, "/")
    assert sidebar(first) == {"Ops": 2, "Dev": 1} and counted(statements) == 1
    again, statements = visit(app, client, "/posts/one")
    assert sidebar(again) == {"Ops": 2, "Dev": 1} and counted(statements) == 0

    make_post("four", writer, category="Dev")
    make_post("five", writer, category="Dev")
    after, statements = visit(app, client, "/posts/one")
    assert sidebar(after) == {"Dev": 3, "Ops": 2} and counted(statements) == 1

    change(app, lambda: setattr(db.session.scalar(db.select(Category).filter_by(name="Ops")),
                                "name", "运维"))
    assert sidebar(visit(app, client, "/")[0]) == {"Dev": 3, "运维": 2}
    change(app, lambda: db.session.delete(db.session.scalar(db.select(Post).filter_by(slug="one"))))
    assert sidebar(visit(app, client, "/")[0]) == {"Dev": 3, "运维": 1}


def test_sidebar_counts_a_scheduled_post_once_it_is_due(app, client, writer, make_post):
    make_post("now", writer, category="Ops")
    due = datetime.now(timezone.utc) + timedelta(seconds=2)
    change(app, lambda: db.session.add(Post(
        slug="soon", title="定时发布", body="x", status="scheduled", author_id=writer,
        published_at=due, category=db.session.scalar(db.select(Category)))))
    assert sidebar(visit(app, client, "/")[0]) == {"Ops": 1}
    assert counted(visit(app, client, "/")[1]) == 0  # kept, but only until the post is due
    time.sleep(max(0, (due - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    assert sidebar(visit(app, client, "/")[0]) == {"Ops": 2}


def test_an_article_takes_two_statements_whatever_its_tags(app, client, writer, make_post):
    """The post with its author and category, and its tags: a lazy byline would add two
    more. The first time, its older and newer neighbours take two more and the comments
    plugin's thread two (approved comments, thread state), each with one for the next
    scheduled publication (which bounds how long they are kept), and the related articles
    (found in the search index, not the database) that one; then all are kept until a
    change."""
    make_post("few", writer, category="Ops", tags=["a"])
    make_post("many", writer, category="Ops", tags=["a", "b", "c", "d", "e", "f"])
    visit(app, client, "/")  # the sidebar is counted once for both
    assert len(visit(app, client, "/posts/few")[1]) == 2 + 3 + 3 + 1
    few, few_sql = visit(app, client, "/posts/few")
    visit(app, client, "/posts/many")
    many, many_sql = visit(app, client, "/posts/many")
    assert len(few_sql) == len(many_sql) == 2
    assert all(f'rel="tag">{tag}</a>' in many.get_data(as_text=True) for tag in "abcdef")
    assert "writer" in few.get_data(as_text=True) and ">Ops</a>" in few.get_data(as_text=True)


def _comment(slug, status="approved"):
    from plugins.comments.models import Comment

    post = db.session.scalar(db.select(Post).filter_by(slug=slug))
    db.session.add(Comment(post_id=post.id, depth=1, author_name="Mia", author_email="m@x.org",
                           body_raw="hi", body_html="<p>hi</p>", status=status))


def comment_counts(response):
    """``{slug: count}`` of the comment links in a page's meta lines."""
    return {slug: int(count) for slug, count in re.findall(
        r'href="/posts/([^"#]+)#comments">(\d+)', response.get_data(as_text=True))}


def test_listing_counts_comments_of_its_own_posts_in_one_query(app, client, writer, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    for days, slug in enumerate(["newest", "newer", "old", "oldest"], start=1):
        make_post(slug, writer, days_ago=days)
    for slug, status in [("newest", "approved"), ("newest", "approved"), ("newest", "pending"),
                         ("old", "approved")]:
        change(app, lambda slug=slug, status=status: _comment(slug, status))

    first, statements = visit(app, client, "/")
    assert comment_counts(first) == {"newest": 2, "newer": 0}
    counts = [s for s in statements if "count(comments.id)" in s]
    assert len(counts) == 1 and "comments.post_id IN" in counts[0]  # not the whole site's
    second, _ = visit(app, client, "/?page=2")
    assert comment_counts(second) == {"old": 1, "oldest": 0}
    article, statements = visit(app, client, "/posts/newest")
    assert comment_counts(article) == {"newest": 2}
    assert "<p>hi</p>" in article.get_data(as_text=True)


def test_a_kept_comment_thread_follows_approval_closing_and_language(app, client, writer,
                                                                     make_post):
    """The thread every visitor without comments of their own sees is kept between
    requests, yet a comment approved or the thread closed shows on the next request, and
    each interface language has its own."""
    from plugins.comments.models import Comment, set_closed

    make_post("kept", writer)
    page, _ = visit(app, client, "/posts/kept")
    assert "还没有评论" in page.get_data(as_text=True)
    page, statements = visit(app, client, "/posts/kept")
    assert not [s for s in statements if "FROM comments" in s]  # kept
    change(app, lambda: _comment("kept", "pending"))
    assert "还没有评论" in visit(app, client, "/posts/kept")[0].get_data(as_text=True)

    def approve():
        db.session.scalar(db.select(Comment)).status = "approved"

    change(app, approve)
    page = visit(app, client, "/posts/kept")[0].get_data(as_text=True)
    assert "<p>hi</p>" in page and "评论（1）" in page and comment_counts(
        visit(app, client, "/posts/kept")[0]) == {"kept": 1}
    english = client.get("/posts/kept?lang=en").get_data(as_text=True)
    assert "Reply" in english and "回复" not in english.split('id="comments"', 1)[1]
    change(app, lambda: set_closed(db.session.scalar(db.select(Post)).id, True))
    page = visit(app, client, "/posts/kept?lang=zh")[0].get_data(as_text=True)
    assert "这篇文章已关闭评论" in page and 'class="reply"' not in page
