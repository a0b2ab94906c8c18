"""Hugo import speed: files per second for ``flask import-posts`` on the Kubernetes docs.

Imports ``../shared/corpus/k8s-docs-hugo/content`` (319 pages in en and zh-cn, from
https://github.com/kubernetes/website, The Kubernetes Authors, CC BY 4.0; see
``../shared/corpus/K8S-SOURCES.md``) into a fresh app on a temporary SQLite database, the
way ``flask import-posts`` does (``importer.site_import`` inside one deferred search
update), then again (a re-import: every page updated in place). Prints files/s for the
parse and conversion alone, the first import and the re-import (each including the
search index update), with the counts and pairs linked.

Usage: ``.venv/bin/python bench/hugo_import.py [--source DIR] [--repeat N]``.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SOURCE = ROOT.parent / "shared" / "corpus" / "k8s-docs-hugo" / "content"


def parse_only(source):
    """Seconds to read, parse and convert every page (no database)."""
    from blogapp.importer.hugo_site import make_file_finder, page_files, parse_page

    find = make_file_finder(source)
    started = time.perf_counter()
    for path in page_files(source):
        parse_page(source, path, ZoneInfo("Asia/Shanghai"), "admin", find)
    return time.perf_counter() - started


def timed_import(app, source):
    from blogapp.extensions import db
    from blogapp.importer.site_import import import_site

    with app.app_context():
        started = time.perf_counter()
        with app.extensions["search"].deferred(db.session):
            report = import_site(source, ZoneInfo(app.config["TIMEZONE"]))
        return time.perf_counter() - started, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each phase (best kept)")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"no Hugo content folder at {args.source} (../shared missing?)", file=sys.stderr)
        return 2
    from blogapp import create_app
    from blogapp.database import create_schema

    files = sum(1 for _ in args.source.rglob("*.md"))
    parse = min(parse_only(args.source) for _ in range(args.repeat))
    firsts, agains = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="hugo-bench-") as tmp:
            app = create_app({"SECRET_KEY": "bench", "SEARCH_AUTO_REBUILD": False,
                              "PAGE_CACHE": False, "SEARCH_SYNC": False,
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite"},
                             instance_path=tmp)
            with app.app_context():
                create_schema()
            first, report = timed_import(app, args.source)
            again, report_again = timed_import(app, args.source)
            app.extensions["search"].close()
            firsts.append(first)
            agains.append(again)
    counts = report.counts
    print(f"Kubernetes docs (CC BY 4.0, The Kubernetes Authors): {report.files} files, "
          f"{counts['created']} created, {counts['failed']} failed, {report.pairs} pairs linked, "
          f"{sum(kind == 'warning' for kind, _ in report.lines)} warnings")
    print(f"parse + convert only: {files / parse:7.1f} files/s ({parse:.2f} s)")
    print(f"first import:         {files / min(firsts):7.1f} files/s ({min(firsts):.2f} s)")
    print(f"re-import (in place): {files / min(agains):7.1f} files/s ({min(agains):.2f} s; "
          f"{report_again.counts['updated']} updated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
