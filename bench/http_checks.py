"""HTTP measurements of the page benchmark that wrk cannot do: search latency, publish.

- :func:`search_latency`: ``/api/search`` one query at a time over a kept-alive
  connection, ours and the baseline interleaved query by query (who goes first
  alternates) so that a change in machine load hits both alike.
- :func:`save_to_searchable`: log in through the web form (CSRF token and all), publish
  a post with a new unique word through the editor, and poll ``/api/search`` until it
  finds the post: what an author sees, end to end.
"""

import http.client
import json
import random
import re
import string
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

PER_PAGE = 10
SAVE_TIMEOUT = 30.0
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class CheckError(RuntimeError):
    """An HTTP answer was not what a working site gives; the message says which."""


class Client:
    """One kept-alive HTTP/1.1 connection to a server (reconnects when it is closed)."""

    def __init__(self, base_url):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.conn = None

    def get(self, path):
        """``(status, body bytes, seconds)``; the time covers sending and reading all."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle keep-alive connection: retry once
                if attempt == 2:
                    raise
                continue
            return resp.status, body, time.perf_counter() - started
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def search_path(query):
    return "/api/search?" + urllib.parse.urlencode({"q": query, "per_page": PER_PAGE})


def _search(client, query):
    status, body, seconds = client.get(search_path(query))
    if status != 200:
        raise CheckError(f"/api/search?q={query!r} answered {status}: {body[:200]!r}")
    return seconds, json.loads(body)["results"]


def search_latency(ours_url, base_url, warmup, queries):
    """Per-query seconds and queries-with-hits for both servers, interleaved."""
    clients = {"ours": Client(ours_url), "baseline": Client(base_url)}
    try:
        for query in warmup:
            for client in clients.values():
                _search(client, query)
        seconds = {"ours": [], "baseline": []}
        with_hits = {"ours": 0, "baseline": 0}
        for i, query in enumerate(queries):
            for side in (("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")):
                spent, results = _search(clients[side], query)
                seconds[side].append(spent)
                with_hits[side] += bool(results)
        return seconds, with_hits
    finally:
        for client in clients.values():
            client.close()


def _open(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=60) as resp:
            return resp.status, resp.geturl(), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise CheckError(f"{'POST' if data else 'GET'} {url} answered {exc.code}: "
                         f"{exc.read(300).decode('utf-8', 'replace')}") from None


def _token(opener, url):
    _, _, html = _open(opener, url)
    match = _CSRF.search(html)
    if not match:
        raise CheckError(f"no CSRF token on {url}")
    return match.group(1)


def log_in(base_url, username, password):
    """A cookie-carrying opener logged in through ``/login``, like a browser."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    token = _token(opener, base_url + "/login")
    _, landed, _ = _open(opener, base_url + "/login",
                         {"username": username, "password": password, "csrf_token": token})
    if urllib.parse.urlsplit(landed).path == "/login":
        raise CheckError(f"logging in as {username} failed (still on /login)")
    return opener


def save_to_searchable(base_url, username, password, seed, trials=3):
    """Publish ``trials`` posts through the editor; seconds until search finds each."""
    rng = random.Random(f"blogapp-page-bench-save:{seed}:{time.time_ns()}")
    opener = log_in(base_url, username, password)
    poller = Client(base_url)
    results = []
    try:
        for _ in range(trials):
            word = "zqx" + "".join(rng.choice(string.ascii_lowercase) for _ in range(9))
            slug = f"bench-{word}"
            if _search(poller, word)[1]:
                raise CheckError(f"the unique word {word!r} is already indexed")
            token = _token(opener, base_url + "/admin/posts/new")
            form = {"csrf_token": token, "title": f"基准测试 {word}", "slug": slug,
                    "body": f"这篇文章由页面基准测试发布，标记词 {word}。\n\n"
                            "```bash\nkubectl get pods\n```\n",
                    "category": "运维", "tags": "bench", "publish": "发布"}
            started = time.perf_counter()
            _open(opener, base_url + "/admin/posts/new", form)
            saved = time.perf_counter() - started
            polls, found = 0, None
            while found is None and time.perf_counter() - started < SAVE_TIMEOUT:
                polls += 1
                if any(hit["slug"] == slug for hit in _search(poller, word)[1]):
                    found = time.perf_counter() - started
                else:
                    time.sleep(0.005)
            results.append({"slug": slug, "save_s": saved, "searchable_s": found, "polls": polls})
    finally:
        poller.close()
    return results
