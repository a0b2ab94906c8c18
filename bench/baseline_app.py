"""The search baseline over HTTP: plain Whoosh + jieba behind a bare Flask ``/api/search``.

It answers the same request as blogapp's API (``/api/search?q=...&per_page=10``) from the
index ``bench/dataset.py`` builds with ``bench/search_bench.py``'s baseline code
(``jieba.analyse.ChineseAnalyzer`` on title/body), with that benchmark's query code:
``MultifieldParser(["title", "body"], group=OrGroup.factory(0.9))``, the top hits and
``hit.highlights("body")`` for each, as JSON. Each gunicorn thread keeps its own open
searcher (a Whoosh searcher is not shared between threads), so after warm-up no query
pays for opening the index.

``BENCH_BASELINE_INDEX=/path gunicorn bench.baseline_app:app``.
"""

import os
import threading
import warnings

from flask import Flask, abort, jsonify, request

from bench.search_bench import baseline_modules

_, _, whoosh_index, _, _, MultifieldParser, OrGroup = baseline_modules()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes and unclosed files
    INDEX = whoosh_index.open_dir(os.environ["BENCH_BASELINE_INDEX"])
PARSER = MultifieldParser(["title", "body"], INDEX.schema, group=OrGroup.factory(0.9))
_local = threading.local()

app = Flask(__name__)


def _searcher():
    if getattr(_local, "searcher", None) is None:
        _local.searcher = INDEX.searcher()
    return _local.searcher


@app.route("/api/search")
def api_search():
    text = request.args.get("q", "").strip()
    if not text:
        abort(400, "q is required")
    per_page = request.args.get("per_page", 10, type=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = _searcher().search(PARSER.parse(text), limit=per_page)
        hits = [{"title": hit["title"], "snippet": hit.highlights("body"), "score": hit.score}
                for hit in results]
    return jsonify(query=text, total=len(results), results=hits)


@app.route("/healthz")
def healthz():
    return {"status": "ok", "documents": INDEX.doc_count()}
