"""The plugin system: hook documentation, discovery, blocking, slots and lifecycle hooks."""

import inspect
import json
import sys
from pathlib import Path

import pytest

from blogapp import hookspecs
from blogapp import plugins as plugin_system
from blogapp.extensions import db
from blogapp.models import Post
from conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def hook_specs(namespace=hookspecs):
    return [(name, fn) for name, fn in inspect.getmembers(namespace, inspect.isfunction)
            if hasattr(fn, "blogapp_spec")]


def test_every_hook_has_a_one_line_docstring_and_is_documented():
    """The core's hooks and those the bundled plugins declare (plugin_hookspecs) alike."""
    from plugins.comments.hookspecs import CommentHooks

    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    specs = hook_specs() + hook_specs(CommentHooks)
    assert len(hook_specs()) >= 9 and len(hook_specs(CommentHooks)) == 3
    for name, fn in specs:
        doc = (fn.__doc__ or "").strip()
        assert doc and "\n" not in doc, f"hook {name} needs a one-line docstring"
        assert f"### `{name}(" in docs, f"hook {name} is not documented in docs/plugins.md"


@pytest.fixture
def sample_folder(monkeypatch):
    """Make tests/fixtures/sample_plugins the bundled plugin folder."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.setattr(plugin_system, "BUNDLED_DIR", FIXTURES / "sample_plugins")
    monkeypatch.setattr(plugin_system, "BUNDLED_PACKAGE", "sample_plugins")



def test_folder_plugin_is_discovered_and_contributes(sample_folder, tmp_path):
    app = make_app(tmp_path)
    pm = app.extensions["plugins"]
    assert "hello" in pm.loaded()
    client = app.test_client()
    assert client.get("/hello").get_data(as_text=True) == "hello from the hello plugin"
    html = client.get("/").get_data(as_text=True)
    assert '<p id="hello-sidebar">hi <b>there</b></p>' in html
    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.output == "hello!\n"


def test_site_config_overrides_plugin_defaults(sample_folder, tmp_path):
    app = make_app(tmp_path, HELLO_GREETING="config")
    assert app.test_client().get("/hello").get_data(as_text=True) == "hello from config"


def test_blocked_plugin_is_not_loaded(sample_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("BLOGAPP_BLOCKED_PLUGINS", '["hello"]')
    app = make_app(tmp_path)
    assert "hello" not in app.extensions["plugins"].loaded()
    client = app.test_client()
    assert client.get("/hello").status_code == 404
    assert "hello-sidebar" not in client.get("/").get_data(as_text=True)


def test_plugins_setting_selects_plugins(sample_folder, tmp_path):
    app = make_app(tmp_path, PLUGINS=[])
    assert app.extensions["plugins"].loaded() == {}
    with pytest.raises(RuntimeError, match="unknown plugins: nope"):
        make_app(tmp_path / "other", PLUGINS=["nope"])


def test_two_apps_do_not_share_plugins(sample_folder, tmp_path):
    with_hello = make_app(tmp_path / "a")
    without = make_app(tmp_path / "b", BLOCKED_PLUGINS=["hello"])
    assert with_hello.extensions["plugins"] is not without.extensions["plugins"]
    assert without.test_client().get("/hello").status_code == 404
    assert with_hello.test_client().get("/hello").status_code == 200


def test_entry_point_plugin_is_discovered(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "ep_plugin.py").parent.mkdir()
    (site / "ep_plugin.py").write_text(
        "from blogapp.hookspecs import hookimpl\nfrom markupsafe import Markup\n__version__ = '0.9'\n"
        "@hookimpl\ndef render_slot(name, context):\n"
        "    return Markup('<i id=\"from-entry-point\"></i>') if name == 'head' else None\n"
    )
    dist = site / "ep_plugin-0.9.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-plugin\nVersion: 0.9\n")
    (dist / "entry_points.txt").write_text("[blogapp.plugins]\nep = ep_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    app = make_app(tmp_path / "instance")
    described = {p["name"]: p for p in app.extensions["plugins"].describe()}
    assert described["ep"]["source"] == "entry point" and described["ep"]["version"] == "0.9"
    assert '<i id="from-entry-point">' in app.test_client().get("/").get_data(as_text=True)
    sys.modules.pop("ep_plugin", None)


def test_plugins_command_json(sample_folder, tmp_path):
    app = make_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["plugins", "--json"])
    plugins = {p["name"]: p for p in json.loads(result.output)}
    assert plugins["hello"]["version"] == "1.2.3"
    assert {"register_blueprints", "render_slot", "post_after_publish"} <= set(plugins["hello"]["hooks"])
    text = app.test_cli_runner().invoke(args=["plugins"]).output
    assert "hello 1.2.3 (bundled)" in text


def test_slot_text_that_is_not_markup_is_escaped(sample_folder, tmp_path, make_user_in):
    app = make_app(tmp_path)
    make_user_in(app, "posts")
    html = app.test_client().get("/posts/p1").get_data(as_text=True)
    assert "&lt;script&gt;not markup" in html and "<script>not markup" not in html


def test_post_lifecycle_hooks_fire_after_commit_only(sample_folder, tmp_path, make_user_in):
    app = make_app(tmp_path)
    make_user_in(app, "posts")
    events = app.extensions["hello_events"]
    assert events == [("publish", "p1")]
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(slug="p1"))
        post.title = "changed"
        db.session.flush()
        assert events == [("publish", "p1")]  # flushed, not committed: nothing yet
        db.session.rollback()
        db.session.delete(db.session.scalar(db.select(Post).filter_by(slug="p1")))
        db.session.commit()
    assert events == [("publish", "p1"), ("delete", "p1")]


def test_plugin_synonyms_reach_search(sample_folder, tmp_path, make_user_in):
    app = make_app(tmp_path)
    make_user_in(app, "posts", body="我们用 canary release 逐步放量。")
    with app.app_context():
        hits = app.extensions["search"].search("灰度发布").hits
    assert [hit["slug"] for hit in hits] == ["p1"]


@pytest.fixture
def make_user_in():
    """Create an author and one published post ``p1`` in ``app``."""

    def make(app, what, body="Body."):
        from datetime import datetime, timedelta, timezone

        from blogapp.models import User

        with app.app_context():
            user = User(username="writer", role="author")
            db.session.add(user)
            db.session.flush()
            db.session.add(Post(slug="p1", title="P1", body=body, status="published",
                                author_id=user.id,
                                published_at=datetime.now(timezone.utc) - timedelta(hours=1)))
            db.session.commit()

    return make


class _Exploding:
    """A plugin whose after-commit hook always fails."""

    @hookspecs.hookimpl
    def post_after_publish(self, post):
        raise RuntimeError("boom")


def test_a_failing_after_hook_does_not_undo_or_break_the_save(tmp_path, make_user_in, caplog):
    app = make_app(tmp_path)
    app.extensions["plugins"].register(_Exploding(), name="exploding")
    make_user_in(app, "posts")  # commits a published post: the hook raises inside
    assert app.test_client().get("/posts/p1").status_code == 200
    assert "plugin exploding failed in post_after_publish" in caplog.text
