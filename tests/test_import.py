"""``flask`` commands: import-posts, load-demo, init-db, create-user."""

import html
import re

import frontmatter
import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Category, Post, Tag, User
from blogapp.models.taxonomy import post_tags
from conftest import login, shared_path

DEMO_TITLES = [
    "HPA动态扩缩容", "Kubernetes认证与授权", "k8s之调度", "ETCD常用操作", "k8s之Ingress",
    "k8s之kube-proxy", "k8s之服务", "k8s之工作负载", "k8s之pod", "认识k8s",
]


def row_counts(app):
    with app.app_context():
        def count(table):
            return db.session.scalar(db.select(db.func.count()).select_from(table))

        return {
            "posts": count(Post.__table__),
            "tags": count(Tag.__table__),
            "categories": count(Category.__table__),
            "users": count(User.__table__),
            "post_tags": count(post_tags),
        }


def plain_text(fragment):
    """What a reader sees of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def plain_markdown(text):
    """Markdown of a simple paragraph (inline code, bold) reduced to its visible text."""
    return " ".join(re.sub(r"`|\*\*", "", text).split())


def split_at_more(body):
    before, after = re.split(r"^\s*<!--\s*more\s*-->\s*$", body, maxsplit=1, flags=re.M | re.I)
    return before.strip(), after.strip()


def first_paragraph(markdown_text):
    for block in re.split(r"\n\s*\n", markdown_text):
        block = block.strip()
        if block and not block.startswith(("#", "```", "-", "|", ">")):
            return block
    raise AssertionError("no paragraph")


@pytest.fixture
def corpus():
    return shared_path("corpus", "k8s-blog")


def import_corpus(runner, corpus):
    result = runner.invoke(args=["import-posts", str(corpus)])
    assert result.exit_code == 0, result.output
    return result


# --- import-posts on the corpus --------------------------------------------------------------
# Each import of the 40 files also feeds the search index (a few seconds), so one test
# covers the first import and the re-import.

def test_import_corpus_then_reimport(app, client, runner, corpus):
    files = sorted(corpus.glob("*.md"))
    assert len(files) == 40
    result = import_corpus(runner, corpus)
    assert "Imported 40 files: 40 created, 0 updated, 0 failed." in result.stdout
    assert row_counts(app)["posts"] == 40

    with app.app_context():
        assert set(db.session.scalars(db.select(User.username))) == {"admin", "luffy", "zoro"}
        # Imported accounts exist for attribution only: nobody can log in as them yet.
        assert all(user.password_hash is None for user in db.session.scalars(db.select(User)))

        for path in files:
            source = frontmatter.load(path)
            post = db.session.scalar(db.select(Post).filter_by(slug=source["slug"]))
            assert post is not None, path.name
            assert post.title == source["title"], path.name
            assert post.author.username == source["author"], path.name
            assert post.published_at == source["date"], path.name
            assert post.status == "published" and post.is_visible, path.name
            assert post.category is not None and post.category.name == source["category"], path.name
            # Tags are matched by slug, so "ETCD" in one file and "etcd" in another are one tag.
            assert sorted(t.name.casefold() for t in post.tags) == sorted(
                t.casefold() for t in source["tags"]
            ), path.name

            intro, rest = split_at_more(source.content)
            excerpt = plain_text(post.excerpt_html)
            assert plain_markdown(intro) in excerpt, path.name
            assert plain_markdown(first_paragraph(rest))[:40] not in excerpt, path.name
            assert "<h2" not in post.excerpt_html and "<h2" in post.body_html, path.name
            assert '<div class="highlight">' in post.body_html, path.name

    # Readers see them.
    page = client.get("/posts/k8s-architecture")
    assert page.status_code == 200
    assert "认识k8s：集群架构与核心组件" in page.get_data(as_text=True)
    by_zoro = sum(frontmatter.load(path)["author"] == "zoro" for path in files)
    assert f"作者文章归档：zoro <small>共 {by_zoro} 篇" in client.get("/author/zoro").get_data(as_text=True)
    assert client.get("/category/网络").status_code == 200

    # Re-import: every post updated in place, no duplicate post, tag, category or user.
    before = row_counts(app)
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(slug="k8s-architecture"))
        post_id, post.title = post.id, "changed locally"
        db.session.commit()
    result = runner.invoke(args=["import-posts", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "0 created, 40 updated, 0 failed" in result.stdout
    assert row_counts(app) == before
    with app.app_context():
        post = db.session.get(Post, post_id)  # same row, refreshed from the file
        assert post.slug == "k8s-architecture" and post.title == "认识k8s：集群架构与核心组件"


# --- import-posts on bad input ---------------------------------------------------------------

GOOD = """---
title: "{title}"
slug: {slug}
author: luffy
date: 2024-05-01T10:00:00+08:00
tags: [k8s, 测试]
category: 运维
---

Intro of {slug}.

<!--more-->

Rest of {slug}.
"""

BAD_FILES = {
    "bad-yaml.md": ("---\ntitle: [unclosed\nauthor: luffy\n---\nbody\n", "not valid YAML"),
    "no-title.md": ("---\nauthor: luffy\ndate: 2024-05-01\n---\nbody\n", "missing 'title'"),
    "bad-date.md": ('---\ntitle: Bad date\nauthor: luffy\ndate: "next tuesday"\n---\nbody\n',
                    "not an ISO 8601 date"),
    "impossible-date.md": ("---\ntitle: Impossible\nauthor: luffy\ndate: 2024-13-45\n---\nbody\n",
                           "date"),
    "bad-tag.md": ("---\ntitle: Bad tag\nauthor: luffy\ndate: 2024-05-01\ntags: [ok, '???']\n---\n"
                   "body\n", "tag"),
    "list-category.md": ("---\ntitle: L\nauthor: luffy\ndate: 2024-05-01\ncategory: [a, b]\n---\nb\n",
                         "single name"),
    # Sorted after good-one.md: the second file with a slug must not replace the first.
    "zz-same-slug.md": (GOOD.format(title="Imposter", slug="good-one"), "also used by good-one.md"),
}


def test_bad_files_are_reported_and_good_ones_imported(app, runner, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "good-one.md").write_text(GOOD.format(title="Good one", slug="good-one"), "utf-8")
    (folder / "good-two.md").write_text(GOOD.format(title="Good two", slug="good-two"), "utf-8")
    for name, (text, _) in BAD_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")

    result = runner.invoke(args=["import-posts", str(folder)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # a clean exit, no crash
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(BAD_FILES)
    for name, (_, reason) in BAD_FILES.items():
        line = next((line for line in errors if name in line), None)
        assert line is not None, f"{name} not reported: {result.output}"
        assert reason in line, line
    assert f"2 created, 0 updated, {len(BAD_FILES)} failed" in result.stdout

    with app.app_context():
        slugs = sorted(db.session.scalars(db.select(Post.slug)))
        assert slugs == ["good-one", "good-two"]
        assert sorted(db.session.scalars(db.select(Tag.name))) == ["k8s", "测试"]


def test_string_tags_split_on_ascii_and_full_width_commas(app, runner, tmp_path):
    text = GOOD.format(title="Tags", slug="tags").split("tags:")[0] + "tags: \"HPA，自动扩缩容, k8s\"\n"
    text += GOOD.format(title="Tags", slug="tags").split("tags:")[1].split("\n", 1)[1]
    (tmp_path / "tags.md").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-posts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(slug="tags"))
        assert sorted(tag.name for tag in post.tags) == ["HPA", "k8s", "自动扩缩容"]


def test_empty_directory_is_an_error(runner, tmp_path):
    result = runner.invoke(args=["import-posts", str(tmp_path)])
    assert result.exit_code != 0
    assert "no .md files found" in result.output


def test_missing_directory_is_an_error(runner, tmp_path):
    result = runner.invoke(args=["import-posts", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_draft_front_matter_stays_hidden(app, runner, client, tmp_path):
    text = GOOD.format(title="Draft", slug="a-draft").replace("category:", "draft: true\ncategory:")
    (tmp_path / "a-draft.md").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-posts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert client.get("/posts/a-draft").status_code == 404


# --- load-demo -------------------------------------------------------------------------------

def titles(response):
    html_text = response.get_data(as_text=True)
    return re.findall(r'class="entry-title"><a href="[^"]+">([^<]+)</a>', html_text)


def test_load_demo(app, runner, client):
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "10 created" in result.stdout
    with app.app_context():
        posts = db.session.scalars(db.select(Post)).all()
        assert sorted(post.title for post in posts) == sorted(DEMO_TITLES)
        assert {post.author.username for post in posts} == {"admin"}

    page1 = client.get("/author/admin")
    assert page1.status_code == 200
    html_page1 = page1.get_data(as_text=True)
    assert "共 10 篇" in html_page1 and "第 1 / 2 页" in html_page1 and 'rel="next"' in html_page1
    page2 = client.get("/author/admin?page=2")
    assert "第 2 / 2 页" in page2.get_data(as_text=True)
    assert titles(page1) + titles(page2) == DEMO_TITLES  # newest first
    assert client.get("/author/admin?page=3").status_code == 404


def test_load_demo_if_empty(app, runner):
    first = runner.invoke(args=["load-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert row_counts(app)["posts"] == 10
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(title="认识k8s"))
        post.title = "edited by the owner"
        db.session.commit()
    before = row_counts(app)
    second = runner.invoke(args=["load-demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "already has posts" in second.output
    assert row_counts(app) == before
    with app.app_context():  # the owner's edit was not overwritten by a reload
        assert db.session.scalar(db.select(Post).filter_by(title="edited by the owner")) is not None


def test_load_demo_if_empty_skips_a_blog_with_other_posts(app, runner, make_user, make_post):
    make_post("mine", make_user("luffy"))
    result = runner.invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0
    assert row_counts(app)["posts"] == 1


# --- init-db and create-user -----------------------------------------------------------------

def test_init_db_is_idempotent(app, runner, make_user, make_post):
    make_post("kept", make_user("luffy"))
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database ready." in result.output
    assert row_counts(app)["posts"] == 1 and row_counts(app)["users"] == 1


def test_init_db_creates_tables_in_a_fresh_database(tmp_path):
    from blogapp import create_app

    fresh = create_app({"TESTING": True, "SECRET_KEY": "x"}, instance_path=tmp_path / "fresh")
    result = fresh.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 0
        db.session.remove()
        db.engine.dispose()


def test_create_user_who_can_log_in(app, runner, client, make_user, make_post):
    make_post("someone-elses", make_user("luffy"))
    result = runner.invoke(
        args=["create-user", "Nami", "--role", "editor", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created editor Nami." in result.output
    with app.app_context():
        user = User.by_username("nami")
        assert user.role == "editor" and user.password_hash and "secret" not in user.password_hash

    assert login(client, "nami", "wrong password!").status_code == 401
    response = login(client, "NAMI", "a long enough secret")
    assert response.status_code == 302
    assert client.get("/admin/posts/").status_code == 200  # an editor sees every post
    assert "Someone Elses" in client.get("/admin/posts/").get_data(as_text=True)


def test_create_user_again_updates_password_and_role(app, runner, client):
    args = ["create-user", "zoro", "--password-stdin"]
    assert runner.invoke(args=args, input="first password\n").exit_code == 0
    result = runner.invoke(args=args + ["--role", "moderator"], input="second password\n")
    assert result.exit_code == 0 and "Updated moderator zoro." in result.output
    assert row_counts(app)["users"] == 1
    assert login(client, "zoro", "first password").status_code == 401
    assert login(client, "zoro", "second password").status_code == 302
    assert client.get("/admin/posts/").status_code == 403


def error_lines(result):
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


@pytest.mark.parametrize(
    "args, stdin, reason",
    [
        (["--role", "editor"], "short\n", "at least 8 characters"),
        (["--role", "editor"], "\n", "at least 8 characters"),
        (["--role", "boss"], "a long enough secret\n", "'--role'"),
    ],
)
def test_create_user_refuses_bad_input(app, runner, args, stdin, reason):
    result = runner.invoke(args=["create-user", "nami", *args, "--password-stdin"], input=stdin)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = error_lines(result)
    assert len(lines) == 1 and reason in lines[0], result.output
    assert row_counts(app)["users"] == 0


def test_create_user_refuses_bad_username(app, runner):
    result = runner.invoke(args=["create-user", "bad name", "--password-stdin"],
                           input="long enough\n")
    assert result.exit_code != 0 and len(error_lines(result)) == 1
    assert row_counts(app)["users"] == 0



def test_an_import_leaves_the_planner_statistics_that_keep_listings_fast(app, runner, tmp_path):
    """Without ANALYZE, SQLite counted the sidebar's posts per category by reading every wide
    post row (~35 ms per page at 10k posts); with statistics it counts from the covering index."""
    for i in range(60):
        (tmp_path / f"p{i}.md").write_text(
            f"---\ntitle: Post {i}\nslug: post-{i}\nauthor: admin\ndate: 2024-01-{i % 28 + 1:02d}\n"
            f"category: c{i % 4}\n---\nBody {i}.\n", encoding="utf-8")
    result = runner.invoke(args=["import-posts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the query plan checked here is SQLite's")
        from blogapp.templating import sidebar_statement

        compiled = sidebar_statement().compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in db.session.execute(
            sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "COVERING INDEX ix_posts_category_visible" in plan, plan
