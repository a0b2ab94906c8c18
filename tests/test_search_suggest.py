"""Search-as-you-type (``/api/suggest``): glossary terms with their other-language
equivalent, tags and post titles, found by prefix whatever the case, hyphens, script or
pinyin; bad prefixes answer ``[]``; a change to the site shows in the next suggestion."""

import pytest

from blogapp.extensions import db
from blogapp.models import Post
from blogapp.search.suggest import Suggester, TermKeys, normalized, pinyin_keys
from test_caching import change


@pytest.fixture
def site(app, make_user, make_post):
    app.config["PAGE_CACHE"] = False
    writer = make_user("writer", role="author")
    make_post("hpa-guide", writer, title="HPA 实战：水平扩缩容", tags=["HPA", "autoscaling"])
    make_post("kube-proxy-modes", writer, title="kube-proxy 的 iptables 与 IPVS 模式",
              tags=["kube-proxy"])
    make_post("draft", writer, title="Kube 草稿", status="draft", tags=["secret-tag"])
    return writer


def suggest(client, prefix):
    response = client.get("/api/suggest", query_string={"q": prefix})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def texts(suggestions, kind=None):
    return [s["text"] for s in suggestions if kind is None or s["kind"] == kind]


@pytest.mark.parametrize("prefix", ["kube-p", "KUBE-P", "kubep", "kube p", "Kube.P"])
def test_english_prefixes_ignore_case_and_hyphens(client, site, prefix):
    found = suggest(client, prefix)
    assert "kube-proxy" in texts(found, "term")
    assert "kube-proxy" in texts(found, "tag")
    assert "kube-proxy 的 iptables 与 IPVS 模式" in texts(found, "post")
    assert len(found) <= 8


@pytest.mark.parametrize("prefix", ["水平", "shuiping", "spksr", "SPKSR", "水平擴"])
def test_chinese_prefixes_pinyin_and_traditional_find_the_chinese_term(client, site, prefix):
    found = suggest(client, prefix)
    term = next(s for s in found if s["text"] == "水平扩缩容")
    assert term["kind"] == "term" and term["url"] == "/search?q=%E6%B0%B4%E5%B9%B3%E6%89%A9%E7%BC%A9%E5%AE%B9"
    assert " · " in term["label"] and term["label"].startswith("水平扩缩容 · ")


def test_terms_come_with_their_other_language_equivalent_and_links_work(client, site):
    found = suggest(client, "hpa")
    hpa = next(s for s in found if s["kind"] == "term" and s["text"] == "HPA")
    equivalent = hpa["label"].split(" · ", 1)[1]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in equivalent)
    tag = next(s for s in found if s["kind"] == "tag")
    post = next(s for s in found if s["kind"] == "post")
    assert tag["url"] == "/tag/hpa" and post["url"] == "/posts/hpa-guide"
    for item in (hpa, tag, post):
        assert client.get(item["url"]).status_code == 200
    assert found[0]["kind"] == "term"  # terms first


def test_drafts_and_their_tags_are_never_suggested_and_changes_show_at_once(app, client, site):
    assert "Kube 草稿" not in texts(suggest(client, "kube"))
    assert "secret-tag" not in texts(suggest(client, "secret"))
    assert "HPA 实战：水平扩缩容" in texts(suggest(client, "实战"))

    def retitle():
        db.session.scalar(db.select(Post).filter_by(slug="hpa-guide")).title = "弹性伸缩实践"

    change(app, retitle)
    suggest(client, "弹性")  # may still answer from the previous suggester ...
    rebuilding = app.extensions["suggest"].rebuilding
    if rebuilding is not None:
        rebuilding.join(timeout=30)  # ... while the new one is built beside it
    assert "弹性伸缩实践" in texts(suggest(client, "弹性"))
    assert "HPA 实战：水平扩缩容" not in texts(suggest(client, "实战"))


@pytest.mark.parametrize("prefix", ["", "   ", "x" * 1000, "\x00\x01\x02", "\u200b", "k" * 65,
                                    "<script>", "%", "'; DROP TABLE posts; --"])
def test_bad_prefixes_answer_an_empty_list(client, site, prefix):
    assert suggest(client, prefix) == []


def test_suggester_ranks_exact_matches_first_and_keeps_each_item_once():
    from blogapp.search.glossary import Concept

    terms = TermKeys([Concept(("kube-proxy", "kubeproxy")), Concept(("Pod", "容器组")),
                      Concept(("PodTemplate", "Pod 模板"))], lambda term: f"/search?q={term}")
    suggester = Suggester(
        terms, [("Pod", "/tag/pod")],
        [("Pod 的生命周期", "/posts/a", 2.0), ("Pod 调度", "/posts/b", 1.0)])
    found = suggester.suggest("pod")
    assert [(s.kind, s.text) for s in found] == [
        ("term", "Pod"), ("tag", "Pod"), ("term", "Pod 模板"), ("term", "PodTemplate"),
        ("post", "Pod 的生命周期"), ("post", "Pod 调度")]  # newer post first
    assert [s.text for s in suggester.suggest("kubeproxy")] == ["kube-proxy"]  # one spelling
    assert suggester.suggest("rongqi")[0].label == "容器组 · Pod"
    assert normalized("  Kube-Proxy ") == "kubeproxy" and normalized("x" * 65) == ""
    assert pinyin_keys("水平扩缩容") == ("shuipingkuosuorong", "spksr") and pinyin_keys("HPA") == ()
