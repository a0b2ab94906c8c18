"""``/search`` and ``/api/search`` as readers and programs use them."""

import pytest


@pytest.fixture
def posts(make_user, make_post):
    author = make_user("luffy")
    make_post("hpa", author, title="HPA动态扩缩容", body="HPA（水平自动伸缩）根据 CPU 调整副本数。\n\n" + "扩容 " * 50)
    make_post("vpa", author, title="VPA 纵向伸缩", body="VPA adjusts requests; it is not the Horizontal Pod Autoscaler.")
    for n in range(12):
        make_post(f"pod-{n}", author, title=f"Pod 笔记 {n}", body="Pod 是最小的调度单位。", days_ago=n + 2)
    return author


def test_search_box_on_every_page(client, posts):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'name="q"' in html


def test_results_page_with_marked_snippets(client, posts):
    response = client.get("/search?q=水平扩缩容")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "共 2 条结果" in html
    assert html.index("/posts/hpa") < html.index("/posts/vpa")
    assert "<mark>HPA</mark>" in html


def test_empty_query_shows_a_friendly_page(client, posts):
    for url in ("/search", "/search?q=", "/search?q=%20%20"):
        response = client.get(url)
        assert response.status_code == 200
        assert "输入关键词搜索文章" in response.get_data(as_text=True)


def test_no_results_message(client, posts):
    html = client.get("/search?q=zzzqqq").get_data(as_text=True)
    assert "没有找到相关文章" in html


def test_query_is_escaped_everywhere(client, posts):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    html = client.get("/search", query_string={"q": payload}).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_results_paginate(client, posts):
    page1 = client.get("/search?q=Pod").get_data(as_text=True)
    assert "第 1 / 3 页" in page1 and 'rel="next"' in page1
    assert client.get("/search?q=Pod&page=3").status_code == 200
    assert client.get("/search?q=Pod&page=9").status_code == 404
    assert client.get("/search?q=Pod&page=x").status_code == 400


def test_api_shape(client, posts):
    response = client.get("/api/search?q=HPA&per_page=1")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"query", "total", "page", "per_page", "suggestion", "results",
                         "facets"}
    assert set(data["facets"]) == {"category", "tag", "author", "year", "language"}
    assert data["total"] == 2 and data["per_page"] == 1 and len(data["results"]) == 1
    hit = data["results"][0]
    assert set(hit) == {"slug", "title", "url", "snippet", "score", "author", "published_at",
                        "lang", "other_versions"}
    assert hit["slug"] == "hpa" and hit["url"] == "/posts/hpa" and hit["author"] == "Luffy"
    assert "<mark>HPA</mark>" in hit["snippet"] and hit["score"] > 0


def test_api_suggestion_for_a_typo(client, posts):
    data = client.get("/api/search?q=autoscalr").get_json()
    assert data["suggestion"] == "autoscaler" and data["total"] >= 1


@pytest.mark.parametrize("query", [
    "q=", "q=HPA&page=0", "q=HPA&page=abc", "q=HPA&per_page=0", "q=HPA&per_page=51",
    "q=HPA&per_page=1e3", "q=HPA&sort=random", "page=1",
])
def test_api_bad_parameters_are_400_json(client, posts, query):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]


@pytest.mark.parametrize("query", [
    '"', '"unbalanced', "AND", "OR NOT", "*", "title:", "author:", "a" * 10_000, "\x01\x02",
    "-", "--", '-""', "((", "tag:不存在", "😀", "%00",
])
def test_api_never_fails_on_odd_text(client, posts, query):
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert response.is_json


def test_related_articles_follow_publishing_and_never_show_drafts(app, client, make_user,
                                                                   make_post):
    from blogapp.extensions import db
    from blogapp.models import Post
    from test_caching import change

    app.config["PAGE_CACHE"] = False
    author = make_user("writer", role="author")
    make_post("hpa", author, title="HPA 水平扩缩容", tags=["HPA"])
    make_post("hpa-en", author, title="Horizontal Pod Autoscaler in practice", tags=["autoscaling"])
    make_post("hpa-draft", author, title="HPA 草稿", tags=["HPA"], status="draft")

    def related(slug):
        return [item["slug"] for item in client.get(f"/api/posts/{slug}/related").json["related"]]

    assert related("hpa") == ["hpa-en"]  # across languages, never itself, never the draft

    def publish():
        db.session.scalar(db.select(Post).filter_by(slug="hpa-draft")).publish()

    change(app, publish)
    assert set(related("hpa")) == {"hpa-en", "hpa-draft"}
    assert client.get("/api/posts/hpa-draft/related").status_code == 200
