"""What a comment may contain once sanitized: Markdown survives, nothing that runs does.

Beside hand-written cases, the whole ``xss-payload-list.txt`` (6,613 real payloads) goes
through the sanitizer and the name/URL handling and is read back with an HTML parser, and a
sample of it goes through the real comment form onto the article page.
"""

import json
import re
import threading

import pytest

from blogapp.extensions import db
from comment_helpers import new_comment_id, parse, post_comment, unsafe_parts
from conftest import csrf_token
from plugins.comments.sanitize import LINK_REL, TAGS, clean_name, render_comment, safe_url

SLUG = "xss-target"
HOMEPAGE = "https://example.com/?q="  # a payload behind a real scheme must not break out either
# Tags the thread template itself wraps around each comment (anonymous reader's view).
THREAD_TAGS = {"ol", "li", "div", "span", "time", "a"}


# Only the comments plugin: the others (antispam's rate limit, ...) are tested on their own.
pytestmark = pytest.mark.plugins("comments")


# -- Markdown that must survive -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("*斜体* 和 **粗体**", "<p><em>斜体</em> 和 <strong>粗体</strong></p>"),
    ("用 `kubectl get pods` 查看", "<p>用 <code>kubectl get pods</code> 查看</p>"),
    ("```yaml\napiVersion: v1\nkind: Pod\n```", "<pre><code>apiVersion: v1\nkind: Pod\n</code></pre>"),
    ("> 引用别人的话", "<blockquote>\n<p>引用别人的话</p>\n</blockquote>"),
    ("- 一\n- 二", "<ul>\n<li>一</li>\n<li>二</li>\n</ul>"),
    ("1. 先\n2. 后", "<ol>\n<li>先</li>\n<li>后</li>\n</ol>"),
    ("第一行\n第二行", "<p>第一行<br>\n第二行</p>"),
    ("<del>删掉</del>的字", "<p><del>删掉</del>的字</p>"),
])
def test_markdown_survives(text, expected):
    assert render_comment(text) == expected


def test_links_get_rel_and_keep_their_title():
    html = render_comment('[文档](https://kubernetes.io/docs/ "官方文档") 和 <a href="http://a.example/x">a</a>')
    links = [e for e in parse(html).elements if e.tag == "a"]
    assert [(e.get("href"), e.get("rel"), e.get("title")) for e in links] == [
        ("https://kubernetes.io/docs/", LINK_REL, "官方文档"), ("http://a.example/x", LINK_REL, None)]


@pytest.mark.parametrize("text, href", [
    ("看 https://kubernetes.io/docs/concepts/ 吧", "https://kubernetes.io/docs/concepts/"),
    ("www.example.com/path?q=1", "http://www.example.com/path?q=1"),
    ("(http://example.org/a)", "http://example.org/a"),
])
def test_bare_urls_become_links(text, href):
    links = [e for e in parse(render_comment(text)).elements if e.tag == "a"]
    assert [(e.get("href"), e.get("rel")) for e in links] == [(href, LINK_REL)]


def test_code_is_not_linkified_and_stays_escaped():
    html = render_comment("`http://example.com/<b>`\n\n```\n<script>alert(1)</script> http://example.com\n```")
    assert "<a" not in html
    assert "&lt;b&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("text", [
    "data://evil.com/x", "ftp://files.com/a", "xmpp://evil.com", "feed://evil.com",
    "data:evil.com/x", "irc://evil.com/room", "DATA://evil.com/x",
])
def test_only_web_links_are_made_from_text(text):
    links = [e.get("href") for e in parse(render_comment(text)).elements if e.tag == "a"]
    assert all(href.startswith(("http://", "https://")) for href in links), links


@pytest.mark.parametrize("text", [
    '[x](javascript:alert(1))', '<a href="jAvAsCrIpT:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>', '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="jAvAsCrIpT&colon;alert&lpar;1&rpar;">x</a>', '<a href=j&#97v&#97script&#x3A;&#97lert(1)>x</a>',
    '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>', '<iframe src="javascript:alert(1)">',
    '<p style="background:url(javascript:alert(1))">x</p>', '<form action="javascript:alert(1)"><input></form>',
    '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>', '<!--<script>alert(1)</script>-->',
])
def test_known_attacks_are_defused(text):
    assert unsafe_parts(parse(render_comment(text)).elements, TAGS) == []


@pytest.mark.parametrize("name, expected", [
    ("  张   三 ", "张 三"), ("a\tb\nc", "a b c"), ("<b>bold</b>", "<b>bold</b>"), ("\x00\x07ab\u200b", "ab"),
])
def test_names_are_tidied_but_kept_as_text(name, expected):
    assert clean_name(name) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/me", "https://example.com/me"), (" http://example.com ", "http://example.com"),
    ("javascript:alert(1)", ""), ("JAVASCRIPT:alert(1)", ""), ("data:text/html,x", ""),
    ("//evil.example", ""), ("https://x.example/\" onmouseover=\"alert(1)", ""), ("example.com", ""),
])
def test_homepage_urls_must_be_web_urls(url, expected):
    assert safe_url(url) == expected


# -- the whole payload list ------------------------------------------------------------------------

@pytest.mark.db_agnostic  # the sanitizer alone
def test_every_payload_is_harmless_in_the_sanitizer(payloads):
    problems = {}
    for line in payloads:
        found = unsafe_parts(parse(render_comment(line)).elements, TAGS)
        for url in (safe_url(line), safe_url(HOMEPAGE + line)):
            if url and not url.lower().startswith(("http://", "https://")):
                found.append(f"homepage {url!r}")
        if found:
            problems[line] = found
    assert problems == {}


def test_every_payload_is_harmless_on_the_article_page(app, client, make_user, make_post, payloads):
    """Each payload stored as one comment's body, name and homepage, as the form would store
    it (the homepage behind https:// when it is refused alone), then the real page and JSON
    are read back."""
    from plugins.comments.models import Comment

    post_id = make_post(SLUG, make_user("writer"))
    urls = [safe_url(line) or safe_url(HOMEPAGE + line) for line in payloads]
    with app.app_context():
        db.session.add_all(Comment(
            post_id=post_id, author_name=clean_name(line)[:100] or "x", author_email="x@example.com",
            author_url=url, body_raw=line, body_html=render_comment(line), status="approved",
        ) for line, url in zip(payloads, urls))
        db.session.commit()
    html = client.get(f"/posts/{SLUG}").get_data(as_text=True)
    page = parse(html)
    in_thread = [e for e in page.elements if e.inside("ol", class_="comment-list")]
    assert len([e for e in in_thread if e.tag == "li" and e.get("id", "").startswith("comment-")]) == 6613
    assert unsafe_parts(in_thread, TAGS | THREAD_TAGS) == []
    assert unsafe_parts(page.elements) == []
    # The site's own scripts (static files in <head>) are the only script elements.
    own_scripts = [e for e in page.elements if e.tag == "script"]
    assert all(re.fullmatch(r"/(static|comments/static)/(theme|site|suggest|comments)\.js\?v=\w+",
                            e.get("src") or "") for e in own_scripts) and len(own_scripts) == 4
    outside = {e.tag for e in page.elements
               if not e.inside("ol", class_="comment-list") and e not in own_scripts}
    assert outside.isdisjoint({"script", "style", "iframe", "object", "embed", "svg", "math", "img",
                               "frame", "base", "template", "noscript"})
    author_links = [e for e in in_thread if e.tag == "a" and "comment-author" in e.classes]
    assert len(author_links) == len([url for url in urls if url]) > 0
    assert all(e.get("href").startswith(HOMEPAGE) for e in author_links)

    data = json.loads(client.get(f"/api/posts/{SLUG}/comments").data)
    for node in data["comments"]:
        assert unsafe_parts(parse(node["body_html"]).elements, TAGS) == []
        assert node["author_url"] is None or node["author_url"].startswith(("http://", "https://"))


def test_a_sample_of_payloads_through_the_real_form(app, client, make_user, make_post, payloads):
    """About 300 payloads posted as a body and as a name; the page a reader gets (and the
    refusal pages that repeat the typed text) are read back."""
    app.config["COMMENT_MODERATION"] = "hold_none"
    make_post(SLUG, make_user("writer"))
    token = csrf_token(client, f"/posts/{SLUG}")
    sample = [line for line in payloads[::22] if line.strip()]
    assert len(sample) >= 290
    stored, refused = 0, []
    for line in sample:
        for fields in ({"body": line, "name": "xss"}, {"body": "名字测试", "name": line}):
            response = post_comment(client, SLUG, token=token, **fields)
            if response.status_code == 302:
                # A browser would follow the redirect, using up the flash message and keeping
                # its edit cookie; drop both so that requests stay small.
                client.delete_cookie(f"comment_{new_comment_id(response)}")
                with client.session_transaction() as session:
                    session.pop("_flashes", None)
                stored += 1
            else:
                assert response.status_code == 400, line
                refused.append(response.get_data(as_text=True))
    assert stored >= len(sample)  # every body, and the names that fit in 100 characters
    for html in refused[::10]:
        assert unsafe_parts(parse(html).elements) == []
    page = parse(app.test_client().get(f"/posts/{SLUG}").get_data(as_text=True))
    in_thread = [e for e in page.elements if e.inside("ol", class_="comment-list")]
    assert len([e for e in in_thread if e.tag == "li" and e.get("id", "").startswith("comment-")]) == stored
    assert unsafe_parts(in_thread, TAGS | THREAD_TAGS) == []
    assert unsafe_parts(page.elements) == []
    assert {e.get("action") for e in page.elements if e.tag == "form"} == {
        "/search", f"/posts/{SLUG}/comments#comment-form"}


# -- threads ------------------------------------------------------------------------------------------

@pytest.mark.db_agnostic  # the sanitizer alone
def test_sanitizing_is_safe_from_several_threads(payloads):
    """Web servers render comments in parallel threads; each must get its own comment back."""
    lines = payloads[:600]
    expected = [render_comment(line) for line in lines]
    errors = []

    def render_all():
        try:
            for line, html in zip(lines, expected):
                if render_comment(line) != html:
                    errors.append(line)
        except Exception as exc:  # noqa: BLE001 - any crash in a thread is a failure here
            errors.append(repr(exc))

    threads = [threading.Thread(target=render_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
