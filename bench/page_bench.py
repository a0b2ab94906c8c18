"""Page and end-to-end benchmark: blogapp under gunicorn against a bare Flask app.

One run:

1. gets the dataset of ``--docs`` posts (``bench/dataset.py``: imported with ``flask
   import-posts``, cached under ``bench/.cache/``), copies its instance folder into a
   temporary directory, runs ``flask init-db`` there (migrations) and times ``flask
   reindex`` and, right after it, the plain Whoosh + jieba baseline build;
2. starts, each with gunicorn.conf.py's settings and 2 workers (``bench/servers.py``),
   the bare Flask app serving a fixed 20 KB page (``bench/bare_app.py``), blogapp with
   its page cache off, then blogapp with it on, and the plain Whoosh + jieba search API
   (``bench/baseline_app.py``);
3. runs wrk on loopback against the bare page (at the start and again at the end), an
   article page and ``/author/<name>`` (after a short warm-up run on each URL), and
   reports requests/s and the ratio to the bare page;
4. measures ``/api/search`` p50/p99 over HTTP for ours and the baseline (interleaved),
   the RSS of every gunicorn worker, and the time from publishing a post through the
   web editor until ``/api/search`` finds it;
5. profiles both pages (cache off) in a fresh process (``bench/page_profile.py``), so a
   missed throughput goal comes with where the time went.

It prints a table (figure, ours, baseline, ratio, goal, met) with machine facts and
writes ``bench/results/page-<timestamp>.json`` and ``.md`` (and ``page-latest.md``).

Usage: ``.venv/bin/python bench/page_bench.py [--docs 10000] [--seed 42] [--queries 200]
[--duration 10] [--connections 16] [--fresh] [--reuse-stale] [--skip-reindex]``.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench import corpus, dataset, http_checks, page_report, servers, wrk  # noqa: E402
from bench.search_bench import latency_summary, machine_facts  # noqa: E402

WARMUP_QUERIES = 20
WARMUP_SECONDS = 2
# The page cache switch (blogapp/caching/). "On" keeps the default store, as ``make
# serve`` runs it: FileSystemCache in instance/cache, shared by the workers (RedisCache
# when REDIS_URL is set); --cache-config adds settings, e.g. '{"CACHE_TYPE": "SimpleCache"}'.
CACHE_OFF = {"PAGE_CACHE": False}
CACHE_ON = {"PAGE_CACHE": True}
CACHE_MODULE = ROOT / "blogapp" / "caching" / "__init__.py"


class BenchError(RuntimeError):
    """The run cannot go on; the message says why."""


def log(message):
    print(f"[page-bench] {message}", file=sys.stderr, flush=True)


class Phases:
    """Wall time and the 1-minute load average after each phase."""

    def __init__(self):
        self.seconds, self.load = {}, {}

    def run(self, name, func, *args, **kwargs):
        log(f"{name} ...")
        started = time.perf_counter()
        result = func(*args, **kwargs)
        self.seconds[name] = time.perf_counter() - started
        self.load[name] = round(os.getloadavg()[0], 2)
        log(f"{name}: {self.seconds[name]:.1f} s (load {self.load[name]})")
        return result


def get_dataset(args):
    """Build or reuse the cached dataset in a subprocess (this process stays small)."""
    cmd = [sys.executable, str(ROOT / "bench" / "dataset.py"), "--docs", str(args.docs),
           "--seed", str(args.seed)]
    cmd += ["--fresh"] * args.fresh + ["--reuse-stale"] * args.reuse_stale
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise BenchError(f"preparing the dataset failed (exit {done.returncode}; see above)")
    folder = Path(done.stdout.strip().splitlines()[-1])
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    meta["stale"] = dataset.source_key()[0] != meta["key"]
    return folder, meta


def reindex(instance, skip):
    """``flask reindex`` (or ``--if-needed``) on the copy; wall and service-reported time."""
    args = ["reindex", "--if-needed"] if skip else ["reindex"]
    wall, out = dataset.run_flask(instance, *args, quiet=True)
    match = re.search(r"Indexed (\d+) posts in ([\d.]+) s", out)
    if skip and not match:
        seconds = None  # nothing was rebuilt: no figure
    else:  # the service's own time; the command's wall time if its wording changed
        seconds = float(match.group(2)) if match else wall
    return {"command": "flask " + " ".join(args), "wall_s": wall, "output": out.strip(),
            "documents": int(match.group(1)) if match else None, "seconds": seconds}


def time_baseline_build(instance, workdir):
    """search_bench's plain Whoosh + jieba build, from the copy's posts, in a subprocess."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dataset.py"), "--baseline-build", str(instance),
         str(workdir / "baseline-index")],
        cwd=ROOT, env=dataset.flask_env(instance), capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"timing the baseline build failed: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_page(url, min_bytes=1000):
    """The page answers 200 with a real body (a fast error page is no throughput)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raise BenchError(f"{url} answered {exc.code} before the load test") from None
    if status != 200 or len(body) < min_bytes:
        raise BenchError(f"{url} answered {status} with {len(body)} bytes")
    return len(body)


def load_test(server, path, args):
    """A short warm-up run (all workers, all threads), then the measured wrk run.

    The servers' CPU time per request during the measured run is kept too: it tells a
    slow page (CPU spent in the app) from a busy machine (CPU not available).
    """
    url = server.base_url + path
    wrk.run(url, args.wrk_threads, args.connections, WARMUP_SECONDS)
    before = server.cpu_by_process()
    result = wrk.run(url, args.wrk_threads, args.connections, args.duration)
    after = server.cpu_by_process()
    spent = {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}
    cpu = sum(spent.values())
    result["server_cpu_ms_per_request"] = cpu * 1000 / result["requests"] if result["requests"] else None
    # gthread workers share one listening socket: wrk's keep-alive connections may all land
    # on one worker, which then works alone on one core (a slow page shows it most).
    result["server_cores_used"] = cpu / result["seconds"] if result["seconds"] else None
    result["busiest_worker_share"] = max(spent.values()) / cpu if cpu else None
    log(f"  {url}: {result['requests_per_s']:.0f} req/s, "
        f"p99 {result['latency_us']['p99'] / 1000:.1f} ms, "
        f"server CPU {result['server_cpu_ms_per_request']:.2f} ms/request, "
        f"{result['server_cores_used']:.2f} cores, "
        f"busiest process {result['busiest_worker_share']:.0%}")
    return result


def blogapp_env(instance, config):
    env = dataset.flask_env(instance)
    env.update({f"BLOGAPP_{k}": json.dumps(v) for k, v in config.items()})
    return env


def measure_pages(server, paths, args):
    """Check, then load-test each of ``paths`` on ``server``."""
    pages = {}
    for label, path in paths.items():
        size = check_page(server.base_url + path)
        pages[label] = {"path": path, "page_bytes": size, **load_test(server, path, args)}
    return pages


def serve_pages(name, instance, config, paths, args, logs):
    """Start blogapp with ``config``, load-test each path, return figures and RSS."""
    with servers.Server(name, "wsgi:app", blogapp_env(instance, config), logs) as server:
        server.start()
        return measure_pages(server, paths, args), server.worker_rss_mib()


def profile_pages(instance, paths, args, stamp):
    """cProfile of each page, cache off, in a fresh process (bench/page_profile.py)."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    profiles = {}
    for label, path in paths.items():
        prof = out / f"page-{stamp}-{label}.prof"
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "page_profile.py"), "--instance", str(instance),
             "--path", path, "--requests", "200", "--top", "20", "--out", str(prof), "--json"],
            cwd=ROOT, env=blogapp_env(instance, CACHE_OFF), capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"profiling {path} failed: {done.stderr.strip()[-300:]}")
        profiles[label] = {"file": str(prof), **json.loads(done.stdout.strip().splitlines()[-1])}
    return profiles


def serve_uncached(instance, baseline_index, paths, warmup, queries, meta, args, logs):
    """blogapp with the page cache off: pages, search vs the baseline server, RSS, saves."""
    with servers.Server("ours-nocache", "wsgi:app", blogapp_env(instance, CACHE_OFF),
                        logs) as ours:
        ours.start()
        pages = measure_pages(ours, paths, args)
        env = {**dataset.flask_env(instance), "BENCH_BASELINE_INDEX": str(baseline_index)}
        with servers.Server("baseline-search", "bench.baseline_app:app", env, logs) as base:
            base.start()
            log(f"  /api/search: {len(warmup)} warm-up + {len(queries)} queries, "
                "interleaved with the baseline")
            sides = {"ours": ours, "baseline": base}
            cpu_before = {side: server.cpu_seconds() for side, server in sides.items()}
            seconds, hits = http_checks.search_latency(ours.base_url, base.base_url,
                                                       warmup, queries)
            search = {side: {**latency_summary(seconds[side]), "with_hits": hits[side],
                             "server_cpu_ms_per_query": (server.cpu_seconds() - cpu_before[side])
                             * 1000 / (len(warmup) + len(queries))}
                      for side, server in sides.items()}
            rss = {"baseline": base.worker_rss_mib()}
        rss["ours"] = ours.worker_rss_mib()  # after pages and search, before the saves
        log(f"  save → searchable: {args.saves} posts published through the editor")
        saves = http_checks.save_to_searchable(ours.base_url, meta["user"], meta["password"],
                                               args.seed, args.saves)
    return {"pages": pages, "search": search, "rss": rss, "saves": saves}


def run(args, workdir):
    phases = Phases()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    logs = workdir / "logs"
    logs.mkdir()
    cache_on = {**CACHE_ON, **args.cache_config}
    folder, meta = phases.run("dataset", get_dataset, args)
    instance = workdir / "instance"
    # Not the page cache's files, nor (when reindexing anyway) the search index: at 100k
    # posts the index is gigabytes that flask reindex would replace at once.
    skipped = {"cache"} if args.skip_reindex else {"cache", "index"}
    phases.run("copy instance", shutil.copytree, folder / "instance", instance, symlinks=True,
               ignore=lambda path, names: skipped & set(names) if Path(path) == folder / "instance"
               else set())
    # A dataset cached before a schema migration was added is brought up to date the way
    # an operator's database is (init-db applies the migrations).
    phases.run("flask init-db", dataset.run_flask, instance, "init-db", quiet=True)
    reindexed = phases.run("flask reindex", reindex, instance, args.skip_reindex)
    # The baseline build cached with the dataset may have run niced, or on a busy machine:
    # the reindex goal compares with one timed here, right after ours.
    baseline_build = (None if args.skip_reindex else
                      phases.run("baseline index build", time_baseline_build, instance, workdir))
    paths = {"article": f"/posts/{meta['article_slug']}",
             "author": f"/author/{meta['article_author']}"}
    queries = corpus.sample_queries(args.seed, args.queries)
    warmup = [q for q in corpus.sample_queries(args.seed + 1, WARMUP_QUERIES * 3)
              if q not in queries][:WARMUP_QUERIES]

    bare = servers.Server("bare", "bench.bare_app:app", dataset.flask_env(instance), logs)
    try:
        bare.start()
        bare_first = phases.run("wrk: bare page (start)", load_test, bare, "/", args)

        off = phases.run("blogapp, page cache off: pages, search, saves", serve_uncached,
                         instance, folder / "baseline-index", paths, warmup, queries, meta,
                         args, logs)
        pages_on, rss_on = phases.run("blogapp, page cache on (warmed): pages", serve_pages,
                                      "ours-cache", instance, cache_on, paths, args, logs)
        bare_last = phases.run("wrk: bare page (end)", load_test, bare, "/", args)
    finally:
        bare.stop()
    profiles = (None if args.no_profile else
                phases.run("profile pages (cache off)", profile_pages, instance, paths, args, stamp))

    machine = machine_facts()
    machine["load_average_at_start"] = load_at_start
    data = {
        "timestamp": stamp,
        "params": {"docs": args.docs, "seed": args.seed, "queries": len(queries),
                   "warmup_queries": len(warmup), "duration_s": args.duration,
                   "connections": args.connections, "wrk_threads": args.wrk_threads,
                   "warmup_s": WARMUP_SECONDS, "saves": args.saves},
        "machine": machine,
        "gunicorn": servers.gunicorn_settings(),
        "wrk": wrk.version(),
        "dataset": {k: v for k, v in meta.items() if k not in ("key_sources", "password")},
        "cache": {"off": CACHE_OFF, "on": cache_on, "implemented": CACHE_MODULE.exists()},
        "reindex": reindexed,
        "baseline_build": baseline_build,
        "bare": {"start": bare_first, "end": bare_last},
        "ours": {"nocache": off["pages"], "cache": pages_on, "search": off["search"]["ours"],
                 "rss_nocache": off["rss"]["ours"], "rss_cache": rss_on,
                 "save_to_searchable": off["saves"]},
        "baseline": {"search": off["search"]["baseline"], "rss": off["rss"]["baseline"]},
        "profiles": profiles,
        "phases_s": phases.seconds,
        "phases_load1": phases.load,
    }
    page_report.report(data, args.out)
    return data


def _json_object(text):
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"CACHE_TYPE\": \"SimpleCache\"}'")
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=42, help="corpus and query seed (default 42)")
    parser.add_argument("--queries", type=int, default=200,
                        help="measured /api/search queries (default 200)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--saves", type=int, default=3,
                        help="posts published for save → searchable (default 3)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"),
                        help="where reports go (default bench/results)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached dataset")
    parser.add_argument("--reuse-stale", action="store_true",
                        help="use a cached dataset built by other importer/model code")
    parser.add_argument("--skip-reindex", action="store_true",
                        help="only 'flask reindex --if-needed': no reindex time, no "
                             "baseline build")
    parser.add_argument("--cache-config", type=_json_object, default={},
                        help="extra settings for the page-cache-on run, as a JSON object")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip profiling the pages (cProfile, cache off) after the load tests")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (instance copy, gunicorn logs)")
    args = parser.parse_args(argv)
    for name in ("docs", "queries", "duration", "connections", "wrk_threads", "saves"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.docs < 2:
        parser.error("--docs must be at least 2")
    if args.connections < args.wrk_threads:
        parser.error("--connections must be at least --wrk-threads")
    return args


def main(argv=None):
    args = parse_args(argv)
    servers.stop_on_exit()
    try:
        wrk.wrk_path()
    except wrk.WrkError as exc:
        print(f"page-bench: {exc}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="blogapp-pagebench-"))
    try:
        run(args, workdir)
    except (BenchError, dataset.DatasetError, servers.ServerError, wrk.WrkError,
            http_checks.CheckError) as exc:
        print(f"page-bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("page-bench: interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        servers.stop_all()
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
