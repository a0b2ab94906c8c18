"""The anonymous page cache as readers see it: hits without a query, edits visible at
once, never someone else's login, flash message or CSRF token, per-language entries,
304 answers and versioned static files."""

import html
import re
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from blogapp.extensions import db
from blogapp.models import Category, Post, Tag
from comment_helpers import new_comment_id, post_comment
from conftest import login

SLUG = "pod-lifecycle"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# The comments plugin alone: its form puts a CSRF token on anonymous article pages.
pytestmark = pytest.mark.plugins("comments")


@pytest.fixture
def blog(app, make_user, make_post):
    writer = make_user("writer", role="author")
    make_post(SLUG, writer, title="Pod 的生命周期", body="Pods *live*.", category="Ops",
              tags=["kubelet"])
    return writer


@contextmanager
def sql(app):
    """Collect the SQL statements the app runs meanwhile."""
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def get(app, client, path, **kwargs):
    """``(response, number of SQL statements it took)``."""
    with sql(app) as statements:
        response = client.get(path, **kwargs)
    return response, len(statements)


def change(app, fn):
    with app.app_context():
        fn()
        db.session.commit()


@pytest.mark.parametrize("path", [f"/posts/{SLUG}", "/", "/tag/kubelet", "/category/ops",
                                  "/author/writer", "/feed.atom", "/sitemap.xml"])
def test_second_anonymous_visit_runs_no_query(app, client, blog, path):
    first, first_sql = get(app, client, path)
    second, second_sql = get(app, app.test_client(), path)
    assert first.status_code == second.status_code == 200
    assert first_sql > 0 and second_sql == 0
    strip = lambda r: TOKEN.sub("", r.get_data(as_text=True))  # noqa: E731
    assert strip(first) == strip(second) and SLUG in strip(second)


def _new_comment():
    from plugins.comments.models import Comment

    post = db.session.scalar(db.select(Post).filter_by(slug=SLUG))
    db.session.add(Comment(post_id=post.id, depth=1, author_name="Mia", author_email="m@x.org",
                           body_raw="新评论", body_html="<p>新评论</p>", status="approved"))


@pytest.mark.parametrize("path, edit, shown", [
    (f"/posts/{SLUG}", lambda: setattr(db.session.scalar(db.select(Post)), "title", "改过的标题"),
     "改过的标题"),
    (f"/posts/{SLUG}", lambda: setattr(db.session.scalar(db.select(Post)), "body", "新的*正文*"),
     "<em>正文</em>"),
    (f"/posts/{SLUG}", lambda: _new_comment(), "新评论"),
    (f"/posts/{SLUG}", lambda: setattr(db.session.scalar(db.select(Tag)), "name", "kubelet-v2"),
     "kubelet-v2"),
    ("/", lambda: setattr(db.session.scalar(db.select(Category)), "name", "运维"), "运维"),
    ("/feed.atom", lambda: setattr(db.session.scalar(db.select(Post)), "title", "Feed 新标题"),
     "Feed 新标题"),
])
def test_a_change_shows_on_the_next_visit(app, client, blog, path, edit, shown):
    get(app, client, path)
    assert get(app, client, path)[1] == 0  # cached
    change(app, edit)
    response, statements = get(app, client, path)
    assert statements > 0 and shown in response.get_data(as_text=True)


def test_a_new_post_appears_on_the_cached_front_page(app, client, blog, make_post):
    get(app, client, "/")
    make_post("new-one", blog, title="刚写好的文章")
    assert "刚写好的文章" in client.get("/").get_data(as_text=True)


def test_a_scheduled_post_appears_when_it_becomes_due(app, client, blog):
    due = datetime.now(timezone.utc) + timedelta(seconds=3)
    change(app, lambda: db.session.add(Post(slug="soon", title="定时发布", body="x",
                                            status="scheduled", author_id=blog, published_at=due)))
    assert "定时发布" not in client.get("/").get_data(as_text=True)
    assert get(app, client, "/")[1] == 0  # cached, but only until the post is due
    time.sleep(max(0, (due - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    assert "定时发布" in client.get("/").get_data(as_text=True)


def test_logged_in_reader_never_gets_nor_leaves_a_cached_copy(app, client, blog):
    anonymous = app.test_client()
    get(app, anonymous, f"/posts/{SLUG}")  # stored for anonymous readers
    login(client, "writer")
    mine, statements = get(app, client, f"/posts/{SLUG}")
    assert statements > 0 and "退出" in mine.get_data(as_text=True)  # own page: logout form
    assert "Writer" in mine.get_data(as_text=True)
    # Their pages are not stored: an anonymous reader gets a fresh, anonymous page.
    get(app, client, "/tag/kubelet")
    page, statements = get(app, anonymous, "/tag/kubelet")
    assert statements > 0 and "退出" not in page.get_data(as_text=True)
    again, statements = get(app, anonymous, f"/posts/{SLUG}")
    assert statements == 0 and "退出" not in again.get_data(as_text=True)


def test_page_with_a_flash_message_is_neither_served_from_cache_nor_stored(app, client, blog):
    reader = app.test_client()
    get(app, reader, f"/posts/{SLUG}")
    app.config["COMMENT_MODERATION"] = "hold_none"
    response = post_comment(client, SLUG, body="我的留言")
    assert response.status_code == 302
    flashed, statements = get(app, client, f"/posts/{SLUG}")
    assert statements > 0 and "评论已发表" in flashed.get_data(as_text=True)
    other = app.test_client()
    page = other.get(f"/posts/{SLUG}").get_data(as_text=True)
    assert "评论已发表" not in page and "我的留言" in page


def test_each_visitor_gets_their_own_token_on_a_cached_article_and_can_comment(app, blog):
    app.config["COMMENT_MODERATION"] = "hold_none"
    get(app, app.test_client(), f"/posts/{SLUG}")
    first, second = app.test_client(), app.test_client()
    (page1, sql1), (page2, sql2) = get(app, first, f"/posts/{SLUG}"), get(app, second, f"/posts/{SLUG}")
    assert sql1 == sql2 == 0
    token1 = TOKEN.search(page1.get_data(as_text=True)).group(1)
    token2 = TOKEN.search(page2.get_data(as_text=True)).group(1)
    assert token1 != token2
    assert "private" in page1.headers["Cache-Control"]  # no shared proxy keeps a token
    # Another visitor's token is refused; each one's own works.
    assert post_comment(first, SLUG, body="借来的", token=token2).status_code == 400
    new_comment_id(post_comment(first, SLUG, body="第一位", token=token1))
    new_comment_id(post_comment(second, SLUG, body="第二位", token=token2, email="b@x.org"))
    page = app.test_client().get(f"/posts/{SLUG}").get_data(as_text=True)
    assert "第一位" in page and "第二位" in page and "借来的" not in page


_PER_RESPONSE = {"Date", "ETag", "Set-Cookie", "Content-Length"}


@pytest.mark.parametrize("path, tokened", [(f"/posts/{SLUG}", True), ("/tag/kubelet", False)])
def test_fast_path_answers_with_the_headers_flask_gave_the_page(app, blog, path, tokened):
    rendered, statements = get(app, app.test_client(), path)  # Flask renders and stores it
    hit, hit_sql = get(app, app.test_client(), path)  # a new visitor: the fast path
    assert statements > 0 and hit_sql == 0
    same = lambda r: sorted((k, v) for k, v in r.headers if k not in _PER_RESPONSE)  # noqa: E731
    assert same(hit) == same(rendered)
    assert int(hit.headers["Content-Length"]) == len(hit.data)
    assert hit.headers["ETag"].startswith('W/"' if tokened else '"')
    assert ("session=" in hit.headers.get("Set-Cookie", "")) == tokened
    head = app.test_client().head(path)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == hit.headers["Content-Type"]


def test_languages_are_separate_entries(app, blog):
    english = app.test_client()
    assert "Home" in english.get("/?lang=en").get_data(as_text=True)
    chinese, statements = get(app, app.test_client(), "/")
    assert statements > 0 and "首页" in chinese.get_data(as_text=True)
    # Each language is then served from its own entry, however the reader chose it.
    for client, headers, word in [(english, {}, "Home"),
                                  (app.test_client(), {"Accept-Language": "en"}, "Home"),
                                  (app.test_client(), {}, "首页")]:
        page, statements = get(app, client, "/", headers=headers)
        assert statements == 0 and word in page.get_data(as_text=True)


def test_unknown_query_arguments_are_not_cached(app, client, blog):
    get(app, client, "/?utm_source=x")
    assert get(app, client, "/?utm_source=x")[1] > 0
    get(app, client, "/?page=1")
    assert get(app, client, "/?page=1")[1] == 0


def test_not_found_is_not_cached_and_a_new_post_appears_at_its_address(app, client, blog,
                                                                        make_post):
    assert client.get("/posts/later").status_code == 404
    make_post("later", blog)
    assert client.get("/posts/later").status_code == 200


def test_conditional_requests_get_304_until_the_page_changes(app, client, blog):
    page = client.get(f"/posts/{SLUG}")
    etag, modified = page.headers["ETag"], page.headers["Last-Modified"]
    again = client.get(f"/posts/{SLUG}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"/posts/{SLUG}", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.head("/", headers={"If-None-Match": client.get("/").headers["ETag"]}).status_code == 304
    # Another visitor's copy holds another token: no 304 for them.
    assert app.test_client().get(f"/posts/{SLUG}", headers={"If-None-Match": etag}).status_code == 200
    change(app, lambda: setattr(db.session.scalar(db.select(Post)), "title", "新标题"))
    fresh = client.get(f"/posts/{SLUG}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "新标题" in fresh.get_data(as_text=True)
    assert fresh.headers["ETag"] != etag


def test_page_cache_can_be_turned_off(app, client, blog):
    app.config["PAGE_CACHE"] = False
    get(app, client, "/")
    assert get(app, client, "/")[1] > 0


def test_views_never_render_markdown(app, client, blog, monkeypatch):
    """The HTML is rendered when a post is saved; reading it must not render again."""
    import markdown

    def refuse(self, text):
        raise AssertionError("Markdown rendered during a page view")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)
    app.config["PAGE_CACHE"] = False  # the views themselves run
    for path in (f"/posts/{SLUG}", "/", "/tag/kubelet", "/feed.atom"):
        response = client.get(path)
        assert response.status_code == 200
        assert "<em>live</em>" in html.unescape(response.get_data(as_text=True))  # feeds escape


def _stylesheet(client, path="/search?q=x"):  # the search page is never cached
    return re.search(r'href="(/static/site\.css[^"]*)"', client.get(path).get_data(as_text=True)).group(1)


def _fetch(client, url):
    """``(body, Cache-Control)`` of a static file (closing the file it is sent from)."""
    with client.get(url) as response:
        assert response.status_code == 200
        return response.data, response.headers["Cache-Control"]


def test_versioned_static_files_are_cached_for_a_year_and_change_with_content(app, client,
                                                                             tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "site.css").write_text("body { color: black }")
    app.static_folder = str(static)
    year = "public, max-age=31536000, immutable"
    first = _stylesheet(client)
    assert "?v=" in first
    assert _fetch(client, first) == (b"body { color: black }", year)
    (static / "site.css").write_text("body { color: darkblue }")
    second = _stylesheet(client)
    assert second != first
    assert _fetch(client, second) == (b"body { color: darkblue }", year)
    # The old version and the bare URL are only kept briefly.
    assert _fetch(client, first)[1] == "public, max-age=300"
    assert _fetch(client, "/static/site.css")[1] == "public, max-age=300"


def test_plugin_static_files_are_versioned_too(app, client, blog):
    monkey_free = app.test_client().get(f"/posts/{SLUG}").get_data(as_text=True)
    assert re.search(r'href="/static/pygments\.css\?v=\w+"', monkey_free)
