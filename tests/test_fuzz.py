"""Property tests (hypothesis): search takes any text, sanitized comments stay safe,
and thousands of generated queries never make the API fail."""

import os
import random
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.comments.sanitize import ATTRIBUTES, TAGS, render_comment

# Text that looks like what people (and attackers) type: mixed scripts, query syntax,
# markup and control characters.
QUERY_ALPHABET = st.characters(blacklist_categories=("Cs",))
SYNTAX = st.sampled_from(['"', "-", ":", "*", "(", ")", "AND", "OR", "NOT", "author:", "tag:",
                          "category:", "<", ">", "&", "'", "\\", "\x00", "\n", "　", "／",
                          "kube-proxy", "污点", "HPA", "滚动更新", " "])
QUERIES = st.lists(st.one_of(st.text(QUERY_ALPHABET, max_size=12), SYNTAX), max_size=12).map("".join)


@pytest.fixture(scope="module")
def search_app(tmp_path_factory):
    from datetime import datetime, timedelta, timezone

    from blogapp import create_app
    from blogapp.database import create_schema
    from blogapp.extensions import db
    from blogapp.models import Post, User

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False},
                     instance_path=tmp_path_factory.mktemp("fuzz"))
    with app.app_context():
        create_schema()
        user = User(username="writer", role="author")
        db.session.add(user)
        db.session.flush()
        for n, (title, body) in enumerate([
            ("HPA动态扩缩容", "HPA（水平自动伸缩）与 kube-proxy 的 ipvs 模式。"),
            ("Taints and tolerations", "给节点打上污点 taint，Pod 需要 toleration。"),
            ("滚动更新", "Deployment 的 RollingUpdate 策略，maxSurge 与 maxUnavailable。"),
        ]):
            db.session.add(Post(slug=f"p{n}", title=title, body=body, status="published",
                                author_id=user.id,
                                published_at=datetime.now(timezone.utc) - timedelta(days=n + 1)))
        db.session.commit()
    return app


@pytest.mark.db_agnostic  # search reads the index only: no SQL per query
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERIES, page=st.integers(1, 5), sort=st.sampled_from(["relevance", "date"]))
def test_search_never_raises(search_app, text, page, sort):
    with search_app.app_context():
        results = search_app.extensions["search"].search(text, page=page, per_page=5, sort=sort)
    assert results.total >= 0
    for hit in results.hits:
        assert "<script" not in hit["snippet"].lower()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_safe(html):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in TAGS, f"tag {tag!r} in {html!r}"
        for name, value in attrs:
            assert name in ATTRIBUTES.get(tag, ()), f"attribute {name!r} in {html!r}"
            if name == "href":
                scheme = "".join(ch for ch in (value or "") if ch.isprintable() and not ch.isspace())
                assert not scheme.lower().startswith(("javascript:", "vbscript:", "data:")), html


MARKUP = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>", "<svg onload=alert(1)>", "<math><mi>x</mi></math>",
    "<iframe src=//evil>", "<form action=//evil><input></form>", "<style>*{}</style>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>", "**bold**", "`code`",
    "```\n<b>\n```", "> quote", "- item", "http://example.com/?a=<b>", "<<script>>", "\"'><",
])
COMMENTS = st.lists(st.one_of(st.text(QUERY_ALPHABET, max_size=20), MARKUP), max_size=10).map("".join)


@pytest.mark.db_agnostic  # the sanitizer alone
@settings(max_examples=500, deadline=None)
@given(text=COMMENTS)
def test_sanitized_comments_never_carry_active_content(text):
    assert_safe(render_comment(text))


@pytest.mark.slow
@pytest.mark.db_agnostic  # /api/search reads the index only: no SQL per request
def test_generated_queries_against_the_api(search_app):
    """Queries built from a seeded generator: every answer is 200 or 400 JSON.

    ``make test`` sends 1,000 to stay inside its time budget; ``BLOGAPP_FUZZ_QUERIES=10000``
    (or more) for a longer run.
    """
    count = int(os.environ.get("BLOGAPP_FUZZ_QUERIES", "1000"))
    rng = random.Random(20261129)
    pieces = ['"', "-", ":", "*", "AND", "OR", "author:", "tag:x", "year:2024",
              "年份:0", "category:", "<script>", "%", "\\",
              "kube-proxy", "污点", "HPA", "滚动更新", "etcd 备份", "statefullset", " ", "\x01",
              "ＨＰＡ", "a" * 300, "'; DROP TABLE posts; --", "(((", "NOT", "﷽", "🙂"]
    client = search_app.test_client()
    statuses = {}
    for _ in range(count):
        query = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        params = {"q": query, "page": rng.choice(["1", "2", "0", "x", ""]),
                  "per_page": rng.choice(["5", "50", "51", "-1", ""])}
        response = client.get("/api/search", query_string=params)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code in (200, 400), (params, response.status_code)
        assert response.is_json
    assert statuses.get(200, 0) > count // 10, statuses
