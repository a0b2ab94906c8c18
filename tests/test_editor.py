"""The editor (issue #17 part 3): the live preview endpoint (same renderer as the article
page, CSRF-protected), category and tag suggestions, status words in the interface's
language, scheduled publishing from the form. What the browser does with them (typing,
the debounce, the unsaved-changes warning) is in test_browser_authoring.py."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from blogapp.extensions import db
from blogapp.models import Post
from conftest import csrf_token
from test_authoring import editor_form, logged_in, snapshot, stored, team  # noqa: F401 (team)

MARKDOWN = """# 安装

```yaml
kind: HorizontalPodAutoscaler
```

| a | b |
|---|---|
| 1 | 2 |

<script>alert(1)</script> <img src=x onerror=alert(1)>
"""


def preview(client, body, token=True):
    data = {"body": body}
    if token:
        data["csrf_token"] = csrf_token(client, "/admin/posts/new")
    return client.post("/admin/posts/preview", data=data)


def entry_content(html):
    match = re.search(r'<div class="entry-content">(.*?)</div>\s*(?:<p lang|</article>)', html,
                      re.DOTALL)
    assert match, "no article body"
    return match.group(1)


def test_live_preview_is_what_the_article_page_will_show(app, client, team):
    logged_in(client, "luffy")
    response = preview(client, MARKDOWN)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    shown = response.get_json()["html"]
    assert "<script" not in shown and "onerror" not in shown
    assert 'data-lang="YAML"' in shown and "HorizontalPodAutoscaler" in shown
    assert "<h2" in shown  # the body's h1 goes below the page's own, as on the article
    # The same text saved and published: the article page shows exactly the preview.
    editor_form(client, "/admin/posts/new", "publish", title="Preview check", body=MARKDOWN)
    article = app.test_client().get("/posts/preview-check").get_data(as_text=True)
    assert entry_content(article) == shown
    assert snapshot(app)[0][0][3] == MARKDOWN  # and previewing stored nothing else


def test_preview_stores_nothing(app, client, team):
    logged_in(client, "luffy")
    before = snapshot(app)
    assert preview(client, "Draft text").status_code == 200
    assert snapshot(app) == before


@pytest.mark.parametrize("data", [{}, {"csrf_token": "forged"}])
def test_preview_without_csrf_token_is_refused_with_a_message(client, team, data):
    logged_in(client, "luffy")
    response = client.post("/admin/posts/preview", data={"body": "# hi", **data})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_preview_for_visitors_and_other_roles(client, team):
    response = client.post("/admin/posts/preview", data={"body": "x"})
    assert response.status_code in (302, 400)  # to the login page, or refused by CSRF first
    logged_in(client, "usopp")  # a moderator does not write
    assert preview(client, "x").status_code == 403


def test_preview_of_an_overlong_body_is_413_with_a_message(client, team):
    logged_in(client, "luffy")
    response = preview(client, "x" * 500_001)
    assert response.status_code == 413
    assert "正文太长" in response.get_data(as_text=True)


def test_editor_offers_existing_categories_and_tags(app, client, team, make_post):
    make_post("a", team["zoro"], category="运维", tags=["HPA", "etcd"])
    make_post("b", team["zoro"], category="运维", tags=["HPA"])
    make_post("c", team["zoro"], category="网络")
    logged_in(client, "luffy")
    html = client.get("/admin/posts/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*list="category-options"[^>]*name="category"', html)
    assert re.search(r'<input[^>]*list="tag-options"[^>]*name="tags"', html)
    categories = re.search(r'<datalist id="category-options">(.*?)</datalist>', html).group(1)
    assert re.findall(r'value="([^"]+)"', categories) == ["运维", "网络"]  # most used first
    tags = re.search(r'<datalist id="tag-options">(.*?)</datalist>', html).group(1)
    assert re.findall(r'value="([^"]+)"', tags) == ["HPA", "etcd"]
    # Hints are tied to their fields.
    assert 'aria-describedby="tags-hint"' in html and 'id="tags-hint"' in html
    assert 'aria-describedby="published_at-hint"' in html and "Asia/Shanghai" in html
    # A new category typed into the field is still created.
    editor_form(client, "/admin/posts/new", "save", title="New one", category="存储")
    assert stored(app, "new-one")["category"] == "存储"


def test_editor_page_loads_its_script_and_a_preview_area(client, team):
    logged_in(client, "luffy")
    html = client.get("/admin/posts/new").get_data(as_text=True)
    assert re.search(r'<script src="/static/editor\.js[^"]*" defer>', html)
    assert 'data-preview-url="/admin/posts/preview"' in html
    assert re.search(r'<section class="preview"[^>]* hidden>', html)  # shown by the script
    with client.get("/static/editor.js") as script:
        assert script.status_code == 200 and "beforeunload" in script.get_data(as_text=True)


def test_status_words_follow_the_interface_language(app, client, team, make_post):
    make_post("live", team["luffy"], title="Live")
    make_post("draft", team["luffy"], title="Drafty", status="draft")
    make_post("later", team["luffy"], title="Later", status="scheduled", days_ago=-3)
    logged_in(client, "luffy")
    listing = client.get("/admin/posts/").get_data(as_text=True)
    cells = re.findall(r"<td>(已发布|草稿|定时发布|published|draft|scheduled)</td>", listing)
    assert sorted(cells) == ["定时发布", "已发布", "草稿"]
    assert "状态：草稿" in client.get(f"/admin/posts/{stored(app, 'draft')['id']}/edit").get_data(
        as_text=True)
    english = client.get("/admin/posts/?lang=en").get_data(as_text=True)
    cells = re.findall(r"<td>(Published|Draft|Scheduled|published|draft|scheduled)</td>", english)
    assert sorted(cells) == ["Draft", "Published", "Scheduled"]


def test_publishing_with_a_future_time_schedules_the_post(app, client, team):
    logged_in(client, "luffy")
    zone = ZoneInfo(app.config["TIMEZONE"])
    when = (datetime.now(zone) + timedelta(days=2)).replace(second=0, microsecond=0)
    response = editor_form(client, "/admin/posts/new", "publish", title="Next week",
                           body="Soon.", published_at=when.strftime("%Y-%m-%dT%H:%M"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已保存，将于 {when:%Y-%m-%d %H:%M} 发布。" in page and "状态：定时发布" in page
    post = stored(app, "next-week")
    assert post["status"] == "scheduled" and post["published_at"] == when
    assert app.test_client().get("/posts/next-week").status_code == 404
    with app.app_context():  # due at that time, not before
        assert db.session.scalar(db.select(Post.id).where(Post.visible(now=when))) == post["id"]
        assert db.session.scalar(db.select(Post.id).where(
            Post.visible(now=when - timedelta(minutes=1)))) is None


def test_clearing_the_time_of_a_scheduled_post_and_publishing_publishes_now(app, client, team):
    logged_in(client, "luffy")
    later = (datetime.now(ZoneInfo(app.config["TIMEZONE"])) + timedelta(days=2))
    editor_form(client, "/admin/posts/new", "publish", title="Not yet", body="x",
                published_at=later.strftime("%Y-%m-%dT%H:%M"))
    post_id = stored(app, "not-yet")["id"]
    response = editor_form(client, f"/admin/posts/{post_id}/edit", "publish", title="Not yet",
                           slug="not-yet", body="x", published_at="")
    assert "已发布。" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored(app, "not-yet")["status"] == "published"
    assert app.test_client().get("/posts/not-yet").status_code == 200
