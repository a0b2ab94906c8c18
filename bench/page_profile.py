"""Where an uncached page's time goes: cProfile over repeated requests in one process.

The page benchmark (``--profile-pages``) runs this in a fresh process on its instance copy
after the load tests: blogapp with the page cache off, Flask's test client without
cookies (like wrk, every request is a new anonymous visitor), a few warm-up requests, then
``--requests`` profiled ones. It prints the top entries by cumulative and by own time, the
SQL statements that cost the most time per request (SQLAlchemy cursor events), and saves
the ``.prof`` for ``python -m pstats`` or snakeviz.

``.venv/bin/python bench/page_profile.py --instance DIR --path /posts/SLUG [--requests 200]
[--out FILE.prof] [--top 25] [--json]`` (``BLOGAPP_*`` settings from the environment apply).
"""

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARMUP = 10


def profile(instance, path, requests, out, top):
    from blogapp import create_app
    from blogapp.extensions import db

    app = create_app({"PAGE_CACHE": False, "SEARCH_AUTO_REBUILD": False}, instance_path=instance)
    client = app.test_client(use_cookies=False)
    for _ in range(WARMUP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"page_profile: {path} answered {response.status_code}")
    profiler = cProfile.Profile()
    with app.app_context():  # the engine of this app (the listeners stay bound to it)
        statements = _Statements(db.engine)
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    wall = time.perf_counter() - started
    statements.stop()
    if out:
        profiler.dump_stats(out)
    parts = [f"{path}: {requests} requests in {wall:.2f} s under the profiler "
             f"({wall / requests * 1000:.2f} ms each, profiling overhead included)"]
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats(order).print_stats(top)
        table = stream.getvalue().split("   ncalls", 1)[-1]  # drop pstats' header lines
        parts.append(f"-- top {top} by {order} time --\n   ncalls" + table.rstrip())
    parts.append(statements.report(requests))
    text = "\n".join(parts).replace(str(ROOT) + "/", "")
    return {"path": path, "requests": requests, "ms_per_request": wall / requests * 1000,
            "text": text, "sql": statements.top(requests)}


class _Statements:
    """Time per SQL statement (cursor execute), summed by statement text."""

    def __init__(self, engine):
        self.engine, self.totals, self.started = engine, {}, {}
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context, executemany):
        self.started[id(cursor)] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        spent = time.perf_counter() - self.started.pop(id(cursor), time.perf_counter())
        count, total = self.totals.get(statement, (0, 0.0))
        self.totals[statement] = (count + 1, total + spent)

    def stop(self):
        event.remove(self.engine, "before_cursor_execute", self.before)
        event.remove(self.engine, "after_cursor_execute", self.after)

    def top(self, requests, top=5):
        """The costliest statements: ``{"statement", "per_request", "ms_per_request"}``."""
        ranked = sorted(self.totals.items(), key=lambda item: -item[1][1])[:top]
        return [{"statement": " ".join(st.split()), "per_request": count / requests,
                 "ms_per_request": total * 1000 / requests} for st, (count, total) in ranked]

    def report(self, requests, top=5):
        ranked = sorted(self.totals.items(), key=lambda item: -item[1][1])
        lines = [f"-- SQL: {sum(c for c, _ in self.totals.values()) / requests:.1f} statements "
                 f"and {sum(t for _, t in self.totals.values()) * 1000 / requests:.2f} ms per "
                 f"request; the {min(top, len(ranked))} costliest --"]
        for statement, (count, total) in ranked[:top]:
            flat = " ".join(statement.split())
            lines.append(f"{total * 1000 / requests:8.2f} ms/request {count / requests:5.1f}×  "
                         f"{flat[:400]}{' ...' if len(flat) > 400 else ''}")
        return "\n".join(lines)



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", required=True, help="instance folder")
    parser.add_argument("--path", required=True, help="page to request, e.g. /posts/slug")
    parser.add_argument("--requests", type=int, default=200, help="profiled requests (default 200)")
    parser.add_argument("--out", help="write the .prof here")
    parser.add_argument("--top", type=int, default=25, help="entries printed (default 25)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.top < 1:
        parser.error("--requests and --top must be at least 1")
    result = profile(args.instance, args.path, args.requests, args.out, args.top)
    print(json.dumps(result, ensure_ascii=False) if args.json else result["text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
