"""Revisions (issue #17 part 2): every save that changes a post keeps one; the revision page
lists them with who and when, shows a readable diff against the current text and restores
one (itself a new revision); imports keep none when nothing changed."""

import re

import pytest

from blogapp import create_app
from blogapp.extensions import db
from blogapp.models import PostRevision
from conftest import close_app, csrf_token
from test_authoring import editor_form, logged_in, snapshot, stored, team  # noqa: F401 (team)


def revisions(app, post_id):
    """``[(title, body, author username)]`` oldest first."""
    with app.app_context():
        rows = db.session.scalars(db.select(PostRevision).filter_by(post_id=post_id)
                                  .order_by(PostRevision.id)).all()
        return [(r.title, r.body, r.author.username if r.author else None) for r in rows]


def revision_ids(app, post_id):
    with app.app_context():
        return db.session.scalars(db.select(PostRevision.id).filter_by(post_id=post_id)
                                  .order_by(PostRevision.id)).all()


@pytest.fixture
def written(app, client, team):
    """A post Luffy wrote and then edited once through the editor: two revisions."""
    logged_in(client, "luffy")
    editor_form(client, "/admin/posts/new", "publish", title="HPA 笔记",
                body="第一行\n旧的第二行\n第三行")
    post_id = stored(app, "hpa-笔记")["id"]
    editor_form(client, f"/admin/posts/{post_id}/edit", "save", title="HPA 笔记",
                slug="hpa-笔记", body="第一行\n新的第二行\n第三行")
    return post_id


def restore(client, post_id, revision_id):
    token = csrf_token(client, f"/admin/posts/{post_id}/revisions/{revision_id}")
    return client.post(f"/admin/posts/{post_id}/revisions/{revision_id}/restore",
                       data={"csrf_token": token})


def test_each_save_that_changes_the_text_keeps_a_revision(app, client, written):
    assert revisions(app, written) == [
        ("HPA 笔记", "第一行\n旧的第二行\n第三行", "luffy"),
        ("HPA 笔记", "第一行\n新的第二行\n第三行", "luffy"),
    ]
    # Saving the same text again, or changing only the publication time, adds none.
    editor_form(client, f"/admin/posts/{written}/edit", "save", title="HPA 笔记",
                slug="hpa-笔记", body="第一行\n新的第二行\n第三行")
    editor_form(client, f"/admin/posts/{written}/edit", "save", title="HPA 笔记",
                slug="hpa-笔记", body="第一行\n新的第二行\n第三行",
                published_at="2024-01-02T03:04")
    assert len(revisions(app, written)) == 2
    # A title change alone is a revision.
    editor_form(client, f"/admin/posts/{written}/edit", "save", title="HPA 实战",
                slug="hpa-笔记", body="第一行\n新的第二行\n第三行")
    assert revisions(app, written)[-1][0] == "HPA 实战"


def test_revision_page_lists_who_saved_what_and_when(app, client, written):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "nami")  # an editor edits Luffy's post: the revision is hers
    editor_form(client, f"/admin/posts/{written}/edit", "save", title="HPA 笔记（编辑过）",
                slug="hpa-笔记", body="第一行\n新的第二行\n第三行\n第四行")
    assert revisions(app, written)[-1][2] == "nami"
    editor = client.get(f"/admin/posts/{written}/edit").get_data(as_text=True)
    assert f'href="/admin/posts/{written}/revisions"' in editor
    page = client.get(f"/admin/posts/{written}/revisions").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)[^<]*</td>\s*<td>(\w+)</td>\s*"
                      r"<td>([^<]+)</td>", page)
    assert [(name, title) for _when, name, title in rows] == [
        ("Nami", "HPA 笔记（编辑过）"), ("Luffy", "HPA 笔记"), ("Luffy", "HPA 笔记")]


def test_diff_shows_what_restoring_would_change(app, client, written):
    first = revision_ids(app, written)[0]
    page = client.get(f"/admin/posts/{written}/revisions/{first}").get_data(as_text=True)
    assert "<del>- 新的第二行</del>" in page and "<ins>+ 旧的第二行</ins>" in page
    assert "<span>  第一行</span>" in page  # context lines, unmarked
    assert "恢复这个版本" in page
    latest = revision_ids(app, written)[-1]
    page = client.get(f"/admin/posts/{written}/revisions/{latest}").get_data(as_text=True)
    assert "这个修订与当前内容相同" in page and "恢复这个版本" not in page


def test_restoring_a_revision_is_a_new_revision(app, client, written):
    first = revision_ids(app, written)[0]
    response = restore(client, written, first)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/posts/{written}/edit"
    assert "已恢复" in client.get(response.headers["Location"]).get_data(as_text=True)
    post = stored(app, "hpa-笔记")
    assert post["body"] == "第一行\n旧的第二行\n第三行" and "旧的第二行" in post["body_html"]
    assert "旧的第二行" in app.test_client().get("/posts/hpa-笔记").get_data(as_text=True)
    history = revisions(app, written)
    assert len(history) == 3 and history[-1] == ("HPA 笔记", "第一行\n旧的第二行\n第三行", "luffy")
    # Restoring what is already there changes nothing and says so.
    response = restore(client, written, first)
    assert "没有改动" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(revisions(app, written)) == 3


def test_a_revision_of_another_post_is_404_and_changes_nothing(app, client, written, make_post,
                                                               team):
    other = make_post("other", team["luffy"], body="Other text.")
    (others_revision,) = revision_ids(app, other)
    before = snapshot(app)
    response = client.get(f"/admin/posts/{written}/revisions/{others_revision}")
    assert response.status_code == 404 and "这篇文章没有这个修订" in response.get_data(as_text=True)
    token = csrf_token(client, f"/admin/posts/{written}/revisions")
    response = client.post(f"/admin/posts/{written}/revisions/{others_revision}/restore",
                           data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get(f"/admin/posts/{written}/revisions/99999").status_code == 404
    assert snapshot(app) == before


def test_only_those_who_may_edit_see_or_restore_revisions(app, client, written):
    first = revision_ids(app, written)[0]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(f"/admin/posts/{written}/revisions").status_code == 302  # to login
    logged_in(client, "zoro")
    assert client.get(f"/admin/posts/{written}/revisions").status_code == 403
    assert client.get(f"/admin/posts/{written}/revisions/{first}").status_code == 403
    before = snapshot(app)
    token = csrf_token(client, "/admin/posts/")
    response = client.post(f"/admin/posts/{written}/revisions/{first}/restore",
                           data={"csrf_token": token})
    assert response.status_code == 403 and snapshot(app) == before


def test_restore_without_csrf_token_changes_nothing(app, client, written):
    first = revision_ids(app, written)[0]
    before = snapshot(app)
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(f"/admin/posts/{written}/revisions/{first}/restore", data=data)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert snapshot(app) == before and len(revisions(app, written)) == 2


ARTICLE = """---
title: {title}
author: luffy
date: 2024-05-01
tags: [HPA]
---
{body}
"""


def test_reimporting_unchanged_files_keeps_no_new_revision(app, runner, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "hpa.md").write_text(ARTICLE.format(title="HPA", body="Scale pods."), "utf-8")
    (folder / "vpa.md").write_text(ARTICLE.format(title="VPA", body="Size pods."), "utf-8")
    assert runner.invoke(args=["import-posts", str(folder)]).exit_code == 0
    hpa, vpa = stored(app, "hpa")["id"], stored(app, "vpa")["id"]
    assert revisions(app, hpa) == [("HPA", "Scale pods.\n", "luffy")]
    assert runner.invoke(args=["import-posts", str(folder)]).exit_code == 0
    assert len(revisions(app, hpa)) == 1 and len(revisions(app, vpa)) == 1
    (folder / "hpa.md").write_text(ARTICLE.format(title="HPA", body="Scale pods out."), "utf-8")
    assert runner.invoke(args=["import-posts", str(folder)]).exit_code == 0
    assert revisions(app, hpa)[-1] == ("HPA", "Scale pods out.\n", "luffy")
    assert len(revisions(app, hpa)) == 2 and len(revisions(app, vpa)) == 1


def test_deleting_a_post_for_good_deletes_its_revisions(app, client, written):
    token = csrf_token(client, f"/admin/posts/{written}/delete")
    client.post(f"/admin/posts/{written}/delete", data={"csrf_token": token})
    assert len(revisions(app, written)) == 2  # in the trash: history kept
    token = csrf_token(client, f"/admin/trash/{written}/delete")
    client.post(f"/admin/trash/{written}/delete", data={"csrf_token": token})
    assert revisions(app, written) == []


def test_migration_gives_existing_posts_their_first_revision(tmp_path, database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False},
                     instance_path=tmp_path / "migrated")
    try:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade", "4b1e7d2a9c30"]).exit_code == 0
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at) "
                "VALUES (1, 'old', 'Old', 'author', '', '2024-01-01 00:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO posts (id, slug, title, body, body_html, excerpt_html, status, "
                "created_at, updated_at, author_id) VALUES (1, 'old', 'Old post', 'Old text.', "
                "'', '', 'published', '2024-01-01 00:00:00', '2024-02-01 00:00:00', 1)")
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert revisions(app, 1) == [("Old post", "Old text.", "old")]
    finally:
        close_app(app)
