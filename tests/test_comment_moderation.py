"""Moderating comments: who may open /moderation/, bulk actions, editing, and the
``flask comments`` commands."""

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from comment_helpers import (article, comment_count, comment_row, new_comment_id, parse,
                             post_comment, set_status, shown_comment_ids)
from conftest import PASSWORD, csrf_token, login

SLUG = "rolling-update"
STAFF = ("moderator", "editor", "admin")


# Only the comments plugin: the others (antispam's rate limit, ...) are tested on their own.
pytestmark = pytest.mark.plugins("comments")


@pytest.fixture
def queue(app, make_user, make_post):
    """Three pending comments (one a reply) by different readers."""
    make_post(SLUG, make_user("writer"), title="滚动更新")
    readers = [app.test_client() for _ in range(3)]
    first = new_comment_id(post_comment(readers[0], SLUG, body="第一条待审", email="a@example.com"))
    set_status(app, first, "approved")
    reply = new_comment_id(post_comment(readers[1], SLUG, body="一条回复", email="b@example.com",
                                        parent_id=str(first)))
    set_status(app, first, "pending")
    third = new_comment_id(post_comment(readers[2], SLUG, body="第三条待审", email="c@example.com"))
    return {"ids": [first, reply, third]}


@pytest.fixture
def log_in_as(client, make_user):
    """Create an account with ``role`` and log ``client`` in with it."""

    def log_in(role):
        make_user(role, role=role)
        assert login(client, role).status_code == 302

    return log_in


def statuses(app, ids):
    return [(comment_row(app, i) or {}).get("status") for i in ids]


def bulk(client, action, ids, token=True):
    data = {"action": action, "ids": [str(i) for i in ids]}
    if token:
        data["csrf_token"] = csrf_token(client, f"/posts/{SLUG}")
    return client.post("/moderation/bulk", data=data)


# -- who may moderate --------------------------------------------------------------------------

def test_anonymous_is_sent_to_login(app, client, queue):
    first = queue["ids"][0]
    for response in (client.get("/moderation/"), client.get(f"/moderation/{first}/edit"),
                     bulk(client, "approve", [first]),
                     client.post(f"/moderation/{first}/edit",
                                 data={"csrf_token": csrf_token(client, f"/posts/{SLUG}"), "body": "x"})):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert statuses(app, queue["ids"]) == ["pending"] * 3
    assert comment_row(app, first)["body_raw"] == "第一条待审"


def test_author_is_forbidden(app, client, queue, log_in_as):
    log_in_as("author")
    first = queue["ids"][0]
    assert client.get("/moderation/").status_code == 403
    assert client.get(f"/moderation/{first}/edit").status_code == 403
    assert bulk(client, "approve", [first]).status_code == 403
    token = csrf_token(client, f"/posts/{SLUG}")
    assert client.post(f"/moderation/{first}/edit", data={"csrf_token": token, "body": "x"}).status_code == 403
    assert statuses(app, queue["ids"]) == ["pending"] * 3


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_queue_and_act_on_it(app, client, queue, role, log_in_as):
    log_in_as(role)
    response = client.get("/moderation/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "第一条待审" in html and "第三条待审" in html and "a@example.com" in html
    checkboxes = [e.get("value") for e in parse(html).elements if e.get("name") == "ids"]
    assert sorted(map(int, checkboxes)) == sorted(queue["ids"])
    assert client.get(f"/moderation/{queue['ids'][0]}/edit").status_code == 200
    response = bulk(client, "approve", queue["ids"][:1])
    assert response.status_code == 302
    assert statuses(app, queue["ids"]) == ["approved", "pending", "pending"]
    assert "已处理 1 条评论" in client.get(response.headers["Location"]).get_data(as_text=True)


# -- bulk actions -----------------------------------------------------------------------------------

@pytest.mark.parametrize("action, status, visible", [
    ("approve", "approved", True), ("spam", "spam", False), ("trash", "trash", False),
    ("pending", "pending", False)])
def test_bulk_action_changes_status_and_what_readers_see(app, client, queue, log_in_as, action, status,
                                                         visible):
    first, reply, third = queue["ids"]
    set_status(app, third, "approved")  # so every action is a real change for it
    log_in_as("moderator")
    assert bulk(client, action, [first, third]).status_code == 302
    assert statuses(app, queue["ids"]) == [status, "pending", status]
    shown = shown_comment_ids(article(client.application.test_client(), SLUG))
    assert shown == ([first, third] if visible else [])


def test_bulk_delete_removes_comments_and_their_replies(app, client, queue, log_in_as):
    first, reply, third = queue["ids"]
    log_in_as("admin")
    response = bulk(client, "delete", [first])
    assert response.status_code == 302
    assert statuses(app, queue["ids"]) == [None, None, "pending"]
    assert "已处理 1 条评论" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_queue_filters_by_status(app, client, queue, log_in_as):
    first, reply, third = queue["ids"]
    set_status(app, third, "spam")
    log_in_as("editor")
    spam = client.get("/moderation/?status=spam").get_data(as_text=True)
    assert "第三条待审" in spam and "第一条待审" not in spam
    assert "垃圾评论 (1)" in spam and "待审核 (2)" in spam
    assert client.get("/moderation/?status=bogus").status_code == 400


def test_bulk_without_csrf_token_is_400_and_changes_nothing(app, client, queue, log_in_as):
    log_in_as("moderator")
    for action in ("approve", "delete"):
        assert bulk(client, action, queue["ids"], token=False).status_code == 400
    assert statuses(app, queue["ids"]) == ["pending"] * 3


@pytest.mark.parametrize("action", ["", "publish", "DELETE", "approved"])
def test_bulk_with_unknown_action_is_400(app, client, queue, action, log_in_as):
    log_in_as("moderator")
    assert bulk(client, action, queue["ids"]).status_code == 400
    assert statuses(app, queue["ids"]) == ["pending"] * 3


@pytest.mark.parametrize("ids", [[], ["abc"], ["²"], ["9" * 30], ["-1"]])
def test_bulk_without_usable_ids_changes_nothing(app, client, queue, ids, log_in_as):
    log_in_as("moderator")
    response = bulk(client, "approve", ids)
    assert response.status_code == 302
    assert "请先勾选评论" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert statuses(app, queue["ids"]) == ["pending"] * 3


# -- editing ------------------------------------------------------------------------------------------

def test_moderator_edit_is_sanitized_again(app, client, queue, log_in_as):
    first = queue["ids"][0]
    set_status(app, first, "approved")
    log_in_as("moderator")
    form = parse(client.get(f"/moderation/{first}/edit").get_data(as_text=True))
    assert form.textareas["body"].strip() == "第一条待审"
    body = "**整理过** <script>alert(1)</script>[点我](javascript:alert(2)) <a href=\"x\" onclick=\"y\">z</a>"
    response = client.post(f"/moderation/{first}/edit",
                           data={"csrf_token": csrf_token(client, f"/posts/{SLUG}"), "body": body})
    assert response.status_code == 302
    row = comment_row(app, first)
    assert row["body_raw"] == body and row["status"] == "approved"
    html = article(app.test_client(), SLUG)
    assert "<strong>整理过</strong>" in html
    assert "<script>alert(1)" not in html and "javascript:" not in html and "onclick" not in html


def test_moderator_edit_rejects_an_empty_body(app, client, queue, log_in_as):
    first = queue["ids"][0]
    log_in_as("moderator")
    response = client.post(f"/moderation/{first}/edit", data={"csrf_token": csrf_token(client, f"/posts/{SLUG}"), "body": "  "})
    assert response.status_code == 400 and "请写点内容" in response.get_data(as_text=True)
    assert comment_row(app, first)["body_raw"] == "第一条待审"


@pytest.mark.parametrize("comment_id", ["12345", "99999999999999999999"])
def test_moderator_edit_of_unknown_comment_is_404(client, queue, comment_id, log_in_as):
    log_in_as("moderator")
    assert client.get(f"/moderation/{comment_id}/edit").status_code == 404


# -- the command line ------------------------------------------------------------------------------------

def test_list_command(app, runner, queue):
    first, reply, third = queue["ids"]
    set_status(app, third, "spam")
    result = runner.invoke(args=["comments", "list"])
    assert result.exit_code == 0
    assert "3 comments" in result.output and "第一条待审" in result.output
    rows = json.loads(runner.invoke(args=["comments", "list", "--status", "spam", "--json"]).output)
    assert [(r["id"], r["status"], r["post"], r["email"]) for r in rows] == [(third, "spam", SLUG, "c@example.com")]
    pending = json.loads(runner.invoke(args=["comments", "list", "--status", "pending", "--json"]).output)
    assert [r["id"] for r in pending] == [reply, first]  # newest first
    assert runner.invoke(args=["comments", "list", "--status", "bogus"]).exit_code != 0


def test_approve_spam_and_delete_commands(app, client, runner, queue):
    first, reply, third = queue["ids"]
    result = runner.invoke(args=["comments", "approve", str(first), str(third)])
    assert result.exit_code == 0 and "Approved 2 comments." in result.output
    assert shown_comment_ids(article(client, SLUG)) == [first, third]
    result = runner.invoke(args=["comments", "spam", str(third)])
    assert result.exit_code == 0 and "Marked 1 comments as spam." in result.output
    assert shown_comment_ids(article(client, SLUG)) == [first]
    result = runner.invoke(args=["comments", "delete", str(first)])
    assert result.exit_code == 0 and "Deleted 1 comments." in result.output
    assert statuses(app, queue["ids"]) == [None, None, "spam"]


def test_approve_all_pending(app, runner, queue):
    set_status(app, queue["ids"][2], "spam")
    result = runner.invoke(args=["comments", "approve", "--all-pending"])
    assert result.exit_code == 0 and "Approved 2 comments." in result.output
    assert statuses(app, queue["ids"]) == ["approved", "approved", "spam"]
    assert runner.invoke(args=["comments", "approve"]).exit_code != 0


@pytest.mark.parametrize("command", ["approve", "spam", "delete"])
@pytest.mark.parametrize("unknown", ["999", "99999999999999999999"])
def test_unknown_id_fails_with_one_line_and_changes_nothing(app, runner, queue, command, unknown):
    result = runner.invoke(args=["comments", command, str(queue["ids"][0]), unknown])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: no comment with id {unknown}"]
    assert statuses(app, queue["ids"]) == ["pending"] * 3
    assert comment_count(app) == 3


# -- the way in: header link, landing after login, the queue's words -------------------------

def test_moderators_see_the_waiting_count_in_the_header(app, client, queue, log_in_as):
    assert "评论审核" not in client.get("/").get_data(as_text=True)  # readers: nothing
    log_in_as("moderator")
    page = client.get(f"/posts/{SLUG}").get_data(as_text=True)
    header = page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/moderation/"' in header and "评论审核 <span class=\"count\">(3)</span>" in header
    bulk(client, "approve", queue["ids"][:2])
    assert "评论审核 <span class=\"count\">(1)</span>" in client.get("/").get_data(as_text=True)


def test_a_writer_who_cannot_moderate_sees_no_queue_link(app, client, queue, make_user):
    make_user("author", role="author")
    assert login(client, "author").status_code == 302
    assert "/moderation/" not in client.get("/").get_data(as_text=True)


def _login_from(client, next_url=None):
    token = csrf_token(client, "/login")
    data = {"username": "moderator", "password": PASSWORD, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data).headers["Location"]


def test_login_goes_back_to_the_page_or_to_the_queue_when_comments_wait(app, client, queue,
                                                                         make_user):
    make_user("moderator", role="moderator")
    article_page = client.get(f"/posts/{SLUG}?x=1").get_data(as_text=True)
    href = re.search(r'<a href="([^"]+)">登录</a>', article_page).group(1)
    assert parse_qs(urlsplit(html.unescape(href)).query) == {"next": [f"/posts/{SLUG}?x=1"]}
    login_page = client.get(html.unescape(href)).get_data(as_text=True)
    assert f'value="/posts/{SLUG}?x=1"' in login_page  # carried through the form
    assert _login_from(client, f"/posts/{SLUG}?x=1") == f"/posts/{SLUG}?x=1"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert _login_from(client) == "/moderation/"  # three comments wait
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    other = app.test_client()
    _login_from(other)
    bulk(other, "approve", queue["ids"])
    assert _login_from(client) == "/"  # nothing waits


def test_the_queue_speaks_the_moderators_language(app, client, queue, log_in_as):
    log_in_as("moderator")
    chinese = client.get("/moderation/").get_data(as_text=True)
    assert "<strong>待审核 (3)</strong>" in chinese and "来自这个邮箱的第一条评论" in chinese
    assert "pending" not in chinese.split("<main", 1)[1].replace('value="pending"', "")
    english = client.get("/moderation/?lang=en").get_data(as_text=True)
    assert "<strong>awaiting moderation (3)</strong>" in english
    assert "First comment from this address" in english and "来自" not in english
    assert "<strong>spam (0)</strong>" in client.get("/moderation/?status=spam").get_data(as_text=True)
