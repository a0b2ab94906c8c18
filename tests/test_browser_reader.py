"""The reader's experience in a real browser: accessibility (axe-core), layout at phone
widths, the skip link, dark mode, code blocks, JavaScript off.

The demo articles plus an English article (with h1 headings, a long folded YAML block, a
wide table, a long URL) are served over HTTP on 127.0.0.1 by one thread for the module;
Debian's Chromium (``/usr/bin/chromium``, driven by Playwright, as in
``test_browser_xss.py``) visits every page in one browser.

- axe-core (bundled by axe-playwright-python) with the WCAG 2.0/2.1/2.2 A and AA rules and
  the best-practice rules, on every page of ``PAGES`` in zh and en, light and dark, at
  1280 and 390 px: 0 violations of any impact.
- Clipping on every page at 1280, 390 and 320 px: nothing wider than the viewport except
  inside its own horizontally scrolling box, which then must be focusable by keyboard.
- No CSP violation, page error or console error on any page (the CSP has no unsafe-inline).

``BLOGAPP_SCREENSHOTS=docs/screenshots`` also writes the README's screenshots.
"""

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from http_client import serve_in_thread
from test_browser_xss import CHROMIUM, CHROMIUM_ARGS, _browser_prerequisites

# db_agnostic: the app runs on its own SQLite database; what is under test is the markup,
# the CSS and the scripts, the same whatever the database.
pytestmark = [pytest.mark.slow, pytest.mark.db_agnostic]
PROJECT_ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "correct horse battery"
# Rules whose answer depends on colours: all that the dark scheme can change.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

LONG_YAML = "\n".join(
    ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: myblog",
     "  # 一个很长的注释：副本数由 HPA 管理，这里不写 replicas，否则每次 apply 都会互相覆盖",
     "spec:", "  template:", "    spec:", "      containers:"]
    + [f"      - name: sidecar-{n}\n        image: registry.example.com/team/very-long-image-name-{n}:v1.2.3-build-20240101"
       for n in range(14)])
ENGLISH_BODY = f"""Rolling updates replace pods a few at a time. The controller reads
https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment-with-a-very-long-anchor
and `spec.template.spec.containers[0].resources.requests.ephemeral-storage` alike.

<!--more-->

# Strategy

`maxSurge` and `maxUnavailable` decide the pace.

```yaml
{LONG_YAML}
```

# Watching it

```bash
kubectl -n luffy rollout status deployment/myblog --timeout=600s --watch=true && kubectl -n luffy get pods -o wide --show-labels
```

## A table

| field | default | meaning |
|---|---|---|
| maxSurge | 25% | how many extra pods may run above the desired count while the rollout is going on |
| maxUnavailable | 25% | how many pods may be missing below the desired count while the rollout is going on |

# Rolling back

`kubectl rollout undo` goes back one revision.
"""

CHINESE_BODY = """滚动更新每次替换几个 Pod，直到全部换成新版本。

<div class="callout callout-note">
<div class="callout-title"><strong>说明</strong></div>
<p><code>maxSurge</code> 和 <code>maxUnavailable</code> 决定节奏，见 <a href="/posts/rolling-updates">英文原文</a>。</p>
</div>

<div class="callout callout-warning">
<div class="callout-title"><strong>警告</strong></div>
<p>回滚只退回一个修订版本。</p>
</div>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _browser_prerequisites()

    from blogapp import create_app
    from blogapp.database import create_schema
    from blogapp.content.translations import link
    from blogapp.extensions import db
    from blogapp.models import Category, Post, Tag, User
    from plugins.comments.models import Comment

    app = create_app({"SECRET_KEY": "browser-reader", "SEARCH_AUTO_REBUILD": False,
                      "MAIL_ENABLED": False, "LOGIN_FAILURE_LIMIT": "100/minute"},
                     instance_path=tmp_path_factory.mktemp("browser-reader"))
    runner = app.test_cli_runner()
    with app.app_context():
        create_schema()
        assert runner.invoke(args=["load-demo"]).exit_code == 0
        admin = db.session.scalar(db.select(User).filter_by(username="admin"))
        admin.set_password(PASSWORD)
        admin.role = "admin"
        post = Post(slug="rolling-updates", title="Rolling updates, step by step",
                    body=ENGLISH_BODY, status="published", author_id=admin.id,
                    published_at=datetime.now(timezone.utc) - timedelta(days=1))
        db.session.add(post)
        post.category = Category.get_or_create("运维")
        post.tags = [Tag.get_or_create("Deployment"), Tag.get_or_create("rollout")]
        db.session.add(post)
        db.session.flush()
        for n in range(3):
            db.session.add(Comment(
                post_id=post.id, depth=1, author_name=f"读者{n}",
                author_email=f"r{n}@example.com", body_raw="好文 https://example.com/" + "x" * 80,
                body_html="<p>好文 https://example.com/" + "x" * 80 + "</p>",
                status="approved" if n else "pending", ip="127.0.0.1", user_agent="pytest"))
        # Its Chinese translation (#16), with a callout as the Hugo importer writes it.
        translation = Post(slug="rolling-updates-zh", title="滚动更新，一步一步来",
                           body=CHINESE_BODY, status="published", author_id=admin.id,
                           published_at=datetime.now(timezone.utc) - timedelta(hours=20))
        translation.category = post.category
        db.session.add(translation)
        link(translation, post)
        db.session.commit()
        demo = db.session.scalar(db.select(Post).where(Post.slug.not_in(("rolling-updates",
                                                                          "rolling-updates-zh")))
                                 .order_by(Post.published_at.asc()))
        tag = post.tags[0].slug
        assert runner.invoke(args=["reindex"]).exit_code == 0
    zone_month = datetime.now(timezone.utc) - timedelta(days=1)
    with serve_in_thread(app, "reader-server") as origin:
        yield {"origin": origin, "english": "/posts/rolling-updates",
               "demo": f"/posts/{demo.slug}", "tag": f"/tag/{tag}",
               "month": f"/archive/{zone_month.year}/{zone_month.month}"}


def reader_pages(site):
    return {
        "home": "/",
        "article": "/posts/k8s-hpa",
        "article-en": site["english"],
        "article-translated": "/posts/rolling-updates-zh",
        "search-translated": "/search?q=rolling",
        "author": "/author/admin",
        "category": "/category/运维",
        "tag": site["tag"],
        "month": site["month"],
        "search-hits": "/search?q=HPA",
        # A filter in force: its chip, and the facets shown open (#18).
        "search-filtered": "/search?q=rolling+category:运维",
        "search-none": "/search?q=zzzzqqq",
        "search-corrected": "/search?q=kubelte",
        "login": "/login",
        "404": "/posts/no-such-post",
    }


STAFF_PAGES = {"editor": "/admin/posts/new", "posts": "/admin/posts/", "moderation": "/moderation/",
               "search insights": "/admin/search-insights/",
               "revisions": "/admin/posts/1/revisions", "trash": "/admin/trash/",
               "media": "/admin/media/"}

INIT_SCRIPT = r"""
(() => {
  const violations = [];
  Object.defineProperty(window, "__csp", {value: violations});
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push(event.violatedDirective + " " + (event.blockedURI || ""));
  });
})();
"""

# Elements wider than the viewport that are not inside a box of their own that scrolls
# (or clips) horizontally; and scrolling boxes that a keyboard cannot reach.
LAYOUT_CHECK = r"""
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push("page scrolls sideways: " + document.documentElement.scrollWidth + " > " + width);
  }
  const scrolls = (el) => {
    const style = getComputedStyle(el);
    return ["auto", "scroll", "hidden", "clip"].includes(style.overflowX);
  };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || el.closest(".visually-hidden, .skip-link, .hp-field")) continue;
    if (box.right > width + 1 || box.left < -1) {
      let inside = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (scrolls(up)) { inside = true; break; }
      }
      if (!inside) problems.push("clipped: <" + el.tagName.toLowerCase() + " class=" + el.className + "> " +
                                 Math.round(box.left) + ".." + Math.round(box.right) + " of " + width);
    }
    if (scrolls(el) && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "hidden") {
      const focusable = el.tabIndex >= 0 || el.querySelector("a[href], button, input, select, textarea, [tabindex]");
      if (!focusable) problems.push("scrolling box not focusable: <" + el.tagName.toLowerCase() + " class=" + el.className + ">");
    }
  }
  return problems.slice(0, 10);
}
"""


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser, site, *, lang="zh", scheme="light", width=1280, login=False, **options):
    height = 900 if width > 600 else 780
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme, **options)
    context.add_cookies([{"name": "lang", "value": lang, "url": site["origin"]}])
    context.add_init_script(INIT_SCRIPT)
    if login:
        page = context.new_page()
        page.goto(site["origin"] + "/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.editor button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".site-nav .inline-form").count() == 1, page.content()[:2000]
        page.close()
    return context


class Watch:
    """Page errors, console errors and CSP violations seen while visiting pages."""

    def __init__(self, page):
        self.problems = []
        page.on("pageerror", lambda error: self.problems.append(("pageerror", str(error)[:200])))
        page.on("console", lambda m: m.type == "error" and not m.text.startswith(
            "Failed to load resource: the server responded with a status of 404")
            and self.problems.append(("console", m.text[:200])))


def _visit(page, site, path):
    response = page.goto(site["origin"] + path, wait_until="load")
    assert response is not None and response.status in (200, 404), (path, response and response.status)
    assert page.evaluate("window.__csp") == [], (path, page.evaluate("window.__csp"))
    return response


def _axe(page, rules=None):
    """axe-core's violations on the page: every rule of AXE_TAGS, or only ``rules``."""
    from axe_playwright_python.sync_playwright import Axe

    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    results = Axe().run(page, options={"runOnly": only, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(f'{violation["id"]} ({violation["impact"]}): {node["target"]} '
                         f'{node.get("failureSummary", "")[:200]}')
    return found


def _check_pages(browser, site, *, lang, scheme, width, axe, failures, rules=None):
    for login, pages in ((False, reader_pages(site)), (True, STAFF_PAGES)):
        context = _context(browser, site, lang=lang, scheme=scheme, width=width, login=login)
        page = context.new_page()
        watch = Watch(page)
        for name, path in pages.items():
            _visit(page, site, path)
            found = page.evaluate(LAYOUT_CHECK)
            if axe:
                found += _axe(page, rules)
            if found:
                failures[(name, lang, scheme, width)] = found
        assert watch.problems == []
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_axe_finds_nothing_and_nothing_is_clipped(site, browser, lang, scheme):
    """Every page in this language and scheme at 1280 and 390 px: 0 axe violations,
    nothing wider than the viewport outside its own scrolling box, every scrolling box
    focusable by keyboard.

    The dark scheme changes colours only (test_the_dark_scheme_changes_colours_only), so
    there the rules that read colours run; every other rule's answer is the light run's.
    """
    failures = {}
    for width in (1280, 390):
        _check_pages(browser, site, lang=lang, scheme=scheme, width=width, axe=True,
                     failures=failures, rules=COLOUR_RULES if scheme == "dark" else None)
    assert failures == {}


def test_the_dark_scheme_changes_colours_only():
    """What lets the dark runs above check colours alone: the dark rules of every
    stylesheet set custom properties and color-scheme, nothing that moves or hides."""
    sheets = [*(PROJECT_ROOT / "blogapp" / "static").glob("*.css"),
              *(PROJECT_ROOT / "plugins").glob("*/static/*.css")]
    dark_blocks = 0
    for sheet in sheets:
        css = sheet.read_text(encoding="utf-8")
        for block in re.findall(r"(?:prefers-color-scheme:\s*dark\)\s*\{[^{]*|"
                                r"\[data-theme=dark\][^{]*)\{([^}]*)\}", css):
            dark_blocks += 1
            names = {d.split(":")[0].strip() for d in block.split(";") if d.strip()}
            assert all(n == "color-scheme" or n.startswith("--") for n in names), (sheet, names)
    assert dark_blocks >= 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_is_clipped_at_320(site, browser, lang):
    """The narrowest phones; the layout is the same in both schemes."""
    failures = {}
    _check_pages(browser, site, lang=lang, scheme="light", width=320, axe=False,
                 failures=failures)
    assert failures == {}


def test_code_blocks_scroll_inside_themselves_and_take_focus(site, browser):
    context = _context(browser, site, width=320)
    page = context.new_page()
    _visit(page, site, site["english"])
    pre = page.locator(".code-block pre").nth(1)
    assert pre.evaluate("el => el.scrollWidth > el.clientWidth")
    pre.focus()
    assert pre.evaluate("el => document.activeElement === el")
    assert pre.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelectorAll('.code-block pre')[1].scrollLeft > 0")
    context.close()


def test_skip_link_is_first_and_moves_focus_to_the_content(site, browser):
    context = _context(browser, site)
    page = context.new_page()
    _visit(page, site, "/posts/k8s-hpa")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["height"] >= 24  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    context.close()


def _background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(site, browser):
    context = _context(browser, site, scheme="dark")
    page = context.new_page()
    _visit(page, site, "/posts/k8s-hpa")
    assert _background(page) == "rgb(17, 20, 24)"
    toggle = page.locator(".theme-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "true"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert _background(page) == "rgb(255, 255, 255)"
    # Remembered, and applied before the first paint: the first frame already is light.
    backgrounds = []
    page.on("domcontentloaded", lambda p: backgrounds.append(_background(p)))
    _visit(page, site, "/")
    assert backgrounds and backgrounds[0] == "rgb(255, 255, 255)"
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.locator(".theme-toggle").click()
    _visit(page, site, "/search?q=HPA")
    assert _background(page) == "rgb(17, 20, 24)"
    # theme.js is the one blocking script, first in <head>; every other script is a
    # deferred file in <head> (site.js, suggest.js, the comments plugin's): none inline.
    scripts = page.evaluate("""() => [...document.scripts].map(s => [s.parentElement.tagName, !!s.src, s.defer])""")
    assert scripts[0] == ["HEAD", True, False] and len(scripts) >= 3
    assert all(script == ["HEAD", True, True] for script in scripts[1:])
    context.close()


def test_copy_button_works_with_the_keyboard_and_is_announced(site, browser):
    context = _context(browser, site, lang="en")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site["origin"])
    page = context.new_page()
    _visit(page, site, site["english"])
    blocks = page.locator(".code-block")
    assert blocks.count() == 2
    assert page.locator(".code-lang").all_inner_texts() == ["YAML", "Bash"]
    assert page.locator(".code-copy").count() == 2
    button = page.locator(".code-copy").nth(1)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('live-status').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("kubectl -n luffy rollout status") and copied.endswith("--show-labels")
    assert button.inner_text() == "Copied"
    # The long YAML is folded, and opens from the keyboard.
    fold = page.locator("details.code-fold")
    assert fold.count() == 1 and fold.get_attribute("open") is None
    fold.locator("summary").focus()
    page.keyboard.press("Enter")
    assert fold.get_attribute("open") is not None
    context.close()


def test_comment_form_previews_live_and_remembers_the_commenter_when_asked(site, browser):
    """The live preview shows the server-sanitized rendering while typing; "remember me"
    is offered only with JavaScript, and fills the next form on this device only when ticked."""
    context = _context(browser, site)
    page = context.new_page()
    watch = Watch(page)
    _visit(page, site, site["english"])
    remember = page.locator("label.remember-me")
    assert remember.is_visible()
    page.fill("#body", "**bold** <img src=x onerror=alert(1)> text")
    page.wait_for_function(
        "() => document.getElementById('comment-preview').innerHTML.includes('<strong>bold</strong>')")
    preview = page.inner_html("#comment-preview")
    assert "onerror" not in preview and "<img" not in preview
    page.fill("#author_name", "Robin")
    page.fill("#author_email", "robin@example.com")
    page.check("#remember_me")
    page.click("#comment-form button[type=submit]:not([name])")
    page.wait_for_load_state()
    waiting = page.locator(".comment-waiting")  # held, and said right above the form
    assert waiting.count() == 1 and "bold" in waiting.inner_text()
    _visit(page, site, site["demo"])
    assert page.input_value("#author_name") == "Robin"
    assert page.input_value("#author_email") == "robin@example.com"
    page.uncheck("#remember_me")
    page.fill("#body", "second")
    page.click("#comment-form button[type=submit]:not([name])")
    page.wait_for_load_state()
    _visit(page, site, site["english"])
    assert page.input_value("#author_name") == ""  # forgotten when unticked
    assert watch.problems == []
    context.close()
    nojs = _context(browser, site, java_script_enabled=False).new_page()
    _visit(nojs, site, site["english"])
    assert not nojs.locator("label.remember-me").is_visible()
    nojs.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_box_suggests_as_you_type_as_an_accessible_combobox(site, browser, lang):
    """WAI-ARIA 1.2 combobox: the list opens while typing, the count is announced, arrow
    keys move the active option, Enter opens it, Escape closes; axe finds nothing with the
    list open, on a phone too."""
    context = _context(browser, site, lang=lang, width=390)
    page = context.new_page()
    watch = Watch(page)
    _visit(page, site, "/")
    box = page.locator("form.search-form input[name=q]")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    box.click()
    box.type("roll", delay=30)
    page.wait_for_selector("#search-suggestions [role=option]")
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("#search-suggestions [role=option]")
    assert 1 <= options.count() <= 8
    page.wait_for_function("() => document.getElementById('suggest-status').textContent !== ''")
    assert str(options.count()) in page.inner_text("#suggest-status")
    assert _axe(page) == [] and page.evaluate(LAYOUT_CHECK) == []
    box.focus()  # the layout check focuses scroll boxes; leaving the box closes the list
    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false" and page.locator("#search-suggestions").is_hidden()
    page.keyboard.press("ArrowDown")  # opens again
    page.keyboard.press("ArrowDown")
    target = page.evaluate("(id) => document.getElementById(id).textContent",
                           box.get_attribute("aria-activedescendant"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith(site["origin"] + "/") and page.url != site["origin"] + "/"
    assert watch.problems == [] and target
    context.close()


def test_article_navigation(site, browser):
    context = _context(browser, site, lang="en")
    page = context.new_page()
    _visit(page, site, site["english"])
    assert page.locator("h1").count() == 1
    assert page.locator("article.post").get_attribute("lang") is None  # English in English
    toc = page.locator("nav.toc a")
    assert toc.all_inner_texts() == ["Strategy", "Watching it", "A table", "Rolling back"]
    assert page.locator(".reading-time").inner_text().endswith("min read")
    assert page.locator(".post-nav a").count() >= 1
    page.locator(".post-nav a").first.click()
    page.wait_for_load_state()
    assert page.locator("article.post").get_attribute("lang") == "zh-CN"  # Chinese in English
    assert page.locator(".sidebar a[href^='/archive/']").count() >= 1
    assert page.locator(".sidebar a[href^='/tag/']").count() >= 5
    _visit(page, site, site["month"])
    assert page.locator(".breadcrumbs [aria-current=page]").count() == 1
    assert page.request.get(site["origin"] + "/favicon.ico").status == 200
    manifest = page.request.get(site["origin"] + page.locator("link[rel=manifest]").get_attribute("href"))
    assert manifest.status == 200 and manifest.json()["icons"]
    context.close()


def test_usable_without_javascript(site, browser):
    context = _context(browser, site, java_script_enabled=False, scheme="dark")
    page = context.new_page()
    _visit(page, site, site["english"])
    assert page.locator(".code-copy").count() == 0
    assert not page.locator(".theme-toggle").is_visible()
    assert _background(page) == "rgb(17, 20, 24)"  # the system's scheme, without script
    page.locator("details.code-fold summary").click()
    assert page.locator("details.code-fold").get_attribute("open") is not None
    page.locator("nav.toc a").first.click()
    assert page.url.endswith("#strategy")
    context.close()


SCREENSHOTS = os.environ.get("BLOGAPP_SCREENSHOTS")


@pytest.mark.skipif(not SCREENSHOTS, reason="set BLOGAPP_SCREENSHOTS=docs/screenshots to write them")
def test_screenshots(site, browser):
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width, device in ((1280, "desktop"), (390, "phone")):
            context = _context(browser, site, scheme=scheme, width=width,
                               device_scale_factor=1 if width > 600 else 2)
            page = context.new_page()
            for name, path in (("home", "/"), ("article", "/posts/k8s-hpa"), ("search", "/search?q=rolling+category:运维")):
                _visit(page, site, path)
                page.screenshot(path=out / f"{name}-{device}-{scheme}.png")
            context.close()


def test_pages_have_one_h1(site, browser):
    context = _context(browser, site)
    page = context.new_page()
    for name, path in reader_pages(site).items():
        _visit(page, site, path)
        assert page.locator("h1").count() == 1, name
    context.close()



