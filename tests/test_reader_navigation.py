"""Moving around as a reader, without a browser: the sidebar's month archive and tags,
previous/next article, table of contents, reading time, the article's language, code
block labels and folding, breadcrumbs, favicon and manifest; and that all of them follow
changes through the page cache. (The browser suite, test_browser_reader.py, checks how
they look and work.)"""

import re
from datetime import datetime, timedelta, timezone

from test_caching import change

from blogapp.content.reader import FOLD_YAML_LINES, build
from blogapp.content.rendering import render_article
from blogapp.extensions import db
from blogapp.models import Post

LONG_YAML = "\n".join(f"key{n}: value" for n in range(FOLD_YAML_LINES + 5))
BODY = f"""Intro paragraph in English with a few words.

# First

Some text.

```yaml
{LONG_YAML}
```

# Second

```bash
kubectl get pods
```

## Deeper

| a | b |
|---|---|
| 1 | 2 |

    plain indented code
"""


def _html(response):
    return response.get_data(as_text=True)


def _neighbours(response):
    nav = re.search(r'<nav class="post-nav".*?</nav>', _html(response), re.DOTALL)
    if nav is None:
        return {}
    return dict(re.findall(r'class="post-nav-(newer|older)" href="/posts/([^"]+)"', nav.group(0)))


def test_article_body_for_readers():
    view = build(render_article(BODY).html)
    html = str(view.html)
    # The page's title is its only h1: the body's headings move one level down.
    assert "<h1" not in html and '<h2 id="first">' in html and '<h3 id="deeper">' in html
    assert [t for _, _, t in view.toc] == ["First", "Second", "Deeper"]  # h2/h3 of the page
    assert view.lang == "en" and view.minutes == 1
    assert html.count('<pre tabindex="0">') == 3
    assert '<span class="code-lang">YAML</span>' in html and '<span class="code-lang">Bash</span>' in html
    assert html.count('class="code-lang"') == 2  # the indented block has no language
    assert html.count("<details class=\"code-fold\">") == 1
    assert '<div class="table-scroll" tabindex="0"><table>' in html


def test_reading_time_and_language_of_chinese_text():
    view = build(render_article("滚动更新" * 400 + "\n\n## 一\n\n## 二\n\n## 三\n").html)
    assert view.lang == "zh-CN" and view.minutes == 4
    assert [t for _, _, t in view.toc] == ["一", "二", "三"]


def test_article_page_shows_navigation(client, make_user, make_post):
    writer = make_user("writer")
    make_post("oldest", writer, days_ago=3, tags=["HPA"])
    make_post("middle", writer, days_ago=2, body=BODY, tags=["HPA", "kubelet"], category="运维")
    make_post("newest", writer, days_ago=1)
    page = client.get("/posts/middle?lang=en")
    html = _html(page)
    assert _neighbours(page) == {"older": "oldest", "newer": "newest"}
    assert '<nav class="toc"' in html and 'href="#first"' in html
    assert "min read" in html
    assert '<article class="post">' in html  # English body, English interface: no lang
    assert 'aria-current="page">Middle</li>' in html  # breadcrumbs
    assert html.count("<h1") == 1
    zh = _html(client.get("/posts/middle?lang=zh"))
    assert '<article class="post" lang="en">' in zh
    assert _neighbours(client.get("/posts/oldest")) == {"newer": "middle"}
    assert _neighbours(client.get("/posts/newest")) == {"older": "middle"}


def test_sidebar_lists_months_and_tags_with_counts(client, make_user, make_post):
    writer = make_user("writer")
    make_post("a", writer, days_ago=1, tags=["HPA", "kubelet"])
    make_post("b", writer, days_ago=1, tags=["HPA"])
    make_post("draft", writer, status="draft", tags=["secret"])
    html = _html(client.get("/"))
    tags = html.split('id="sidebar-tags"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'>([^<]+)</a> <span class="count">\((\d+)\)', tags) == [("HPA", "2"), ("kubelet", "1")]
    months = html.split('id="sidebar-months"', 1)[1].split("</section>", 1)[0]
    found = re.findall(r'href="/archive/(\d+)/(\d+)">[^<]+</a> <span class="count">\((\d+)\)', months)
    assert sum(int(n) for _, _, n in found) == 2
    assert "<h1" in html and html.count("<h1") == 1


def test_neighbours_and_sidebar_follow_changes_through_the_page_cache(app, client, make_user, make_post):
    writer = make_user("writer")
    make_post("first", writer, days_ago=2, tags=["HPA"])
    assert _neighbours(client.get("/posts/first")) == {}
    assert _neighbours(client.get("/posts/first")) == {}  # served from the cache
    newer = make_post("second", writer, days_ago=1, tags=["etcd"])
    assert _neighbours(client.get("/posts/first")) == {"newer": "second"}
    assert "etcd</a>" in _html(client.get("/"))
    change(app, lambda: setattr(db.session.get(Post, newer), "status", "draft"))
    assert _neighbours(client.get("/posts/first")) == {}
    assert "etcd</a>" not in _html(client.get("/"))
    # A save changes the table of contents at once.
    change(app, lambda: setattr(db.session.get(Post, 1), "body", BODY))
    assert 'href="#second"' in _html(client.get("/posts/first"))


def test_archive_pages_say_where_the_reader_is(client, make_user, make_post):
    writer = make_user("writer")
    make_post("a", writer, days_ago=1, tags=["HPA"])
    now = datetime.now(timezone.utc) - timedelta(days=1)
    for path in ("/tag/hpa", "/author/writer", f"/archive/{now.year}/{now.month}"):
        html = _html(client.get(path))
        assert '<nav class="breadcrumbs"' in html and 'aria-current="page"' in html, path


def _fetch(client, path):
    with client.get(path) as response:  # static files are streamed: close them
        return response.status_code, response.get_data()


def test_favicon_and_manifest(client):
    status, data = _fetch(client, "/favicon.ico")
    assert status == 200 and data[:4] == b"\x00\x00\x01\x00"
    html = _html(client.get("/"))
    manifest = re.search(r'<link rel="manifest" href="([^"]+)"', html).group(1)
    assert _fetch(client, manifest)[0] == 200
    assert _fetch(client, re.search(r'<link rel="icon" href="([^"]+)"', html).group(1))[0] == 200
