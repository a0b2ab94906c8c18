"""The writer's pages of issue #17 in a real browser (Debian Chromium via Playwright, as in
test_browser_reader.py): the editor's live preview, tag suggestions, unsaved-changes
warning and image upload; axe-core and clipping on the editor, revisions, trash and
media pages; the same tasks with JavaScript off.

BLOGAPP_SCREENSHOTS=DIR also writes screenshots of those pages at 1280 and 390 px.
"""

import io
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from http_client import serve_in_thread
from test_browser_reader import (CHROMIUM, CHROMIUM_ARGS, LAYOUT_CHECK, PASSWORD, Watch,
                                 _axe, _browser_prerequisites, _context, _visit)

pytestmark = [pytest.mark.slow, pytest.mark.db_agnostic]


def _png(color="teal", size=(320, 180)):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format="PNG")
    return output.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _browser_prerequisites()

    from blogapp import create_app
    from blogapp.database import create_schema
    from blogapp.extensions import db
    from blogapp.media.storage import storage_for
    from blogapp.media.validation import process
    from blogapp.authoring.trash import move_to_trash
    from blogapp.models import Media, Post, PostRevision, Tag, User

    app = create_app({"SECRET_KEY": "browser-authoring", "SEARCH_AUTO_REBUILD": False,
                      "MAIL_ENABLED": False, "LOGIN_FAILURE_LIMIT": "100/minute"},
                     instance_path=tmp_path_factory.mktemp("browser-authoring"))
    with app.app_context():
        create_schema()
        admin = User(username="admin", display_name="Admin", role="admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.flush()
        now = datetime.now(timezone.utc)
        edited = Post(slug="hpa", title="HPA 实战", status="published", author_id=admin.id,
                      body="第一段。\n\n旧的一行\n\n```yaml\nkind: HorizontalPodAutoscaler\n```\n",
                      published_at=now - timedelta(days=2))
        edited.tags = [Tag.get_or_create("HPA"), Tag.get_or_create("autoscaling")]
        trashed = Post(slug="old", title="旧文章", body="Old.", status="draft",
                       author_id=admin.id)
        db.session.add_all([edited, trashed])
        db.session.commit()
        edited.body = edited.body.replace("旧的一行", "新的一行，改写过的一段更长的文字")
        db.session.commit()  # a second revision, so the diff page has something to show
        move_to_trash(trashed)
        image = process(_png(), 10 << 20, 40_000_000)
        storage_for(app).save(image.name, image.data)
        db.session.add(Media(name=image.name, content_type=image.content_type,
                             size=len(image.data), width=image.width, height=image.height,
                             original_name="architecture.png", uploaded_by=admin.id))
        db.session.commit()
        ids = {"post": edited.id, "trashed": trashed.id,
               "first_revision": db.session.scalar(db.select(db.func.min(PostRevision.id))
                                                   .filter_by(post_id=edited.id)),
               "media": db.session.scalar(db.select(Media.id))}
    with serve_in_thread(app, "authoring-server") as origin:
        yield {"origin": origin, **ids}


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def staff_pages(site):
    return {
        "editor": f"/admin/posts/{site['post']}/edit",
        "new": "/admin/posts/new",
        "revisions": f"/admin/posts/{site['post']}/revisions",
        "diff": f"/admin/posts/{site['post']}/revisions/{site['first_revision']}",
        "confirm-trash": f"/admin/posts/{site['post']}/delete",
        "trash": "/admin/trash/",
        "confirm-delete": f"/admin/trash/{site['trashed']}/delete",
        "media": "/admin/media/",
        "confirm-media": f"/admin/media/{site['media']}/delete",
    }


@pytest.mark.parametrize("lang, scheme", [("zh", "light"), ("en", "dark")])
def test_staff_pages_pass_axe_and_nothing_is_clipped(site, browser, lang, scheme):
    failures = {}
    for width in (1280, 390):
        context = _context(browser, site, lang=lang, scheme=scheme, width=width, login=True)
        page = context.new_page()
        watch = Watch(page)
        for name, path in staff_pages(site).items():
            _visit(page, site, path)
            if name in ("editor", "new"):  # the live preview has rendered (or is empty)
                page.wait_for_function("() => !document.querySelector('.preview').hidden")
            found = page.evaluate(LAYOUT_CHECK) + _axe(page)
            if page.locator("h1").count() != 1:
                found.append("not one h1")
            if found:
                failures[(name, width)] = found
        assert watch.problems == []
        context.close()
    assert failures == {}


def test_live_preview_renders_as_you_type_debounced(site, browser):
    context = _context(browser, site, login=True)
    page = context.new_page()
    previews = []
    page.on("request", lambda r: r.url.endswith("/admin/posts/preview") and previews.append(r))
    _visit(page, site, "/admin/posts/new")
    preview = page.locator("#preview-body")
    assert page.locator(".preview").is_visible()
    page.wait_for_timeout(600)
    before = len(previews)
    page.locator("textarea[name=body]").click()
    page.keyboard.type("## 滚动更新\n\n```yaml\nmaxSurge: 1\n```\n\n<script>x</script>", delay=15)
    preview.locator("h2", has_text="滚动更新").wait_for()
    assert preview.locator(".code-block[data-lang=YAML]").count() == 1
    assert preview.locator("script").count() == 0
    # Typed in well under a second per key: one request after the pause, not one per key.
    page.wait_for_timeout(600)
    assert len(previews) - before <= 2
    # Side by side on a wide screen: the preview starts right of the form.
    form_box = page.locator("#post-editor").bounding_box()
    preview_box = page.locator(".preview").bounding_box()
    assert preview_box["x"] >= form_box["x"] + form_box["width"]
    context.close()


def test_tag_field_suggests_existing_tags_after_the_comma(site, browser):
    context = _context(browser, site, login=True)
    page = context.new_page()
    _visit(page, site, "/admin/posts/new")
    page.locator("input[name=tags]").type("HPA，")
    options = page.eval_on_selector_all("#tag-options option", "els => els.map(e => e.value)")
    assert options == ["HPA，autoscaling"]
    context.close()


def test_leaving_with_unsaved_changes_asks_first(site, browser):
    from playwright.sync_api import Error as PlaywrightError

    context = _context(browser, site, login=True)
    page = context.new_page()
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay

    page.on("dialog", answer)
    _visit(page, site, "/admin/posts/new")
    page.locator("input[name=title]").type("Unsaved thoughts")
    with pytest.raises(PlaywrightError):  # the navigation that was refused
        page.goto(site["origin"] + "/admin/trash/", timeout=5000)
    assert dialogs == ["beforeunload"] and page.url.endswith("/admin/posts/new")
    assert page.locator("input[name=title]").input_value() == "Unsaved thoughts"
    # Saving is not leaving: no question, and the saved page asks nothing either.
    dialogs.clear()
    page.locator("#post-editor input[name=save]").click()
    page.wait_for_url(re.compile(r"/admin/posts/\d+/edit$"))
    _visit(page, site, "/admin/trash/")
    assert dialogs == []
    context.close()


def test_uploading_an_image_inserts_its_markdown(site, browser, tmp_path):
    picture = tmp_path / "集群拓扑.png"
    picture.write_bytes(_png("orange"))
    context = _context(browser, site, login=True)
    page = context.new_page()
    watch = Watch(page)
    _visit(page, site, "/admin/posts/new")
    body = page.locator("textarea[name=body]")
    body.fill("| 节点 | 角色 |\n|---|---|\n| a | master |\n")  # the cursor at the end
    page.locator("form.media-upload input[type=file]").set_input_files(str(picture))
    page.locator("form.media-upload button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('textarea[name=body]').value.includes('![')")
    # After a blank line: right below the table's last row it would become a row itself.
    assert re.fullmatch(r"\| 节点 \| 角色 \|\n\|---\|---\|\n\| a \| master \|\n"
                        r"\n!\[集群拓扑\]\(/media/[0-9a-f]{32}\.png\)\n", body.input_value())
    assert page.url.endswith("/admin/posts/new")  # still here, the text with it
    page.locator("#preview-body img[alt=集群拓扑]").wait_for()
    assert page.locator("#preview-body table img").count() == 0
    assert page.locator("#preview-body img").evaluate("img => img.naturalWidth") == 320
    assert watch.problems == []
    # A fake image: the server's reason (its 400 is logged by the browser), nothing inserted.
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not a picture")
    page.locator("form.media-upload input[type=file]").set_input_files(str(fake))
    page.locator("form.media-upload button[type=submit]").click()
    page.locator("#media-status", has_text="这不是 PNG").wait_for()
    assert body.input_value().count("![") == 1
    context.close()


def test_writing_trashing_and_restoring_without_javascript(site, browser):
    context = _context(browser, site, login=True, java_script_enabled=False)
    page = context.new_page()
    _visit(page, site, "/admin/posts/new")
    assert not page.locator(".preview").is_visible()
    page.fill("input[name=title]", "No script")
    page.fill("textarea[name=body]", "## 无脚本\n\nStill works.")
    page.click("#post-editor input[name=preview]")
    assert page.locator(".preview h2", has_text="无脚本").is_visible()
    page.click("#post-editor input[name=publish]")
    page.wait_for_url(re.compile(r"/admin/posts/\d+/edit$"))
    post_id = re.search(r"/admin/posts/(\d+)/edit$", page.url).group(1)
    _visit(page, site, "/admin/posts/")
    page.click(f"a[href='/admin/posts/{post_id}/delete']")
    assert page.locator("h1").inner_text() == "删除《No script》？"
    page.click("main form button[type=submit]")
    assert "已移到回收站" in page.locator(".flashes").inner_text()
    _visit(page, site, "/admin/trash/")
    page.locator("tr", has_text="No script").locator("button").click()
    assert "已恢复《No script》" in page.locator(".flashes").inner_text()
    assert page.request.get(site["origin"] + "/posts/no-script").status == 200
    context.close()


SCREENSHOTS = os.environ.get("BLOGAPP_SCREENSHOTS")


@pytest.mark.skipif(not SCREENSHOTS, reason="set BLOGAPP_SCREENSHOTS=DIR to write them")
def test_screenshots(site, browser):
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    for width, device in ((1280, "desktop"), (390, "phone")):
        context = _context(browser, site, width=width, login=True)
        page = context.new_page()
        for name, path in staff_pages(site).items():
            _visit(page, site, path)
            page.wait_for_timeout(700)  # the live preview
            page.screenshot(path=out / f"staff-{name}-{device}.png", full_page=True)
        context.close()
