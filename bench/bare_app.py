"""The throughput baseline: a bare Flask app serving one fixed 20 KB HTML page.

Served under the same gunicorn settings as blogapp (``bench/servers.py``), it shows what
this machine, Python, Flask and gunicorn can do with no database, templates or
extensions; the page benchmark reports blogapp's requests/s as a ratio of this.
``gunicorn bench.bare_app:app``.
"""

from flask import Flask, Response

PAGE_BYTES = 20 * 1024


def _page():
    """A plain HTML page of exactly ``PAGE_BYTES`` UTF-8 bytes (built once at import)."""
    head = "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>bare</title></head><body>\n"
    tail = "</body></html>\n"
    para = "<p>Kubernetes 滚动更新 rolling update：集群 cluster 中的 Pod 副本逐个替换。</p>\n"
    body = ""
    while len((head + body + para + tail).encode()) <= PAGE_BYTES - 7:  # room for <!---->
        body += para
    filler = PAGE_BYTES - len((head + body + tail).encode())
    return head + body + "<!--" + "x" * max(filler - 7, 0) + "-->" + tail


PAGE = _page().encode()
assert len(PAGE) == PAGE_BYTES, len(PAGE)

app = Flask(__name__)


@app.route("/")
def page():
    return Response(PAGE, content_type="text/html; charset=utf-8")


@app.route("/healthz")
def healthz():
    return {"status": "ok"}
