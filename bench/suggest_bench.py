"""Search-as-you-type speed: ``/api/suggest`` in-process against a naive baseline.

The cached benchmark dataset (``bench/dataset.py``, default 10k posts) is copied; one app
(page cache off) answers ``/api/suggest`` and, on a route added for this run only, a
baseline doing what a first implementation would: ``LIKE 'prefix%'`` on titles and tag
names in SQL (``lower()``, no index can help a word inside a title: ``LIKE '%prefix%'``)
and a scan of every glossary term. Both answer the same prefixes, interleaved, through
Flask's test client (the same request overhead): prefixes cut from random title words,
tag names, glossary terms, and pinyin of Chinese terms, 1-6 characters long.

Goal (issue #18): p99 <= 10 ms in-process at 10k posts. The report also gives the ratio
to the baseline measured in the same run, and writes ``bench/results/suggest-*.md``.

``.venv/bin/python bench/suggest_bench.py [--docs 10000] [--prefixes 500] [--seed 42]``
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402

GOAL_P99_MS = 10.0


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def prefixes(app, count, seed):
    from blogapp.extensions import db
    from blogapp.models import Post, Tag
    from blogapp.search import search_service
    from blogapp.search.suggest import pinyin_keys

    rng = random.Random(seed)
    with app.app_context():
        titles = db.session.scalars(db.select(Post.title)).all()
        tags = db.session.scalars(db.select(Tag.name)).all()
        terms = [t for c in search_service(app).glossary.concepts() for t in c.terms]
    pinyin = [key for term in terms for key in pinyin_keys(term)]
    sources = [
        lambda: rng.choice(rng.choice(titles).split() or ["pod"]),
        lambda: rng.choice(tags),
        lambda: rng.choice(terms),
        lambda: rng.choice(pinyin),
    ]
    return [rng.choice(sources)()[:rng.randint(1, 6)] for _ in range(count)]


def add_baseline(app):
    from flask import jsonify, request

    from blogapp.extensions import db
    from blogapp.models import Post, Tag
    from blogapp.search import search_service

    def naive():
        prefix = request.args.get("q", "").strip().lower()
        if not prefix:
            return jsonify([])
        terms = [t for c in search_service(app).glossary.concepts() for t in c.terms
                 if t.lower().startswith(prefix)][:8]
        tags = db.session.scalars(db.select(Tag.name).where(
            db.func.lower(Tag.name).like(f"{prefix}%")).limit(8)).all()
        posts = db.session.scalars(db.select(Post.title).where(
            Post.visible(), db.func.lower(Post.title).like(f"%{prefix}%")).limit(8)).all()
        return jsonify([*terms, *tags, *posts][:8])

    app.add_url_rule("/bench/naive-suggest", "naive_suggest", naive)


def run(docs, count, seed, out):
    from blogapp import create_app

    folder, _ = dataset.prepare(docs, seed)
    work = Path(tempfile.mkdtemp(prefix="suggest-bench-"))
    try:
        instance = work / "instance"
        shutil.copytree(folder / "instance", instance, symlinks=True)
        app = create_app({"PAGE_CACHE": False, "SEARCH_AUTO_REBUILD": False}, instance_path=instance)
        add_baseline(app)
        client = app.test_client()
        started = time.perf_counter()
        client.get("/api/suggest?q=k")
        build_ms = (time.perf_counter() - started) * 1000
        client.get("/api/suggest?q=擴")  # loads OpenCC's tables (once per process)
        asked = prefixes(app, count, seed)
        ours, naive, answered = [], [], 0
        for prefix in asked[:20]:  # warm-up
            client.get("/api/suggest", query_string={"q": prefix})
            client.get("/bench/naive-suggest", query_string={"q": prefix})
        for prefix in asked:
            t = time.perf_counter()
            response = client.get("/api/suggest", query_string={"q": prefix})
            ours.append((time.perf_counter() - t) * 1000)
            answered += bool(response.json)
            t = time.perf_counter()
            client.get("/bench/naive-suggest", query_string={"q": prefix})
            naive.append((time.perf_counter() - t) * 1000)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [(name, statistics.median(values), percentile(values, 0.99))
            for name, values in (("ours", ours), ("naive baseline", naive))]
    p99 = rows[0][2]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    lines = [
        f"# Suggest benchmark {stamp}", "",
        f"`bench/suggest_bench.py --docs {docs} --prefixes {count} --seed {seed}`", "",
        "| figure | ours | baseline | ratio | goal | met |", "|---|---|---|---|---|---|",
        f"| /api/suggest p50, in-process (ms) | {rows[0][1]:.2f} | {rows[1][1]:.2f} | "
        f"{rows[0][1] / rows[1][1]:.2f}× | — | — |",
        f"| /api/suggest p99, in-process (ms) | {p99:.2f} | {rows[1][2]:.2f} | "
        f"{p99 / rows[1][2]:.2f}× | ≤ {GOAL_P99_MS:.0f} ms | {'yes' if p99 <= GOAL_P99_MS else 'no'} |",
        "",
        f"- {docs} posts; {count} prefixes (1-6 characters of title words, tags, glossary terms and "
        f"their pinyin), {answered} with suggestions; ours and the baseline interleaved",
        f"- building the suggester (first request after a change): {build_ms:.0f} ms",
        f"- slowest 5 of ours (ms): {', '.join(f'{v:.1f}' for v in sorted(ours)[-5:])}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "- baseline: LIKE on lower(title) / lower(tag name) in SQL plus a scan of the glossary",
    ]
    report = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"suggest-{stamp}.md").write_text(report)
    print(report)
    return p99 <= GOAL_P99_MS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--prefixes", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    return 0 if run(args.docs, args.prefixes, args.seed, args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
