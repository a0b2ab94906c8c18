"""Search benchmark: blogapp's bilingual search ("ours") against plain Whoosh + jieba.

One run generates a synthetic corpus (``bench/corpus.py``), imports it the way users do
(``flask import-posts``' code path, which also updates the search index post by post),
then measures on the same posts:

- ours: ``flask reindex`` (``SearchService.rebuild``), query latency p50/p99 with
  snippets, time from a post save until search finds it, and the RSS of a fresh process
  that opens the index and runs the queries;
- baseline: a plain Whoosh index (``jieba.analyse.ChineseAnalyzer``, title/body
  ``TEXT(stored=True)``) built from the same title + Markdown body, its p50/p99 with
  ``hit.highlights("body")`` for each of 10 hits, and its fresh-process RSS.

It prints a table (figure, ours, baseline, ratio, goal, met) and machine facts, and
writes them to ``bench/results/search-<timestamp>.json`` and ``.md`` (and
``search-latest.md``). See ``bench/README.md``.

With ``--sync-on`` it runs as production does: the outbox follower (``SEARCH_SYNC``)
runs in the benchmark process and in the fresh query process, queries start right after
the import and the reindex (the baseline is built before ours), and the report says how
many outbox changes the follower applied after the reindex (a rebuild claims what it
read, so the goal is none).

Usage: ``.venv/bin/python bench/search_bench.py [--docs 10000] [--queries 200]
[--seed 42] [--out bench/results] [--keep] [--profile-rebuild] [--sync-on]``.
"""

import argparse
import hashlib
import json
import logging
import math
import os
import platform
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

APP_CONFIG = {"SEARCH_AUTO_REBUILD": False, "SECRET_KEY": "bench"}
PER_PAGE = 10
WARMUP_QUERIES = 20
SAVE_TRIALS = 5
SAVE_TIMEOUT = 30.0
RSS_GOAL_MIB = 150.0
# How long to wait, after the queries, for the follower's first pass when they were quicker.
FOLLOWER_WAIT = 30.0

log = logging.getLogger("bench")


# -- small helpers ------------------------------------------------------------------------
def rss_current_mib():
    """VmRSS of this process (``/proc/self/status``), in MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_peak_mib():
    """``ru_maxrss`` of this process (KiB on Linux), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_hwm_mib():
    """VmHWM (peak RSS of this address space only, i.e. since exec), in MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values, pct):
    """Nearest-rank percentile (p99 of 200 values is the 198th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds):
    return {
        "count": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "mean_ms": statistics.fmean(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
    }


def source_hashes():
    """``{path: sha256}`` of the application's Python source (blogapp/ and plugins/)."""
    return {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in ("blogapp", "plugins") for path in sorted((ROOT / folder).rglob("*.py"))
    }


def code_fingerprint(hashes=None):
    """One short hash for all of :func:`source_hashes`."""
    hashes = source_hashes() if hashes is None else hashes
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:12]


def changed_files(before, after):
    return sorted(path for path in before.keys() | after.keys()
                  if before.get(path) != after.get(path))


def dir_size_mib(path):
    total = sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())
    return total / (1024 * 1024)


class Phases:
    """Wall-clock time of each phase of the run, in order."""

    def __init__(self):
        self.seconds = {}
        self.load = {}  # 1-minute load average at the end of each phase

    def run(self, name, func, *args, **kwargs):
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = func(*args, **kwargs)
        self.seconds[name] = time.perf_counter() - started
        self.load[name] = round(os.getloadavg()[0], 2)
        print(f"[bench] {name}: {self.seconds[name]:.2f} s (load {self.load[name]})",
              file=sys.stderr, flush=True)
        return result


# -- ours ---------------------------------------------------------------------------------
def make_app(instance_path, sync_on=False):
    from blogapp import create_app

    return create_app({**APP_CONFIG, "SEARCH_SYNC": sync_on}, instance_path=instance_path)


def start_follower(app):
    """Start the outbox follower thread, as a web worker's first request does."""
    follower = app.extensions["search_follower"]
    follower.start()
    return follower


def follower_report(follower):
    """The follower's passes and applied changes so far, after at least one pass.

    A pass runs every ``SEARCH_SYNC_INTERVAL`` (1 s): queries quicker than that would
    otherwise end before the follower has looked at the outbox at all.
    """
    during = {"passes_during_queries": follower.passes,
              "applied_during_queries": follower.applied}
    deadline = time.monotonic() + FOLLOWER_WAIT
    while follower.passes == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    return {**during, "passes": follower.passes, "applied": follower.applied,
            "interval_s": follower.interval}


def ours_queries(service, queries):
    """Latency of each query (``service.search`` builds a snippet for every hit)."""
    seconds, with_hits = [], 0
    for text in queries:
        started = time.perf_counter()
        results = service.search(text, page=1, per_page=PER_PAGE)
        seconds.append(time.perf_counter() - started)
        with_hits += bool(results.hits)
        assert all("snippet" in hit for hit in results.hits)
    return seconds, with_hits


# The service methods through which the search index does work during an import, whether
# per commit (apply) or batched at the end (catch_up, rebuild); document = analysis.
INDEX_METHODS = ("apply", "catch_up", "rebuild", "document")


def import_corpus(app, corpus_dir):
    """Import through ``flask import-posts``' code path; time the index work inside it.

    The search sync hooks run on every import commit (or once at the end of a batched
    import). The service's index methods are wrapped on the instance for the duration
    of the import only: ``index_s`` is the time spent inside any of them (outermost
    calls), ``<method>_s`` the time inside each (nested calls included).
    """
    from blogapp.cli.content import import_directory

    service = app.extensions["search"]
    stats = {"index_s": 0.0, **{f"{name}_s": 0.0 for name in INDEX_METHODS},
             **{f"{name}_calls": 0 for name in INDEX_METHODS}}
    depth = [0]

    def timed(name, func):
        def wrapper(*args, **kwargs):
            depth[0] += 1
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                depth[0] -= 1
                stats[f"{name}_s"] += spent
                stats[f"{name}_calls"] += 1
                if depth[0] == 0:
                    stats["index_s"] += spent
        return wrapper

    wrapped = [name for name in INDEX_METHODS if hasattr(service, name)]
    for name in wrapped:
        setattr(service, name, timed(name, getattr(service, name)))
    started = time.perf_counter()
    try:
        with app.app_context():
            counts = import_directory(corpus_dir)
    finally:
        for name in wrapped:
            delattr(service, name)
    stats["total_s"] = time.perf_counter() - started
    stats["counts"] = counts
    return stats


def cpu_seconds():
    """CPU time (user + system) of this process and of its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def reindex(app):
    from blogapp.extensions import db

    service = app.extensions["search"]
    with app.app_context():
        cpu = cpu_seconds()
        started = time.perf_counter()
        count, seconds = service.rebuild(db.session, progress=None)
        wall = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
    return {"documents": count, "seconds": wall, "reported_seconds": seconds,
            "cpu_seconds": cpu, "index_mib": dir_size_mib(service.store.current_path())}


def profile_rebuild(app, out_dir, stamp, top=15):
    """A second, profiled rebuild; the top cumulative entries under blogapp/."""
    import cProfile
    import io
    import pstats

    from blogapp.extensions import db

    service = app.extensions["search"]
    profiler = cProfile.Profile()
    with app.app_context():
        profiler.enable()
        service.rebuild(db.session)
        profiler.disable()
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    path = Path(out_dir) / f"rebuild-{stamp}.prof"
    profiler.dump_stats(path)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats("blogapp/", top)
    return path, stream.getvalue()


def segment_count(service):
    reader = service.live_index().searcher().reader()
    return len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1


def save_to_searchable(app, seed, trials=SAVE_TRIALS):
    """Seconds from changing a post's body (new unique word) and committing until found."""
    from blogapp.extensions import db
    from blogapp.models import Post

    rng = random.Random(f"blogapp-bench-save:{seed}")
    service = app.extensions["search"]
    results = []
    with app.app_context():
        ids = db.session.scalars(db.select(Post.id).order_by(Post.id)).all()
        for post_id in rng.sample(ids, min(trials, len(ids))):
            word = "zqx" + "".join(rng.choice(string.ascii_lowercase) for _ in range(9))
            if service.search(word).total:
                raise RuntimeError(f"the unique word {word!r} is already indexed")
            post = db.session.get(Post, post_id)
            started = time.perf_counter()
            post.body = post.body + f"\n补充：本段由基准测试写入，标记词 {word}。\n"
            db.session.commit()
            committed = time.perf_counter() - started
            polls = 0
            while True:
                polls += 1
                hits = service.search(word, per_page=PER_PAGE).hits
                if any(hit["id"] == post_id for hit in hits):
                    break
                if time.perf_counter() - started > SAVE_TIMEOUT:
                    raise RuntimeError(f"post {post_id} not found by {word!r} after {SAVE_TIMEOUT} s")
                time.sleep(0.002)
            results.append({"post_id": post_id, "word": word, "commit_s": committed,
                            "searchable_s": time.perf_counter() - started, "polls": polls})
    return results


def read_post_texts(app):
    """(title, Markdown body) of every indexed post, for the baseline."""
    from blogapp.extensions import db
    from blogapp.models import Post
    from blogapp.search.documents import INDEXED_STATUSES

    with app.app_context():
        rows = db.session.execute(
            db.select(Post.title, Post.body)
            .where(Post.status.in_(INDEXED_STATUSES), Post.published_at.is_not(None))
            .order_by(Post.id)
        ).all()
    return [(title, body) for title, body in rows]


# -- baseline: plain Whoosh + jieba -------------------------------------------------------
def baseline_modules():
    """Import whoosh (Whoosh-Reloaded) and jieba with warnings shown, never raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes and unclosed files
        import jieba
        from jieba.analyse import ChineseAnalyzer
        from whoosh import index as whoosh_index
        from whoosh.fields import TEXT, Schema
        from whoosh.qparser import MultifieldParser, OrGroup
    jieba.setLogLevel(logging.WARNING)
    return jieba, ChineseAnalyzer, whoosh_index, TEXT, Schema, MultifieldParser, OrGroup


def baseline_build(index_dir, texts):
    jieba, ChineseAnalyzer, whoosh_index, TEXT, Schema, _, _ = baseline_modules()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jieba.initialize()  # load the dictionary outside the timing (ours is warm too)
        schema = Schema(title=TEXT(stored=True, analyzer=ChineseAnalyzer()),
                        body=TEXT(stored=True, analyzer=ChineseAnalyzer()))
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        cpu = cpu_seconds()
        started = time.perf_counter()
        ix = whoosh_index.create_in(str(index_dir), schema)
        writer = ix.writer()  # one process
        for title, body in texts:
            writer.add_document(title=title, body=body)
        writer.commit()
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
        ix.close()
    return {"documents": len(texts), "seconds": seconds, "cpu_seconds": cpu,
            "index_mib": dir_size_mib(index_dir)}


class BaselineSearcher:
    def __init__(self, index_dir):
        _, _, whoosh_index, _, _, MultifieldParser, OrGroup = baseline_modules()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.ix = whoosh_index.open_dir(str(index_dir))
        self.parser = MultifieldParser(["title", "body"], self.ix.schema,
                                       group=OrGroup.factory(0.9))
        self.searcher = self.ix.searcher()  # one searcher, reused across queries

    def queries(self, queries):
        seconds, with_hits = [], 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for text in queries:
                started = time.perf_counter()
                results = self.searcher.search(self.parser.parse(text), limit=PER_PAGE)
                snippets = [hit.highlights("body") for hit in results]
                seconds.append(time.perf_counter() - started)
                with_hits += bool(snippets)
        return seconds, with_hits

    def close(self):
        self.searcher.close()
        self.ix.close()


def interleaved_queries(service, base_searcher, warmup, queries):
    """Warm both up, then time each query on both sides, alternating which goes first."""
    ours_queries(service, warmup)
    base_searcher.queries(warmup)
    ours_s, base_s, ours_hits, base_hits = [], [], 0, 0
    for i, text in enumerate(queries):
        order = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
        for side in order:
            if side == "ours":
                seconds, hits = ours_queries(service, [text])
                ours_s += seconds
                ours_hits += hits
            else:
                seconds, hits = base_searcher.queries([text])
                base_s += seconds
                base_hits += hits
    return ({**latency_summary(ours_s), "with_hits": ours_hits},
            {**latency_summary(base_s), "with_hits": base_hits})


# -- fresh-process workers (RSS) ----------------------------------------------------------
def worker(args):
    """Open the existing index, run warm-up + queries, print RSS and latency as JSON."""
    start_rss = rss_current_mib()
    fingerprint = code_fingerprint()
    spec = json.loads(Path(args.query_file).read_text(encoding="utf-8"))
    sync = None
    if args.worker == "ours":
        app = make_app(args.instance, sync_on=args.sync_on)
        service = app.extensions["search"]
        follower = start_follower(app) if args.sync_on else None
        with app.app_context():
            ours_queries(service, spec["warmup"])
            seconds, with_hits = ours_queries(service, spec["queries"])
        if follower is not None:
            sync = follower_report(follower)
            follower.stop()
    else:
        searcher = BaselineSearcher(args.index)
        searcher.queries(spec["warmup"])
        seconds, with_hits = searcher.queries(spec["queries"])
    report = {"rss_peak_mib": rss_peak_mib(), "rss_current_mib": rss_current_mib(),
              "rss_hwm_mib": rss_hwm_mib(), "rss_at_start_mib": start_rss,
              "code_fingerprint": fingerprint, "sync": sync,
              "with_hits": with_hits, **latency_summary(seconds)}
    print(json.dumps(report))
    return 0


# Linux carries ru_maxrss across exec (and a forked child starts with its parent's RSS),
# so a worker started by this big process would report *our* peak as its own. Workers are
# therefore started by a small launcher process that is spawned before anything is loaded.
_LAUNCHER = """
import json, subprocess, sys
for line in sys.stdin:
    done = subprocess.run(json.loads(line), capture_output=True, text=True)
    print(json.dumps([done.returncode, done.stdout, done.stderr]), flush=True)
"""


class Launcher:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)

    def run(self, cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_worker(launcher, kind, query_file, flags=(), **paths):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind,
           "--query-file", str(query_file), *flags]
    for name, value in paths.items():
        cmd += [f"--{name}", str(value)]
    returncode, stdout, stderr = launcher.run(cmd)
    if returncode != 0:
        raise RuntimeError(f"{kind} worker failed ({returncode}):\n{stderr}")
    return json.loads(stdout.strip().splitlines()[-1])


# -- report -------------------------------------------------------------------------------
def machine_facts():
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in ("Whoosh-Reloaded", "rjieba", "jieba", "SQLAlchemy", "Flask"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = None
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


def figure_rows(data):
    ours, base = data["ours"], data["baseline"]
    save_worst = max(trial["searchable_s"] for trial in ours["save_to_searchable"])

    def row(name, unit, ours_value, base_value, goal, met):
        ratio = ours_value / base_value if base_value and ours_value is not None else None
        return {"figure": name, "unit": unit, "ours": ours_value, "baseline": base_value,
                "ratio": ratio, "goal": goal, "met": met}

    reindex_ratio = ours["reindex"]["seconds"] / base["build"]["seconds"]
    p50_ratio = ours["latency"]["p50_ms"] / base["latency"]["p50_ms"]
    p99_ratio = ours["latency"]["p99_ms"] / base["latency"]["p99_ms"]
    return [
        row("reindex / index build", "s", ours["reindex"]["seconds"], base["build"]["seconds"],
            "≤ 0.5× baseline", reindex_ratio <= 0.5),
        *([row("outbox changes the follower applied after the reindex", "",
               ours["sync"]["applied"], None, "0", ours["sync"]["applied"] == 0)]
          if ours.get("sync") else []),
        row("query p50 (with snippets)", "ms", ours["latency"]["p50_ms"],
            base["latency"]["p50_ms"], "≤ 1/3 baseline", p50_ratio <= 1 / 3),
        row("query p99 (with snippets)", "ms", ours["latency"]["p99_ms"],
            base["latency"]["p99_ms"], "≤ 1/3 baseline", p99_ratio <= 1 / 3),
        row("RSS peak, query process (ru_maxrss)", "MiB", ours["rss"]["rss_peak_mib"],
            base["rss"]["rss_peak_mib"], f"≤ {RSS_GOAL_MIB:.0f} MiB",
            ours["rss"]["rss_peak_mib"] <= RSS_GOAL_MIB),
        row("RSS current, query process (VmRSS)", "MiB", ours["rss"]["rss_current_mib"],
            base["rss"]["rss_current_mib"], f"≤ {RSS_GOAL_MIB:.0f} MiB",
            ours["rss"]["rss_current_mib"] <= RSS_GOAL_MIB),
        # Builds are not interleaved: under a varying load their wall times are not
        # comparable, CPU time (all processes) still is. Information only.
        row("reindex / index build, CPU time of all processes", "s",
            ours["reindex"].get("cpu_seconds"), base["build"].get("cpu_seconds"), "—", None),
        row(f"save → searchable (worst of {len(ours['save_to_searchable'])})", "s", save_worst,
            None, "≤ 1 s", save_worst <= 1.0),
        row(f"query p50 after the saves ({ours['latency_after_saves']['segments']} segments)",
            "ms", ours["latency_after_saves"]["p50_ms"], base["latency"]["p50_ms"], "—", None),
        row(f"query p99 after the saves ({ours['latency_after_saves']['segments']} segments)",
            "ms", ours["latency_after_saves"]["p99_ms"], base["latency"]["p99_ms"], "—", None),
        row("import (import-posts, incl. search index)", "s", ours["import"]["total_s"], None,
            "—", None),
        row("  of which search index (apply/catch_up/rebuild)", "s", ours["import"]["index_s"],
            None, "—", None),
        row("  of which analysis (service.document)", "s", ours["import"]["document_s"], None,
            "—", None),
    ]


def _fmt(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "ms":
        return f"{value:.2f}"
    if unit == "MiB":
        return f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def table_cells(rows):
    header = ["figure", "ours", "baseline", "ratio (ours/baseline)", "goal", "met"]
    body = []
    for r in rows:
        unit = f" ({r['unit']})" if r["unit"] else ""
        body.append([
            r["figure"] + unit, _fmt(r["ours"], r["unit"]), _fmt(r["baseline"], r["unit"]),
            "—" if r["ratio"] is None else f"{r['ratio']:.2f}×", r["goal"],
            "—" if r["met"] is None else _fmt(r["met"]),
        ])
    return header, body


def text_table(rows):
    header, body = table_cells(rows)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, body)])


def markdown_table(rows):
    header, body = table_cells(rows)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


def facts_lines(data):
    m, p, o, b = data["machine"], data["params"], data["ours"], data["baseline"]
    fp = data["code_fingerprints"]
    code = (f"code (blogapp/, plugins/): {fp['start']}" if not data["code_changed_during_run"]
            else "WARNING: the application's source changed during the run ("
            + ", ".join(f"{k} {v}" for k, v in fp.items()) + "; files: "
            + (", ".join(data["code_files_changed_during_run"]) or "changed back") + ")")
    imp = o["import"]
    busiest = max(data["phases_load1"].items(), key=lambda item: item[1])
    busy = []
    if busiest[1] > m["usable_cores"]:
        busy = [f"WARNING: 1-minute load average reached {busiest[1]} (after '{busiest[0]}') on "
                f"{m['usable_cores']} usable cores: other processes competed for the CPU, "
                "timings are noisy (latency is interleaved, builds are not)"]
    return [
        code,
        *busy,
        f"machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{m['ram_gib']} GiB RAM, Python {m['python']} ({m['platform']}); load average "
        f"{'/'.join(map(str, m['load_average_at_start']))} at start, "
        f"{'/'.join(map(str, m['load_average']))} at end",
        "packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        f"corpus: {p['docs']} docs, {p['corpus_mib']:.1f} MiB Markdown, seed {p['seed']}; "
        f"{p['queries']} queries after {p['warmup_queries']} warm-up queries, per_page {PER_PAGE}",
        f"queries with hits: ours {o['latency']['with_hits']}/{p['queries']}, "
        f"baseline {b['latency']['with_hits']}/{p['queries']}",
        f"index on disk: ours {o['reindex']['index_mib']:.1f} MiB, "
        f"baseline {b['build']['index_mib']:.1f} MiB",
        f"fresh query process: ours p50 {o['rss']['p50_ms']:.2f} ms / p99 {o['rss']['p99_ms']:.2f} ms, "
        f"baseline p50 {b['rss']['p50_ms']:.2f} ms / p99 {b['rss']['p99_ms']:.2f} ms; "
        f"VmHWM ours {o['rss']['rss_hwm_mib']:.1f} MiB, baseline {b['rss']['rss_hwm_mib']:.1f} MiB; "
        f"interpreter at start {o['rss']['rss_at_start_mib']:.1f} MiB",
        "index work during import (s, calls): " + ", ".join(
            f"{name} {imp[name + '_s']:.2f} ({imp[name + '_calls']})" for name in INDEX_METHODS),
        "save → searchable trials (s): "
        + ", ".join(f"{t['searchable_s']:.3f} (commit {t['commit_s']:.3f})"
                    for t in o["save_to_searchable"]),
        *([sync_line(o)] if o.get("sync") else []),
    ]


def sync_line(ours):
    sync, worker = ours["sync"], ours["rss"]["sync"] or {}
    return (f"search-sync on (follower every {sync['interval_s']:g} s, started right after the "
            f"reindex): {sync['applied']} outbox changes applied in {sync['passes']} passes "
            f"({sync['applied_during_queries']} in {sync['passes_during_queries']} passes during "
            f"the queries); fresh query process: {worker.get('applied')} in "
            f"{worker.get('passes')} passes")


def write_reports(data, rows, out_dir, stamp):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"search-{stamp}.json"
    json_path.write_text(json.dumps({**data, "figures": rows}, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    phases = "\n".join(f"| {name} | {secs:.2f} | {data['phases_load1'].get(name, '')} |"
                       for name, secs in data["phases_s"].items())
    md = "\n".join([
        f"# Search benchmark {stamp}",
        "",
        f"`bench/search_bench.py --docs {data['params']['docs']} --queries "
        f"{data['params']['queries']} --seed {data['params']['seed']}"
        f"{' --sync-on' if data['params'].get('sync_on') else ''}`",
        "",
        markdown_table(rows),
        "",
        *(f"- {line}" for line in facts_lines(data)),
        "",
        "| phase | seconds | load average after |",
        "|---|---|---|",
        phases,
        "",
    ])
    md_path = out_dir / f"search-{stamp}.md"
    md_path.write_text(md, encoding="utf-8")
    (out_dir / "search-latest.md").write_text(md, encoding="utf-8")
    return json_path, md_path


# -- main ---------------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument("--queries", type=int, default=200, help="measured queries (default 200)")
    parser.add_argument("--seed", type=int, default=42, help="corpus and query seed (default 42)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"),
                        help="where reports go (default bench/results)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--profile-rebuild", action="store_true",
                        help="after the timed reindex, profile one more and print the top "
                             "15 cumulative entries under blogapp/ (.prof into --out)")
    parser.add_argument("--sync-on", action="store_true",
                        help="as in production: the outbox follower (SEARCH_SYNC) runs, "
                             "queries start right after import + reindex, and the report "
                             "counts the outbox changes it applied after the reindex")
    # Internal: the fresh-process RSS workers.
    parser.add_argument("--worker", choices=("ours", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--query-file", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(args, workdir, launcher, started):
    phases = Phases()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    hashes_at_start = source_hashes()
    fingerprint = code_fingerprint(hashes_at_start)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    corpus_dir, instance = workdir / "corpus", workdir / "instance"
    baseline_dir = workdir / "baseline-index"

    queries = corpus.sample_queries(args.seed, args.queries)
    warmup = [q for q in corpus.sample_queries(args.seed + 1, WARMUP_QUERIES * 3)
              if q not in queries][:WARMUP_QUERIES]
    query_file = workdir / "queries.json"
    query_file.write_text(json.dumps({"queries": queries, "warmup": warmup}, ensure_ascii=False),
                          encoding="utf-8")

    _, corpus_bytes = phases.run("generate corpus", corpus.write_corpus, corpus_dir, args.docs,
                                 args.seed)

    app = make_app(instance, sync_on=args.sync_on)
    from blogapp.database import create_schema

    with app.app_context():
        create_schema()
    service = app.extensions["search"]

    imported = phases.run("import (import-posts path)", import_corpus, app, corpus_dir)
    counts = imported["counts"]
    if counts["failed"] or counts["created"] != args.docs:
        raise RuntimeError(f"import did not create every post: {counts}")

    def build_baseline():
        texts = phases.run("baseline: read post texts", read_post_texts, app)
        return phases.run("baseline: index build", baseline_build, baseline_dir, texts)

    if args.sync_on:  # our queries start right after our reindex: the baseline goes first
        built = build_baseline()
    rebuilt = phases.run("ours: reindex", reindex, app)
    if rebuilt["documents"] != args.docs:
        raise RuntimeError(f"reindex indexed {rebuilt['documents']} of {args.docs} posts")
    profile = None
    if args.profile_rebuild:
        prof_path, top = phases.run("ours: profiled reindex", profile_rebuild, app, args.out, stamp)
        profile = {"file": str(prof_path), "top_cumulative_blogapp": top}

    follower = start_follower(app) if args.sync_on else None
    if not args.sync_on:
        # The baseline is built right after our reindex, and the two query loops are
        # interleaved, so that a change in machine load affects both sides alike.
        built = build_baseline()

    def interleaved_latency():
        searcher = BaselineSearcher(baseline_dir)
        try:
            with app.app_context():
                return interleaved_queries(service, searcher, warmup, queries)
        finally:
            searcher.close()

    ours_lat, base_lat = phases.run("ours + baseline: queries (interleaved)", interleaved_latency)
    sync = follower_report(follower) if follower is not None else None
    ours_rss = phases.run("ours: fresh query process", run_worker, launcher, "ours",
                          query_file, ["--sync-on"] if args.sync_on else [], instance=instance)
    base_rss = phases.run("baseline: fresh query process", run_worker, launcher,
                          "baseline", query_file, index=baseline_dir)
    saves = phases.run("ours: save → searchable", save_to_searchable, app, args.seed)

    # The saves left small extra segments (and deletions) in the index, as real use does.
    def ours_latency():
        with app.app_context():
            ours_queries(service, warmup)
            return ours_queries(service, queries)

    seconds, with_hits = phases.run("ours: queries after the saves", ours_latency)
    if follower is not None:
        follower.stop()
    ours_lat_after = {**latency_summary(seconds), "with_hits": with_hits,
                      "segments": segment_count(service)}

    phases.seconds["total"] = time.perf_counter() - started
    machine = machine_facts()
    machine["load_average_at_start"] = load_at_start
    hashes_at_end = source_hashes()
    fingerprints = {"start": fingerprint, "ours worker": ours_rss["code_fingerprint"],
                    "baseline worker": base_rss["code_fingerprint"],
                    "end": code_fingerprint(hashes_at_end)}
    data = {
        "timestamp": stamp,
        "params": {"docs": args.docs, "queries": len(queries), "seed": args.seed,
                   "warmup_queries": len(warmup), "corpus_mib": corpus_bytes / 1024 / 1024,
                   "sync_on": args.sync_on},
        "machine": machine,
        "ours": {"import": imported, "reindex": rebuilt, "sync": sync,
                 "latency": ours_lat, "rss": ours_rss,
                 "save_to_searchable": saves, "latency_after_saves": ours_lat_after},
        "baseline": {"build": built, "latency": base_lat, "rss": base_rss},
        "phases_s": phases.seconds,
        "phases_load1": phases.load,
        "code_fingerprints": fingerprints,
        "code_changed_during_run": len(set(fingerprints.values())) > 1,
        "code_files_changed_during_run": changed_files(hashes_at_start, hashes_at_end),
        "profile": profile,
    }
    rows = figure_rows(data)
    print()
    print(text_table(rows))
    print()
    for line in facts_lines(data):
        print(line)
    print()
    print("phases (s, load after): " + ", ".join(
        f"{k} {v:.2f}" + (f" ({phases.load[k]})" if k in phases.load else "")
        for k, v in phases.seconds.items()))
    if profile:
        print()
        print(f"profiled reindex ({profile['file']}), top cumulative under blogapp/:")
        print(profile["top_cumulative_blogapp"])
    json_path, md_path = write_reports(data, rows, args.out, stamp)
    print(f"\nwrote {json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}"
          f" and {md_path.name} (and search-latest.md)")
    return data


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    launcher = Launcher()  # first, while this process is still small
    workdir = Path(tempfile.mkdtemp(prefix="blogapp-bench-"))
    try:
        run(args, workdir, launcher, started)
    finally:
        launcher.close()
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
