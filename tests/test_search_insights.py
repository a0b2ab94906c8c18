"""Search insights: searches are recorded off the request path (query, result count, day;
nothing about the reader), editors see what found nothing or little and turn it into
synonyms with one form, which search uses at once; ``flask synonyms`` and
``flask search-insights`` do the same from the shell."""

import json
from datetime import date, timedelta

import pytest

from blogapp.extensions import db
from blogapp.models import SearchLogEntry, SynonymGroup
from conftest import csrf_token, login


@pytest.fixture
def site(app, make_user, make_post):
    app.config.update(PAGE_CACHE=False, SEARCH_LOG_BACKGROUND=False)
    writer = make_user("writer", role="author")
    make_post("canary", writer, title="金丝雀发布实践", body="用 Ingress 做金丝雀发布。")
    make_post("hpa", writer, title="HPA 入门", body="水平扩缩容。")
    return writer


def flush(app):
    return app.extensions["search_log"].flush()


def log_rows(app):
    with app.app_context():
        return {(row.query, row.searches, row.results) for row in db.session.scalars(
            db.select(SearchLogEntry))}


def test_searches_are_recorded_normalised_without_the_reader(app, client, site):
    client.get("/search?q=  Canary   Deploy ")
    client.get("/search?q=canary deploy&page=2")  # another page of one search: not again
    client.get("/api/search?q=CANARY DEPLOY")
    client.get("/search?q=HPA", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    client.get("/posts/hpa")  # related articles search too, but no reader typed that
    assert log_rows(app) == set()  # nothing written on the request path
    assert flush(app) == 3
    assert log_rows(app) == {("canary deploy", 2, 0), ("hpa", 1, 1)}
    columns = {column.name for column in SearchLogEntry.__table__.columns}
    assert columns == {"id", "day", "query", "searches", "results"}  # no IP, no cookie


def test_a_broken_log_never_fails_a_search(app, client, site, caplog):
    with app.app_context():
        db.session.execute(db.text("DROP TABLE search_log"))
        db.session.commit()
    assert client.get("/search?q=HPA").status_code == 200
    assert flush(app) == 0 and "search log" in caplog.text
    assert client.get("/api/search?q=HPA").status_code == 200


def test_old_days_are_pruned(app, site):
    from blogapp.insights.recorder import prune

    with app.app_context():
        for days_ago in (0, 89, 91, 400):
            db.session.add(SearchLogEntry(day=date.today() - timedelta(days=days_ago),
                                          query=f"q{days_ago}", searches=1, results=0))
        db.session.commit()
        assert prune(app.config["SEARCH_LOG_DAYS"]) == 2
        assert sorted(db.session.scalars(db.select(SearchLogEntry.query))) == ["q0", "q89"]


@pytest.fixture
def editor(client, make_user):
    make_user("editor", role="editor")
    assert login(client, "editor").status_code == 302
    return client


def test_workers_flushing_the_same_queries_at_once_all_count(app, site):
    """Gunicorn's workers each flush their own batch: the same queries, queued in different
    orders. On PostgreSQL, upserts that lock the same rows in opposite orders deadlock and
    one batch is lost; every search must count, however the batches interleave."""
    import threading

    from blogapp.insights.recorder import SearchRecorder

    queries = [f"query {i:02d}" for i in range(40)]
    workers = [SearchRecorder(app), SearchRecorder(app)]
    rounds = 8
    written = []
    for _ in range(rounds):
        for k, recorder in enumerate(workers):
            for text in (queries if k == 0 else queries[::-1]):
                recorder.record(text, 1)
        start = threading.Barrier(len(workers))

        def flush_now(recorder):
            start.wait()
            written.append(recorder.flush())

        threads = [threading.Thread(target=flush_now, args=(r,)) for r in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert written == [len(queries)] * (rounds * len(workers))
    assert {row[:2] for row in log_rows(app)} == {(text, rounds * 2) for text in queries}


def test_only_editors_and_admins_see_insights(app, client, site, make_user):
    assert client.get("/admin/search-insights/").status_code == 302  # to the login page
    make_user("author", role="author")
    login(client, "author")
    assert client.get("/admin/search-insights/").status_code == 403


def test_editor_turns_a_query_without_results_into_a_synonym(app, client, site, editor):
    reader = app.test_client()
    for _ in range(3):
        reader.get("/search?q=canary deploy")
    reader.get("/search?q=hpa")
    flush(app)
    page = editor.get("/admin/search-insights/?days=7").get_data(as_text=True)
    no_results = page.split('id="no-results"', 1)[1].split("</table>", 1)[0]
    assert "canary deploy" in no_results and "<td>3</td>" in no_results and "hpa" not in no_results
    assert 'id="few-results"' in page and "hpa" in page.split('id="few-results"', 1)[1]
    assert reader.get("/api/search?q=canary deploy").json["total"] == 0

    token = csrf_token(editor, "/admin/search-insights/")
    done = editor.post("/admin/search-insights/synonyms", data={
        "csrf_token": token, "days": "7", "query": "canary deploy", "target": "金丝雀发布"})
    assert done.status_code == 302
    assert "现在是“金丝雀发布”的同义词" in editor.get(done.headers["Location"]).get_data(as_text=True)
    assert [h["slug"] for h in reader.get("/api/search?q=canary deploy").json["results"]] == ["canary"]
    with app.app_context():
        assert [g.terms for g in db.session.scalars(db.select(SynonymGroup))] == [
            ["canary deploy", "金丝雀发布"]]


@pytest.mark.parametrize("form, status, message", [
    ({"query": "x", "target": ""}, 400, "至少需要两个不同的词语"),
    ({"query": "canary", "target": "CANARY"}, 400, "至少需要两个不同的词语"),
    ({"query": "a|b", "target": "c"}, 400, "不含“|”"),
    ({"query": "x", "target": "y", "days": "5"}, 400, "days"),
])
def test_bad_synonym_forms_are_refused_with_a_message(app, client, site, editor, form, status,
                                                      message):
    data = {"csrf_token": csrf_token(editor, "/admin/search-insights/"), "days": "30", **form}
    response = editor.post("/admin/search-insights/synonyms", data=data)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert editor.post("/admin/search-insights/synonyms",
                       data={**form, "csrf_token": ""}).status_code == 400  # CSRF
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SynonymGroup.id))) == 0


def test_a_term_in_two_groups_is_refused_and_groups_are_edited_and_removed(app, client, site,
                                                                          editor, runner):
    assert runner.invoke(args=["synonyms", "add", "灰度", "gray release"]).exit_code == 0
    assert runner.invoke(args=["synonyms", "add", "蓝绿", "blue green"]).exit_code == 0
    clash = runner.invoke(args=["synonyms", "add", "gray release", "blue green"])
    assert clash.exit_code == 1 and "不同的同义词组" in clash.output
    same = runner.invoke(args=["synonyms", "add", "gray release", "灰度发布"])
    assert same.exit_code == 1 and "已在同义词组" in same.output
    joined = runner.invoke(args=["synonyms", "add", "gray release", "灰度发布", "--join"])
    assert joined.exit_code == 0, joined.output
    listed = runner.invoke(args=["synonyms", "list"]).output.splitlines()
    assert listed == ["1\t灰度 | gray release | 灰度发布", "2\t蓝绿 | blue green"]

    token = csrf_token(editor, "/admin/search-insights/")
    clash = editor.post("/admin/search-insights/synonyms/2",
                        data={"csrf_token": token, "days": "30", "terms": "蓝绿 | 灰度"})
    assert clash.status_code == 400 and "已在同义词组" in clash.get_data(as_text=True)
    saved = editor.post("/admin/search-insights/synonyms/2",
                        data={"csrf_token": token, "days": "30", "terms": "蓝绿 | blue-green | 蓝绿部署"})
    assert saved.status_code == 302
    assert editor.post("/admin/search-insights/synonyms/2", data={
        "csrf_token": token, "days": "30", "action": "remove"}).status_code == 302
    assert editor.post("/admin/search-insights/synonyms/2", data={
        "csrf_token": token, "days": "30", "action": "remove"}).status_code == 404
    assert runner.invoke(args=["synonyms", "list"]).output.splitlines() == [
        "1\t灰度 | gray release | 灰度发布"]
    gone = runner.invoke(args=["synonyms", "remove", "99"])
    assert gone.exit_code == 1 and "没有编号为 99" in gone.output


def test_search_insights_command(app, client, site, runner):
    client.get("/search?q=zqxj nothing")
    flush(app)
    result = runner.invoke(args=["search-insights", "--days", "7", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["days"] == 7 and data["no_results"][0]["query"] == "zqxj nothing"
    table = runner.invoke(args=["search-insights"]).output
    assert "No results (last 30 days):" in table and "zqxj nothing" in table
    assert runner.invoke(args=["search-insights", "--days", "5"]).exit_code == 2


def test_another_process_sees_a_new_synonym_within_a_second(app, site, tmp_path):
    """Two apps on one database, each with its own instance folder (own page cache), as
    two nodes: a group added through one is used by the other's next search after ~1 s."""
    import time

    from blogapp import create_app

    other = create_app({"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SEARCH_LOG_BACKGROUND": False, "PAGE_CACHE": False},
                       instance_path=tmp_path / "other-node")
    try:
        other_client = other.test_client()
        with other.app_context():
            other.test_cli_runner().invoke(args=["reindex"])
        assert other_client.get("/api/search?q=canary deploy").json["total"] == 0
        assert app.test_cli_runner().invoke(
            args=["synonyms", "add", "canary deploy", "金丝雀发布"]).exit_code == 0
        time.sleep(1.1)
        found = other_client.get("/api/search?q=canary deploy").json
        assert [h["slug"] for h in found["results"]] == ["canary"]
    finally:
        from conftest import close_app

        close_app(other)


def test_a_search_that_finds_nothing_offers_close_terms_and_popular_searches(app, client, site):
    for _ in range(2):
        client.get("/search?q=hpa")
    flush(app)
    page = client.get("/search?q=horizontl pod autoscalr").get_data(as_text=True)
    assert "没有找到相关文章" in page
    closest = page.split('id="closest-terms"', 1)[1].split("</section>", 1)[0]
    assert "Horizontal Pod Autoscaler" in closest or "HorizontalPodAutoscaler" in closest
    popular = page.split('id="popular-topics"', 1)[1].split("</section>", 1)[0]
    assert 'href="/search?q=hpa"' in popular
    assert 'href="/"' in page.split("没有找到相关文章", 1)[1]
    assert client.get("/search?q=" + "x" * 1000).status_code == 200
