"""The search outbox (issue #9): every post change leaves a row in its own transaction, and
a second node on the same database applies the rows to its own index, idempotently, in
order, after missing any number of them, across gaps and pruning.

"Node A" is the ``app`` fixture; "node B" is another app on the same database with its own
instance folder (and so its own index), as a second web server would be.
"""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import Post, Tag
from blogapp.search import outbox
from blogapp.search.outbox import SearchOutbox
from conftest import close_app, make_app, shared_path

QUERIES = ["zebracorn", "etcd 备份", "HPA", "tag:ops", "author:writer zebracorn", "滚动更新"]


@pytest.fixture
def node_b(app, tmp_path):
    other = make_app(tmp_path / "node-b",
                     SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    yield other
    other.extensions["search_follower"].stop()
    close_app(other)


@pytest.fixture
def writer(make_user):
    return make_user("writer")


def _rows(app):
    with app.app_context():
        return [(row.post_id, row.op) for row in
                db.session.scalars(select(SearchOutbox).order_by(SearchOutbox.id))]


def _results(app, query):
    """Slugs found, newest first: the same on every node that holds the same posts.

    (Relevance order is not: BM25 statistics and the order of equal scores depend on each
    index's own history of updates and merges - see docs/scaling.md.)
    """
    with app.app_context():
        results = app.extensions["search"].search(query, per_page=100, sort="date")
        return [hit["slug"] for hit in results.hits]


def _sync(app, *args):
    return app.test_cli_runner().invoke(args=["search-sync", *args])


def _publish(app, slug, author_id, body="zebracorn：etcd 备份与滚动更新。", tags=()):
    with app.app_context():
        post = Post(slug=slug, title=f"Post {slug}", body=body, status="published",
                    author_id=author_id, published_at=datetime.now(timezone.utc) - timedelta(hours=1))
        post.tags = [Tag.get_or_create(name) for name in tags]
        db.session.add(post)
        db.session.commit()
        return post.id


def _position(app):
    service = app.extensions["search"]
    return service.store.read_position(service.store.current_path())


def test_each_save_writes_one_row_in_its_transaction(app, writer, make_post):
    post_id = make_post("first", writer, tags=["ops"])
    assert _rows(app) == [(post_id, "upsert")]
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.title = "Renamed"
        db.session.flush()
        post.body = "changed twice in one transaction"
        db.session.commit()
        tag = db.session.scalar(select(Tag).filter_by(name="ops"))
        tag.name = "operations"  # what the post is found by changes: it is enqueued too
        db.session.commit()
        db.session.delete(db.session.get(Post, post_id))
        db.session.commit()
    assert _rows(app) == [(post_id, "upsert"), (post_id, "upsert"), (post_id, "upsert"),
                          (post_id, "delete")]


def test_rolled_back_or_failed_transactions_leave_no_row(app, writer, make_post):
    make_post("taken", writer)
    before = _rows(app)
    with app.app_context():
        db.session.add(Post(slug="never", title="Never", body="x", status="published",
                            author_id=writer, published_at=datetime.now(timezone.utc)))
        db.session.flush()
        db.session.rollback()
        db.session.add(Post(slug="taken", title="Duplicate", body="x", status="published",
                            author_id=writer, published_at=datetime.now(timezone.utc)))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert _rows(app) == before


def test_a_post_published_on_one_node_is_found_on_the_other(app, node_b, writer):
    _publish(app, "on-a", writer)
    assert _results(app, "zebracorn") == ["on-a"]
    assert _results(node_b, "zebracorn") == []
    result = _sync(node_b)
    assert result.exit_code == 0, result.output
    assert "there is no search index yet: rebuilding" in result.output
    assert _results(node_b, "zebracorn") == ["on-a"]
    result = _sync(node_b)
    assert (result.exit_code, result.output) == (0, "Search index is up to date with the outbox.\n")


def test_reindex_if_needed_brings_a_lagging_index_up_to_date(app, node_b, writer):
    """What start-up runs (make run/serve): the workers then start with a current index."""
    _sync(node_b)
    _publish(app, "while-b-was-down", writer)
    result = node_b.test_cli_runner().invoke(args=["reindex", "--if-needed"])
    assert result.exit_code == 0, result.output
    assert result.output == "Search index is up to date (applied 1 outbox changes).\n"
    assert _results(node_b, "zebracorn") == ["while-b-was-down"]
    again = node_b.test_cli_runner().invoke(args=["reindex", "--if-needed"])
    assert again.output == "Search index is up to date.\n"


def test_a_node_that_missed_many_changes_catches_up_to_the_same_results(app, node_b, writer):
    _publish(app, "seed", writer)
    assert _sync(node_b).exit_code == 0
    ids = [_publish(app, f"p{i}", writer, body=f"zebracorn {i} HPA 滚动更新", tags=["ops"][: i % 2])
           for i in range(30)]
    with app.app_context():
        for post_id in ids[:5]:
            db.session.delete(db.session.get(Post, post_id))
        for post_id in ids[5:10]:
            db.session.get(Post, post_id).unpublish()
        db.session.get(Post, ids[10]).body = "now only about etcd 备份"
        db.session.commit()
    result = _sync(node_b)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Applied 41 outbox changes")
    for query in QUERIES:
        assert _results(node_b, query) == _results(app, query), query
    assert len(_results(node_b, "zebracorn")) == 20


def test_applying_again_from_the_start_changes_nothing(app, node_b, writer):
    for i in range(5):
        _publish(app, f"p{i}", writer, tags=["ops"])
    assert _sync(node_b).exit_code == 0
    expected = {query: _results(node_b, query) for query in QUERIES}
    service = node_b.extensions["search"]
    service.store.write_position(service.store.current_path(), {"last_id": 0, "gaps": {}})
    result = _sync(node_b)
    assert result.output.startswith("Applied 5 outbox changes"), result.output
    assert {query: _results(node_b, query) for query in QUERIES} == expected


def test_a_row_that_commits_after_a_later_one_is_not_missed(app, node_b, writer):
    """PostgreSQL: id 11 can become visible after id 12. The node keeps 11 as a gap.

    The rows are written with explicit ids (and the post changed with plain SQL, which
    writes no row of its own) to stage that order on any database.
    """
    first = _publish(app, "first", writer)
    late = _publish(app, "late", writer)
    assert _sync(node_b).exit_code == 0
    with app.app_context():
        last = db.session.scalar(select(db.func.max(SearchOutbox.id)))
        now = datetime.now(timezone.utc)
        db.session.execute(insert(SearchOutbox).values(id=last + 2, post_id=first, op="upsert",
                                                       created_at=now))
        db.session.commit()
    assert _sync(node_b).output.startswith("Applied 1 outbox changes")
    assert _position(node_b) == {"last_id": last + 2, "gaps": {str(last + 1): pytest.approx(
        now.timestamp() + 120, abs=5)}}
    with app.app_context():
        db.session.execute(update(Post).where(Post.id == late).values(title="Late renamed"))
        db.session.execute(insert(SearchOutbox).values(id=last + 1, post_id=late, op="upsert",
                                                       created_at=now))
        db.session.commit()
    assert _results(node_b, "renamed") == []
    result = _sync(node_b)
    assert result.output.startswith("Applied 1 outbox changes"), result.output
    assert _position(node_b) == {"last_id": last + 2, "gaps": {}}
    assert _results(node_b, "renamed") == ["late"]


def test_old_gaps_are_not_waited_for(app, node_b, writer):
    first = _publish(app, "first", writer)
    assert _sync(node_b).exit_code == 0
    with app.app_context():
        last = db.session.scalar(select(db.func.max(SearchOutbox.id)))
        long_ago = datetime.now(timezone.utc) - timedelta(hours=1)
        db.session.execute(insert(SearchOutbox).values(id=last + 5, post_id=first, op="upsert",
                                                       created_at=long_ago))
        db.session.commit()
    assert _sync(node_b).exit_code == 0
    assert _position(node_b) == {"last_id": last + 5, "gaps": {}}


def test_a_node_behind_the_pruned_outbox_rebuilds(app, node_b, writer):
    _publish(app, "early", writer)
    assert _sync(node_b).exit_code == 0
    for i in range(3):
        _publish(app, f"missed{i}", writer)
    with app.app_context():
        old = datetime.now(timezone.utc) - timedelta(days=8)
        db.session.execute(update(SearchOutbox).values(created_at=old))
        db.session.commit()
    _publish(app, "recent", writer)
    result = app.test_cli_runner().invoke(args=["search-sync", "--prune"])
    assert result.exit_code == 0, result.output
    assert "Pruned 3 outbox rows older than 7 days." in result.output
    assert len(_rows(app)) == 2  # the newest pruned row stays as the low-water mark
    result = _sync(node_b)
    assert result.exit_code == 0, result.output
    assert "but rows up to 3 have been pruned: rebuilding the search index." in result.output
    assert _results(node_b, "zebracorn") == _results(app, "zebracorn")
    assert len(_results(node_b, "zebracorn")) == 5


def test_a_rebuild_keeps_changes_committed_while_it_ran(app, node_b, writer):
    for i in range(3):
        _publish(app, f"p{i}", writer)
    service = node_b.extensions["search"]
    published = []

    def publish_meanwhile(count):
        if not published:  # after the rebuild read its first post
            published.append(_publish(app, "during", writer))

    with node_b.app_context():
        service.rebuild(db.session, publish_meanwhile)
    assert published
    assert _sync(node_b).exit_code == 0
    assert sorted(_results(node_b, "zebracorn")) == ["during", "p0", "p1", "p2"]


def _newest_row(app):
    with app.app_context():
        return outbox.high_water(db.session)


def test_an_import_and_a_reindex_leave_the_outbox_nothing_to_apply(app, runner):
    """Issue #14: after import-posts + reindex, search-sync indexed every post again."""
    result = runner.invoke(args=["import-posts", str(shared_path("corpus", "k8s-blog"))])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 40 posts" in result.output, result.output
    assert _position(app) == {"last_id": _newest_row(app), "gaps": {}}
    assert _sync(app).output == "Search index is up to date with the outbox.\n"


def test_loading_the_demo_leaves_reindex_if_needed_nothing_to_apply(app, runner):
    """``make run``: load-demo builds the first index, which claims what it read."""
    result = runner.invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["reindex", "--if-needed"])
    assert (result.exit_code, result.output) == (0, "Search index is up to date.\n")
    assert _position(app) == {"last_id": _newest_row(app), "gaps": {}}


def test_a_rebuild_reads_one_snapshot_and_claims_only_what_it_read(app, node_b, writer):
    """Changes committed after the rebuild's snapshot are not in the build, and are the
    only ones the next pass applies."""
    ids = [_publish(app, f"p{i}", writer) for i in range(3)]
    service = node_b.extensions["search"]
    claim = service.rebuild_position
    claimed = []

    def change_after_the_snapshot(session):
        claimed.append(claim(session))
        _publish(app, "during", writer)
        with app.app_context():
            db.session.get(Post, ids[2]).title = "Renamed meanwhile"  # not read yet
            db.session.commit()
        return claimed[-1]

    service.rebuild_position = change_after_the_snapshot
    with node_b.app_context():
        assert service.rebuild(db.session)[0] == 3
    assert claimed == [{"last_id": _newest_row(app) - 2, "gaps": {}}]
    assert sorted(_results(node_b, "zebracorn")) == ["p0", "p1", "p2"]
    assert _results(node_b, "meanwhile") == []
    result = _sync(node_b)
    assert result.output.startswith("Applied 2 outbox changes"), result.output
    assert sorted(_results(node_b, "zebracorn")) == ["during", "p0", "p1", "p2"]
    assert _results(node_b, "meanwhile") == ["p2"]


def test_an_id_in_flight_during_the_snapshot_stays_open_until_it_commits(
        app, node_b, writer, database_url):
    """PostgreSQL takes an id at INSERT and shows it at COMMIT: a rebuild whose snapshot
    has the next id but not this one keeps it as a gap and applies it once it commits."""
    if database_url is None:
        pytest.skip("SQLite has one writer at a time: no id is in flight below a visible one")
    held_post = _publish(app, "held", writer)
    with app.app_context():
        engine = db.engine
    # A second connection, its transaction left open across the rebuild (outside any app
    # context: the CLI runner would run in the one it finds).
    with Session(engine) as held:
        held.execute(update(Post).where(Post.id == held_post).values(title="Held renamed"))
        outbox.enqueue(held, upserts=[held_post])
        in_flight = held.scalar(select(db.func.max(SearchOutbox.id)))
        _publish(app, "after", writer)
        result = node_b.test_cli_runner().invoke(args=["reindex"])
        assert result.exit_code == 0, result.output
        position = _position(node_b)
        assert position["last_id"] == in_flight + 1
        assert list(position["gaps"]) == [str(in_flight)]
        assert _results(node_b, "renamed") == []
        assert _sync(node_b).output == "Search index is up to date with the outbox.\n"
        held.commit()
    result = _sync(node_b)
    assert result.output.startswith("Applied 1 outbox changes"), result.output
    assert _position(node_b) == {"last_id": in_flight + 1, "gaps": {}}
    assert _results(node_b, "renamed") == ["held"]


def test_reindex_on_one_node_leaves_the_other_nodes_index_alone(app, node_b, writer):
    _publish(app, "p", writer)
    assert _sync(node_b).exit_code == 0
    index_b = node_b.extensions["search"].store.root
    before = sorted((p.name, p.stat().st_mtime_ns) for p in index_b.rglob("*"))
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert sorted((p.name, p.stat().st_mtime_ns) for p in index_b.rglob("*")) == before


def test_sync_reports_a_busy_index_as_a_one_line_error(app, node_b, writer):
    _publish(app, "p", writer)
    assert _sync(node_b).exit_code == 0
    _publish(app, "q", writer)
    node_b.extensions["search"].write_timeout = 0.2
    index = node_b.extensions["search"].live_index(for_writing=True)
    holder = index._open().writer()  # another process's writer, as far as the lock goes
    try:
        result = _sync(node_b)
    finally:
        holder.cancel()
    assert result.exit_code == 1
    assert "is locked by another writer; try again." in result.output
    assert "Traceback" not in result.output
    assert _sync(node_b).output.startswith("Applied 1 outbox changes")


def test_background_thread_applies_other_nodes_changes(app, tmp_path, writer):
    node = make_app(tmp_path / "follower", SEARCH_SYNC=True, SEARCH_SYNC_INTERVAL=0.05, SEARCH_AUTO_REBUILD=True,
                    SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    follower = node.extensions["search_follower"]
    try:
        _publish(app, "before", writer)
        assert node.test_client().get("/").status_code == 200  # the first request starts it
        _publish(app, "after", writer)
        found = []
        for _ in range(400):  # a bound, not a timing goal: 20 s at most
            found = _results(node, "zebracorn")
            if len(found) == 2:
                break
            follower._stop.wait(0.05)
        assert sorted(found) == ["after", "before"]
    finally:
        follower.stop()
        close_app(node)


def test_the_follower_counts_its_passes_and_the_changes_they_applied(app, node_b, writer):
    """What ``bench/search_bench.py --sync-on`` reports."""
    _publish(app, "p", writer)
    assert _sync(node_b).exit_code == 0
    _publish(app, "q", writer)
    follower = node_b.extensions["search_follower"]
    with node_b.app_context():
        follower.pass_once(db.engine)
        follower.pass_once(db.engine)
    assert (follower.passes, follower.applied) == (2, 1)


def test_the_thread_is_not_started_in_tests_unless_asked(app, client):
    client.get("/")
    follower = app.extensions["search_follower"]
    assert follower._thread is None
