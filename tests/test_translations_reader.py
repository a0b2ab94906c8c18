"""Translated articles for readers (#16): links between the versions, hreflang alternates,
the body's lang, one listing entry per article in the interface language, feeds per
language, sitemap alternates, and the page cache of a partner."""

import re

import pytest
from lxml import etree

from blogapp.content.translations import TranslationConflict, link, unlink
from blogapp.extensions import db
from blogapp.models import Post
from conftest import make_app

ZH, EN = "pod-shengming", "pod-lifecycle"


@pytest.fixture
def pair(app, make_user, make_post):
    writer = make_user("writer")
    make_post(ZH, writer, title="Pod 的生命周期", body="Pod 会经历若干阶段。", category="Ops")
    make_post(EN, writer, title="Pod Lifecycle", body="Pods go through phases.", category="Ops",
              days_ago=2)
    make_post("only-english", writer, title="Only English", body="No translation here.", days_ago=3)
    with app.app_context():
        link(db.session.scalar(db.select(Post).filter_by(slug=EN)),
             db.session.scalar(db.select(Post).filter_by(slug=ZH)))
        db.session.commit()
    return writer


def alternates(html):
    return sorted(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_each_version_links_the_other_with_reciprocal_absolute_alternates(client, pair):
    zh = client.get(f"/posts/{ZH}?lang=zh").get_data(as_text=True)
    en = client.get(f"/posts/{EN}?lang=zh").get_data(as_text=True)
    assert (f'<a href="/posts/{EN}" lang="en" hreflang="en" rel="alternate">Read in English</a>'
            in zh)
    assert (f'<a href="/posts/{ZH}" lang="zh-CN" hreflang="zh-CN" rel="alternate">阅读中文版</a>'
            in en)
    expected = sorted([("en", f"http://localhost/posts/{EN}"), ("zh-CN", f"http://localhost/posts/{ZH}"),
                       ("x-default", f"http://localhost/posts/{ZH}")])
    assert alternates(zh) == alternates(en) == expected
    # The body's language is the post's, marked where it differs from the interface.
    assert '<article class="post" lang="en">' in en and '<article class="post">' in zh
    alone = client.get("/posts/only-english").get_data(as_text=True)
    assert alternates(alone) == [] and "Read in English" not in alone


def test_listings_show_one_entry_per_article_in_the_interface_language(client, pair):
    zh = client.get("/?lang=zh").get_data(as_text=True)
    assert f'href="/posts/{ZH}"' in zh and f'<a href="/posts/{EN}" lang="en" hreflang="en">English version</a>' in zh
    assert zh.count('class="entry"') == 2  # the pair once, the untranslated post
    en = client.get("/category/ops?lang=en").get_data(as_text=True)
    assert en.count('class="entry"') == 1
    assert f'<a href="/posts/{ZH}" lang="zh-CN" hreflang="zh-CN">中文版</a>' in en


def test_feeds_per_language_and_in_the_interface_language(client, pair):
    def entries(path):
        response = client.get(path)
        assert response.status_code == 200
        root = etree.fromstring(response.data)
        atom = "{http://www.w3.org/2005/Atom}"
        return root.get("{http://www.w3.org/XML/1998/namespace}lang"), sorted(
            entry.find(f"{atom}link").get("href") for entry in root.iter(f"{atom}entry"))

    assert entries("/feed.atom?language=en") == ("en", ["http://localhost/posts/only-english",
                                                        f"http://localhost/posts/{EN}"])
    assert entries("/category/ops/feed.atom?language=zh") == ("zh-CN", [f"http://localhost/posts/{ZH}"])
    assert entries("/feed.atom?lang=zh")[1] == ["http://localhost/posts/only-english", f"http://localhost/posts/{ZH}"]
    assert entries("/feed.atom?lang=en")[1] == ["http://localhost/posts/only-english", f"http://localhost/posts/{EN}"]
    bad = client.get("/feed.atom?language=fr&lang=en")
    assert bad.status_code == 400 and "language must be zh or en" in bad.get_data(as_text=True)


def test_sitemap_lists_the_alternates_of_each_version(client, pair):
    root = etree.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    for slug in (ZH, EN):
        url = root.xpath(f"s:url[s:loc='http://localhost/posts/{slug}']", namespaces=ns)[0]
        assert sorted((l.get("hreflang"), l.get("href")) for l in url.xpath("x:link", namespaces=ns)) == [
            ("en", f"http://localhost/posts/{EN}"), ("x-default", f"http://localhost/posts/{ZH}"),
            ("zh-CN", f"http://localhost/posts/{ZH}")]
    alone = root.xpath("s:url[s:loc='http://localhost/posts/only-english']", namespaces=ns)[0]
    assert alone.xpath("x:link", namespaces=ns) == []


def test_saving_one_version_refreshes_the_cached_page_of_the_other(app, client, pair):
    assert "Read in English" in client.get(f"/posts/{ZH}").get_data(as_text=True)
    assert "Read in English" in client.get(f"/posts/{ZH}").get_data(as_text=True)  # cached
    with app.app_context():
        db.session.scalar(db.select(Post).filter_by(slug=EN)).unpublish()
        db.session.commit()
    page = client.get(f"/posts/{ZH}").get_data(as_text=True)
    assert "Read in English" not in page and alternates(page) == []


def test_one_post_per_language_in_a_group(app, pair, make_post):
    make_post("another-zh", pair, body="另一篇中文文章。")
    with app.app_context():
        zh, other = (db.session.scalar(db.select(Post).filter_by(slug=s)) for s in (ZH, "another-zh"))
        assert other.language == "zh"
        with pytest.raises(TranslationConflict, match="already the 'zh' translation"):
            link(other, db.session.scalar(db.select(Post).filter_by(slug=EN)))
        with pytest.raises(TranslationConflict, match="both posts are in 'zh'"):
            link(other, zh)
        unlink(zh)  # a group of one is dissolved
        db.session.commit()
        assert db.session.scalar(db.select(Post).filter_by(slug=EN)).translation_group is None


def test_related_articles_leave_out_the_articles_own_translation(client, pair):
    related = client.get(f"/api/posts/{ZH}/related").get_json()
    slugs = [item["slug"] for item in (related if isinstance(related, list) else related["related"])]
    assert EN not in slugs and ZH not in slugs
