"""Schema migrations: ``flask db upgrade`` / ``flask init-db`` build the schema the models
describe, on SQLite and PostgreSQL, adopt databases made before migrations without losing
a row, and migrate SQLite tables without cascading deletes or half-applied revisions."""

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from blogapp import create_app
from blogapp.database import MIGRATIONS_DIR, create_schema, migrations
from blogapp.extensions import db
from conftest import close_app


# db_agnostic: each test names the database it migrates (SQLite or PostgreSQL).
pytestmark = pytest.mark.db_agnostic


COMMENTS_MIGRATIONS = MIGRATIONS_DIR.parent / "plugins" / "comments" / "migrations"
SINGLE_HISTORY = Path(__file__).resolve().parent / "fixtures" / "single_history"


def head_revision():
    """The head of the core's branch (one linear history in migrations/versions)."""
    (head,) = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    return head


def comments_head():
    """The head of the comments plugin's branch (plugins/comments/migrations)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(
        [str(MIGRATIONS_DIR / "versions"), str(COMMENTS_MIGRATIONS)]))
    return ScriptDirectory.from_config(config).get_revision("comments@head").revision


def all_heads():
    return {head_revision(), comments_head()}


@pytest.fixture
def build_app(tmp_path):
    """``build_app(url, **config)``: an app on database ``url`` with every bundled plugin,
    so all plugin models are in the metadata; closed after the test."""
    apps = []

    def build(url, **config):
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False,
             "SQLALCHEMY_DATABASE_URI": url, "PLUGINS": None, "BLOCKED_PLUGINS": [], **config},
            instance_path=tmp_path / f"instance{len(apps)}",
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        close_app(app)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'blog.sqlite'}"


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database of its own."""
    server = sa.make_url(postgres_server.url)
    name = "mig_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


def differences(app):
    """What ``flask db migrate`` would generate, with the options the app configured."""
    options = migrations(app).configure_args
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": options["compare_type"],
            "include_object": options["include_object"],
        })
        return compare_metadata(context, db.metadata)


def table_names(app):
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def current_revisions(app):
    """Every head ``alembic_version`` records (the core's branch and each plugin's)."""
    with app.app_context(), db.engine.connect() as connection:
        return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))


def count(app, table):
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def add_content(app):
    """A user, a tagged post and a comment on it, through the models."""
    from blogapp.models import Post, Tag, User
    from plugins.comments.models import Comment

    with app.app_context():
        user = User(username="alice", role="author")
        post = Post(slug="pods", title="Pods", body="*pods*", author=user, status="published",
                    published_at=datetime(2024, 5, 1, tzinfo=timezone.utc))
        post.tags = [Tag.get_or_create("k8s")]
        db.session.add(Comment(post=post, author_name="Bob", author_email="b@example.org",
                               body_raw="hi", body_html="<p>hi</p>", status="approved"))
        db.session.commit()


def assert_upgrade_builds_the_models(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert table_names(app) == {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
    assert {"users", "posts", "comments", "comment_threads", "comment_imports"} <= table_names(app)
    assert current_revisions(app) == all_heads()
    assert differences(app) == []
    # The operator's own check says the same.
    assert app.test_cli_runner().invoke(args=["db", "check"]).exit_code == 0


def test_upgrade_on_empty_sqlite_matches_the_models(build_app, sqlite_url):
    app = build_app(sqlite_url)
    assert_upgrade_builds_the_models(app)
    add_content(app)  # the migrated schema takes real content
    assert count(app, "comments") == 1


def test_upgrade_on_empty_postgresql_matches_the_models(build_app, postgres_url):
    app = build_app(postgres_url)
    assert_upgrade_builds_the_models(app)
    add_content(app)
    assert count(app, "post_tags") == 1


def test_init_db_adopts_a_database_made_before_migrations(build_app, sqlite_url):
    old = build_app(sqlite_url)
    with old.app_context():
        create_schema()  # what init-db did before migrations
        # ... on a site that had the comments plugin off: its tables were never made.
        with db.engine.begin() as connection:
            for table in ("comment_imports", "comment_threads", "comments"):
                connection.exec_driver_sql(f"DROP TABLE {table}")
    add_post_only(old)

    app = build_app(sqlite_url)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Adopting a database made before migrations" in result.output
    assert f"Schema at revision {', '.join(sorted(all_heads()))}." in result.output
    assert "Database ready." in result.output
    assert count(app, "posts") == 1 and count(app, "users") == 1 and count(app, "post_tags") == 1
    assert "comments" in table_names(app)
    assert differences(app) == []

    again = app.test_cli_runner().invoke(args=["init-db"])
    assert again.exit_code == 0 and "Adopting" not in again.output
    assert count(app, "posts") == 1


def add_post_only(app):
    from blogapp.models import Post, Tag, User

    with app.app_context():
        post = Post(slug="old", title="Old", body="x", author=User(username="old"))
        post.tags = [Tag.get_or_create("etcd")]
        db.session.add(post)
        db.session.commit()


def test_downgrade_to_base_and_upgrade_again(build_app, sqlite_url):
    app = build_app(sqlite_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    assert table_names(app) == {"alembic_version"}
    assert current_revisions(app) == set()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert differences(app) == []


def test_autogenerate_never_offers_to_drop_tables_it_does_not_know(build_app, sqlite_url):
    app = build_app(sqlite_url)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context(), db.engine.begin() as connection:
        # A table of a plugin that this site does not load (so not in the metadata).
        connection.exec_driver_sql("CREATE TABLE gallery_photos (id INTEGER PRIMARY KEY)")
    assert differences(app) == []


def migrations_with(tmp_path, name, body):
    """A copy of migrations/ with one more revision on top of head."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "versions" / f"{name}.py").write_text(
        f"from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {name!r}\ndown_revision = {head_revision()!r}\n"
        f"branch_labels = None\ndepends_on = None\n\n{body}\n\ndef downgrade():\n    pass\n")
    return str(directory)


def test_sqlite_table_rebuild_keeps_rows_of_referencing_tables(build_app, sqlite_url, tmp_path):
    app = build_app(sqlite_url)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    add_content(app)
    # A batch migration copies ``posts`` to a new table and drops the old one; with foreign
    # keys on, that drop would cascade to comments, tags and legacy ids.
    directory = migrations_with(tmp_path, "rebuild_posts", (
        "def upgrade():\n"
        "    with op.batch_alter_table('posts', recreate='always') as batch:\n"
        "        batch.add_column(sa.Column('note', sa.String(20), nullable=True))\n"))
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "-d", directory])
    assert result.exit_code == 0, result.output
    assert current_revisions(app) == {"rebuild_posts", comments_head()}
    assert count(app, "comments") == 1 and count(app, "post_tags") == 1
    with app.app_context(), db.engine.connect() as connection:
        # Foreign keys are enforced again on the pooled connection afterwards.
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_failed_sqlite_migration_changes_nothing(build_app, sqlite_url, tmp_path):
    app = build_app(sqlite_url)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    add_content(app)
    directory = migrations_with(tmp_path, "half_done", (
        "def upgrade():\n"
        "    op.create_table('scratch', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.execute('DELETE FROM comments')\n"
        "    op.execute('INSERT INTO no_such_table VALUES (1)')\n"))
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "-d", directory])
    assert result.exit_code != 0
    assert current_revisions(app) == all_heads()
    assert "scratch" not in table_names(app)
    assert count(app, "comments") == 1


def test_init_db_on_an_unreachable_database_says_why(build_app, tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'missing-dir' / 'blog.sqlite'}")
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert "database upgrade failed: unable to open database file" in result.output
    assert "Traceback" not in result.output


def test_web_workers_never_import_alembic_but_db_commands_work(app, tmp_path):
    """Flask-Migrate (and Alembic, 10 MiB per process) loads only for the commands."""
    import subprocess
    import sys

    code = ("import sys; from blogapp import create_app; "
            f"create_app({{'SEARCH_SYNC': False}}, instance_path={str(tmp_path / 'web')!r}); "
            "print(sorted(m for m in ('alembic', 'flask_migrate') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=MIGRATIONS_DIR.parent)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "-d", str(MIGRATIONS_DIR), "current"]).exit_code == 0
    # Flask-Migrate's own options reach it: another directory holds no migrations.
    assert runner.invoke(args=["db", "-d", str(tmp_path / "none"), "current"]).exit_code != 0


# -- each plugin's tables in its own branch ---------------------------------------------------

COMMENT_TABLES = {"comments", "comment_threads", "comment_imports"}


def test_a_site_that_blocks_comments_has_no_comment_table(build_app, sqlite_url):
    blocked = build_app(sqlite_url, BLOCKED_PLUGINS=["comments"])
    result = blocked.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert not COMMENT_TABLES & table_names(blocked)
    assert current_revisions(blocked) == {head_revision()}
    # Only the comment models differ: this process imported them for other apps, and the
    # model registry is the process's (a site's own processes never import them).
    assert {(d[1].table if isinstance(d[1], sa.Index) else d[1]).name
            for d in differences(blocked)} <= COMMENT_TABLES
    add_post_only(blocked)
    # Turning the plugin on later adds its branch; turning it off again keeps its rows.
    enabled = build_app(sqlite_url)
    assert enabled.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert COMMENT_TABLES <= table_names(enabled) and current_revisions(enabled) == all_heads()
    add_content(enabled)
    again = build_app(sqlite_url, BLOCKED_PLUGINS=["comments"])
    result = again.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert count(again, "comments") == 1 and current_revisions(again) == all_heads()


def single_history_migrations(tmp_path):
    """migrations/ as it was before #19: the core's first revision made the comment tables."""
    directory = tmp_path / "single-history"
    shutil.copytree(MIGRATIONS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__"))
    for old in SINGLE_HISTORY.glob("*.py"):
        shutil.copy(old, directory / "versions" / old.name)
    return str(directory)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_database_of_the_single_history_upgrades_keeping_its_rows(
        database, build_app, tmp_path, request):
    url = request.getfixturevalue(f"{'postgres' if database == 'postgresql' else database}_url")
    app = build_app(url)
    old = single_history_migrations(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", "-d", old, head_revision()])
    assert result.exit_code == 0, result.output
    assert current_revisions(app) == {head_revision()} and COMMENT_TABLES <= table_names(app)
    add_content(app)
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO comment_threads (post_id, closed) "
                                   "SELECT id, true FROM posts")

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert current_revisions(app) == all_heads()
    assert count(app, "comments") == 1 and count(app, "comment_threads") == 1
    assert count(app, "posts") == 1 and count(app, "post_tags") == 1
    assert differences(app) == []


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_post_languages_are_detected_for_existing_posts(database, build_app, request):
    """#16: the revision adding ``posts.language`` fills it from each post's text (code
    blocks left out), with no translation group; one post per language per group holds."""
    url = request.getfixturevalue(f"{'postgres' if database == 'postgresql' else database}_url")
    app = build_app(url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "13e2f659f11d"]).exit_code == 0
    bodies = {"zh-post": "<p>滚动更新 Deployment 的 Pod</p>",
              "en-post": "<p>Rolling updates of a Deployment</p><pre>滚动更新滚动更新滚动更新</pre>"}
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (username, display_name, role, created_at) "
            "VALUES ('a', 'a', 'author', '2024-01-01 00:00:00')")
        for slug, body in bodies.items():
            connection.execute(sa.text(
                "INSERT INTO posts (slug, title, body, body_html, excerpt_html, status, "
                "created_at, updated_at, author_id) VALUES (:slug, :slug, '', :body, '', "
                "'draft', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1)"),
                {"slug": slug, "body": body})
    assert runner.invoke(args=["db", "upgrade", "heads"]).exit_code == 0
    with app.app_context(), db.engine.begin() as connection:
        rows = dict(connection.execute(sa.text(
            "SELECT slug, language FROM posts WHERE translation_group IS NULL")).all())
        assert rows == {"zh-post": "zh", "en-post": "en"}
        connection.exec_driver_sql("UPDATE posts SET translation_group = 'g'")
    with pytest.raises(sa.exc.IntegrityError), app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE posts SET language = 'zh'")
    assert differences(app) == []


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_user_names_become_unique_ignoring_case_without_losing_an_account(
        database, build_app, request):
    """A database from before the case-insensitive index that holds "Alice" and "alice"
    (only the older could log in) upgrades: the younger is renamed, both rows stay, and
    from then on the database itself refuses a third spelling."""
    url = request.getfixturevalue(f"{'postgres' if database == 'postgresql' else database}_url")
    app = build_app(url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", "13e2f659f11d"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.begin() as connection:
        for name in ("Alice", "alice", "bob"):
            connection.exec_driver_sql(
                "INSERT INTO users (username, display_name, role, created_at) "
                f"VALUES ('{name}', '{name}', 'author', CURRENT_TIMESTAMP)")
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = db.session.execute(db.text("SELECT username FROM users ORDER BY id")).scalars().all()
        assert names[0] == "Alice" and names[1].startswith("alice-") and names[2] == "bob"
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (username, display_name, role, created_at) "
                "VALUES ('ALICE', 'x', 'author', CURRENT_TIMESTAMP)")
    assert differences(app) == []
