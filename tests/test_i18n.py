"""Chinese/English interface (Flask-Babel): locale choice, translated pages, dates, and a
catalogue that covers every string in the sources.

Test content (titles, bodies, names, tags, comments) is ASCII, so any CJK character left in
an English page is an interface string nobody translated. Text inside an element marked
``lang="zh-CN"`` (the language switch's "中文", a Chinese search example) is Chinese on
purpose and is skipped.
"""

import io
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from conftest import csrf_token, login, make_app

from blogapp.extensions import db
from blogapp.models import Post, User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = PROJECT_ROOT / "blogapp" / "translations" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# 2024-07-29 20:00 UTC is already 30 July in Asia/Shanghai (the default TIMEZONE).
PUBLISHED = datetime(2024, 7, 29, 20, 0, tzinfo=timezone.utc)
TEXT_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "content", "value", "label"}


class _InterfaceText(HTMLParser):
    """Text and human-readable attribute values, minus elements marked as Chinese."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []
        self.stack = []  # True for each open element that is (inside) lang="zh..."

    def _skipping(self):
        return bool(self.stack and self.stack[-1])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        chinese = self._skipping() or (
            tag != "html" and (attrs.get("lang") or "").lower().startswith("zh"))
        if not chinese:
            self.chunks += [f"<{tag} {k}={v!r}>" for k, v in attrs.items()
                            if k in TEXT_ATTRIBUTES and v]
        if tag not in self.VOID:
            self.stack.append(chinese)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.chunks.append(data.strip())


def untranslated(html):
    """Pieces of interface text that still contain CJK characters."""
    parser = _InterfaceText()
    parser.feed(html)
    return [chunk for chunk in parser.chunks if CJK.search(chunk)]


@pytest.fixture
def site(app, make_user, make_post):
    """ASCII-only content: an author, a moderator, a post with comments, a draft."""
    from plugins.comments.models import Comment
    from plugins.comments.sanitize import render_comment

    author = make_user("alice", role="author")
    make_user("mod", role="moderator")
    post_id = make_post("hello-world", author, title="Hello World",
                        body="Kubernetes rolling update notes.\n\n<!--more-->\n\nMore text.",
                        category="Ops", tags=("k8s", "hpa"))
    make_post("second-post", author, title="Second Post", body="Kubernetes scheduling.",
              days_ago=3)
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.published_at = PUBLISHED
        for status, text in (("approved", "Nice post"), ("pending", "Please review me")):
            db.session.add(Comment(post_id=post_id, author_name="Bob",
                                   author_email="bob@example.com", body_raw=text,
                                   body_html=render_comment(text), status=status))
        db.session.commit()
    return {"author": author, "post_id": post_id}


def english(client):
    client.get("/?lang=en")
    return client


def page(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


READER_PAGES = ["/", "/posts/hello-world", "/author/alice", "/category/ops", "/tag/k8s",
                "/archive/2024/7", "/search?q=kubernetes", "/search", "/search?q=zzzqqq",
                "/login"]


@pytest.mark.parametrize("url", READER_PAGES)
def test_reader_pages_in_english_have_no_chinese_interface_text(client, site, url):
    html = page(english(client), url)
    assert '<html lang="en">' in html
    assert untranslated(html) == []


def test_404_page_in_english(client, site):
    html = page(english(client), "/no/such/page", status=404)
    assert "Page not found." in html and "Back to the home page" in html
    assert untranslated(html) == []
    html = page(client, "/posts/missing", status=404)
    assert "Post not found." in html and untranslated(html) == []


def test_api_errors_follow_the_language(client, site):
    response = client.get("/api/no-such-thing", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response.get_json()["error"] == "Page not found."
    response = client.get("/api/no-such-thing")
    assert response.get_json()["error"] == "页面不存在。"
    response = client.get("/api/posts/missing/comments", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response.get_json()["error"] == "Post not found."


def test_article_with_comments_in_english(client, site):
    html = page(english(client), "/posts/hello-world")
    for text in ("Comments (1)", "Leave a comment", "Comment (Markdown allowed)", "Name",
                 "Email (not published)", "Website", "Email me when someone replies",
                 "Post comment", "Reply", "By ", "Category: ", "Tags: ", "Jul 30, 2024"):
        assert text in html, text
    assert "Nice post" in html


def test_comment_errors_in_english(client, site):
    english(client)
    for data, message in (({"body": "", "author_name": "Carol", "author_email": "c@example.com"},
                           "Please write something."),
                          ({"body": "Hi", "author_name": "Carol", "author_email": "nope"},
                           "This email address is not valid."),
                          ({"body": "Hi", "author_name": "Carol", "author_email": "c@example.com",
                            "author_url": "ftp://x"},
                           "The website must start with http:// or https://.")):
        data["csrf_token"] = csrf_token(client, "/posts/hello-world")
        response = client.post("/posts/hello-world/comments", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in html and untranslated(html) == []


def test_editor_and_post_list_in_english(client, site):
    english(client)
    response = login(client, "alice")
    assert response.status_code == 302
    html = page(client, "/")
    assert "Welcome back, Alice." in html and "Write" in html and "Log out" in html
    assert untranslated(html) == []
    html = page(client, "/admin/posts/new")
    for text in ("New post", "Title", "URL slug", "Body (Markdown)", "Tags (comma-separated)",
                 "Save", "Preview", "Publish", "Leave empty to make one from the title"):
        assert text in html, text
    assert untranslated(html) == []
    html = page(client, "/admin/posts/")
    assert "My posts" in html and "Unpublish" in html and untranslated(html) == []
    html = page(client, f"/admin/posts/{site['post_id']}/edit")
    assert "Edit: Hello World" in html and untranslated(html) == []
    token = csrf_token(client, "/admin/posts/new")
    response = client.post("/admin/posts/new", data={"csrf_token": token, "title": "",
                                                     "body": "x", "save": "1"})
    html = response.get_data(as_text=True)
    assert "Please enter a title." in html and untranslated(html) == []


def test_moderation_queue_in_english(client, site):
    english(client)
    login(client, "mod")
    html = page(client, "/moderation/")
    for text in ("Comment moderation", "Approve", "Mark as spam", "Move to trash",
                 "Delete permanently", "Please review me"):
        assert text in html, text
    assert untranslated(html) == []
    token = csrf_token(client, "/moderation/")
    response = client.post("/moderation/bulk", data={"csrf_token": token, "action": "approve",
                                                     "status": "pending"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Please select some comments first." in html and untranslated(html) == []


def test_login_required_message_in_english(client, site):
    english(client)
    html = page(client, "/admin/posts/", status=302)
    html = page(client, "/login")
    assert "Please log in first." in html and "User name" in html and "Remember me" in html


@pytest.mark.parametrize("url, expected", [
    ("/", ["首页", "登录", "搜索", "分类", "作者：", "2024年7月30日", "1 条评论"]),
    ("/posts/hello-world", ["评论（1）", "发表评论", "昵称", "邮箱（不公开）", "提交评论", "回复"]),
    ("/author/alice", ["作者文章归档：Alice", "共 2 篇"]),
    ("/archive/2024/7", ["月度归档：2024年7月"]),
    ("/search?q=kubernetes", ["搜索：kubernetes", "共 2 条结果", "排序："]),
    ("/search", ["输入关键词搜索文章", "短语"]),
    ("/login", ["用户名", "密码", "记住我"]),
])
def test_pages_in_chinese_by_default(client, site, url, expected):
    html = page(client, url)
    assert '<html lang="zh-CN">' in html
    for text in expected:
        assert text in html, text
    assert "Log in" not in html and "Search" not in html.replace('role="search"', "")


def test_chinese_pages_for_staff(client, site):
    login(client, "alice")
    html = page(client, "/admin/posts/new")
    assert "写新文章" in html and "标题" in html and "留空则由标题生成" in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "mod")
    html = page(client, "/moderation/")
    assert "评论审核" in html and "标记为垃圾" in html
    assert "页面不存在。" in page(client, "/no/such/page", status=404)


def test_lang_parameter_is_remembered_in_a_cookie(client, site):
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Accept-Language" in response.headers["Vary"]
    assert '<html lang="en">' in page(client, "/posts/hello-world")
    # The cookie wins over Accept-Language; a new ?lang= wins over the cookie.
    assert '<html lang="en">' in page(client, "/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN">' in page(client, "/?lang=zh")
    assert '<html lang="zh-CN">' in page(client, "/")
    # Unknown languages are ignored (and not stored).
    response = client.get("/?lang=fr")
    assert "Set-Cookie" not in response.headers
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)


@pytest.mark.parametrize("header, lang", [
    ("en-US", "en"), ("en-US,en;q=0.9", "en"), ("zh-CN", "zh-CN"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"), ("fr-FR,en;q=0.5", "en"), ("fr-FR", "zh-CN"),
    ("", "zh-CN"),
])
def test_accept_language(client, site, header, lang):
    html = page(client, "/", headers={"Accept-Language": header} if header else {})
    assert f'<html lang="{lang}">' in html


def test_language_switch_links_keep_the_page(client, site):
    html = page(client, "/search?q=kubernetes")
    assert 'href="/search?q=kubernetes&amp;lang=en"' in html
    html = page(client, "/search?q=kubernetes&lang=en")
    assert 'href="/search?q=kubernetes&amp;lang=zh"' in html


def test_dates_follow_the_locale_in_the_site_timezone(app, client, site):
    assert "2024年7月30日" in page(client, "/posts/hello-world")
    html = page(client, "/posts/hello-world?lang=en")
    assert "Jul 30, 2024" in html and "2024年" not in html
    assert "July 2024" in page(client, "/archive/2024/7")
    from blogapp.i18n import local_date

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert local_date(PUBLISHED) == "Jul 30, 2024"
    with app.test_request_context("/"):
        assert local_date(PUBLISHED) == "2024年7月30日" and local_date(None) == ""


def test_english_as_the_site_default(tmp_path):
    app = make_app(tmp_path / "instance", BABEL_DEFAULT_LOCALE="en")
    try:
        html = app.test_client().get("/").get_data(as_text=True)
        assert '<html lang="en">' in html and "K8s Notes" in html and untranslated(html) == []
        response = app.test_client().get("/", headers={"Accept-Language": "zh-CN"})
        html = response.get_data(as_text=True)
        assert '<html lang="zh-CN">' in html and "K8s 笔记" in html
    finally:
        app.extensions["search"].close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_site_name_of_its_own_is_not_translated(tmp_path):
    app = make_app(tmp_path / "instance", SITE_NAME="我的 100% 笔记")
    try:
        html = app.test_client().get("/?lang=en").get_data(as_text=True)
        assert "我的 100% 笔记" in html
    finally:
        app.extensions["search"].close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- the catalogue -------------------------------------------------------------------------

def _po():
    with open(CATALOG_DIR / "messages.po", "rb") as fh:
        return read_po(fh, locale="en")


def _messages(catalog):
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {(message.context, key(message.id)): key(message.string)
            for message in catalog if message.id}


def test_every_msgid_has_an_english_translation():
    catalog = _po()
    assert len(_messages(catalog)) > 150
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"no English for {message.id!r}"
        # Placeholders survive translation.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, message.id
        assert not any(CJK.search(s) for s in strings), f"Chinese left in {message.id!r}"


def test_compiled_catalogue_is_up_to_date():
    """The committed .mo holds exactly what compiling the .po gives."""
    compiled = io.BytesIO()
    write_mo(compiled, _po())
    compiled.seek(0)
    expected = _messages(read_mo(compiled))
    with open(CATALOG_DIR / "messages.mo", "rb") as fh:
        committed = _messages(read_mo(fh))
    assert committed == expected, "run: pybabel compile -d blogapp/translations"


def test_extraction_finds_no_string_missing_from_the_catalogue():
    with open(PROJECT_ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(PROJECT_ROOT / "babel.cfg"))
    keywords = dict(DEFAULT_KEYWORDS, lazy_gettext=None)
    extracted = Catalog(locale="en")
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map, keywords=keywords):
        extracted.add(message, None, [(filename, lineno)], context=context)
    found = {(message.context, message.id): message.locations
             for message in extracted if message.id}
    assert len(found) > 150
    known = _messages(_po())
    missing = {msgid: locations for msgid, locations in found.items() if msgid not in known}
    assert not missing, ("strings missing from messages.po (pybabel extract + update): "
                         f"{missing}")
    stale = [msgid for msgid in known if msgid not in found]
    assert not stale, f"msgids no longer in the sources: {stale}"
    # Sanity: the extraction covered core and plugin templates and Python code.
    for msgid in ("首页", "评论审核", "请先登录。", "只有版主、编辑和管理员可以审核评论。",
                  "[%(site)s] 新评论待审核：《%(title)s》"):
        assert (None, msgid) in found, msgid
    assert ("sidebar heading", "分类") in found


def test_moderator_mail_is_in_the_site_language(app, site, monkeypatch):
    """Mail goes to someone other than the requester: site default, not the request's."""
    from plugins.comments.models import Comment
    from plugins.notify import mailer, notifications

    sent = []
    monkeypatch.setattr(mailer, "send", lambda messages: sent.extend(messages))
    with app.app_context():
        User.by_username("mod").email = "mod@example.com"
        db.session.commit()
        comment = db.session.scalar(db.select(Comment).filter_by(status="pending"))
        with app.test_request_context("/?lang=en"):
            notifications.tell_moderators(comment)
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
        with app.test_request_context("/?lang=zh"):
            notifications.tell_moderators(comment)
    assert len(sent) == 2
    assert "新评论待审核" in str(sent[0]["Subject"])
    assert "New comment awaiting moderation" in str(sent[1]["Subject"])
