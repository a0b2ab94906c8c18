"""The example third-party plugin in examples/, installed by its entry point: a sidebar
block and a post hook, through the public plugin API only."""

import ast
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from blogapp.extensions import db
from blogapp.models import Post, User
from conftest import close_app, make_app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "blogapp_hello_sidebar"
PACKAGE = EXAMPLE / "blogapp_hello_sidebar"


def _install_by_entry_point(site, monkeypatch):
    """What ``pip install`` leaves behind: the code on the path and a dist-info whose
    entry_points.txt is the one pyproject.toml declares."""
    dist = site / "blogapp_hello_sidebar-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: blogapp-hello-sidebar\nVersion: 0.1.0\n")
    declared = (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."blogapp.plugins"]\nhello_sidebar = "blogapp_hello_sidebar"' \
        in declared
    (dist / "entry_points.txt").write_text(
        "[blogapp.plugins]\nhello_sidebar = blogapp_hello_sidebar\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(EXAMPLE))


def test_the_example_imports_only_the_plugin_api_from_blogapp():
    imported = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert {name for name in imported if name.split(".")[0] == "blogapp"} == {
        "blogapp.plugin_api"}


def test_example_plugin_adds_a_sidebar_block_and_hears_publications(tmp_path, monkeypatch):
    _install_by_entry_point(tmp_path / "site", monkeypatch)
    app = make_app(tmp_path / "instance", HELLO_SIDEBAR_GREETING="Hi <readers>")
    try:
        described = {p["name"]: p for p in app.extensions["plugins"].describe()}
        assert described["hello_sidebar"]["source"] == "entry point"
        assert {"render_slot", "post_after_publish"} <= set(described["hello_sidebar"]["hooks"])
        client = app.test_client()
        html = client.get("/").get_data(as_text=True)
        assert '<section class="hello-sidebar"><h2>Hi &lt;readers&gt;</h2></section>' in html
        with app.app_context():
            author = User(username="writer", role="author")
            db.session.add(author)
            db.session.flush()
            db.session.add(Post(slug="new-one", title="New <one>", body="Body.",
                                status="published", author_id=author.id,
                                published_at=datetime.now(timezone.utc) - timedelta(hours=1)))
            db.session.commit()
        html = client.get("/").get_data(as_text=True)
        assert 'Just published: <a href="/posts/new-one">New &lt;one&gt;</a>' in html
        blocked = make_app(tmp_path / "blocked", BLOCKED_PLUGINS=["hello_sidebar"])
        try:
            assert "hello-sidebar" not in blocked.test_client().get("/").get_data(as_text=True)
        finally:
            close_app(blocked)
    finally:
        close_app(app)
        sys.modules.pop("blogapp_hello_sidebar", None)
