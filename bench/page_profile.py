"""Where an uncached page's time goes: cProfile over repeated requests in one process.

The page benchmark (``--profile-pages``) runs this in a fresh process on its instance copy
after the load tests: blogapp with the page cache off, Flask's test client without
cookies (like wrk, every request is a new anonymous visitor), a few warm-up requests, then
``--requests`` profiled ones. It prints the top entries by cumulative time and saves the
``.prof`` for ``python -m pstats`` or snakeviz.

``.venv/bin/python bench/page_profile.py --instance DIR --path /posts/SLUG [--requests 200]
[--out FILE.prof] [--top 25]`` (``BLOGAPP_*`` settings from the environment apply).
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARMUP = 10


def profile(instance, path, requests, out, top):
    from blogapp import create_app

    app = create_app({"PAGE_CACHE": False, "SEARCH_AUTO_REBUILD": False}, instance_path=instance)
    client = app.test_client(use_cookies=False)
    for _ in range(WARMUP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"page_profile: {path} answered {response.status_code}")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    wall = time.perf_counter() - started
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
    return "\n".join(parts).replace(str(ROOT) + "/", "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", required=True, help="instance folder")
    parser.add_argument("--path", required=True, help="page to request, e.g. /posts/slug")
    parser.add_argument("--requests", type=int, default=200, help="profiled requests (default 200)")
    parser.add_argument("--out", help="write the .prof here")
    parser.add_argument("--top", type=int, default=25, help="entries printed (default 25)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.top < 1:
        parser.error("--requests and --top must be at least 1")
    print(profile(args.instance, args.path, args.requests, args.out, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
