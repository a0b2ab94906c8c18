"""The trash (issue #17 part 1): deleting asks first, a trashed post (and its comments)
leaves every reader page, feed, the sitemap and search at once and comes back on restore;
deleting for good and ``flask purge-trash`` remove it."""

import re
from datetime import timedelta

import pytest

from blogapp.extensions import db
from blogapp.models import Post
from blogapp.models.types import utcnow
from comment_helpers import article, comment_count, new_comment_id, post_comment, set_status
from conftest import close_app, csrf_token, make_app
from test_authoring import logged_in, snapshot, stored, team  # noqa: F401 (team: a fixture)

WORD = "Zanpakuto"  # in one post only, so search answers for it alone


@pytest.fixture
def post_id(team, make_post):
    return make_post("bankai", team["luffy"], title="Bankai notes", body=f"About {WORD}.",
                     category="网络", tags=["kube-proxy"])


def seen_by_readers(client, slug="bankai", title="Bankai notes"):
    """Where a reader finds the post: its page, home, archives, feeds, sitemap, search."""
    return {
        "page": client.get(f"/posts/{slug}").status_code == 200,
        "home": title in client.get("/").get_data(as_text=True),
        "tag": title in client.get("/tag/kube-proxy").get_data(as_text=True),
        "category": title in client.get("/category/网络").get_data(as_text=True),
        "author": title in client.get("/author/luffy").get_data(as_text=True),
        "feed": title in client.get("/feed.atom").get_data(as_text=True),
        "sitemap": f"/posts/{slug}<" in client.get("/sitemap.xml").get_data(as_text=True),
        "search": f"/posts/{slug}" in client.get(f"/search?q={WORD}").get_data(as_text=True),
    }


EVERYWHERE = dict.fromkeys(
    ["page", "home", "tag", "category", "author", "feed", "sitemap", "search"], True)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


def trash(client, post_id):
    """Confirm the deletion as a browser would: the token from the confirmation page."""
    token = csrf_token(client, f"/admin/posts/{post_id}/delete")
    return client.post(f"/admin/posts/{post_id}/delete", data={"csrf_token": token})


def restore(client, post_id):
    token = csrf_token(client, "/admin/trash/")
    return client.post(f"/admin/trash/{post_id}/restore", data={"csrf_token": token})


def delete_for_good(client, post_id):
    token = csrf_token(client, f"/admin/trash/{post_id}/delete")
    return client.post(f"/admin/trash/{post_id}/delete", data={"csrf_token": token})


def test_deleting_asks_first_and_changes_nothing_until_confirmed(app, client, post_id):
    reader = app.test_client()
    logged_in(client, "luffy")
    listing = client.get("/admin/posts/").get_data(as_text=True)
    # The list's delete is a link to a page that asks, not a button that deletes.
    assert f'href="/admin/posts/{post_id}/delete"' in listing
    page = client.get(f"/admin/posts/{post_id}/delete").get_data(as_text=True)
    assert "删除《Bankai notes》？" in page and "移到回收站" in page
    assert 'name="csrf_token"' in page and 'method="post"' in page
    assert stored(app, "bankai")["status"] == "published"
    assert seen_by_readers(reader) == EVERYWHERE


def test_trashed_post_leaves_every_reader_page_and_comes_back_on_restore(app, client, post_id):
    reader = app.test_client()
    comment = new_comment_id(post_comment(reader, "bankai", body="Nice one, 谢谢"))
    set_status(app, comment, "approved")
    assert seen_by_readers(reader) == EVERYWHERE  # and cached now, where the cache is on

    logged_in(client, "luffy")
    response = trash(client, post_id)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/posts/"
    assert "已移到回收站" in client.get("/admin/posts/").get_data(as_text=True)
    assert seen_by_readers(reader) == NOWHERE
    assert comment_count(app) == 1  # the comment went to the trash with its post
    listing = client.get("/admin/posts/").get_data(as_text=True)
    assert "Bankai notes" not in listing and "回收站（1）" in listing
    trash_page = client.get("/admin/trash/").get_data(as_text=True)
    assert "Bankai notes" in trash_page and "恢复" in trash_page
    # Trashed posts are restored, not edited.
    assert client.get(f"/admin/posts/{post_id}/edit").status_code == 404

    response = restore(client, post_id)
    assert response.headers["Location"] == f"/admin/posts/{post_id}/edit"
    assert "已恢复《Bankai notes》" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored(app, "bankai")["status"] == "published"
    assert seen_by_readers(reader) == EVERYWHERE
    assert "Nice one, 谢谢" in article(reader, "bankai")
    assert "Bankai notes" not in client.get("/admin/trash/").get_data(as_text=True)


def test_a_draft_comes_back_a_draft(app, client, team, make_post):
    draft = make_post("half-done", team["luffy"], status="draft")
    logged_in(client, "luffy")
    trash(client, draft)
    restore(client, draft)
    assert stored(app, "half-done")["status"] == "draft"


def test_restoring_when_the_slug_was_taken_meanwhile_gives_a_new_slug(app, client, post_id,
                                                                       make_post, team):
    logged_in(client, "luffy")
    trash(client, post_id)
    # The slug is free while the post is in the trash: a new post may take it.
    newer = make_post("bankai", team["luffy"], title="Bankai, second try", body="New text.")
    response = restore(client, post_id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "URL 别名“bankai”已被另一篇文章使用，恢复的文章改用“bankai-2”。" in page
    assert stored(app, "bankai")["id"] == newer and stored(app, "bankai")["body"] == "New text."
    assert stored(app, "bankai-2")["id"] == post_id
    assert app.test_client().get("/posts/bankai-2").status_code == 200


def test_deleting_for_good_asks_and_removes_the_post_and_its_comments(app, client, post_id):
    comment = new_comment_id(post_comment(app.test_client(), "bankai"))
    logged_in(client, "luffy")
    trash(client, post_id)
    page = client.get(f"/admin/trash/{post_id}/delete").get_data(as_text=True)
    assert "永久删除《Bankai notes》？" in page and "无法恢复" in page
    assert comment_count(app) == 1
    response = delete_for_good(client, post_id)
    assert response.headers["Location"] == "/admin/trash/"
    assert "已永久删除《Bankai notes》" in client.get("/admin/trash/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Post, post_id) is None
    assert comment_count(app) == 0 and comment
    # Gone: restoring or deleting again is a clean 404.
    token = csrf_token(client, "/admin/trash/")
    response = client.post(f"/admin/trash/{post_id}/restore", data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get(f"/admin/trash/{post_id}/delete").status_code == 404


def test_only_trashed_posts_can_be_deleted_for_good(app, client, post_id):
    logged_in(client, "luffy")
    assert client.get(f"/admin/trash/{post_id}/delete").status_code == 404
    token = csrf_token(client, "/admin/trash/")
    response = client.post(f"/admin/trash/{post_id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert stored(app, "bankai")["status"] == "published"


def test_authors_see_and_touch_only_their_own_trash(app, client, team, post_id, make_post):
    zoros = make_post("zoro-notes", team["zoro"], title="Zoro notes")
    logged_in(client, "zoro")
    trash(client, zoros)
    assert client.get(f"/admin/posts/{post_id}/delete").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "luffy")
    trash(client, post_id)
    page = client.get("/admin/trash/").get_data(as_text=True)
    assert "Bankai notes" in page and "Zoro notes" not in page
    before = snapshot(app)
    assert restore(client, zoros).status_code == 403
    assert client.get(f"/admin/trash/{zoros}/delete").status_code == 403
    assert snapshot(app) == before
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "nami")  # an editor sees everybody's trash
    page = client.get("/admin/trash/").get_data(as_text=True)
    assert "Bankai notes" in page and "Zoro notes" in page


@pytest.mark.parametrize("path", ["/admin/posts/{id}/delete", "/admin/trash/{id}/restore",
                                  "/admin/trash/{id}/delete"])
def test_trash_actions_without_csrf_token_change_nothing(app, client, post_id, path):
    logged_in(client, "luffy")
    if "trash/" in path:
        trash(client, post_id)
    before = snapshot(app)
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(path.format(id=post_id), data=data)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert snapshot(app) == before


def _trashed_days_ago(app, post_id, days):
    with app.app_context():
        db.session.get(Post, post_id).trashed_at = utcnow() - timedelta(days=days)
        db.session.commit()


def test_purge_trash_deletes_what_is_older_than_trash_days(app, client, runner, team, make_post):
    old, recent, live = (make_post(slug, team["luffy"]) for slug in ("old", "recent", "live"))
    logged_in(client, "luffy")
    trash(client, old)
    trash(client, recent)
    _trashed_days_ago(app, old, 31)
    _trashed_days_ago(app, recent, 29)
    result = runner.invoke(args=["purge-trash"])
    assert result.exit_code == 0, result.output
    assert "purged 1 post(s)" in result.output
    with app.app_context():
        assert db.session.get(Post, old) is None
        assert db.session.get(Post, recent).status == "trashed"
        assert db.session.get(Post, live).status == "published"
    app.config["TRASH_DAYS"] = 7
    assert "purged 1 post(s)" in runner.invoke(args=["purge-trash"]).output
    with app.app_context():
        assert db.session.get(Post, recent) is None
        assert db.session.get(Post, live) is not None


def test_trash_page_lists_when_each_post_was_trashed(app, client, post_id):
    logged_in(client, "luffy")
    trash(client, post_id)
    page = client.get("/admin/trash/").get_data(as_text=True)
    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>", page)
    assert "30 天后自动永久删除" in page


def _found(app, word=WORD):
    with app.app_context():
        return [hit["slug"] for hit in app.extensions["search"].search(word).hits]


def test_other_nodes_drop_a_trashed_post_and_take_it_back(app, client, post_id, tmp_path):
    """Through the shared outbox (docs/scaling.md), as a second web node applies it."""
    node_b = make_app(tmp_path / "node-b",
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        sync = node_b.test_cli_runner()
        assert sync.invoke(args=["search-sync"]).exit_code == 0  # builds its index
        assert _found(node_b) == ["bankai"]
        logged_in(client, "luffy")
        trash(client, post_id)
        assert _found(app) == []  # this node: at once
        assert sync.invoke(args=["search-sync"]).exit_code == 0
        assert _found(node_b) == []
        restore(client, post_id)
        assert _found(app) == ["bankai"]
        assert sync.invoke(args=["search-sync"]).exit_code == 0
        assert _found(node_b) == ["bankai"]
    finally:
        node_b.extensions["search_follower"].stop()
        close_app(node_b)


@pytest.mark.plugins("comments")
def test_comments_of_a_trashed_post_leave_the_moderation_queue_and_come_back(app, client,
                                                                             post_id):
    from comment_helpers import post_comment

    app.config["COMMENT_MODERATION"] = "hold_all"
    post_comment(app.test_client(), "bankai", body="等待审核的评论")
    editor = logged_in(client, "nami")  # an editor: moderates and trashes any post
    assert "等待审核的评论" in editor.get("/moderation/").get_data(as_text=True)
    assert "评论审核 <span class=\"count\">(1)</span>" in editor.get("/").get_data(as_text=True)
    assert trash(editor, post_id).status_code == 302
    queue = editor.get("/moderation/").get_data(as_text=True)
    assert "等待审核的评论" not in queue and "(0)" in queue
    assert "评论审核 <span class=\"count\">(0)</span>" in editor.get("/").get_data(as_text=True)
    assert restore(editor, post_id).status_code == 302
    assert "等待审核的评论" in editor.get("/moderation/").get_data(as_text=True)
