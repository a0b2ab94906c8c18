"""Atom feeds, sitemap.xml, robots.txt and the discovery tags readers' tools rely on."""

import xml.etree.ElementTree as ET

import feedparser
import pytest


@pytest.fixture
def blog(make_user, make_post):
    zoro = make_user("zoro")
    nami = make_user("nami")
    make_post("newest", zoro, title="最新 HPA", body="摘要。\n\n<!--more-->\n\n正文 **全文**。",
              days_ago=1, category="运维", tags=["HPA"])
    make_post("older", nami, title="Older post", body="Only one paragraph.", days_ago=5,
              category="网络", tags=["kube-proxy"])
    make_post("draft", zoro, title="Draft", status="draft")
    make_post("future", zoro, title="Future", days_ago=-2)


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_site_feed(client, blog):
    feed = parse(client.get("/feed.atom"))
    assert [e.title for e in feed.entries] == ["最新 HPA", "Older post"]
    first = feed.entries[0]
    assert first.link == "http://localhost/posts/newest"
    assert first.author == "Zoro"
    assert "全文" in first.content[0].value and "摘要" in first.summary
    assert feed.feed.title == "K8s 笔记"


def test_excerpt_only_feed(app, client, blog):
    app.config["FEED_FULL_CONTENT"] = False
    entry = parse(client.get("/feed.atom")).entries[0]
    assert "content" not in entry and "摘要" in entry.summary and "全文" not in entry.summary


@pytest.mark.parametrize("url, titles", [
    ("/author/nami/feed.atom", ["Older post"]),
    ("/category/运维/feed.atom", ["最新 HPA"]),
    ("/tag/kube-proxy/feed.atom", ["Older post"]),
])
def test_archive_feeds(client, blog, url, titles):
    assert [e.title for e in parse(client.get(url)).entries] == titles


@pytest.mark.parametrize("url", ["/author/nobody/feed.atom", "/category/nope/feed.atom",
                                 "/tag/nope/feed.atom"])
def test_unknown_archive_feed_is_404(client, blog, url):
    assert client.get(url).status_code == 404


def test_pages_link_their_feeds(client, blog):
    assert 'type="application/atom+xml"' in client.get("/").get_data(as_text=True)
    html = client.get("/author/nami").get_data(as_text=True)
    assert 'href="/author/nami/feed.atom"' in html


def test_sitemap(client, blog):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.get_data())
    urls = {u.find("s:loc", ns).text: u.find("s:lastmod", ns) for u in root.findall("s:url", ns)}
    assert "http://localhost/posts/newest" in urls and "http://localhost/posts/older" in urls
    assert "http://localhost/posts/draft" not in urls and "http://localhost/posts/future" not in urls
    assert "http://localhost/author/zoro" in urls and "http://localhost/tag/hpa" in urls
    assert any("/archive/" in url for url in urls)
    assert all(lastmod is not None for url, lastmod in urls.items() if "/posts/" in url)


def test_robots(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /admin/" in text and "Sitemap: http://localhost/sitemap.xml" in text


def test_article_has_open_graph_and_canonical(client, blog):
    html = client.get("/posts/newest").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/posts/newest">' in html
    assert '<meta property="og:title" content="最新 HPA">' in html
    assert '<meta property="og:description" content="摘要。">' in html
    assert '<meta property="article:tag" content="HPA">' in html
