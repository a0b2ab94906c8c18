"""``flask import-posts`` on Hugo content folders (#16): the real Kubernetes docs tree,
front matter variants, translation pairs, re-import, --dry-run and bad input.

The docs pages in ``../shared/corpus/k8s-docs-hugo`` are from https://github.com/kubernetes/website,
Copyright The Kubernetes Authors, CC BY 4.0 (see ``../shared/corpus/K8S-SOURCES.md``); they
are read in place, never copied into this repository.
"""

import re

import pytest

from blogapp.extensions import db
from blogapp.models import Post, User
from conftest import shared_path

DOCS_FILES, DOCS_PAIRS = 319, 155


def posts(app):
    with app.app_context():
        return {post.slug: (post.language, post.translation_group, post.status, post.title)
                for post in db.session.scalars(db.select(Post))}


def write(root, relative, text, encoding="utf-8"):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# About 40 s (rendering 319 long pages): the import's SQL is the same per page as in the
# smaller imports below, which run on both databases.
@pytest.mark.once
def test_the_kubernetes_docs_tree_imports_with_every_pair_linked(app, runner, client):
    source = shared_path("corpus", "k8s-docs-hugo", "content")
    result = runner.invoke(args=["import-posts", str(source)])
    assert result.exit_code == 0, result.output
    assert (f"Imported {DOCS_FILES} files: {DOCS_FILES} created, 0 updated, 0 failed, "
            f"0 skipped; {DOCS_PAIRS} translation pairs linked.") in result.stdout
    # Every warning names a file and a line.
    assert all(re.match(r"warning: content/(en|zh-cn)/\S+\.md:\d+: ", line)
               for line in result.stderr.splitlines() if line.strip()), result.stderr[:2000]
    rows = posts(app)
    assert len(rows) == DOCS_FILES
    languages = [language for language, *_ in rows.values()]
    assert languages.count("en") == 164 and languages.count("zh") == 155
    groups = {}
    for slug, (language, group, *_) in rows.items():
        if group:
            groups.setdefault(group, []).append((language, slug))
    assert len(groups) == DOCS_PAIRS
    # A pair is the same path under en/ and zh-cn/: zh keeps the slug, en gets "-en".
    assert all(sorted(pair) == [("en", zh + "-en"), ("zh", zh)]
               for pair in groups.values() for zh in [dict(pair)["zh"]])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(
            Post.body_html.contains("{{&lt;", autoescape=True)
            | Post.body_html.contains("{{%", autoescape=True))) == 0
    page = client.get("/posts/pod-lifecycle").get_data(as_text=True)
    assert "Pod 的生命周期" in page and "{{" not in page and "{#" not in page
    # Links between the docs lead to the imported posts (1,849 of them); only links to
    # pages the corpus does not have are left as written.
    assert 'ID（<a href="/posts/names#uids">UID</a>）' in page
    with app.app_context():
        bodies = db.session.scalars(db.select(Post.body_html))
        left = {url for body in bodies for url in re.findall(r'href="(/[^"#]*docs/concepts/[^"#]*)', body)}
    assert left == {"/docs/concepts/architecture/cri", "/zh-cn/docs/concepts/architecture/cri",
                    "/zh-cn/docs/concepts/cluster-administration/manage-deployment/"}

    again = runner.invoke(args=["import-posts", str(source)])
    assert f"0 created, {DOCS_FILES} updated, 0 failed, 0 skipped; {DOCS_PAIRS}" in again.stdout
    assert posts(app) == rows  # in place: same slugs, languages, groups


GOOD_EN = "---\ntitle: Pods\ndate: 2024-05-01\ntags: [k8s]\n---\nA {{< glossary_tooltip text=\"Pod\" term_id=\"pod\" >}} runs.\n"
GOOD_ZH = "---\ntitle: Pod 简介\ndate: 2024-05-01\n---\n一个 {{< glossary_tooltip term_id=\"pod\" >}} 在运行。\n"


def test_bad_pages_are_reported_with_path_and_line_and_the_rest_imports(app, runner, tmp_path, make_user, make_post):
    make_post("kept-before", make_user("earlier"), body="Imported before.")
    content = tmp_path / "site" / "content"
    write(content, "en/pods.md", GOOD_EN)
    write(content, "zh-cn/pods.md", GOOD_ZH)
    write(content, "en/broken.md", "---\ntitle: Broken\ntags: [a, b\n---\nbody\n")
    write(content, "fr/pods.md", "---\ntitle: Les pods\n---\ncorps\n")
    write(content, "en/latin1.md", "---\ntitle: Caf\xe9\n---\nna\xefve\n", encoding="latin-1")
    write(content, "en/open.md", "---\ntitle: Open\n---\nline\n\n{{< note >}}\nnever closed\n")
    write(content, "en/open-tag.md", "---\ntitle: Open tag\n---\nx\ny {{< glossary_tooltip text=\"a\"\n")
    write(content, "en/unclosed.md", "\n+++\ntitle = 'No end'\nbody\n")
    result = runner.invoke(args=["import-posts", str(content)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert errors == [
        "error: content/en/broken.md:3: front matter is not valid YAML: "
        "expected ',' or ']', but got '<stream end>'",
        "error: content/en/latin1.md:2: not UTF-8 text",
        "error: content/en/open-tag.md:5: shortcode '{{<' is never closed with '>}}'",
        "error: content/en/open.md:6: shortcode 'note' is opened but never closed",
        "error: content/en/unclosed.md:2: front matter opened with '+++' is never closed",
        "error: content/fr/pods.md:1: unknown language folder 'fr' (the blog has zh and en)",
    ]
    assert "2 created, 0 updated, 6 failed, 0 skipped; 1 translation pairs linked." in result.stdout
    rows = posts(app)
    assert set(rows) == {"kept-before", "pods", "pods-en"}
    assert rows["pods"][:3] == ("zh", rows["pods-en"][1], "published") and rows["pods"][1]
    with app.app_context():
        assert "<p>一个 pod 在运行。</p>" in db.session.scalar(
            db.select(Post.body_html).filter_by(slug="pods"))

    # A page that breaks after it was imported leaves its post (and the link) as it was.
    write(content, "en/pods.md", GOOD_EN.replace("title: Pods", "title: [Pods"))
    again = runner.invoke(args=["import-posts", str(content)])
    assert again.exit_code == 1 and "error: content/en/pods.md:3: front matter is not valid YAML" in again.stderr, again.stderr
    assert posts(app) == rows


def test_front_matter_variants_of_real_hugo_sites(app, runner, tmp_path):
    content = tmp_path / "blog" / "content"
    write(tmp_path / "blog", "hugo.toml", 'baseURL = "https://example.org/"\n')
    write(content, "posts/toml.md", '\ufeff\r\n\r\n+++\r\ntitle = "TOML page"\r\ndate = 2024-05-01T10:00:00+08:00\r\n'
          'authors = ["Ann Lee", "Bo Wu"]\r\ntags = ["k8s"]\r\ncategories = ["Ops", "Net"]\r\n'
          'draft = true\r\nlang = "en"\r\ntranslationKey = "intro"\r\n+++\r\nHello from TOML.\r\n')
    write(content, "posts/bundle/index.md", "---\ntitle: 介绍\ndate: 2024-05-02\n"
          "author: Jane Doe (Google), John Roe (Red Hat) and Kim\ndescription: 一段摘要。\n"
          "translationKey: intro\n---\n正文在这里。\n")
    write(content, "posts/odd.md/readme.txt", "a folder whose name ends in .md\n")
    write(content, "posts/_index.md", "---\n---\n")
    write(content, "posts/shared/index.md", "---\nheadless: true\n---\nbits\n")
    write(content, "posts/untitled_page.md", "---\ndate: 2024-05-05\n---\nSome text.\n")
    write(content, "posts/page.en.md", "---\ntitle: By file name\ndate: 2024-05-03 09:30\n---\nEnglish.\n")
    write(content, "posts/page.zh-cn.md", "---\ntitle: 按文件名\ndate: 2024-05-03\n---\n中文。\n")
    result = runner.invoke(args=["import-posts", str(content.parent)])  # the site's folder
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 failed, 2 skipped; 2 translation pairs linked." in result.stdout
    rows = posts(app)
    assert set(rows) == {"toml", "bundle", "page", "page-en", "untitled-page"}
    assert rows["untitled-page"][3] == "Untitled page"
    assert ("skipped: content/posts/_index.md: no title and no content (an empty section page)"
            in result.stderr)
    assert ("skipped: content/posts/shared/index.md: a headless bundle: Hugo renders no page "
            "for it") in result.stderr
    assert rows["toml"][0] == "en" and rows["toml"][2] == "draft"
    assert rows["bundle"][0] == "zh" and rows["bundle"][1] == rows["toml"][1]
    assert rows["page"][1] == rows["page-en"][1] and rows["page"][1] != rows["toml"][1]
    with app.app_context():
        toml = db.session.scalar(db.select(Post).filter_by(slug="toml"))
        assert toml.published_at.isoformat() == "2024-05-01T02:00:00+00:00"
        assert toml.category.name == "Ops" and sorted(t.name for t in toml.tags) == ["Net", "k8s"]
        assert toml.author.name == "Ann Lee"
        bundle = db.session.scalar(db.select(Post).filter_by(slug="bundle"))
        assert bundle.excerpt_html == "<p>一段摘要。</p>"
        names = {(u.username, u.display_name, u.password_hash) for u in db.session.scalars(db.select(User))}
        assert {("Jane-Doe", "Jane Doe", None), ("John-Roe", "John Roe", None), ("Kim", "Kim", None),
                ("Bo-Wu", "Bo Wu", None)} <= names


def test_links_between_pages_lead_to_their_posts(app, runner, tmp_path):
    content = tmp_path / "site" / "content"
    write(tmp_path / "site", "config.toml", 'defaultContentLanguage = "zh"\n')
    write(content, "zh/docs/a.md", "---\ntitle: 甲\n---\n见[乙](../b/#x)、[英文](/en/docs/b/)、"
          "[别名](/old/b)、<a href=\"/docs/gone/\">没有</a>和[外部](https://example.org/docs/b/)。\n\n[ref]: /docs/b/\n")
    write(content, "zh/docs/b/index.md", "---\ntitle: 乙\naliases: [/old/b/]\n---\n回到[甲](/docs/a/)。\n")
    write(content, "zh/docs/c.md", '---\ntitle: 丙\ndate: 2024/05/01 10:00\n---\n[甲]({{< ref "docs/a.md#top" >}})、'
          '[乙]({{< relref "b" >}})、[英文乙]({{< ref "/en/nope.md" >}})\n')
    write(content, "en/docs/b/index.md", "---\ntitle: B\n---\nBack to [A](/en/docs/a/).\n")
    result = runner.invoke(args=["import-posts", str(content)])
    assert result.exit_code == 0, result.output
    assert "warning: content/zh/docs/c.md: ref '/en/nope.md' names no imported page" in result.stderr
    with app.app_context():
        body = {p.slug: p.body for p in db.session.scalars(db.select(Post))}
    assert body["c"] == "[甲](/posts/a#top)、[乙](/posts/b)、[英文乙](/en/nope.md)\n"
    assert body["a"].startswith("见[乙](/posts/b#x)、[英文](/posts/b-en)、[别名](/posts/b)、"
                                '<a href="/docs/gone/">没有</a>和[外部](https://example.org/docs/b/)。')
    assert "[ref]: /posts/b" in body["a"]
    assert body["b"] == "回到[甲](/posts/a)。\n"
    assert body["b-en"] == "Back to [A](/posts/a).\n"  # no English "a": the Chinese one


def test_dry_run_reports_each_file_and_writes_nothing(app, runner, tmp_path):
    content = tmp_path / "content"
    write(content, "en/pods.md", GOOD_EN)
    write(content, "zh/pods.md", GOOD_ZH)
    result = runner.invoke(args=["import-posts", "--dry-run", str(content)])
    assert result.exit_code == 0, result.output
    assert "content/en/pods.md: would be created as /posts/pods-en (en, published)" in result.stdout
    assert "content/zh/pods.md: would be created as /posts/pods (zh, published)" in result.stdout
    assert "Would import 2 files: 2 created, 0 updated, 0 failed, 0 skipped; 1 translation pairs" in result.stdout
    assert posts(app) == {}


JEKYLL = ("---\nlayout: post\ntitle: Jekyll post\ncategories: ops k8s\ntags: [etcd]\n"
          "permalink: /blog/etcd-backup/\n---\nBack up etcd.\n")
HEXO = ("---\ntitle: Hexo 文章\ndate: 2024-06-01 12:00:00 +0800\ncategories:\n- 运维\n- 存储\n"
        "tags:\n- etcd\nlang: zh-CN\n---\n备份 etcd。\n")


def test_hexo_and_jekyll_front_matter_imports(app, runner, tmp_path):
    write(tmp_path, "_posts/2024-05-04-jekyll-post.md", JEKYLL)
    write(tmp_path, "source/_posts/hexo.md", HEXO)
    result = runner.invoke(args=["import-posts", "--author", "luffy", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        jekyll = db.session.scalar(db.select(Post).filter_by(slug="etcd-backup"))
        # A date without a time is midnight in the site's TIMEZONE (Asia/Shanghai).
        assert jekyll.published_at.isoformat() == "2024-05-03T16:00:00+00:00"
        assert jekyll.category.name == "ops" and sorted(t.name for t in jekyll.tags) == ["etcd", "k8s"]
        assert jekyll.author.username == "luffy" and jekyll.language == "en"
        hexo = db.session.scalar(db.select(Post).filter_by(slug="hexo"))
        assert hexo.published_at.isoformat() == "2024-06-01T04:00:00+00:00"
        assert hexo.category.name == "运维" and sorted(t.name for t in hexo.tags) == ["etcd", "存储"]
        assert hexo.language == "zh"
