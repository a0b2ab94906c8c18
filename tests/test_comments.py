"""Comments as readers and commenters see them: the form, moderation statuses, threads,
counts, closed posts, the edit window, blocking the plugin and the comment hooks."""

import importlib
import json
import re
import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blogapp.extensions import db
from blogapp.models import Post, User
from comment_helpers import (article, comment_count, comment_parents, comment_row,
                             new_comment_id, parse, post_comment, set_status, shown_comment_ids)
from conftest import csrf_token, login, make_app
from plugins.comments.sanitize import render_comment

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SLUG = "pod-lifecycle"


# Only the comments plugin: the others (antispam's rate limit, ...) are tested on their own.
pytestmark = pytest.mark.plugins("comments")


@pytest.fixture
def blog(app, make_user, make_post):
    writer = make_user("writer", role="author")
    post_id = make_post(SLUG, writer, title="Pod 的生命周期")
    other_id = make_post("service-basics", writer, title="Service 入门", days_ago=2)
    make_post("secret-draft", writer, title="草稿", status="draft")
    return {"writer": writer, "post": post_id, "other": other_id}



def approved(app, client, slug=SLUG, **fields):
    """Post a comment with moderation off for this one submission; return its id."""
    mode = app.config["COMMENT_MODERATION"]
    app.config["COMMENT_MODERATION"] = "hold_none"
    try:
        return new_comment_id(post_comment(client, slug, **fields))
    finally:
        app.config["COMMENT_MODERATION"] = mode


def closed(app, post_id, value=True):
    from plugins.comments.models import set_closed

    with app.app_context():
        set_closed(post_id, value)
        db.session.commit()


# -- the form ------------------------------------------------------------------------------

def test_article_has_the_comment_form_inside_the_comments_section(client, blog):
    page = parse(article(client, SLUG))
    forms = [e for e in page.elements if e.tag == "form" and e.get("action", "").startswith(f"/posts/{SLUG}/comments")]
    assert len(forms) == 1 and forms[0].get("method") == "post"
    assert forms[0].inside("section", id="comments")
    fields = {e.get("name"): e for e in page.elements
              if e.tag in ("input", "textarea") and e.inside("form", id="comment-form")}
    assert {"body", "author_name", "author_email", "author_url", "parent_id", "csrf_token"} <= set(fields)
    assert fields["body"].tag == "textarea"
    assert fields["parent_id"].get("type") == "hidden" and fields["parent_id"].get("value") == ""
    assert fields["author_name"].get("value") in (None, "")
    assert "还没有评论" in article(client, SLUG)


@pytest.mark.parametrize("email", ["luffy@example.com", None])
def test_logged_in_user_comments_without_typing_name_or_email(app, client, blog, make_user,
                                                              email):
    user_id = make_user("luffy")
    with app.app_context():
        db.session.get(User, user_id).email = email
        db.session.commit()
    login(client, "luffy")
    page = article(client, SLUG)
    fields = {e.get("name") for e in parse(page).elements if e.tag == "input"}
    assert not {"author_name", "author_email", "author_url"} & fields
    assert "以 Luffy 的身份发表" in page
    # Whatever name or address is sent, the account's are stored.
    response = client.post(f"/posts/{SLUG}/comments", data={
        "body": "登录后的评论", "author_name": "Someone Else", "author_email": "x@evil.example",
        "csrf_token": csrf_token(client, f"/posts/{SLUG}")})
    row = comment_row(app, new_comment_id(response))
    assert (row["author_name"], row["author_email"]) == ("Luffy", email or "")
    assert row["user_id"] == user_id


def test_the_post_authors_comments_are_marked(app, client, blog):
    login(client, "writer")
    mine = new_comment_id(client.post(f"/posts/{SLUG}/comments", data={
        "body": "作者本人的回复", "csrf_token": csrf_token(client, f"/posts/{SLUG}")}))
    other = approved(app, app.test_client(), body="读者的评论")
    set_status(app, mine, "approved")
    page = article(app.test_client(), SLUG)
    items = re.findall(r'<li class="comment" id="(comment-\d+)">(.*?)</div>', page, re.S)
    badges = [item for item, meta in items if 'class="comment-badge"' in meta]
    assert badges == [f"comment-{mine}"] and f"comment-{other}" in dict(items)


def test_reply_form_says_whom_it_answers_and_can_be_cancelled(app, client, blog):
    first = approved(app, client, body="第一条", name="Nami")
    page = client.get(f"/posts/{SLUG}?reply_to={first}").get_data(as_text=True)
    assert "正在回复 Nami" in page and f'name="parent_id" value="{first}"' in page
    assert f'<a href="/posts/{SLUG}#comment-form">取消回复</a>' in page
    page = client.get(f"/posts/{SLUG}?reply_to=999999").get_data(as_text=True)
    assert "正在回复" not in page and 'name="parent_id" value=""' in page


def test_preview_renders_like_the_stored_comment_and_saves_nothing(app, client, blog):
    token = csrf_token(client, f"/posts/{SLUG}")
    answer = client.post("/comments/preview", data={"csrf_token": token,
                                                    "body": "**粗体** <script>alert(1)</script>"})
    assert answer.status_code == 200
    assert answer.json["html"] == render_comment("**粗体** <script>alert(1)</script>")
    assert "<strong>粗体</strong>" in answer.json["html"] and "<script" not in answer.json["html"]
    assert client.post("/comments/preview", data={"body": "x"}).status_code == 400  # no CSRF
    too_long = client.post("/comments/preview", data={"csrf_token": token, "body": "长" * 10_001})
    assert too_long.status_code == 400 and "10000" in too_long.json["error"]
    # Without JavaScript: the preview button shows the article with the preview, typed text kept.
    page = client.post(f"/posts/{SLUG}/comments", data={
        "csrf_token": token, "body": "预览 *一下*", "preview": "1", "author_name": "", "author_email": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "预览 <em>一下</em>" in html
    assert parse(html).textareas["body"].removeprefix("\r\n") == "预览 *一下*"
    assert comment_count(app) == 0


@pytest.mark.parametrize("fields, message", [
    ({"name": ""}, "请填写昵称"),
    ({"email": "not-an-email"}, "邮箱格式不正确"),
    ({"url": "javascript:alert(1)"}, "网址必须以 http:// 或 https:// 开头"),
    ({"body": "长" * 10_001}, "评论最长 10000 字"),
])
def test_invalid_comment_reshows_the_article_with_message_and_typed_text(app, client, blog, fields, message):
    body = fields.pop("body", "我的看法：<b>Pod</b> & 容器 *要* 先启动\n第二行")
    response = post_comment(client, SLUG, body=body, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Pod 的生命周期" in html and message in html
    assert parse(html).textareas["body"].removeprefix("\r\n") == body
    assert comment_count(app) == 0


def test_missing_csrf_token_is_400_and_nothing_is_stored(app, client, blog):
    response = client.post(f"/posts/{SLUG}/comments", data={
        "body": "hi", "author_name": "读者", "author_email": "reader@example.com"})
    assert response.status_code == 400
    assert comment_count(app) == 0


@pytest.mark.parametrize("slug", ["no-such-post", "secret-draft"])
def test_unknown_or_draft_post_is_404(app, client, blog, slug):
    token = csrf_token(client, f"/posts/{SLUG}")
    assert post_comment(client, slug, token=token).status_code == 404
    assert client.get(f"/api/posts/{slug}/comments").status_code == 404
    assert comment_count(app) == 0


# -- moderation statuses ----------------------------------------------------------------------

def test_hold_first_holds_a_new_address_then_trusts_it(app, client, runner, blog):
    reader = app.test_client()
    first = new_comment_id(post_comment(client, SLUG, body="第一次留言", email="Mia@Example.com"))
    assert comment_row(app, first)["status"] == "pending"
    assert "第一次留言" not in article(reader, SLUG)
    own_view = client.get(f"/posts/{SLUG}", follow_redirects=True).get_data(as_text=True)
    assert "等待审核" in own_view and "第一次留言" in own_view
    assert "等待审核" not in article(reader, SLUG)

    assert runner.invoke(args=["comments", "approve", str(first)]).exit_code == 0
    assert "第一次留言" in article(reader, SLUG)
    second = new_comment_id(post_comment(client, SLUG, body="第二次留言", email="mia@example.COM"))
    assert comment_row(app, second)["status"] == "approved"
    assert "第二次留言" in article(reader, SLUG)
    stranger = new_comment_id(post_comment(reader, SLUG, body="陌生人", email="someone@example.com"))
    assert comment_row(app, stranger)["status"] == "pending"


def test_hold_all_holds_even_a_known_address(app, client, blog):
    app.config["COMMENT_MODERATION"] = "hold_all"
    first = new_comment_id(post_comment(client, SLUG, body="一"))
    set_status(app, first, "approved")
    second = new_comment_id(post_comment(client, SLUG, body="二"))
    assert comment_row(app, second)["status"] == "pending"
    assert "<p>二</p>" not in article(app.test_client(), SLUG)


def test_hold_none_shows_a_comment_at_once(app, client, blog):
    app.config["COMMENT_MODERATION"] = "hold_none"
    response = post_comment(client, SLUG, body="马上可见")
    comment_id = new_comment_id(response)
    assert comment_row(app, comment_id)["status"] == "approved"
    assert shown_comment_ids(article(app.test_client(), SLUG)) == [comment_id]
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "评论已发表" in followed


@pytest.mark.parametrize("role, status", [("moderator", "approved"), ("editor", "approved"),
                                          ("admin", "approved"), ("author", "pending")])
def test_staff_comments_skip_moderation(app, client, blog, make_user, role, status):
    app.config["COMMENT_MODERATION"] = "hold_all"
    make_user("staff", role=role)
    login(client, "staff")
    comment_id = new_comment_id(post_comment(client, SLUG, name="Staff", email="staff@example.com"))
    assert comment_row(app, comment_id)["status"] == status


def test_status_changes_decide_what_readers_see(app, client, runner, blog):
    reader = app.test_client()
    comment_id = new_comment_id(post_comment(client, SLUG, body="看得见吗"))
    assert "看得见吗" not in article(reader, SLUG)
    for args, visible in ((["approve"], True), (["spam"], False), (["approve"], True)):
        assert runner.invoke(args=["comments", *args, str(comment_id)]).exit_code == 0
        assert ("看得见吗" in article(reader, SLUG)) is visible
    set_status(app, comment_id, "trash")
    assert "看得见吗" not in article(reader, SLUG)
    assert json.loads(reader.get(f"/api/posts/{SLUG}/comments").data)["comments"] == []


# -- threads ------------------------------------------------------------------------------------

def test_replies_nest_in_the_page_and_in_the_json(app, client, blog):
    top = approved(app, client, body="顶层")
    reply = approved(app, client, body="回复", parent_id=str(top))
    nested = approved(app, client, body="再回复", parent_id=str(reply))
    second = approved(app, client, body="第二个顶层")
    hidden = new_comment_id(post_comment(client, SLUG, body="待审回复", parent_id=str(top),
                                           email="newcomer@example.com"))
    assert comment_row(app, hidden)["status"] == "pending"

    reader = app.test_client()
    assert comment_parents(article(reader, SLUG)) == {top: None, reply: top, nested: reply, second: None}
    data = json.loads(reader.get(f"/api/posts/{SLUG}/comments").data)
    assert data["count"] == 4 and data["closed"] is False

    def shape(nodes):
        return [(n["id"], shape(n["replies"])) for n in nodes]

    assert shape(data["comments"]) == [(top, [(reply, [(nested, [])])]), (second, [])]
    assert data["comments"][0]["replies"][0]["parent_id"] == top
    assert "email" not in json.dumps(data) and "reader@example.com" not in json.dumps(data)


def test_reply_link_fills_in_the_parent(app, client, blog):
    top = approved(app, client, body="顶层")
    page = parse(client.get(f"/posts/{SLUG}?reply_to={top}").get_data(as_text=True))
    parent_field = next(e for e in page.elements if e.get("name") == "parent_id")
    assert parent_field.get("value") == str(top)


def test_replies_stop_at_depth_five(app, client, blog):
    chain = [approved(app, client, body="第 1 层")]
    for depth in range(2, 6):
        chain.append(approved(app, client, body=f"第 {depth} 层", parent_id=str(chain[-1])))
    assert [comment_row(app, c)["depth"] for c in chain] == [1, 2, 3, 4, 5]
    html = article(client, SLUG)
    assert f"reply_to={chain[3]}" in html and f"reply_to={chain[4]}" not in html
    app.config["COMMENT_MODERATION"] = "hold_none"
    response = post_comment(client, SLUG, body="第 6 层", parent_id=str(chain[4]))
    assert response.status_code == 400
    assert "回复最多嵌套 5 层" in response.get_data(as_text=True)
    assert comment_count(app) == 5


@pytest.mark.parametrize("parent", ["other post", "pending", "999", "abc", "²", "9" * 30, "-1"])
def test_reply_to_a_comment_that_cannot_be_answered_is_400(app, client, blog, parent):
    if parent == "other post":
        parent = str(approved(app, client, slug="service-basics"))
    elif parent == "pending":
        parent = str(new_comment_id(post_comment(client, SLUG)))
    before = comment_count(app)
    app.config["COMMENT_MODERATION"] = "hold_none"
    response = post_comment(client, SLUG, body="回复一下", parent_id=parent)
    assert response.status_code == 400
    assert "回复的评论不存在" in response.get_data(as_text=True)
    assert comment_count(app) == before


# -- counts on listings ----------------------------------------------------------------------------

def listed_counts(html):
    """``{title: "N 条评论"}`` for each entry of a listing page."""
    counts = {}
    for entry in html.split('<article class="entry">')[1:]:
        title = re.search(r'class="entry-title"><a [^>]*>([^<]+)</a>', entry).group(1)
        counts[title] = re.search(r"(\d+) 条评论", entry).group(0)
    return counts


def test_listings_count_approved_comments_only(app, client, blog):
    approved(app, client, body="一")
    reply = approved(app, client, body="二")
    approved(app, client, body="三", parent_id=str(reply))
    post_comment(client, SLUG, body="待审", email="new@example.com")
    set_status(app, approved(app, client, body="垃圾"), "spam")
    set_status(app, approved(app, client, body="删了"), "trash")
    expected = {"Pod 的生命周期": "3 条评论", "Service 入门": "0 条评论"}
    assert listed_counts(client.get("/").get_data(as_text=True)) == expected
    assert listed_counts(client.get("/author/writer").get_data(as_text=True)) == expected
    assert "评论（3）" in article(client, SLUG)


# -- closed posts ---------------------------------------------------------------------------------------

def test_closed_post_shows_comments_but_takes_no_more(app, client, blog):
    kept = approved(app, client, body="关闭前的评论")
    closed(app, blog["post"])
    html = article(client, SLUG)
    assert "已关闭评论" in html and "关闭前的评论" in html
    assert f'action="/posts/{SLUG}/comments' not in html and "reply_to=" not in html
    response = post_comment(client, SLUG, body="关了还想评论", token=csrf_token(client, "/login"))
    assert response.status_code == 403
    assert comment_count(app) == 1 and shown_comment_ids(article(client, SLUG)) == [kept]
    assert json.loads(client.get(f"/api/posts/{SLUG}/comments").data)["closed"] is True
    assert 'action="/posts/service-basics/comments' in article(client, "service-basics")

    closed(app, blog["post"], False)
    assert f'action="/posts/{SLUG}/comments' in article(client, SLUG)


def test_close_and_open_commands(app, client, runner, blog):
    result = runner.invoke(args=["comments", "close", SLUG])
    assert result.exit_code == 0 and SLUG in result.output
    assert "已关闭评论" in article(client, SLUG)
    assert post_comment(client, SLUG, token=csrf_token(client, "/login")).status_code == 403
    result = runner.invoke(args=["comments", "open", SLUG])
    assert result.exit_code == 0
    assert "已关闭评论" not in article(client, SLUG)
    assert post_comment(client, SLUG).status_code == 302
    for command in ("close", "open"):
        result = runner.invoke(args=["comments", command, "no-such-post"])
        assert result.exit_code != 0
        assert result.output.strip().splitlines() == ["Error: no post with slug no-such-post"]


# -- the commenter's edit window ------------------------------------------------------------------------

def edit_cookie(response, comment_id):
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"comment_{comment_id}="))
    return header


def test_commenter_edits_and_deletes_within_the_window(app, client, blog):
    app.config["COMMENT_MODERATION"] = "hold_none"  # an edit shows at once
    response = post_comment(client, SLUG, body="原来的评论")
    comment_id = new_comment_id(response)
    cookie = edit_cookie(response, comment_id)
    assert "HttpOnly" in cookie and "Max-Age=900" in cookie
    set_status(app, comment_id, "approved")
    assert f"/comments/{comment_id}/edit" in article(client, SLUG)
    assert f"/comments/{comment_id}/edit" not in article(app.test_client(), SLUG)

    form = parse(client.get(f"/comments/{comment_id}/edit").get_data(as_text=True))
    assert form.textareas["body"].strip() == "原来的评论"
    response = client.post(f"/comments/{comment_id}/edit", data={
        "csrf_token": csrf_token(client, f"/comments/{comment_id}/edit"),
        "body": "改过的 *评论* <script>alert(1)</script><img src=x onerror=alert(2)>"})
    assert response.status_code == 302
    html = article(app.test_client(), SLUG)
    assert "改过的 <em>评论</em>" in html and "原来的评论" not in html
    assert "<script>alert(1)" not in html and "onerror" not in html and "<img" not in html

    response = client.post(f"/comments/{comment_id}/delete", data={"csrf_token": csrf_token(client, f"/posts/{SLUG}")})
    assert response.status_code == 302
    assert comment_row(app, comment_id)["status"] == "trash"
    assert "改过的" not in article(app.test_client(), SLUG)
    assert client.get(f"/comments/{comment_id}/edit").status_code == 404


@pytest.mark.parametrize("mode", ["hold_first", "hold_all"])
def test_an_approved_comment_edited_goes_back_to_the_queue_where_comments_are_held(
        app, client, blog, mode):
    app.config["COMMENT_MODERATION"] = mode
    comment_id = new_comment_id(post_comment(client, SLUG, body="原来的评论"))
    set_status(app, comment_id, "approved")
    assert "原来的评论" in article(app.test_client(), SLUG)
    response = client.post(f"/comments/{comment_id}/edit", data={
        "csrf_token": csrf_token(client, f"/comments/{comment_id}/edit"),
        "body": "换成广告 http://spam.example"})
    assert response.status_code == 302
    assert "审核通过后重新显示" in client.get(response.headers["Location"]).get_data(as_text=True)
    row = comment_row(app, comment_id)
    assert row["status"] == "pending" and "批准后又被修改" in row["status_reason"]
    others = article(app.test_client(), SLUG)
    assert "换成广告" not in others and "原来的评论" not in others
    set_status(app, comment_id, "approved")
    assert "换成广告" in article(app.test_client(), SLUG)


def test_another_browser_cannot_edit_or_delete(app, client, blog):
    comment_id = new_comment_id(post_comment(client, SLUG, body="我的评论"))
    other = app.test_client()
    token = csrf_token(other, f"/posts/{SLUG}")
    assert other.get(f"/comments/{comment_id}/edit").status_code == 403
    assert other.post(f"/comments/{comment_id}/edit", data={"csrf_token": token, "body": "篡改"}).status_code == 403
    assert other.post(f"/comments/{comment_id}/delete", data={"csrf_token": token}).status_code == 403
    row = comment_row(app, comment_id)
    assert row["body_raw"] == "我的评论" and row["status"] == "pending"


def test_a_token_opens_only_its_own_comment(app, client, blog):
    mine = post_comment(client, SLUG, body="我的")
    mine_id = new_comment_id(mine)
    theirs_id = new_comment_id(post_comment(app.test_client(), SLUG, body="别人的"))
    my_token = edit_cookie(mine, mine_id).split(";")[0].split("=", 1)[1]
    client.set_cookie(f"comment_{theirs_id}", my_token)
    assert client.get(f"/comments/{theirs_id}/edit").status_code == 403
    token = csrf_token(client, f"/posts/{SLUG}")
    assert client.post(f"/comments/{theirs_id}/delete", data={"csrf_token": token}).status_code == 403
    assert comment_row(app, theirs_id)["status"] == "pending"
    assert client.get(f"/comments/{mine_id}/edit").status_code == 200


def token_issued(app, comment_id, seconds_ago):
    """An edit token for ``comment_id`` as the site would have issued it ``seconds_ago``."""

    class PastSigner(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - seconds_ago

    row = comment_row(app, comment_id)
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="comment-edit", signer=PastSigner)
    return serializer.dumps({"id": comment_id, "email": row["author_email"]})


@pytest.mark.parametrize("window, seconds_ago, allowed, told", [
    (900, 0, True, "15 分钟"), (900, 901, False, "15 分钟"), (3600, 1800, True, "60 分钟"), (1, 2, False, "1 秒")])
def test_edit_window_follows_the_setting(app, client, blog, window, seconds_ago, allowed, told):
    app.config["COMMENT_EDIT_WINDOW"] = window
    comment_id = new_comment_id(post_comment(app.test_client(), SLUG, body="限时修改"))
    client.set_cookie(f"comment_{comment_id}", token_issued(app, comment_id, seconds_ago))
    response = client.get(f"/comments/{comment_id}/edit")
    assert response.status_code == (200 if allowed else 403)
    assert f"在发表后 {told}内" in response.get_data(as_text=True)
    token = csrf_token(client, f"/posts/{SLUG}")
    response = client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token})
    assert response.status_code == (302 if allowed else 403)
    assert comment_row(app, comment_id)["status"] == ("trash" if allowed else "pending")


def test_the_window_really_closes(app, client, blog):
    app.config["COMMENT_EDIT_WINDOW"] = 1
    response = post_comment(client, SLUG, body="一秒钟")
    comment_id = new_comment_id(response)
    token = edit_cookie(response, comment_id).split(";")[0].split("=", 1)[1]
    assert client.get(f"/comments/{comment_id}/edit").status_code == 200
    time.sleep(2.1)
    client.set_cookie(f"comment_{comment_id}", token)  # even if the browser kept the cookie
    assert client.get(f"/comments/{comment_id}/edit").status_code == 403


@pytest.mark.parametrize("name", ["comment_" + "9" * 30, "comment_007", "comment_x"])
def test_odd_cookies_do_not_break_the_article(app, client, blog, name):
    client.set_cookie(name, "junk")
    assert client.get(f"/posts/{SLUG}").status_code == 200


@pytest.mark.parametrize("url", ["/comments/99999999999999999999/edit", "/comments/12345/edit"])
def test_unknown_comment_edit_is_404(client, blog, url):
    assert client.get(url).status_code == 404


# -- blocking the plugin --------------------------------------------------------------------------------

def test_blocked_comments_plugin_leaves_the_blog_working(tmp_path, monkeypatch):
    from datetime import datetime, timedelta, timezone

    monkeypatch.delenv("BLOGAPP_PLUGINS")  # every other plugin, as on a real site
    app = make_app(tmp_path, BLOCKED_PLUGINS=["comments"])
    assert "comments" not in app.extensions["plugins"].loaded()
    with app.app_context():
        admin = User(username="root", role="admin")
        admin.set_password("correct horse battery")
        db.session.add(admin)
        db.session.flush()
        db.session.add(Post(slug="etcd-backup", title="etcd 备份", body="用 etcdctl snapshot save 备份。",
                            status="published", author_id=admin.id,
                            published_at=datetime.now(timezone.utc) - timedelta(hours=1)))
        db.session.commit()
    client = app.test_client()
    page = client.get("/posts/etcd-backup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "etcd 备份" in html
    assert 'id="comments"' not in html and "条评论" not in html and "comment-form" not in html
    front = client.get("/").get_data(as_text=True)
    assert "etcd 备份" in front and "条评论" not in front
    assert "/posts/etcd-backup" in client.get("/search?q=etcd").get_data(as_text=True)
    token = csrf_token(client, "/login")
    assert post_comment(client, "etcd-backup", token=token).status_code == 404
    assert client.get("/api/posts/etcd-backup/comments").status_code == 404
    assert client.get("/moderation/").status_code == 404
    login(client, "root")
    assert client.get("/moderation/").status_code == 404
    commands = app.test_cli_runner().invoke(args=["--help"]).output.split("Commands:")[1]
    assert "comments" not in [line.split()[0] for line in commands.splitlines() if line.strip()]


# -- hooks for other plugins ----------------------------------------------------------------------------

@pytest.fixture
def recorder(app, monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    module = importlib.import_module("comment_hook_recorder")
    app.extensions["plugins"].register(module, name="comment_hook_recorder")
    return app.extensions.setdefault("comment_hook_calls", [])


def test_hooks_hear_saves_and_status_changes_after_commit(app, client, runner, blog, recorder):
    comment_id = new_comment_id(post_comment(client, SLUG, body="钩子", name="Hook"))
    assert recorder == [("before_save", "钩子", "Hook"), ("after_save", comment_id, "pending", "pending")]
    runner.invoke(args=["comments", "approve", str(comment_id)])
    runner.invoke(args=["comments", "approve", str(comment_id)])  # no change, no call
    token = csrf_token(client, f"/posts/{SLUG}")
    client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token})
    assert recorder[2:] == [("status_changed", comment_id, "pending", "approved", "approved"),
                            ("status_changed", comment_id, "approved", "trash", "trash")]
    post_comment(client, SLUG, body="", name="Hook")  # invalid: no hook at all
    assert len(recorder) == 4


@pytest.mark.parametrize("verdict, status", [
    ({"action": "hold", "reason": "链接太多"}, "pending"),
    ({"action": "spam", "reason": "垃圾关键词"}, "spam"),
])
def test_plugin_verdict_holds_or_marks_spam(app, client, blog, recorder, verdict, status):
    app.config.update(COMMENT_MODERATION="hold_none", RECORDER_VERDICT=verdict)
    comment_id = new_comment_id(post_comment(client, SLUG, body="可疑"))
    row = comment_row(app, comment_id)
    assert (row["status"], row["status_reason"]) == (status, verdict["reason"])
    assert "可疑" not in article(app.test_client(), SLUG)


def test_plugin_verdict_rejects_with_its_status(app, client, blog, recorder):
    app.config["RECORDER_VERDICT"] = {"action": "reject", "reason": "评论太频繁了", "status": 429,
                                      "retry_after": 30}
    response = post_comment(client, SLUG, body="再来一条")
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "评论太频繁了" in html and parse(html).textareas["body"].strip() == "再来一条"
    assert comment_count(app) == 0 and [c[0] for c in recorder] == ["before_save"]


# -- Atom feeds of comments -------------------------------------------------------------------------

def test_comment_feeds_carry_approved_comments_of_visible_posts_only(app, client, blog):
    import feedparser

    first = approved(app, client, body="第一条 **好文**", name="Ann", email="ann@example.com")
    approved(app, client, slug="service-basics", body="另一篇的评论", name="Ben")
    post_comment(app.test_client(), SLUG, body="还在排队", email="new@example.com")  # held
    draft_comment = approved(app, client, body="草稿上的评论")  # then its post goes draft
    with app.app_context():
        from plugins.comments.models import Comment

        db.session.get(Comment, draft_comment).post_id = db.session.scalar(
            db.select(Post.id).filter_by(slug="secret-draft"))
        db.session.commit()

    response = client.get(f"/posts/{SLUG}/comments.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0 and "Pod 的生命周期" in feed.feed.title
    assert [e.author for e in feed.entries] == ["Ann"]
    assert feed.entries[0].link.endswith(f"/posts/{SLUG}#comment-{first}")
    assert "<strong>好文</strong>" in feed.entries[0].content[0].value
    assert "ann@example.com" not in response.get_data(as_text=True)

    site = feedparser.parse(client.get("/comments.atom").data)
    assert sorted(e.author for e in site.entries) == ["Ann", "Ben"]  # not pending, not the draft's
    assert client.get("/posts/secret-draft/comments.atom").status_code == 404
    assert client.get("/posts/no-such-post/comments.atom").status_code == 404
    assert f'href="/posts/{SLUG}/comments.atom"' in article(client, SLUG)
