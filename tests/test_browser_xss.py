"""Stored and reflected XSS in a real browser.

Every line of ``xss-payload-list.txt`` (6,613 payloads) is stored as an APPROVED comment,
as its body and as its author's name, some with a homepage URL, sanitized exactly as the
comment view does it (``render_comment``, ``clean_name``, ``safe_url``). Articles also quote
payloads, so search snippets highlight them. The app is served over real HTTP on
127.0.0.1 and headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) opens
every article page, the comments API of every article and ``/search`` for a sample of
payloads.

The page is instrumented before any of its own script could run: ``alert``, ``confirm``,
``prompt`` and ``print`` record their calls, CSP violations are recorded (anything the
sanitizers let through that only the Content-Security-Policy stopped counts as a failure
too), dialogs, console errors and page errors are collected, and every request to another
origin is recorded and aborted. The DOM as Chromium parsed it is also checked: no event
handler attributes, no ``javascript:``-like links, no script/iframe/object/embed/svg/form
inside comments.
"""

import os
import random
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from http_client import serve_in_thread

# db_agnostic: what is under test is the sanitizers and the browser; the stored text comes back
# unchanged on every database (test_database_portability), so the SQLite pass covers it.
pytestmark = [pytest.mark.slow, pytest.mark.db_agnostic]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
COMMENTS_PER_POST = 300
SEARCH_SAMPLE = 120  # random queries; the sanitizer tests take all 6,613 in-process
HOMEPAGE = "https://example.com/?q="
MAX_NAME = 100  # the comment form refuses longer names (Length(max=100))

INIT_SCRIPT = r"""
(() => {
  const calls = [];
  Object.defineProperty(window, "__xssCalls", {value: calls});
  window.__xssFired = false;
  const record = (kind) => function (...args) {
    window.__xssFired = true;
    calls.push(kind + "(" + args.map(String).join(",").slice(0, 200) + ")");
    console.log("XSS-EXECUTED " + kind);
    return kind === "confirm" ? false : (kind === "prompt" ? null : undefined);
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    try { window[name] = record(name); } catch (e) {}
  }
  const violations = [];
  Object.defineProperty(window, "__cspViolations", {value: violations});
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push(event.violatedDirective + " " + (event.blockedURI || "") + " " +
                    (event.sample || "").slice(0, 120));
  });
})();
"""

# What Chromium's own parser made of the page: anything active inside it.
DOM_CHECK = r"""
() => {
  const problems = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) problems.push(el.tagName + " " + attr.name);
    }
  }
  for (const el of document.querySelectorAll("[href],[src],[action],[formaction]")) {
    for (const name of ["href", "src", "action", "formaction"]) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      let protocol;
      try { protocol = new URL(value, document.baseURI).protocol; } catch (e) { continue; }
      if (!["http:", "https:", "mailto:"].includes(protocol)) {
        problems.push(el.tagName + " " + name + "=" + value.slice(0, 80));
      }
    }
  }
  const active = "script,iframe,frame,object,embed,svg,math,form,input,button,textarea,select," +
                 "style,link,meta,base,video,audio,source,track,applet";
  for (const root of document.querySelectorAll(".comment-list, .entry-content, .snippet")) {
    // Articles may show images (the article policy allows <img src>); comments may not.
    const selector = root.classList.contains("entry-content") ? active : active + ",img";
    for (const el of root.querySelectorAll(selector)) {
      // The copy button site.js adds to each code block (the sanitizers let no <button> through).
      if (el.matches(".code-block > .code-head > button.code-copy")) continue;
      problems.push("<" + el.tagName.toLowerCase() + "> inside ." + root.classList[0]);
    }
  }
  return problems;
}
"""


def _browser_prerequisites():
    """Chromium and Playwright, or a skip (outside CI) / a failure (under CI)."""
    problem = None
    if not os.path.exists(CHROMIUM):
        problem = (f"{CHROMIUM} is missing: install Debian's chromium "
                   "(apt-get update && apt-get install -y chromium)")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install -c constraints.txt -e '.[test]')"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem + " (required under CI)")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def site(tmp_path_factory, payloads):
    """The app with every payload stored, served over HTTP on 127.0.0.1."""
    _browser_prerequisites()  # before spending time on the data

    from blogapp import create_app
    from blogapp.database import create_schema
    from blogapp.extensions import db
    from blogapp.models import Post, User
    from plugins.comments.models import Comment
    from plugins.comments.sanitize import clean_name, render_comment, safe_url

    app = create_app({"SECRET_KEY": "browser-xss", "SEARCH_AUTO_REBUILD": False,
                      "MAIL_ENABLED": False},
                     instance_path=tmp_path_factory.mktemp("browser-xss"))
    n_posts = -(-len(payloads) // COMMENTS_PER_POST)
    stats = {"comments": 0, "names": 0, "urls": 0, "posts": n_posts}
    with app.app_context():
        create_schema()
        author = User(username="writer", display_name="Writer", role="author")
        db.session.add(author)
        db.session.flush()
        now = datetime.now(timezone.utc)
        slugs = []
        for n in range(n_posts):
            chunk = payloads[n * COMMENTS_PER_POST:(n + 1) * COMMENTS_PER_POST]
            quoted = "\n".join(chunk[:40])
            body = (f"Kubernetes 笔记第 {n} 篇。下面引用了一些攻击样本：\n\n"
                    f"```\n{quoted}\n```\n\n" + " ".join(p.replace("`", "") for p in chunk[:10]))
            post = Post(slug=f"xss-{n:02d}", title=f"XSS 样本 {n}", body=body,
                        status="published", author_id=author.id,
                        published_at=now - timedelta(hours=n + 1))
            db.session.add(post)
            db.session.flush()
            slugs.append(post.slug)
            for i, payload in enumerate(chunk):
                name = clean_name(payload)[:MAX_NAME] or "读者"
                url = ""
                if i % 3 == 0:
                    # As typed, behind a real scheme, and with what safe_url refuses
                    # (quotes, angle brackets, spaces) taken out so that more get through.
                    url = (safe_url(payload) or safe_url(HOMEPAGE + payload)
                           or safe_url(HOMEPAGE + re.sub(r"[<>\"'\s]", "", payload)))
                    url = url[:500]  # the column's size; the comment form refuses longer
                db.session.add(Comment(
                    post_id=post.id, depth=1, author_name=name,
                    author_email=f"r{n}-{i}@example.com", author_url=url,
                    body_raw=payload, body_html=render_comment(payload), status="approved",
                    ip="127.0.0.1", user_agent="pytest"))
                stats["comments"] += 1
                stats["names"] += name != "读者"
                stats["urls"] += bool(url)
            db.session.commit()
    with serve_in_thread(app, "xss-server") as origin:
        yield {"origin": origin, "slugs": slugs, "stats": stats}


def test_no_payload_runs_in_a_real_browser(site, payloads):
    _browser_prerequisites()
    from playwright.sync_api import sync_playwright

    origin = site["origin"]
    findings = {"executions": [], "dialogs": [], "page_errors": [], "console_errors": [],
                "foreign_requests": [], "csp_violations": [], "dom": []}
    rng = random.Random(6613)
    sample = rng.sample(payloads, SEARCH_SAMPLE)
    urls = [f"/posts/{slug}" for slug in site["slugs"]]
    urls += [f"/api/posts/{slug}/comments" for slug in site["slugs"]]
    urls += [f"/search?q={quote(p, safe='')}" for p in sample]
    urls += ["/"]
    opened = 0
    status_counts = {}
    own_missing = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(java_script_enabled=True)
            context.add_init_script(INIT_SCRIPT)
            page = context.new_page()
            current = {"url": ""}

            def on_route(route):
                url = route.request.url
                if url == origin or url.startswith(origin + "/"):
                    route.continue_()
                else:
                    findings["foreign_requests"].append((current["url"], url[:200]))
                    route.abort()

            def on_dialog(dialog):
                findings["dialogs"].append((current["url"], dialog.type, dialog.message[:200]))
                dialog.dismiss()

            def on_console(message):
                text = message.text
                if text.startswith("XSS-EXECUTED"):
                    findings["executions"].append((current["url"], text))
                elif message.type == "error":
                    source = (message.location or {}).get("url", "")
                    if text.startswith("Failed to load resource") and source.startswith(origin + "/"):
                        # e.g. an article's <img src=x>: a request to this site, answered 404.
                        own_missing.append(source)
                    else:
                        findings["console_errors"].append((current["url"], text[:200], source))

            page.route("**/*", on_route)
            page.on("dialog", on_dialog)
            page.on("console", on_console)
            page.on("pageerror", lambda error: findings["page_errors"].append(
                (current["url"], str(error)[:200])))

            # Negative control: a page that does run script proves the instrumentation sees it.
            canary = ('<!doctype html><script>alert("canary")</script>'
                      '<img src="/x.png" onerror="confirm(1)">'
                      '<img src="https://evil.example/pixel.png">')
            page.route(origin + "/__canary__", lambda route: route.fulfill(
                status=200, content_type="text/html", body=canary))
            current["url"] = "/__canary__"
            page.goto(origin + "/__canary__", wait_until="load")
            page.wait_for_timeout(200)
            calls = page.evaluate("window.__xssCalls")
            assert len(calls) >= 2 and findings["executions"], (calls, findings)
            assert any("evil.example" in url for _, url in findings["foreign_requests"]), findings
            page.unroute(origin + "/__canary__")
            findings = {kind: [] for kind in findings}
            own_missing.clear()

            for path in urls:
                current["url"] = path
                response = page.goto(origin + path, wait_until="load", timeout=30_000)
                opened += 1
                status = response.status if response else None
                status_counts[status] = status_counts.get(status, 0) + 1
                assert status in (200, 400), (path, status)
                if page.evaluate("window.__xssFired === true"):
                    findings["executions"].append((path, page.evaluate("window.__xssCalls")))
                findings["csp_violations"] += [(path, v) for v in page.evaluate("window.__cspViolations")]
                findings["dom"] += [(path, p) for p in page.evaluate(DOM_CHECK)]
                if path.startswith("/posts/"):
                    shown = page.locator("li[id^='comment-']").count()
                    assert shown == min(COMMENTS_PER_POST, site["stats"]["comments"]
                                        - COMMENTS_PER_POST * site["slugs"].index(path[7:])), path
            context.close()
        finally:
            browser.close()

    stats = site["stats"]
    print(f"\nbrowser XSS: {len(payloads)} payloads stored as {stats['comments']} approved comments "
          f"({stats['names']} non-empty names, {stats['urls']} homepage URLs) on {stats['posts']} "
          f"articles; {opened} pages opened ({status_counts}); "
          f"executions {len(findings['executions'])}, dialogs {len(findings['dialogs'])}, "
          f"page errors {len(findings['page_errors'])}, "
          f"foreign requests {len(findings['foreign_requests'])}, "
          f"CSP violations {len(findings['csp_violations'])}, DOM problems {len(findings['dom'])}; "
          f"{len(own_missing)} same-origin resources answered 404 (allowed)")
    assert opened == len(urls)
    for kind, found in findings.items():
        assert not found, f"{kind}: {found[:10]}"
