"""``flask import-wxr``: the WordPress theme unit test export, hostile files, old permalinks."""

import re
from collections import Counter
from datetime import datetime, timezone
from html.parser import HTMLParser

import defusedxml.ElementTree as SafeET
import pytest

from blogapp.extensions import db
from blogapp.models import Category, LegacyPostId, Post, Tag, User
from blogapp.models.taxonomy import post_tags
from conftest import login, shared_path
from plugins.comments.models import Comment
from plugins.comments.models_import import ImportedComment

WP = "{https://wordpress.org/export/1.2/}"


@pytest.fixture
def wxr():
    return shared_path("fixtures", "wordpress", "themeunittestdata.wordpress.xml")


@pytest.fixture
def imported(app, runner, wxr):
    """The fixture imported once; returns the command's standard output."""
    result = runner.invoke(args=["import-wxr", str(wxr)])
    assert result.exit_code == 0, result.output
    return result.stdout


def file_counts(path):
    """Counts straight from the XML, independent of the importer."""
    channel = SafeET.parse(path, forbid_dtd=True).getroot().find("channel")
    items = channel.findall("item")
    by_type = Counter(item.findtext(WP + "post_type") for item in items)
    post_status = Counter(item.findtext(WP + "status") for item in items
                          if item.findtext(WP + "post_type") == "post")
    protected = sum(1 for item in items if item.findtext(WP + "post_type") == "post"
                    and item.findtext(WP + "post_password"))
    comments = Counter()
    for item in items:
        on = "post" if item.findtext(WP + "post_type") == "post" else "other"
        for comment in item.findall(WP + "comment"):
            comments[(on, comment.findtext(WP + "comment_approved"))] += 1
    return {
        "types": by_type, "post_status": post_status, "protected": protected,
        "comments": comments, "authors": len(channel.findall(WP + "author")),
        "categories": len(channel.findall(WP + "category")),
        "tags": [t.findtext(WP + "tag_name") for t in channel.findall(WP + "tag")],
    }


def row_counts(app):
    tables = [Post.__table__, User.__table__, Category.__table__, Tag.__table__, post_tags,
              LegacyPostId.__table__, Comment.__table__, ImportedComment.__table__]
    with app.app_context():
        return {table.name: db.session.scalar(db.select(db.func.count()).select_from(table))
                for table in tables}


# --- what comes across ------------------------------------------------------------------------

def test_counts_match_the_file(app, wxr, imported):
    found = file_counts(wxr)
    # The numbers the fixtures README promises, then the same numbers from the XML itself.
    assert found["types"] == {"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70}
    assert found["post_status"] == {"publish": 56, "draft": 1, "future": 1}
    assert found["protected"] == 1
    assert sum(found["comments"].values()) == 33
    assert found["comments"] == {("post", "1"): 27, ("post", "0"): 1, ("other", "1"): 3,
                                 ("other", "0"): 2}
    published = found["post_status"]["publish"] - found["protected"]
    drafts = found["post_status"]["draft"] + found["protected"]
    assert f"authors: {found['authors']} created, 0 existing" in imported
    assert f"categories: {found['categories']} created, 0 existing" in imported
    assert (f"posts: {found['types']['post']} created, 0 updated, 0 unchanged "
            f"({published} published, {drafts} draft, {found['post_status']['future']} scheduled)"
            ) in imported
    assert "password-protected posts imported as drafts: 1" in imported
    assert f"pages skipped: {found['types']['page']}" in imported
    assert f"attachments skipped: {found['types']['attachment']}" in imported
    assert f"menu items skipped: {found['types']['nav_menu_item']}" in imported
    assert "other items skipped: 0" in imported
    on_posts = found["comments"][("post", "1")] + found["comments"][("post", "0")]
    approved, pending = found["comments"][("post", "1")], found["comments"][("post", "0")]
    assert (f"comments: {on_posts} created, 0 unchanged ({approved} approved, {pending} pending, "
            "0 spam)") in imported
    assert "trashed comments skipped: 0" in imported
    assert "comments on skipped items: 5" in imported

    counts = row_counts(app)
    assert counts["posts"] == 58 and counts["legacy_post_ids"] == 58
    assert counts["users"] == 2 and counts["categories"] == 68
    # 110 declared tags plus one per extra category name (they become tags).
    assert counts["tags"] == 171
    assert counts["comments"] == 28 and counts["comment_imports"] == 28
    with app.app_context():
        statuses = Counter(db.session.scalars(db.select(Post.status)))
        assert statuses == {"published": 55, "draft": 2, "scheduled": 1}
        tag_names = set(db.session.scalars(db.select(Tag.name)))
        assert set(found["tags"]) <= tag_names
        comment_statuses = Counter(db.session.scalars(db.select(Comment.status)))
        assert comment_statuses == {"approved": 27, "pending": 1}


def test_one_post_comes_across_whole(app, client, imported):
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(slug="template-more-tag"))
        assert post.title == "Template: More Tag"
        assert post.status == "published"
        # wp:post_date_gmt 2012-03-15 21:41:11 (post_date 14:41:11 was the site's local time)
        assert post.published_at == datetime(2012, 3, 15, 21, 41, 11, tzinfo=timezone.utc)
        assert (post.author.username, post.author.display_name) == ("themedemos", "Theme Buster")
        assert post.author.email == "themeshaperwp+demos@gmail.com"
        # classic + template-2 + uncategorized: Uncategorized goes, the rarer one is the category.
        assert post.category.name == "Template"
        assert {t.name for t in post.tags} == {"content περιεχόμενο", "read more", "template",
                                               "Classic"}
        assert "This content is before the" in post.excerpt_html
        assert "after the more tag" not in post.excerpt_html
        assert "after the more tag" in post.body_html
        assert 'target="_blank"' not in post.body_html  # the article allowlist applies
        legacy = db.session.scalar(db.select(LegacyPostId).filter_by(post_id=post.id))
        assert legacy.legacy_id == 996

        nested = db.session.scalar(db.select(Post).filter_by(slug="edge-case-many-categories"))
        assert nested.category.name == "Parent / Child 1 / Child 2"
        names = set(db.session.scalars(db.select(Category.name)))
        assert {"Parent Category / Child Category 03 / Grandchild Category", "Foo A",
                "Foo Parent / Foo A", "aciform / sub"} <= names
        titled = db.session.scalar(db.select(Post).filter_by(slug="markup-title-with-markup"))
        assert titled.title == "Markup: Title With Markup"
        assert db.session.scalar(db.select(Post).filter_by(slug="edge-case-no-title")).title
        assert db.session.scalar(db.select(Post).filter_by(slug="draft")).status == "draft"
        protected = db.session.scalar(db.select(Post).filter_by(slug="template-password-protected"))
        assert protected.status == "draft"
        assert db.session.scalar(db.select(Post).filter_by(slug="scheduled")).status == "scheduled"

    page = client.get("/posts/template-more-tag").get_data(as_text=True)
    assert "This content is before the" in page and "after the more tag" in page
    listing = client.get("/category/template").get_data(as_text=True)
    assert "/posts/template-more-tag" in listing
    assert client.get("/posts/template-password-protected").status_code == 404


def test_html_content_renders_as_html(client, imported):
    page = client.get("/posts/markup-html-tags-and-formatting").get_data(as_text=True)
    body = page[page.index('class="wp-import"'):]
    # The post has h1s of its own: its headings move one level down (the page's title is its
    # one h1), so "Blockquotes", an h2 in the export, is an h3 on the page.
    for fragment in ("<h3>Blockquotes</h3>", "<p>Single line blockquote:</p>",
                     "<blockquote><p>Stay hungry. Stay foolish.</p></blockquote>",
                     "<th>Employee</th>", "<dt>Definition List Title</dt>"):
        assert fragment in body
    assert "&lt;h2&gt;" not in body and "<pre><code>&lt;" not in body  # nothing read as Markdown
    blocks = client.get("/posts/block-quotes").get_data(as_text=True)
    assert "<!-- wp:" not in blocks and "wp:paragraph" not in blocks
    assert "<p>The quote block has two styles,&nbsp;regular:</p>" in blocks


class _Nesting(HTMLParser):
    """Which ``li#comment-N`` elements each comment's ``li`` sits inside."""

    def __init__(self):
        super().__init__()
        self.stack, self.ancestors = [], {}

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            ident = dict(attrs).get("id") or ""
            self.ancestors[ident] = [i for i in self.stack if i]
            self.stack.append(ident)

    def handle_endtag(self, tag):
        if tag == "li" and self.stack:
            self.stack.pop()


def _flatten(nodes, parent=None, depth=1):
    for node in nodes:
        yield node, parent, depth
        yield from _flatten(node["replies"], node, depth + 1)


def test_threaded_comments_keep_their_tree(client, imported):
    data = client.get("/api/posts/template-comments/comments").get_json()
    assert data["count"] == 19  # 20 on the post in WordPress, one of them pending
    nodes = {" ".join(re.sub(r"<[^>]+>", " ", n["body_html"]).split()): (n, p, d)
             for n, p, d in _flatten(data["comments"])}
    reply, parent, depth = nodes["Comment Depth 02"]
    assert parent is not None and parent["body_html"] == "<p>Comment Depth 01</p>"
    assert depth == 2 and reply["author"] == "Jane Bloggs"
    assert nodes["Comment Depth 05 Also an author comment."][2] == 5
    # Deeper than 5: replies join their parent's siblings, as WordPress shows them.
    fourth = nodes["Comment Depth 04"][0]
    deep = [(p, d) for text, (_, p, d) in nodes.items()
            if re.match(r"Comment Depth (0[5-9]|10)", text)]
    assert len(deep) == 6 and all(p is fourth and d == 5 for p, d in deep)
    assert not any("this is test comment" in text for text in nodes)  # pending: not shown
    # WordPress comment text is HTML with blank-line paragraphs, not Markdown.
    anonymous = next(n for n in nodes if n.startswith("This user it trying to be anonymous"))
    assert "<pre>" not in nodes[anonymous][0]["body_html"]

    page = client.get("/posts/template-comments").get_data(as_text=True)
    assert "this is test comment" not in page
    nesting = _Nesting()
    nesting.feed(page)
    assert f"comment-{parent['id']}" in nesting.ancestors[f"comment-{reply['id']}"]
    pings = client.get("/api/posts/template-pingbacks-an-trackbacks/comments").get_json()
    assert pings["count"] == 5
    assert {c["author"] for c in pings["comments"]} >= {"Ping 1 « What’s a tellyworth?"}


# --- idempotency and dry runs -----------------------------------------------------------------

def test_importing_twice_changes_nothing(app, runner, wxr, imported):
    before = row_counts(app)
    with app.app_context():
        stamps = dict(db.session.execute(db.select(Post.slug, Post.updated_at)).all())
    again = runner.invoke(args=["import-wxr", str(wxr)])
    assert again.exit_code == 0, again.output
    assert "posts: 0 created, 0 updated, 58 unchanged" in again.stdout
    assert "authors: 0 created, 2 existing" in again.stdout
    assert "categories: 0 created, 68 existing" in again.stdout
    assert "tags: 0 created, 171 existing" in again.stdout
    assert "comments: 0 created, 28 unchanged" in again.stdout
    assert row_counts(app) == before
    with app.app_context():
        assert dict(db.session.execute(db.select(Post.slug, Post.updated_at)).all()) == stamps


def test_dry_run_writes_nothing(app, client, runner, wxr):
    empty = row_counts(app)
    result = runner.invoke(args=["import-wxr", "--dry-run", str(wxr)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run, nothing written")
    assert "posts: 58 created" in result.stdout and "comments: 28 created" in result.stdout
    assert row_counts(app) == empty
    assert client.get("/api/search?q=Abbott").get_json()["total"] == 0
    # The real import feeds the search index.
    assert runner.invoke(args=["import-wxr", str(wxr)]).exit_code == 0
    hits = client.get("/api/search?q=Abbott").get_json()["results"]
    assert [hit["slug"] for hit in hits] == ["post-format-chat"]


# --- hostile and broken files -----------------------------------------------------------------

_RSS = ('<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version><item><title>{body}</title>"
        "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item></channel></rss>")
HOSTILE = {
    "xxe": ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + _RSS.format(body="&xxe;"), "DTD"),
    "billion-laughs": ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
                       '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                       '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
                       '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                       + _RSS.format(body="&d;"), "DTD"),
    "external-dtd": ('<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">'
                     + _RSS.format(body="x"), "DTD"),
    "parameter-entity": ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM '
                         '"http://127.0.0.1:9/x.dtd"> %ext;]>' + _RSS.format(body="x"), "DTD"),
    "malformed": (_RSS.format(body="<b>unclosed"), "not well-formed XML"),
    "truncated": (_RSS.format(body="x")[:120], "not well-formed XML"),
    "plain-rss": ('<rss version="2.0"><channel><title>t</title></channel></rss>',
                  "not a WordPress export"),
    "not-rss": ("<html><body>hi</body></html>", "not a WordPress export"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_broken_files_are_refused(app, runner, tmp_path, name):
    text, reason = HOSTILE[name]
    path = tmp_path / f"{name}.xml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-wxr", str(path)])
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert "\n" not in message and reason in message and path.name in message
    assert "root:" not in result.output
    assert all(n == 0 for n in row_counts(app).values())


# --- old permalinks and imported accounts ------------------------------------------------------

def test_old_permalinks_redirect(client, imported):
    for url in ("/?p=1178", "/2013/01/11/markup-html-tags-and-formatting/",
                "/2013/01/11/markup-html-tags-and-formatting"):
        response = client.get(url)
        assert response.status_code == 301, url
        assert response.headers["Location"] == "/posts/markup-html-tags-and-formatting"
    assert client.get("/posts/markup-html-tags-and-formatting").status_code == 200
    # Unknown ids, drafts and not-yet-due posts fall through to the front page or a 404.
    for query in ("999999", "1164", "1153", "abc", "99999999999999999999999"):
        assert client.get(f"/?p={query}").status_code == 200, query
    assert client.get("/2013/01/11/no-such-post/").status_code == 404


def test_imported_authors_cannot_log_in_until_given_a_password(app, client, runner, imported):
    with app.app_context():
        user = User.by_username("themereviewteam")
        assert user.password_hash is None and user.role == "author"
        assert user.display_name == "Theme Reviewer"
    assert login(client, "themereviewteam", "").status_code != 302
    assert login(client, "themereviewteam", "anything at all").status_code == 401
    result = runner.invoke(args=["create-user", "themereviewteam", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert login(client, "themereviewteam", "a long enough password").status_code == 302


# --- the edges the theme test data does not have ----------------------------------------------

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.1/">
<channel><title>Small</title><wp:wxr_version>1.1</wp:wxr_version>
<wp:base_blog_url>http://small.example</wp:base_blog_url>
<wp:author><wp:author_login>ann lee</wp:author_login>
<wp:author_email>ann@example.org</wp:author_email>
<wp:author_display_name>Ann</wp:author_display_name></wp:author>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><dc:creator>ann lee</dc:creator>
<content:encoded><![CDATA[{content}]]></content:encoded><wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>2024-05-01 08:00:00</wp:post_date><wp:post_date_gmt>{gmt}</wp:post_date_gmt>
<wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status>
<wp:post_type>{type}</wp:post_type>
{extra}</item>"""


def _item(wp_id, title, slug="", status="publish", kind="post", gmt="0000-00-00 00:00:00",
          content="Text.", extra=""):
    return ITEM.format(wp_id=wp_id, title=title, slug=slug, status=status, type=kind, gmt=gmt,
                       content=content, extra=extra)


def _comment(wp_id, approved, parent=0):
    return (f"<wp:comment><wp:comment_id>{wp_id}</wp:comment_id><wp:comment_author>c{wp_id}"
            f"</wp:comment_author><wp:comment_date>2024-05-02 08:00:00</wp:comment_date>"
            f"<wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt><wp:comment_content>"
            f"<![CDATA[Hi <script>alert(1)</script>{wp_id}]]></wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")


def test_local_dates_slug_fallbacks_statuses_and_comment_states(app, runner, make_user, make_post,
                                                                 tmp_path):
    make_post("taken", make_user("owner"))
    items = [
        _item(1, "Taken", slug="taken", extra=_comment(10, "1") + _comment(11, "trash")
              + _comment(12, "spam") + _comment(13, "1", parent=11)),
        _item(2, "中文 标题", slug="%e4%b8%ad%e6%96%87"),
        _item(3, "From Title"),
        _item(4, "Private", status="private"), _item(5, "Pending", status="pending"),
        _item(6, "Binned", status="trash"), _item(7, "Block", kind="wp_block"),
    ]
    path = tmp_path / "small.xml"
    path.write_text(SMALL.format(items="\n".join(items)), encoding="utf-8")
    result = runner.invoke(args=["import-wxr", str(path)])
    assert result.exit_code == 0, result.output
    assert ("posts: 5 created, 0 updated, 0 unchanged (3 published, 2 draft, 0 scheduled)"
            in result.stdout)
    assert "other items skipped: 1 (wp_block 1)" in result.stdout
    assert "trash posts skipped: 1" in result.stdout
    assert "comments: 3 created, 0 unchanged (2 approved, 0 pending, 1 spam)" in result.stdout
    assert "trashed comments skipped: 1" in result.stdout
    with app.app_context():
        slugs = dict(db.session.execute(
            db.select(LegacyPostId.legacy_id, Post.slug).join(Post)).all())
        assert slugs == {1: "taken-2", 2: "中文", 3: "from-title", 4: "private", 5: "pending"}
        post = db.session.scalar(db.select(Post).filter_by(slug="taken-2"))
        # post_date_gmt is zero: post_date is read in the site's TIMEZONE (Asia/Shanghai, +8).
        assert post.published_at == datetime(2024, 5, 1, 0, 0, tzinfo=timezone.utc)
        assert post.author.username == "ann-lee" and post.author.password_hash is None
        comments = {c.author_name: c for c in db.session.scalars(db.select(Comment))}
        assert set(comments) == {"c10", "c12", "c13"}
        assert comments["c13"].parent_id is None  # its parent was trashed
        assert comments["c12"].status == "spam"
        assert comments["c10"].created_at == datetime(2024, 5, 2, 0, 0, tzinfo=timezone.utc)
        assert "<script" not in comments["c10"].body_html and "<script" in comments["c10"].body_raw


def test_without_the_comments_plugin_comments_are_reported_not_stored(tmp_path, wxr):
    from blogapp import create_app
    from blogapp.database import create_schema

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SEARCH_AUTO_REBUILD": False,
                      "BLOCKED_PLUGINS": ["comments"]}, instance_path=tmp_path / "instance")
    with app.app_context():
        create_schema()
    try:
        result = app.test_cli_runner().invoke(args=["import-wxr", str(wxr)])
        assert result.exit_code == 0, result.output
        assert "comments not stored, no plugin takes them: 28" in result.stdout
        assert "posts: 58 created" in result.stdout
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
