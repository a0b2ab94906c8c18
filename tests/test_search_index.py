"""The index follows the database: saves, publishes, unpublishes, deletes, renames,
rollbacks; plus ``flask reindex`` and its failure modes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blogapp.extensions import db
from blogapp.models import Post, Tag


def search_slugs(app, query, **kwargs):
    with app.app_context():
        return [hit["slug"] for hit in app.extensions["search"].search(query, **kwargs).hits]


@pytest.fixture
def author(make_user):
    return make_user("zoro", role="author")


def test_published_post_is_searchable_at_once(app, make_post, author):
    make_post("taint-notes", author, title="污点笔记", body="给节点打上 taint 之后 Pod 不再调度上来。")
    assert search_slugs(app, "污点") == ["taint-notes"]
    assert search_slugs(app, "taints") == ["taint-notes"]


def test_drafts_and_future_posts_are_not_found(app, make_post, author):
    make_post("draft-post", author, title="草稿 etcd", status="draft")
    make_post("future-post", author, title="定时 etcd", days_ago=-2, status="scheduled")
    assert search_slugs(app, "etcd") == []


def test_unpublish_edit_and_delete_update_the_index(app, make_post, author):
    post_id = make_post("kp", author, title="kube-proxy 模式", body="iptables 与 ipvs。")
    assert search_slugs(app, "kubeproxy") == ["kp"]
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.body = "现在只写 CoreDNS。"
        db.session.commit()
    assert search_slugs(app, "ipvs") == [] and search_slugs(app, "coredns") == ["kp"]
    with app.app_context():
        db.session.get(Post, post_id).unpublish()
        db.session.commit()
    assert search_slugs(app, "coredns") == []
    with app.app_context():
        db.session.get(Post, post_id).publish()
        db.session.commit()
    assert search_slugs(app, "coredns") == ["kp"]
    with app.app_context():
        db.session.delete(db.session.get(Post, post_id))
        db.session.commit()
    assert search_slugs(app, "coredns") == []


def test_rollback_leaves_the_index_alone(app, make_post, author):
    post_id = make_post("stable", author, title="Helm 入门", body="chart 与 release。")
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.title = "完全不同的标题 Velero"
        db.session.flush()
        db.session.rollback()
    assert search_slugs(app, "velero") == [] and search_slugs(app, "helm") == ["stable"]


def test_renaming_a_tag_reindexes_its_posts(app, make_post, author):
    make_post("tagged", author, title="一篇文章", body="正文。", tags=["旧标签"])
    with app.app_context():
        tag = db.session.scalar(db.select(Tag).filter_by(slug="旧标签"))
        tag.name, tag.slug = "Gatekeeper", "gatekeeper"
        db.session.commit()
    assert search_slugs(app, "gatekeeper") == ["tagged"]
    assert search_slugs(app, "tag:gatekeeper") == ["tagged"]


def test_locked_index_defers_the_update_and_catches_up(app, make_post, author):
    """Another process holds the index's write lock: the save still succeeds, no error
    reaches the user, and the next write applies what was deferred."""
    from whoosh import index as whoosh_index

    make_post("first", author, title="first post", body="alpha")
    service = app.extensions["search"]
    service.write_timeout = 0.2
    other_writer = whoosh_index.open_dir(str(service.store.current_path())).writer()
    try:
        post_id = make_post("second", author, title="second post", body="bravo")
    finally:
        other_writer.cancel()
    with app.app_context():
        assert db.session.get(Post, post_id) is not None  # the database write committed
    assert search_slugs(app, "bravo") == [] and service.store.has_pending()
    make_post("third", author, title="third post", body="charlie")  # next write catches up
    assert search_slugs(app, "bravo") == ["second"] and search_slugs(app, "charlie") == ["third"]
    assert not service.store.has_pending()


def test_reindex_command(app, runner, make_post, author):
    for n in range(3):
        make_post(f"p{n}", author, title=f"HPA 第{n}篇", body="水平扩缩容")
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 posts in" in result.output
    assert sorted(search_slugs(app, "HPA")) == ["p0", "p1", "p2"]


def test_second_reindex_is_refused(app, runner, make_post, author):
    make_post("only", author)
    store = app.extensions["search"].store
    with store.rebuild_lock():
        result = runner.invoke(args=["reindex"])
    assert result.exit_code == 1
    assert "another reindex is already running" in result.output


def test_posts_saved_during_a_rebuild_are_not_lost(app, make_post, author):
    service = app.extensions["search"]
    make_post("before", author, title="before rebuild", body="alpha")
    with service.store.rebuild_lock():
        # A save while another process rebuilds is applied now and replayed afterwards.
        make_post("during", author, title="during rebuild", body="bravo")
        assert service.store.has_pending()
    with app.app_context():
        service.rebuild(db.session)
    assert search_slugs(app, "bravo") == ["during"]
    assert not service.store.has_pending()


def test_cli_search_json(app, runner, make_post, author):
    make_post("kp", author, title="kube-proxy 模式")
    result = runner.invoke(args=["search", "kube proxy", "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.output)
    assert data["total"] == 1 and data["results"][0]["slug"] == "kp"
    assert data["results"][0]["url"] == "/posts/kp"


@pytest.mark.slow
def test_killed_reindex_leaves_the_old_index_serving(app, make_post, author, tmp_path):
    """kill -9 in the middle of ``flask reindex``: old index serves, the next run works."""
    for n in range(30):
        make_post(f"post-{n}", author, title=f"etcd 备份 {n}", body="etcdctl snapshot save " * 50)
    index_root = Path(app.instance_path) / "index"
    before = os.readlink(index_root / "current")
    env = {**os.environ, "BLOGAPP_INSTANCE_PATH": app.instance_path,
           "BLOGAPP_SECRET_KEY": "x", "BLOGAPP_SEARCH_TEST_DELAY": "0.2"}
    code = (
        "import time, blogapp.search.service as s\n"
        "orig = s.post_document\n"
        "def slow(*a, **k):\n"
        "    time.sleep(0.2)\n"
        "    return orig(*a, **k)\n"
        "s.post_document = slow\n"
        "from flask.cli import main\n"
        "import sys; sys.argv = ['flask', '--app', 'wsgi', 'reindex']; main()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=Path(__file__).parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not list(index_root.glob("build-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(index_root.glob("build-*")), "the rebuild never started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert os.readlink(index_root / "current") == before
    assert len(search_slugs(app, "etcdctl", per_page=50)) == 30  # old index still serves
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 30 posts" in result.output, result.output
    assert not list(index_root.glob("build-*"))
    assert os.readlink(index_root / "current") != before


def test_index_of_an_old_schema_is_rebuilt_in_the_background(app, make_post, author, tmp_path):
    from blogapp import create_app
    from blogapp.search.store import VERSION_FILE

    make_post("old", author, title="Velero 备份")
    store = app.extensions["search"].store
    (store.current_path() / VERSION_FILE).write_text("0-old\n")  # as if built by an older release
    upgraded = create_app({"TESTING": True, "SECRET_KEY": "x"}, instance_path=app.instance_path)
    service = upgraded.extensions["search"]
    assert service.needs_rebuild()
    with upgraded.app_context():
        service.search("velero")  # the first search notices and starts the rebuild
    deadline = time.monotonic() + 20
    while service.needs_rebuild() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not service.needs_rebuild()
    assert search_slugs(upgraded, "velero") == ["old"]


def test_reindex_if_needed(app, runner, make_post, author):
    make_post("one", author)
    assert "up to date" in runner.invoke(args=["reindex", "--if-needed"]).output
    import shutil

    shutil.rmtree(Path(app.instance_path) / "index")
    result = runner.invoke(args=["reindex", "--if-needed"])
    assert result.exit_code == 0 and "Indexed 1 posts" in result.output


def test_bulk_import_indexes_once_at_the_end(app, runner, tmp_path):
    for n in range(3):
        (tmp_path / f"p{n}.md").write_text(
            f"---\ntitle: 批量 {n}\nslug: bulk-{n}\nauthor: nami\ndate: 2024-01-0{n + 1}\n---\n"
            "Velero 备份。\n", encoding="utf-8")
    service = app.extensions["search"]
    writes = []
    original = service.apply
    service.apply = lambda *a, **k: writes.append(a) or original(*a, **k)
    result = runner.invoke(args=["import-posts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert writes == []  # no per-commit index write during the import
    assert sorted(search_slugs(app, "velero")) == ["bulk-0", "bulk-1", "bulk-2"]


@pytest.mark.parametrize("procs", [1, 2])
def test_rebuild_in_one_or_several_processes_finds_the_same(app, make_post, author, procs):
    # With several processes the writer processes analyse the posts themselves; the
    # index must not depend on where the analysis ran.
    texts = [("HPA 自动扩缩容", "Horizontal Pod Autoscaler 按 CPU 调整副本数。", ["HPA"]),
             ("kube-proxy 模式", "kube proxy 支持 iptables 与 ipvs；ＩＰＶＳ 更快。", ["网络"]),
             ("滚动更新", "Deployment 的 rolling updates 逐个替换 Pod。", []),
             ("etcd 备份", "etcdctl snapshot save 备份 etcd。", ["etcd"])]
    for n, (title, body, tags) in enumerate(texts):
        make_post(f"p{n}", author, title=title, body=body, tags=tags)
    service = app.extensions["search"]
    queries = ["HPA", "kube-proxy", "ipvs", '"rolling update"', "Pod", "自动扩缩容", "etcd 备份"]

    def answers():
        with app.app_context():
            return [[(h["slug"], h["score"], h["snippet"]) for h in service.search(q).hits]
                    for q in queries]

    service.rebuild_procs = 1
    with app.app_context():
        service.rebuild(db.session)
    in_process = answers()
    service.rebuild_procs = procs
    with app.app_context():
        assert service.rebuild(db.session)[0] == 4
    assert answers() == in_process and all(in_process)
