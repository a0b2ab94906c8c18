"""Search knows languages (#16): each hit's lang, ``language=zh|en`` filtering, and one
hit per article when both of its versions match, in the reader's language."""

import pytest

from blogapp.content.translations import link
from blogapp.extensions import db
from blogapp.models import Post


@pytest.fixture
def pair(app, make_user, make_post):
    writer = make_user("writer")
    make_post("hpa-zh", writer, title="HPA 水平扩缩容", body="HPA 根据 CPU 使用率自动扩缩 Pod 副本数。")
    make_post("hpa-en", writer, title="HPA autoscaling", body="The HPA scales Pod replicas on CPU usage, says the quokka.",
              days_ago=2)
    make_post("hpa-notes", writer, title="HPA notes", body="More HPA notes, in English only.", days_ago=3)
    with app.app_context():
        link(*(db.session.scalar(db.select(Post).filter_by(slug=s)) for s in ("hpa-en", "hpa-zh")))
        db.session.commit()


def api(client, query):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_an_article_matching_in_both_languages_is_one_hit_in_the_readers_language(client, pair):
    zh = api(client, "q=HPA&lang=zh")
    assert zh["total"] == 2
    assert [(hit["slug"], hit["lang"]) for hit in zh["results"]] == [("hpa-zh", "zh"), ("hpa-notes", "en")]
    assert zh["results"][0]["other_versions"] == [
        {"lang": "en", "slug": "hpa-en", "title": "HPA autoscaling", "url": "/posts/hpa-en"}]
    assert zh["results"][1]["other_versions"] == []
    en = api(client, "q=HPA&lang=en&sort=date")
    assert [hit["slug"] for hit in en["results"]] == ["hpa-en", "hpa-notes"]
    assert en["results"][0]["other_versions"][0]["slug"] == "hpa-zh"
    # Only one version matches: it is shown, whatever the reader's language.
    assert [hit["slug"] for hit in api(client, "q=quokka&lang=zh")["results"]] == ["hpa-en"]


def test_language_filters_and_refuses_other_values(client, pair):
    assert sorted(h["slug"] for h in api(client, "q=HPA&language=en")["results"]) == ["hpa-en", "hpa-notes"]
    only_zh = api(client, "q=HPA&language=zh&lang=en")
    assert [(h["slug"], h["other_versions"]) for h in only_zh["results"]] == [("hpa-zh", [])]
    for path in ("/api/search?q=HPA&language=fr", "/search?q=HPA&language=zh-TW"):
        response = client.get(path + "&lang=en")
        assert response.status_code == 400 and "language must be zh or en" in response.get_data(as_text=True)


def test_results_page_links_the_other_version_and_marks_lang(client, pair):
    html = client.get("/search?q=HPA&lang=zh").get_data(as_text=True)
    assert html.count('class="entry search-hit"') == 2
    assert ('同一篇文章的另一种语言版本：<a href="/posts/hpa-en" lang="en" hreflang="en">HPA autoscaling</a>'
            in html)
    assert '<article class="entry search-hit" lang="en">' in html  # hpa-notes
    filtered = client.get("/search?q=HPA&language=en&lang=zh").get_data(as_text=True)
    assert 'href="/search?q=HPA&amp;sort=date&amp;language=en"' in filtered
