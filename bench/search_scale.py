"""Query latency of an existing instance, in-process, the way ``/api/search`` runs them.

``search_bench.py`` builds its own corpus (10k posts in minutes); at 100k posts building
takes most of an hour, so this script takes an instance that already exists (the cached
dataset of ``bench/dataset.py``, copied first: searching does not change it, but an app
start may run migrations) and measures only the queries: 20 warm-up queries, then
``--queries`` sample queries of ``bench.corpus`` (the same ones as the other benchmarks
for the same seed), each through ``SearchService.search(q, per_page=10)`` (planning,
spelling correction, scoring, snippets). It prints p50/p99/max, the RSS of this process
and the load average, and with ``--json FILE`` writes them with every query's time.

Usage: ``.venv/bin/python bench/search_scale.py --instance DIR [--queries 200]
[--seed 42] [--repeat 1] [--json FILE] [--slowest 10]``.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.search_bench import (  # noqa: E402
    PER_PAGE,
    WARMUP_QUERIES,
    latency_summary,
    rss_current_mib,
    rss_peak_mib,
)


def queries_for(seed, count):
    """The benchmark's measured queries and its warm-up queries (as search_bench picks them)."""
    queries = corpus.sample_queries(seed, count)
    warmup = [q for q in corpus.sample_queries(seed + 1, WARMUP_QUERIES * 3)
              if q not in queries][:WARMUP_QUERIES]
    return queries, warmup


def run(instance, queries, warmup, repeat=1):
    from blogapp import create_app

    app = create_app({"SEARCH_AUTO_REBUILD": False, "PAGE_CACHE": False, "SECRET_KEY": "bench"},
                     instance_path=str(instance))
    service = app.extensions["search"]
    rounds = []
    with app.app_context():
        for text in warmup:
            service.search(text, page=1, per_page=PER_PAGE)
        for _ in range(repeat):
            seconds = []
            for text in queries:
                started = time.perf_counter()
                results = service.search(text, page=1, per_page=PER_PAGE)
                seconds.append(time.perf_counter() - started)
                assert all("snippet" in hit for hit in results.hits)
            rounds.append(seconds)
    return rounds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", required=True, help="an instance folder (a copy)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=1, help="measured rounds (the best is shown too)")
    parser.add_argument("--slowest", type=int, default=5, help="print the N slowest queries")
    parser.add_argument("--json", help="write the figures and every query's time here")
    args = parser.parse_args(argv)

    queries, warmup = queries_for(args.seed, args.queries)
    load_before = os.getloadavg()[0]
    rounds = run(Path(args.instance), queries, warmup, args.repeat)
    load_after = os.getloadavg()[0]
    summaries = [latency_summary(seconds) for seconds in rounds]
    report = {
        "instance": str(args.instance), "queries": len(queries), "warmup": len(warmup),
        "seed": args.seed, "rounds": summaries,
        "rss_current_mib": rss_current_mib(), "rss_peak_mib": rss_peak_mib(),
        "load_1min_before": load_before, "load_1min_after": load_after,
        "cpus": os.cpu_count(),
    }
    for number, summary in enumerate(summaries, 1):
        print(f"round {number}: p50 {summary['p50_ms']:.1f} ms  p99 {summary['p99_ms']:.1f} ms  "
              f"max {summary['max_ms']:.1f} ms  mean {summary['mean_ms']:.1f} ms")
    print(f"RSS {report['rss_current_mib']:.0f} MiB (peak {report['rss_peak_mib']:.0f} MiB); "
          f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after, "
          f"{report['cpus']} CPUs")
    slow = sorted(zip(rounds[-1], queries), reverse=True)[:args.slowest]
    for seconds, text in slow:
        print(f"  {seconds * 1000:7.1f} ms  {text}")
    if args.json:
        report["seconds"] = {q: [r[i] for r in rounds] for i, q in enumerate(queries)}
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
