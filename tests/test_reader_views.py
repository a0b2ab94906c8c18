"""What readers see: front page, article, archives, pagination, hidden drafts, 404s."""

import re

import pytest


@pytest.fixture
def blog(make_user, make_post):
    admin = make_user("admin", role="admin")
    luffy = make_user("luffy")
    for n in range(7):
        make_post(f"post-{n}", admin, title=f"文章 {n}", days_ago=10 - n, category="运维",
                  tags=["HPA", "自动扩缩容"])
    make_post("luffy-post", luffy, title="Luffy writes", days_ago=20, category="网络")
    make_post("a-draft", admin, title="Secret draft", status="draft")
    make_post("future", admin, title="Future post", days_ago=-3)
    return {"admin": admin, "luffy": luffy}


def titles(response):
    return re.findall(r'class="entry-title"><a href="[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def test_front_page_lists_newest_first_and_paginates(client, blog):
    page1 = client.get("/")
    assert page1.status_code == 200
    assert titles(page1) == ["文章 6", "文章 5", "文章 4", "文章 3", "文章 2"]
    page2 = client.get("/?page=2")
    assert titles(page2) == ["文章 1", "文章 0", "Luffy writes"]
    assert 'rel="prev"' in page2.get_data(as_text=True)


@pytest.mark.parametrize("page", ["abc", "", "1.5"])
def test_non_numeric_page_means_first_page(client, blog, page):
    response = client.get(f"/?page={page}")
    assert response.status_code == 200
    assert titles(response)[0] == "文章 6"


@pytest.mark.parametrize("page", ["0", "-1", "3", "99999999999999999999999"])
def test_impossible_page_is_404(client, blog, page):
    assert client.get(f"/?page={page}").status_code == 404


def test_drafts_and_future_posts_are_hidden(client, blog):
    html = client.get("/?page=1").get_data(as_text=True) + client.get("/?page=2").get_data(as_text=True)
    assert "Secret draft" not in html and "Future post" not in html
    assert client.get("/posts/a-draft").status_code == 404
    assert client.get("/posts/future").status_code == 404
    assert "Future post" not in client.get("/author/admin").get_data(as_text=True)


def test_article_page(client, blog):
    response = client.get("/posts/post-3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1 class=\"entry-title\">文章 3</h1>" in html
    assert 'href="/author/admin"' in html and 'lang="zh-CN"' in html
    assert "/tag/%E8%87%AA%E5%8A%A8%E6%89%A9%E7%BC%A9%E5%AE%B9" in html


def test_unknown_slug_is_a_real_404_page(client, blog):
    response = client.get("/posts/no-such-post")
    assert response.status_code == 404
    assert "找不到这篇文章" in response.get_data(as_text=True)
    assert "<html" in response.get_data(as_text=True)


def test_author_archive(client, blog):
    response = client.get("/author/admin")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "作者文章归档：Admin" in html and "共 7 篇" in html
    assert "Read more" in html and "Luffy writes" not in html
    assert client.get("/author/ADMIN").status_code == 200
    assert client.get("/author/nobody").status_code == 404


def test_category_and_chinese_tag_archives(client, blog):
    category = client.get("/category/网络")
    assert category.status_code == 200 and titles(category) == ["Luffy writes"]
    tag = client.get("/tag/%E8%87%AA%E5%8A%A8%E6%89%A9%E7%BC%A9%E5%AE%B9")
    assert tag.status_code == 200 and "共 7 篇" in tag.get_data(as_text=True)
    assert client.get("/tag/hpa").status_code == 200
    assert client.get("/tag/nope").status_code == 404


def test_month_archive(client, app, blog):
    from blogapp.extensions import db
    from blogapp.models import Post
    from blogapp.templating import local_time

    with app.app_context():
        when = db.session.scalar(db.select(Post.published_at).filter_by(slug="luffy-post"))
        with app.test_request_context():
            year, month = map(int, local_time(when, "%Y %m").split())
    listed = titles(client.get(f"/archive/{year}/{month}"))
    listed += titles(client.get(f"/archive/{year}/{month}?page=2"))
    assert "Luffy writes" in listed
    assert "Future post" not in listed and "Secret draft" not in listed
    assert client.get("/archive/2024/13").status_code == 404
    assert client.get("/archive/2024/0").status_code == 404
    empty = client.get("/archive/1999/1")
    assert empty.status_code == 200 and "共 0 篇" in empty.get_data(as_text=True)
