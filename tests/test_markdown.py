"""Article rendering: Markdown extensions, heading anchors, excerpts and HTML sanitizing."""

import html
import re
from html.parser import HTMLParser

import pytest

from blogapp.content.rendering import markdown_to_html, render_article
from blogapp.content.sanitize import clean_html
from blogapp.extensions import db
from blogapp.models import Post

from conftest import shared_path


class TagCollector(HTMLParser):
    """Every start tag of a document with its attributes, as a browser would parse them."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def text_of(fragment):
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "svg", "math", "link",
                  "meta", "base", "input", "textarea", "button", "frame", "frameset"}
SAFE_SCHEMES = {"http", "https", "mailto"}


def assert_harmless(fragment):
    for tag, attrs in TagCollector(fragment).tags:
        assert tag not in DANGEROUS_TAGS, (tag, fragment)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, fragment)
            assert name != "style", fragment
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                # Browsers ignore control characters and spaces inside a scheme.
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", squeezed)
                assert scheme is None or scheme.group(1) in SAFE_SCHEMES, (value, fragment)


# --- code, tables, headings ----------------------------------------------------------------

def test_fenced_code_is_highlighted_by_pygments():
    out = markdown_to_html("Intro\n\n```python\ndef hello(name):\n    return 42\n```\n")
    assert '<div class="highlight">' in out
    # Pygments token classes: keyword, function name, number.
    assert '<span class="k">def</span>' in out
    assert '<span class="nf">hello</span>' in out
    assert '<span class="mi">42</span>' in out


def test_yaml_and_bash_blocks_are_highlighted_too():
    out = markdown_to_html(
        "```yaml\napiVersion: v1\nkind: Pod\n```\n\n```bash\nkubectl get pods -A\n```\n"
    )
    assert out.count('<div class="highlight">') == 2
    assert '<span class="nt">apiVersion</span>' in out
    assert text_of(out).count("kubectl get pods -A") == 1


def test_html_inside_code_is_shown_as_text_not_markup():
    out = markdown_to_html("```html\n<script>alert(1)</script>\n```\n\nInline `<b>bold</b>` too.")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;" in out and "script" in out
    assert "alert(1)" in text_of(out) and "<b>bold</b>" in text_of(out)


def test_tables_render_with_alignment_attributes():
    out = markdown_to_html(
        "| 资源 | 副本 | 说明 |\n"
        "|:-----|:----:|-----:|\n"
        "| Pod  | 3    | ok   |\n"
    )
    tags = TagCollector(out).tags
    names = [tag for tag, _ in tags]
    assert names.count("table") == 1 and "thead" in names and "tbody" in names
    headers = [attrs for tag, attrs in tags if tag == "th"]
    cells = [attrs for tag, attrs in tags if tag == "td"]
    assert [h.get("align") for h in headers] == ["left", "center", "right"]
    assert [c.get("align") for c in cells] == ["left", "center", "right"]
    assert "资源" in text_of(out) and "Pod" in text_of(out)


def test_unaligned_table_has_no_align_attribute():
    out = markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in out and "align" not in out


def test_headings_get_ids_including_chinese():
    out = markdown_to_html("## 前提：安装\n\ntext\n\n### Hello World\n\nmore")
    ids = [attrs.get("id") for tag, attrs in TagCollector(out).tags if tag in {"h2", "h3"}]
    assert len(ids) == 2
    chinese, english = ids
    assert chinese and "前提" in chinese and "安装" in chinese
    assert english == "hello-world"


def test_repeated_headings_get_distinct_ids():
    out = markdown_to_html("## 安装\n\na\n\n## 安装\n\nb\n\n## 验证\n")
    ids = [attrs.get("id") for tag, attrs in TagCollector(out).tags if tag == "h2"]
    assert len(ids) == 3 and all(ids)
    assert len(set(ids)) == 3


# --- excerpts ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "marker",
    ["<!--more-->", "<!-- more -->", "<!-- More -->", "<!--MORE-->", "  <!--  more  -->  "],
)
def test_excerpt_is_the_markdown_before_the_more_marker(marker):
    text = (
        "开头第一段，介绍 **HPA**。\n\n"
        "第二段也在摘要里。\n\n"
        f"{marker}\n\n"
        "## 正文小节\n\n"
        "摘要里不该出现这一句。\n"
    )
    rendered = render_article(text)
    excerpt = rendered.excerpt_html
    assert "<strong>HPA</strong>" in excerpt
    assert "第二段也在摘要里" in excerpt
    assert "正文小节" not in excerpt and "摘要里不该出现" not in excerpt
    # The whole article still has everything, and the marker itself is not shown.
    assert "摘要里不该出现这一句" in rendered.html
    assert "more" not in rendered.html.lower()


def test_excerpt_without_marker_is_the_first_paragraph():
    rendered = render_article(
        "## 标题在前\n\nFirst *paragraph* here.\n\nSecond paragraph.\n\n- a list\n"
    )
    assert rendered.excerpt_html == "<p>First <em>paragraph</em> here.</p>"
    assert "Second paragraph" in rendered.html


def test_excerpt_of_text_without_paragraph_is_empty():
    assert render_article("```bash\nls\n```\n").excerpt_html == ""
    assert render_article("").excerpt_html == ""


def test_marker_inside_a_sentence_is_not_a_split_point():
    # Only a marker on its own line splits; mentioning it mid-line is just text.
    text = "Write `<!--more-->` to split.\n\nSecond."
    assert render_article(text).excerpt_html.startswith("<p>Write <code>")
    assert "Second" not in render_article(text).excerpt_html


def test_excerpt_is_sanitized_too():
    rendered = render_article('Intro <img src=x onerror="alert(1)">\n\n<!--more-->\n\nrest')
    assert "onerror" not in rendered.excerpt_html
    assert "Intro" in rendered.excerpt_html


# --- sanitizing ------------------------------------------------------------------------------

EVIL_BODY = """\
Safe intro paragraph.

<script>alert("xss")</script>

<img src="x.png" onerror="alert(1)" alt="pic">

<a href="javascript:alert(2)">js link</a> and [md link](javascript:alert(3)) and
<a href="JaVaScRiPt:alert(4)">mixed case</a> and <a href="java&#x09;script:alert(5)">entity</a>

<iframe src="https://evil.example/"></iframe>
<div onclick="alert(6)" style="position:fixed">styled</div>

[good link](https://kubernetes.io/docs/) and <mailto:admin@example.com>
"""


def test_dangerous_html_is_removed_from_articles():
    out = markdown_to_html(EVIL_BODY)
    lowered = out.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered
    assert "javascript" not in lowered and "<iframe" not in lowered and "style=" not in lowered
    assert_harmless(out)
    # Harmless content survives.
    assert "Safe intro paragraph." in out
    assert '<a href="https://kubernetes.io/docs/">good link</a>' in out
    assert ("a", {"href": "mailto:admin@example.com"}) in TagCollector(out).tags
    assert "js link" in out and "md link" in out
    tags = TagCollector(out).tags
    assert ("img", {"src": "x.png", "alt": "pic"}) in tags


def test_article_page_serves_sanitized_body(client, make_user, make_post):
    admin = make_user("admin", role="admin")
    make_post("evil", admin, title="Evil", body=EVIL_BODY)
    page = client.get("/posts/evil")
    assert page.status_code == 200
    content = page.get_data(as_text=True)
    assert "Safe intro paragraph." in content
    lowered = content.lower()
    # The site's own scripts (static files: theme, site, suggest, the comments plugin's)
    # are the only ones.
    scripts = re.findall(r"<script[^>]*>", lowered)
    assert all(re.fullmatch(r'<script src="/(static|comments/static)/(theme|site|suggest|comments)'
                            r'\.js\?v=\w+"( defer)?>', s) for s in scripts), scripts
    assert "onerror" not in lowered and "javascript:" not in lowered
    article = re.search(r'<div class="entry-content">(.*?)</article>', content, re.DOTALL)
    assert article and "Safe intro paragraph." in article.group(1)
    assert_harmless(article.group(1))


def test_clean_html_keeps_highlighting_and_anchor_attributes():
    kept = ('<h2 id="a">x</h2>'
            '<div class="highlight"><pre><code><span class="k">def</span></code></pre></div>')
    assert clean_html(kept) == kept
    assert clean_html('<p class="x" id="y">t</p>') == "<p>t</p>"


def test_xss_payload_sample_is_neutralised():
    path = shared_path("fixtures", "xss", "xss-payload-list.txt")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    # A spread-out sample keeps this fast; every line of it goes through the real renderer.
    for payload in lines[::15]:
        assert_harmless(markdown_to_html(payload))
        assert_harmless(markdown_to_html(f"[x]({payload})"))


# --- the cached rendering on Post ------------------------------------------------------------

def test_post_body_assignment_rerenders_cached_html(app, client, make_user, make_post):
    admin = make_user("admin", role="admin")
    post_id = make_post("cached", admin, body="Old intro.\n\n<!--more-->\n\nOld rest.")
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert "Old intro." in post.excerpt_html and "Old rest." not in post.excerpt_html
        post.body = "## 新标题\n\nNew intro.\n\n<!-- more -->\n\n```python\nx = 1\n```\n"
        db.session.commit()
    with app.app_context():  # a fresh session reads what was stored
        post = db.session.get(Post, post_id)
        assert "Old" not in post.body_html and "Old" not in post.excerpt_html
        assert '<div class="highlight">' in post.body_html
        assert re.search(r'<h2 id="[^"]*新标题[^"]*">新标题</h2>', post.body_html)
        assert "New intro." in post.excerpt_html and "highlight" not in post.excerpt_html
    page = client.get("/posts/cached").get_data(as_text=True)
    assert "New intro." in page and "Old intro." not in page
    front = client.get("/").get_data(as_text=True)
    assert "New intro." in front and "x = 1" not in text_of(front)


def test_clearing_the_body_clears_the_cache(app, make_user, make_post):
    admin = make_user("admin", role="admin")
    post_id = make_post("to-clear", admin, body="Something.")
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.body = ""
        db.session.commit()
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post.body_html == "" and post.excerpt_html == ""
