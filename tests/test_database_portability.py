"""What must not depend on the database: Chinese text, user names that ignore case,
timezone-aware times, column sizes and the order of ties. ``make test`` runs this file on
SQLite and again on PostgreSQL."""

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from blogapp.extensions import db
from blogapp.models import Category, Post, Tag, User
from conftest import PASSWORD, csrf_token, login

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_run_uses_the_database_it_was_asked_for(app, database_url):
    """Guards the suite itself: a PostgreSQL pass that quietly ran on SQLite proves nothing."""
    from databases import wanted_dialect

    with app.app_context():
        assert db.engine.dialect.name == wanted_dialect()
        if database_url:
            assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


# --- Chinese text ---------------------------------------------------------------------------

def test_chinese_title_tags_category_and_slug_round_trip(app, client, make_user, make_post):
    author = make_user("作者")
    make_post("滚动更新", author, title="滚动更新：零停机发布", body="先 `kubectl rollout`，再观察。",
              category="容器编排", tags=["滚动更新", "etcd 备份"])
    with app.app_context():
        db.session.expire_all()
        post = db.session.scalar(db.select(Post).filter_by(slug="滚动更新"))
        assert post.title == "滚动更新：零停机发布"
        assert post.category.name == "容器编排" and post.category.slug == "容器编排"
        assert [(t.name, t.slug) for t in post.tags] == [("etcd 备份", "etcd-备份"), ("滚动更新", "滚动更新")]
        assert post.author.username == "作者"

    article = client.get("/posts/" + quote("滚动更新"))
    assert article.status_code == 200
    assert "滚动更新：零停机发布" in article.get_data(as_text=True)
    for path in ("/tag/" + quote("etcd-备份"), "/category/" + quote("容器编排"),
                 "/author/" + quote("作者")):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "滚动更新：零停机发布" in page.get_data(as_text=True), path


def test_chinese_terms_are_found_again_by_slug_not_duplicated(app, make_user, make_post):
    author = make_user("writer")
    make_post("one", author, tags=["自动扩缩容"], category="运维")
    make_post("two", author, tags=["自动扩缩容"], category="运维")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Tag.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Category.id))) == 1
        assert Tag.get_or_create(" 自动扩缩容 ").slug == "自动扩缩容"


def test_long_chinese_title_fits_its_column(app, make_user, make_post):
    # 300 characters is the limit the editor allows; PostgreSQL counts characters, not bytes.
    title = "滚" * 300
    make_post("long", make_user("writer"), title=title)
    with app.app_context():
        assert db.session.scalar(db.select(Post.title).filter_by(slug="long")) == title


def test_too_long_tag_in_the_editor_is_refused_with_a_message(app, client, make_user):
    # SQLite would store it; PostgreSQL would fail the INSERT. Both refuse it up front.
    make_user("writer")
    login(client, "writer")
    data = {"title": "Tags", "slug": "", "body": "b", "category": "", "published_at": "",
            "tags": "ok, " + "标" * 101, "save": "保存",
            "csrf_token": csrf_token(client, "/admin/posts/new")}
    response = client.post("/admin/posts/new", data=data)
    assert response.status_code == 400
    assert "每个标签最长 100 字" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 0
    data.update(tags="ok, " + "标" * 100, csrf_token=csrf_token(client, "/admin/posts/new"))
    assert client.post("/admin/posts/new", data=data).status_code == 302


@pytest.mark.parametrize("field, value, reason", [
    ("title", "长" * 301, "title '长长"),
    ("author", "a" * 65, "author 'aaa"),
    ("tags", "[" + "标" * 101 + "]", "tag '标标"),
    ("category", "分" * 101, "category '分分"),
])
def test_import_reports_values_longer_than_their_column(app, runner, tmp_path, field, value,
                                                        reason):
    meta = {"title": "Fine", "author": "writer", "date": "2024-05-01T10:00:00+08:00",
            "tags": "[k8s]", "category": "运维", field: value}
    front = "".join(f"{key}: {text}\n" for key, text in meta.items())
    (tmp_path / "long.md").write_text(f"---\n{front}---\n\nBody.\n", encoding="utf-8")
    fine = "---\ntitle: 中文 OK\nauthor: writer\ndate: 2024-05-01\n---\n\nBody.\n"
    (tmp_path / "fine.md").write_text(fine, encoding="utf-8")
    result = runner.invoke(args=["import-posts", str(tmp_path)])
    assert isinstance(result.exception, SystemExit) and result.exit_code != 0, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "long.md" in errors[0] and reason in errors[0], result.output
    assert "is longer than" in errors[0]
    with app.app_context():
        assert db.session.scalars(db.select(Post.title)).all() == ["中文 OK"]


# --- user names ignore case -----------------------------------------------------------------

@pytest.mark.parametrize("typed", ["alice", "Alice", "ALICE", " alice "])
def test_login_finds_the_account_whatever_the_case(client, make_user, typed):
    make_user("alice")
    response = login(client, typed)
    assert response.status_code == 302


def test_author_page_ignores_case(client, make_user, make_post):
    make_post("by-alice", make_user("alice"), title="Alice on HPA")
    page = client.get("/author/ALICE")
    assert page.status_code == 200 and "Alice on HPA" in page.get_data(as_text=True)


@pytest.mark.parametrize("stored, typed",
                         [("Ölaf", "ölaf"), ("Дарья", "ДАРЬЯ"), ("Élodie", "élodie")])
def test_non_ascii_names_ignore_case_too(client, make_user, stored, typed):
    make_user(stored)
    assert login(client, typed).status_code == 302


def test_creating_a_name_that_differs_only_in_case_is_refused(app, runner, client, make_user):
    make_user("alice")
    result = runner.invoke(args=["create-user", "ALICE", "--password-stdin"],
                           input="another long secret\n")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "taken by alice" in errors[0], result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalars(db.select(User.username)).all() == ["alice"]
    # alice's password was not touched
    assert login(client, "alice", "another long secret").status_code == 401
    assert login(client, "alice", PASSWORD).status_code == 302


def test_same_name_in_same_case_updates_the_account(app, runner, make_user):
    make_user("alice")
    result = runner.invoke(args=["create-user", "alice", "--role", "editor", "--password-stdin"],
                           input="another long secret\n")
    assert result.exit_code == 0 and "Updated editor alice." in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


# --- timezones ------------------------------------------------------------------------------

def test_aware_times_come_back_aware_equal_and_in_utc(app, make_user):
    author = make_user("writer")
    when = datetime(2024, 7, 31, 1, 30, tzinfo=SHANGHAI)  # 2024-07-30 17:30 UTC
    with app.app_context():
        db.session.add(Post(slug="tz", title="tz", body="", status="published",
                            author_id=author, published_at=when))
        db.session.commit()
        db.session.remove()
        post = db.session.scalar(db.select(Post).filter_by(slug="tz"))
        assert post.published_at == when
        assert post.published_at.utcoffset() == timedelta(0)
        assert post.published_at == datetime(2024, 7, 30, 17, 30, tzinfo=timezone.utc)
        assert post.created_at.tzinfo is not None and post.created_at.utcoffset() == timedelta(0)
        # Comparisons in SQL use the same instant whatever zone the parameter is in.
        assert db.session.scalar(db.select(Post.slug).where(Post.published_at == when)) == "tz"
        assert db.session.scalar(db.select(Post.slug).where(
            Post.published_at < datetime(2024, 7, 30, 17, 31, tzinfo=timezone.utc))) == "tz"


def test_naive_times_are_refused_rather_than_guessed(app, make_user):
    author = make_user("writer")
    with app.app_context():
        db.session.add(Post(slug="naive", title="naive", body="", status="published",
                            author_id=author, published_at=datetime(2024, 7, 30, 12, 0)))
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 0


def test_posts_in_different_zones_sort_by_instant(app, client, make_user):
    author = make_user("writer")
    times = {  # local clock times that read in the opposite order of the instants
        "first": datetime(2024, 7, 30, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
        "second": datetime(2024, 7, 31, 8, 0, tzinfo=timezone.utc),
        "third": datetime(2024, 7, 31, 17, 0, tzinfo=SHANGHAI),
    }
    assert times["first"] < times["second"] < times["third"]
    with app.app_context():
        for slug, when in times.items():
            db.session.add(Post(slug=slug, title=f"Post {slug}", body="", status="published",
                                author_id=author, published_at=when))
        db.session.commit()
        newest_first = db.session.scalars(
            db.select(Post.slug).order_by(Post.published_at.desc())).all()
    assert newest_first == ["third", "second", "first"]


def test_month_archive_cuts_months_in_the_site_timezone(client, make_user, make_post, app):
    author = make_user("writer")
    with app.app_context():
        # 2024-07-31 17:30 UTC is already 1 August in Shanghai (TIMEZONE).
        db.session.add(Post(slug="august-in-shanghai", title="August in Shanghai", body="",
                            status="published", author_id=author,
                            published_at=datetime(2024, 7, 31, 17, 30, tzinfo=timezone.utc)))
        db.session.commit()
    assert "August in Shanghai" in client.get("/archive/2024/8").get_data(as_text=True)
    assert "August in Shanghai" not in client.get("/archive/2024/7").get_data(as_text=True)


# --- ties -----------------------------------------------------------------------------------

def test_comments_sharing_a_second_list_in_a_stable_order(app, runner, make_user, make_post):
    # Imported comments often share a timestamp; PostgreSQL leaves the order of ties open.
    from plugins.comments.models import Comment

    make_post("imported", make_user("writer"))
    same_second = datetime(2024, 7, 30, 12, 0, tzinfo=timezone.utc)
    with app.app_context():
        post_id = db.session.scalar(db.select(Post.id).filter_by(slug="imported"))
        for n in range(12):
            db.session.add(Comment(post_id=post_id, depth=1, author_name=f"读者{n}",
                                   author_email=f"r{n}@example.com", body_raw=f"第 {n} 条",
                                   body_html=f"<p>第 {n} 条</p>", status="pending",
                                   created_at=same_second))
        db.session.commit()
    result = runner.invoke(args=["comments", "list", "--json"])
    assert result.exit_code == 0, result.output
    ids = [row["id"] for row in json.loads(result.output)]
    assert len(ids) == 12 and ids == sorted(ids, reverse=True)
