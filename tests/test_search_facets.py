"""Search facets (#18): ``/api/search`` counts each category, tag, author, year and
language over *all* matches of the query (not the page), each facet leaving out its own
filter (blogapp/search/engine/facets.py); ``/search`` shows them as links that add or
drop the ``tag:``/``category:``/``author:``/``year:`` syntax, with removable chips, and
works without JavaScript.

Counts are checked against a brute force over the database: for every value, how many
posts hold the words, pass the filters with that value chosen, are due, and are not the
other version of an article shown in the reader's language.
"""

import random
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from blogapp.content.translations import link
from blogapp.extensions import db
from blogapp.models import Category, Post, Tag, User

WORDS = ("quokka", "wombat", "numbat", "dingo")
TAGS = ("Service Mesh", "滚动更新", "etcd", "Ingress", "HPA", "DNS", "CNI", "RBAC", "存储卷",
        "Helm", "Operator", "kubelet", "GitOps", "网络策略")
CATEGORIES = ("运维", "Networking", "存储", None)
AUTHORS = (("ann", "Ann Lee"), ("bob", "鲍勃"), ("cai", ""), ("dee", "Dee"))
NOW = datetime.now(timezone.utc)


@pytest.fixture
def corpus(app):
    """70 posts with random words, tags, category, author, date and language; some
    translated pairs; one scheduled, one draft (neither may be counted)."""
    rng = random.Random(18)
    app.config.update(PAGE_CACHE=False, SEARCH_LOG_BACKGROUND=False)
    with app.app_context():
        users = [User(username=u, display_name=d, role="author") for u, d in AUTHORS]
        db.session.add_all(users)
        tags = [Tag.get_or_create(name) for name in TAGS]
        categories = [Category.get_or_create(name) if name else None for name in CATEGORIES]
        db.session.flush()
        posts = []
        for i in range(70):
            words = rng.sample(WORDS, rng.randint(1, 3))
            post = Post(slug=f"p{i:02d}", title=f"Post {i} {words[0]}",
                        body=f"正文 {' '.join(words)} 第 {i} 篇。", status="published",
                        author_id=rng.choice(users).id, language=rng.choice(("zh", "en")),
                        published_at=NOW - timedelta(days=rng.randint(2, 1500)))
            post.tags = rng.sample(tags, rng.randint(0, 4))
            post.category = rng.choice(categories)
            posts.append(post)
        posts.append(Post(slug="future", title="Future quokka wombat", body="quokka", status="published",
                          author_id=users[0].id, language="zh", published_at=NOW + timedelta(days=3)))
        posts.append(Post(slug="draft", title="Draft quokka", body="quokka", status="draft",
                          author_id=users[0].id, language="zh"))
        db.session.add_all(posts)
        db.session.flush()
        by_language = {lang: [p for p in posts[:70] if p.language == lang] for lang in ("zh", "en")}
        for zh, en in list(zip(by_language["zh"], by_language["en"]))[:15]:
            link(en, zh)
        db.session.commit()


def brute_force(app, words=(), excluded=(), filters=None, language=None, prefer="zh"):
    """``(total, {facet: [(value, count)]})`` computed from the database alone."""
    filters = filters or {}
    with app.app_context():
        rows = []
        for post in db.session.scalars(db.select(Post)):
            if post.status != "published" or post.published_at is None or post.published_at > NOW:
                continue
            text = f"{post.title} {post.body}"
            if words and not any(w in text for w in words) or any(w in text for w in excluded):
                continue
            rows.append({
                "post": post.slug, "group": post.translation_group,
                "tag": {t.slug for t in post.tags},
                "category": {post.category.slug} if post.category else set(),
                "author": {post.author.username}, "year": {str(post.published_at.year)},
                "language": {post.language},
            })
    chosen = {**{k: set(v) for k, v in filters.items()},
              **({"language": {language}} if language else {})}

    def results(choice):
        found = [r for r in rows if all(r[name] & values for name, values in choice.items())]
        if prefer and "language" not in choice:  # versions of one article: one result
            groups = Counter(r["group"] for r in found if r["group"])
            preferred = {r["group"] for r in found if r["group"] and prefer in r["language"]}
            found = [r for r in found if not (r["group"] and groups[r["group"]] > 1
                                              and r["group"] in preferred
                                              and prefer not in r["language"])]
        return len(found)

    # A value's count: the results with it chosen in its facet instead of the choice made.
    facets = {}
    for facet in ("category", "tag", "author", "year", "language"):
        values = {value for r in rows for value in r[facet]}
        counts = {value: results({**chosen, facet: {value}}) for value in values}
        facets[facet] = sorted(((v, n) for v, n in counts.items() if n),
                               key=lambda item: (-item[1], item[0]))
    return results(chosen), facets


def api(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, "lang": "zh", **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def slugs(app, model, *names):
    with app.app_context():
        return [model.get_or_create(name).slug for name in names]


@pytest.mark.parametrize("case", [
    {"words": ["quokka"]},
    {"words": ["quokka", "wombat"]},
    {"words": ["numbat"], "excluded": ["dingo"]},
    {"words": ["quokka"], "tag": ["Service Mesh"]},
    {"words": ["wombat"], "tag": ["etcd", "HPA"], "year": ["2024"]},
    {"tag": ["滚动更新"]},
    {"words": ["dingo"], "category": ["存储"], "author": ["bob"]},
    {"words": ["quokka"], "language": "en"},
    {"year": ["2023"], "language": "zh"},
])
def test_facet_counts_equal_a_brute_force_count(app, client, corpus, case):
    filters = {}
    parts = list(case.get("words", [])) + [f"-{w}" for w in case.get("excluded", [])]
    for name, model in (("tag", Tag), ("category", Category)):
        if name in case:
            filters[name] = slugs(app, model, *case[name])
            parts += [f'{name}:"{value}"' for value in case[name]]  # typed as names
    for name in ("author", "year"):
        if name in case:
            filters[name] = case[name]
            parts += [f"{name}:{value}" for value in case[name]]
    params = {"language": case["language"]} if "language" in case else {}
    found = api(client, " ".join(parts), per_page=3, **params)
    total, expected = brute_force(app, case.get("words", ()), case.get("excluded", ()), filters,
                                  case.get("language"))
    assert found["total"] == total
    assert len(found["results"]) == min(3, total)  # counts are over all matches, not the page
    for facet, counts in expected.items():
        got = [(v["value"], v["count"]) for v in found["facets"][facet]]
        chosen = set(filters.get(facet, ())) | ({case["language"]} if facet == "language"
                                                 and "language" in case else set())
        top = counts[:10]
        assert got == top + [c for c in counts[10:] if c[0] in chosen], facet
        assert {v["value"] for v in found["facets"][facet] if v["selected"]} == \
            chosen & {v for v, _ in counts}, facet


def test_labels_come_from_the_database(app, client, corpus):
    facets = api(client, "quokka")["facets"]
    labels = {facet: {v["value"]: v["label"] for v in values} for facet, values in facets.items()}
    mesh, = slugs(app, Tag, "Service Mesh")
    assert labels["tag"].get(mesh, "Service Mesh") == "Service Mesh"
    assert labels["author"]["bob"] == "鲍勃" and labels["author"]["cai"] == "cai"
    assert labels["language"] == {"zh": "中文", "en": "English"}
    assert all(value == label for value, label in labels["year"].items())


def test_filter_values_that_do_not_exist_give_empty_results_not_errors(app, client, corpus):
    for q in ("quokka tag:nope", "year:abc", "year:1900 quokka", "category:不存在 author:nobody",
              'tag:"a b c"', "年份:二〇二四"):
        data = api(client, q)
        assert data["total"] == 0 and data["results"] == [], q
        page = client.get("/search", query_string={"q": q, "lang": "zh"})
        assert page.status_code == 200
        html = unescape(page.get_data(as_text=True))
        assert 'class="chips"' in html, q  # the filter is shown, removable
    html = unescape(client.get("/search?q=quokka+tag:nope&lang=zh").get_data(as_text=True))
    assert "标签：nope" in html


def _links(html, css_class):
    return [(unescape(href), re.sub(r"<[^>]+>", "", unescape(text)).split())
            for href, text in re.findall(rf'<a class="{css_class}[^"]*" href="([^"]+)">(.*?)</a>',
                                         html, re.S)]


def test_the_results_page_narrows_and_widens_by_links_without_javascript(app, client, corpus):
    html = client.get("/search?q=quokka&lang=zh").get_data(as_text=True)
    assert '<details class="search-facets">' in html and 'class="chips"' not in html
    links = _links(html, "facet-value")
    assert links, "no facet links"
    etcd, = slugs(app, Tag, "etcd")
    href, text = next((h, t) for h, t in links if parse_qs(urlsplit(h).query)["q"] == [f"quokka tag:{etcd}"])
    count = int(text[-1])
    narrowed = client.get(href + "&lang=zh").get_data(as_text=True)
    assert f"共 {count} 条结果" in narrowed
    assert '<details class="search-facets" open>' in narrowed
    chip_href, chip_text = _links(narrowed, "chip")[0]
    assert chip_text[0] == "标签：etcd"
    assert parse_qs(urlsplit(chip_href).query)["q"] == ["quokka"]
    # The chosen value is marked, and its link drops it again.
    chosen = [(h, t) for h, t in _links(narrowed, "facet-value selected")]
    assert len(chosen) == 1 and parse_qs(urlsplit(chosen[0][0]).query)["q"] == ["quokka"]
    # Language is the ``language`` parameter, kept by the other links.
    en = next(h for h, t in _links(html, "facet-value") if "language=en" in h)
    english = client.get(en + "&lang=zh").get_data(as_text=True)
    assert any("language=en" in h for h, _ in _links(english, "facet-value"))
    assert "语言：English" in " ".join(" ".join(t) for _, t in _links(english, "chip"))


def test_year_filter_syntax(app, client, corpus):
    years = {v["value"]: v["count"] for v in api(client, "quokka")["facets"]["year"]}
    year, count = max(years.items(), key=lambda item: item[1])
    assert api(client, f"quokka year:{year}")["total"] == count
    assert api(client, f"quokka 年份：{year}")["total"] == count
    assert api(client, f"year:{year}")["total"] >= count
