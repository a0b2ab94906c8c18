"""Cached benchmark datasets: a synthetic corpus imported the way users import it.

``prepare(docs, seed)`` returns a folder ``bench/.cache/<docs>-<seed>/`` holding

- ``instance/``: a blogapp instance folder (SQLite database, secret key, search index)
  made with the real command line: ``flask init-db``, ``flask import-posts`` over the
  files of ``bench/corpus.py``, then ``flask create-user`` to give one author a password
  (the page benchmark logs in through the web form to publish a post);
- ``baseline-index/``: the plain Whoosh + jieba index of ``bench/search_bench.py``'s
  baseline, built from the same posts' title and Markdown body;
- ``dataset.json``: what was built, from which code, how long it took, and the article
  slug and author the page benchmark requests.

Importing 100 000 posts takes about half an hour, so the folder is reused as long as the
code that decides its content gives the same posts: ``dataset.json`` records a hash of
the corpus generator, the importer, the Markdown renderer and the models
(``KEY_SOURCES``). When that hash differs, the first ``PROBE_DOCS`` documents are
imported again with the current code and compared with the cached posts: the same
posts keep the dataset, others rebuild it (``--reuse-stale`` skips the check and the
report says so); ``--fresh`` always rebuilds. A build goes into
``<name>.partial/`` and is renamed when complete, so an interrupted one is never used;
a lock file makes a second process wait for a build in progress instead of redoing it.

The search index inside the cached instance is not trusted to be current (the search
code changes more often than the data): the page benchmark works on a copy and runs
``flask reindex`` on it.

Usage: ``.venv/bin/python bench/dataset.py --docs 100000 [--seed 42] [--fresh]``
(prints the folder's path); ``nice -n 19`` it to build a big one in the background.
``--baseline-build INSTANCE INDEX_DIR`` only times a baseline build (the page benchmark
times one in every run next to ``flask reindex``, under the same machine load).
"""

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

CACHE_DIR = ROOT / "bench" / ".cache"
# The code that decides what the cached database contains.
KEY_SOURCES = ("bench/corpus.py", "blogapp/importer/markdown_files.py",
               "blogapp/cli/content.py", "blogapp/content/*.py", "blogapp/models/*.py")
# The author whose password the benchmark sets, to log in and publish through the web.
BENCH_USER = "luffy"
BENCH_PASSWORD = "bench-password-luffy"  # a throwaway local instance, never served publicly
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
# Documents imported again to check a dataset built by other code (see prepare()).
PROBE_DOCS = 30


class DatasetError(RuntimeError):
    """A step of building the dataset failed; the message says which and why."""


def source_key():
    """``(key, {path: sha256})`` of :data:`KEY_SOURCES`."""
    hashes = {}
    for pattern in KEY_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            hashes[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
    key = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:12]
    return key, hashes


def flask_env(instance):
    """Environment for ``flask`` subprocesses working on ``instance``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOGAPP_")}
    env.update(BLOGAPP_INSTANCE_PATH=str(instance), BLOGAPP_SEARCH_AUTO_REBUILD="false",
               PYTHONPATH=str(ROOT))
    return env


def run_flask(instance, *args, stdin=None, quiet=False):
    """Run ``flask --app wsgi ARGS`` on ``instance``; return (seconds, stdout)."""
    started = time.perf_counter()
    done = subprocess.run([*FLASK, *args], cwd=ROOT, env=flask_env(instance), input=stdin,
                          text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE if quiet else None)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] if quiet else []
        raise DatasetError(f"'flask {' '.join(args)}' exited with {done.returncode}"
                           + (f": {detail[0]}" if detail else ""))
    return seconds, done.stdout


def _front_matter(path):
    """slug and author of a corpus file (the generator writes one ``key: value`` a line)."""
    fields = {}
    for line in path.read_text(encoding="utf-8").split("\n---\n", 1)[0].splitlines()[1:]:
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields["slug"], fields["author"]


def _build_baseline(instance, index_dir):
    """The baseline index of search_bench (same code), from the imported posts."""
    from bench import search_bench

    app = search_bench.make_app(instance)
    texts = search_bench.read_post_texts(app)
    return search_bench.baseline_build(index_dir, texts)


def _log(message):
    print(f"[dataset] {message}", file=sys.stderr, flush=True)


def build(target, docs, seed, key, hashes):
    """Build the dataset into ``target`` (which must not exist yet)."""
    instance, corpus_dir = target / "instance", target / "corpus"
    instance.mkdir(parents=True)
    _log(f"writing {docs} documents (seed {seed})")
    files, corpus_bytes = corpus.write_corpus(corpus_dir, docs, seed)
    middle = sorted(corpus_dir.glob(f"{docs // 2:05d}-*.md"))[0]
    article_slug, article_author = _front_matter(middle)

    run_flask(instance, "init-db", quiet=True)
    _log(f"flask import-posts ({docs} files) ...")
    load_before = os.getloadavg()[0]
    import_s, out = run_flask(instance, "import-posts", str(corpus_dir))
    _log(f"{out.strip()} ({import_s:.1f} s)")
    if f"{docs} created" not in out:
        raise DatasetError(f"import did not create every post: {out.strip()}")
    run_flask(instance, "create-user", BENCH_USER, "--role", "author", "--password-stdin",
              stdin=BENCH_PASSWORD + "\n", quiet=True)
    shutil.rmtree(corpus_dir)  # the database has it all; 100k files are 300 MB

    _log("building the plain Whoosh + jieba baseline index ...")
    baseline = _build_baseline(instance, target / "baseline-index")
    _log(f"baseline index: {baseline['seconds']:.1f} s")
    meta = {
        "docs": docs, "seed": seed, "key": key, "key_sources": hashes,
        "created": datetime.now().isoformat(timespec="seconds"),
        "corpus_mib": corpus_bytes / 1024 / 1024, "probe_docs": PROBE_DOCS,
        "import": {"seconds": import_s, "load1_before": round(load_before, 2),
                   "load1_after": round(os.getloadavg()[0], 2), "output": out.strip()},
        "baseline_build": {**baseline, "load1_after": round(os.getloadavg()[0], 2)},
        "article_slug": article_slug, "article_author": article_author,
        "user": BENCH_USER, "password": BENCH_PASSWORD,
        "cpu": _cpu_model(), "nice": os.nice(0),
    }
    (target / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    return meta


def adopt(source, docs, seed):
    """Finish a build whose import completed but which stopped before the end (the
    baseline build of 100k posts takes a quarter of an hour): check ``source`` (an
    instance folder) holds the ``docs`` posts and the benchmark user, build the baseline
    index, write ``dataset.json``. The import is not timed again (``import`` says so)."""
    source = Path(source)
    database = source / "blog.sqlite"
    key, hashes = source_key()
    folder = CACHE_DIR / f"{docs}-{seed}"
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        count = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
        user = conn.execute("SELECT password_hash FROM users WHERE username = ?",
                            (BENCH_USER,)).fetchone()
        middle = conn.execute(
            "SELECT p.slug, u.username FROM posts p JOIN users u ON u.id = p.author_id "
            "WHERE p.slug LIKE ?", (f"%-{docs // 2:05d}",)).fetchone()
    finally:
        conn.close()
    if count != docs or not (user and user[0]) or middle is None:
        raise DatasetError(f"{source} is not a complete import of {docs} posts "
                           f"({count} posts, benchmark user {'set' if user else 'missing'})")
    probe = corpus.generate(1, seed=seed)
    slugs = [doc.slug for doc in probe]
    if _probe_digest(slugs, seed) != posts_digest(database, slugs):
        raise DatasetError(f"{source} holds other posts than seed {seed} gives")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(source), str(partial / "instance")], check=True)
    _log("building the plain Whoosh + jieba baseline index ...")
    baseline = _build_baseline(partial / "instance", partial / "baseline-index")
    meta = {
        "docs": docs, "seed": seed, "key": key, "key_sources": hashes,
        "created": datetime.now().isoformat(timespec="seconds"), "probe_docs": PROBE_DOCS,
        "import": {"seconds": None, "adopted_from": str(source),
                   "note": "imported by an earlier, interrupted build; not timed here"},
        "baseline_build": {**baseline, "load1_after": round(os.getloadavg()[0], 2)},
        "article_slug": middle[0], "article_author": middle[1],
        "user": BENCH_USER, "password": BENCH_PASSWORD, "cpu": _cpu_model(), "nice": os.nice(0),
    }
    (partial / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def _cpu_model():
    with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def prepare(docs, seed=42, fresh=False, reuse_stale=False):
    """Return ``(folder, meta)`` of a complete dataset, building it when needed.

    A dataset built by other code (``KEY_SOURCES`` changed) is checked with a probe: the
    first ``PROBE_DOCS`` documents are imported with the current code into a scratch
    instance, and if their posts (text, HTML, author, category, tags, dates) equal those
    of the cached database, the dataset is kept and its key brought up to date; otherwise
    it is built again. ``reuse_stale`` skips the probe and uses it anyway
    (``meta["stale"]`` then says so).
    """
    if docs < 2:
        raise DatasetError("--docs must be at least 2")
    key, hashes = source_key()
    folder = CACHE_DIR / f"{docs}-{seed}"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f"{folder.name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log(f"another process is building {folder.name}; waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
            fresh = False  # it has just been built
        meta = None if fresh else _usable(folder, seed, key, hashes, reuse_stale)
        if meta is not None:
            return folder, meta
        partial = folder.with_name(folder.name + ".partial")
        _refuse_if_busy(partial)
        shutil.rmtree(partial, ignore_errors=True)
        try:
            meta = build(partial, docs, seed, key, hashes)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    return folder, {**meta, "stale": False}


def _usable(folder, seed, key, hashes, reuse_stale):
    """The cached dataset's meta when it can be used as it is, else None."""
    meta_path = folder / "dataset.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("key") == key:
        return {**meta, "stale": False}
    changed = sorted(p for p in hashes.keys() | meta.get("key_sources", {}).keys()
                     if hashes.get(p) != meta.get("key_sources", {}).get(p))
    if reuse_stale:
        _log(f"WARNING: reusing {folder.name} built by other code (changed: {', '.join(changed)})")
        return {**meta, "stale": True, "stale_files": changed}
    _log(f"{folder.name} was built by other code (changed: {', '.join(changed)}); "
         f"checking that the first {PROBE_DOCS} posts still come out the same ...")
    slugs = [doc.slug for doc in corpus.generate(min(PROBE_DOCS, meta["docs"]), seed=seed)]
    try:
        cached = posts_digest(folder / "instance" / "blog.sqlite", slugs)
        probe = _probe_digest(slugs, seed)
    except (sqlite3.Error, DatasetError) as exc:
        _log(f"the probe failed ({exc}); rebuilding")
        return None
    if cached != probe:
        _log("the current code imports them differently; rebuilding")
        return None
    _log("same posts: keeping the dataset")
    meta.setdefault("verified", []).append(
        {"at": datetime.now().isoformat(timespec="seconds"), "key": key, "changed": changed})
    meta.update(key=key, key_sources=hashes)
    tmp = meta_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, meta_path)
    return {**meta, "stale": False}


def posts_digest(database, slugs):
    """A hash of what readers see of the posts ``slugs``: read with SQL, not the models,
    so that a database made before a migration can be compared as it is."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(slugs))
        rows = conn.execute(f"""
            SELECT p.slug, p.title, p.body, p.body_html, p.excerpt_html, p.status,
                   p.published_at, u.username, c.name,
                   (SELECT group_concat(name, '|') FROM (
                        SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                        WHERE pt.post_id = p.id ORDER BY t.name))
            FROM posts p JOIN users u ON u.id = p.author_id
                 LEFT JOIN categories c ON c.id = p.category_id
            WHERE p.slug IN ({marks}) ORDER BY p.slug""", slugs).fetchall()
    finally:
        conn.close()
    if len(rows) != len(slugs):
        raise DatasetError(f"{database} has {len(rows)} of the {len(slugs)} probe posts")
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def _probe_digest(slugs, seed):
    """Import the first ``len(slugs)`` documents with the current code; their digest."""
    with tempfile.TemporaryDirectory(prefix="blogapp-probe-") as tmp:
        corpus.write_corpus(Path(tmp) / "corpus", len(slugs), seed)
        instance = Path(tmp) / "instance"
        run_flask(instance, "init-db", quiet=True)
        run_flask(instance, "import-posts", str(Path(tmp) / "corpus"), quiet=True)
        return posts_digest(instance / "blog.sqlite", slugs)


def _refuse_if_busy(partial, quiet_seconds=600):
    """An unlocked ``.partial`` that changed recently: a build that holds no lock runs."""
    if not partial.exists():
        return
    newest = max((p.stat().st_mtime for p in partial.rglob("*") if p.is_file()), default=0)
    age = time.time() - newest
    if age < quiet_seconds:
        raise DatasetError(f"{partial} changed {age:.0f} s ago: another build seems to be "
                           "running; wait for it, or delete that folder if it is dead")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=42, help="corpus seed (default 42)")
    parser.add_argument("--fresh", action="store_true", help="rebuild even if cached")
    parser.add_argument("--reuse-stale", action="store_true",
                        help="use a cached dataset even if it was built by other code")
    parser.add_argument("--baseline-build", nargs=2, metavar=("INSTANCE", "INDEX_DIR"),
                        help="only time a baseline index build from INSTANCE's posts into "
                             "INDEX_DIR; print the figures as JSON")
    parser.add_argument("--adopt", metavar="INSTANCE",
                        help="finish an interrupted build from INSTANCE, a folder holding "
                             "its completed import (see adopt())")
    args = parser.parse_args(argv)
    if args.adopt:
        print(adopt(args.adopt, args.docs, args.seed))
        return
    if args.baseline_build:
        instance, index_dir = args.baseline_build
        print(json.dumps(_build_baseline(instance, index_dir)))
        return 0
    try:
        folder, meta = prepare(args.docs, args.seed, args.fresh, args.reuse_stale)
    except DatasetError as exc:
        print(f"dataset: {exc}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
