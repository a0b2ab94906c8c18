"""Search quality on real content: blogapp ("ours") against plain Whoosh + jieba, one run.

Two sections, each on its own app and baseline index built from the same posts:

- ``docs``: the 319 Kubernetes "Concepts" pages (en + zh-cn) of
  ``../shared/corpus/k8s-docs-hugo`` (The Kubernetes Authors, CC BY 4.0, see
  ``../shared/corpus/K8S-SOURCES.md``), converted by ``tests/hugo_docs.py`` and imported
  through ``flask import-posts``' code; judged queries ``tests/data/k8s_docs_queries.tsv``;
- ``blog``: the 40 articles of ``../shared/corpus/k8s-blog`` with
  ``../shared/corpus/queries.tsv`` (its BASELINES.md has figures to compare with).

Ours: ``SearchService.search(q, per_page=10)``. Baselines: title + Markdown body in a
Whoosh index with ``jieba.analyse.ChineseAnalyzer`` (as ``bench/search_bench.py``),
queried with ``MultifieldParser(["title", "body"])``, terms ANDed (Whoosh's default) and
with ``OrGroup.factory(0.9)``. Figures: pass, MRR@10, success@10, recall@10 overall and
per query kind, and ours/baseline. Report: ``bench/results/docs-quality-<timestamp>.md``.

Usage: ``.venv/bin/python bench/docs_quality.py [--sections docs,blog] [--out DIR]``.
"""

import argparse
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):  # run as a script: bench/ and the tests' helper
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import hugo_docs  # noqa: E402
from bench.search_bench import baseline_modules, machine_facts  # noqa: E402
from blogapp.search.evaluation import evaluate, read_judgements  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
DOCS_QUERIES = ROOT / "tests" / "data" / "k8s_docs_queries.tsv"
PER_PAGE = 10
SIDES = ("ours", "whoosh AND", "whoosh OR")


# -- the two search sides -----------------------------------------------------------------
def ours_app(instance, markdown_dir):
    """An app of its own (SQLite) with the Markdown files of ``markdown_dir`` imported."""
    from blogapp import create_app
    from blogapp.database import create_schema

    app = create_app({"SECRET_KEY": "bench", "SEARCH_AUTO_REBUILD": False, "PAGE_CACHE": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.sqlite'}"},
                     instance_path=instance)
    with app.app_context():
        create_schema()
    counts = hugo_docs.import_pages(app, markdown_dir)
    if counts["failed"]:
        raise RuntimeError(f"import failed for some files: {counts}")
    return app


def ours_search(app):
    service = app.extensions["search"]

    def search(query):
        with app.app_context():
            return [hit["slug"] for hit in service.search(query, per_page=PER_PAGE).hits]
    return search


def post_texts(app):
    """``(slug, title, Markdown body)`` of every indexed post, for the baseline."""
    from blogapp.extensions import db
    from blogapp.models import Post
    from blogapp.search.documents import INDEXED_STATUSES

    with app.app_context():
        return db.session.execute(
            db.select(Post.slug, Post.title, Post.body)
            .where(Post.status.in_(INDEXED_STATUSES)).order_by(Post.id)).all()


def baseline_searches(index_dir, texts):
    """``{"whoosh AND": search, "whoosh OR": search}`` over one Whoosh + jieba index."""
    jieba, ChineseAnalyzer, whoosh_index, TEXT, Schema, MultifieldParser, OrGroup = \
        baseline_modules()
    from whoosh.fields import ID

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes and unclosed files
        schema = Schema(slug=ID(stored=True), title=TEXT(stored=True, analyzer=ChineseAnalyzer()),
                        body=TEXT(stored=True, analyzer=ChineseAnalyzer()))
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(index_dir), schema)
        writer = ix.writer()
        for slug, title, body in texts:
            writer.add_document(slug=slug, title=title, body=body)
        writer.commit()
    searcher = ix.searcher()

    def side(parser):
        def search(query):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return [hit["slug"] for hit in searcher.search(parser.parse(query), limit=PER_PAGE)]
        return search

    return {"whoosh AND": side(MultifieldParser(["title", "body"], schema)),
            "whoosh OR": side(MultifieldParser(["title", "body"], schema,
                                               group=OrGroup.factory(0.9)))}, searcher


# -- figures ------------------------------------------------------------------------------
def kind(note):
    """The kind a judged row is filed under: the note's first word (``en``, ``typo`` ...)."""
    match = re.match(r"[a-z]+", note)
    return match.group(0) if match else "other"


def figures(outcomes):
    """pass, MRR@10, success@10, recall@10 of some outcomes of ``evaluation.score``.

    success@10: a relevant slug in the top 10 (``-`` rows: no results at all). MRR and
    recall are over rows with relevant slugs, as in ``evaluation.Report``.
    """
    judged = [o for o in outcomes if o.judgement.relevant]
    success = sum(o.reciprocal_rank > 0 if o.judgement.relevant else o.passed for o in outcomes)
    mean = lambda values: sum(values) / len(values) if values else None  # noqa: E731
    return {"queries": len(outcomes), "passed": sum(o.passed for o in outcomes),
            "mrr": mean([o.reciprocal_rank for o in judged]),
            "success": success / len(outcomes) if outcomes else None,
            "recall": mean([o.recall for o in judged])}


def measure(judgements, searches):
    """``{side: {"all": figures, "kinds": {kind: figures}, "outcomes": [...]}}``."""
    result = {}
    for side, search in searches.items():
        outcomes = evaluate(judgements, search).outcomes
        kinds = defaultdict(list)
        for outcome in outcomes:
            kinds[kind(outcome.judgement.note)].append(outcome)
        result[side] = {"all": figures(outcomes), "outcomes": outcomes,
                        "kinds": {k: figures(v) for k, v in sorted(kinds.items())}}
    return result


# -- report -------------------------------------------------------------------------------
def _num(value, digits=3):
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(ours, base):
    return "–" if ours is None or not base else f"{ours / base:.2f}"


def figure_table(rows):
    """``rows``: ``[(label, {side: figures})]`` -> Markdown, cells "ours / AND / OR"."""
    lines = ["| kind | n | pass | MRR@10 | success@10 | recall@10 | MRR ours/OR "
             "| success ours/OR |", "|---|---|---|---|---|---|---|---|"]
    for label, by_side in rows:
        ours, best = by_side["ours"], by_side["whoosh OR"]
        cells = [label, str(ours["queries"]),
                 " / ".join(str(by_side[s]["passed"]) for s in SIDES)]
        cells += [" / ".join(_num(by_side[s][m]) for s in SIDES)
                  for m in ("mrr", "success", "recall")]
        cells += [_ratio(ours["mrr"], best["mrr"]), _ratio(ours["success"], best["success"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section_report(title, source, result):
    ours = result["ours"]["all"]
    rows = [("all", {s: result[s]["all"] for s in SIDES})]
    kinds = result["ours"]["kinds"]
    if len(kinds) > 1:
        rows += [(k, {s: result[s]["kinds"][k] for s in SIDES}) for k in kinds]
    lines = [f"## {title}", "", source + ". Cells: ours / whoosh AND / whoosh OR.", "",
             figure_table(rows), "",
             "Ratios, ours divided by a baseline (above 1: ours is better): "
             + "; ".join(f"ours/{s}: " + ", ".join(
                 f"{label} {_ratio(ours[key], result[s]['all'][key])}"
                 for label, key in (("pass", "passed"), ("MRR", "mrr"), ("success", "success")))
                 for s in SIDES[1:]) + ".",
             "", "Failures of ours (want → top 5 got):", ""]
    for outcome in result["ours"]["outcomes"]:
        if not outcome.passed:
            j = outcome.judgement
            lines.append(f"- [{kind(j.note)}] `{j.query}`: {','.join(j.relevant) or '-'} → "
                         f"{','.join(outcome.returned[:5]) or 'nothing'}")
    return "\n".join(lines)


# -- sections -----------------------------------------------------------------------------
def run_section(name, workdir):
    """Build both sides for one section and score its judged queries."""
    started = time.perf_counter()
    folder = workdir / name
    if name == "docs":
        markdown = folder / "md"
        pages = hugo_docs.convert(markdown, SHARED / "k8s-docs-hugo")
        queries = DOCS_QUERIES
        source = (f"{len(pages)} Kubernetes Concepts pages (en + zh-cn, The Kubernetes Authors, "
                  f"CC BY 4.0), queries `tests/data/k8s_docs_queries.tsv`")
    else:
        markdown = SHARED / "k8s-blog"
        queries = SHARED / "queries.tsv"
        source = ("the 40 articles of `../shared/corpus/k8s-blog`, "
                  "queries `../shared/corpus/queries.tsv`")
    app = ours_app(folder / "instance", markdown)
    baselines, searcher = baseline_searches(folder / "baseline-index", post_texts(app))
    try:
        result = measure(read_judgements(queries), {"ours": ours_search(app), **baselines})
    finally:
        searcher.close()
        app.extensions["search"].close()
    print(f"[docs-quality] {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return source, result


SOURCES = {"docs": "k8s-docs-hugo", "blog": "k8s-blog"}
TITLES = {"docs": "Real docs: Kubernetes Concepts (en + zh-cn)",
          "blog": "Shared blog corpus (40 articles)"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sections", default="docs,blog",
                        help="comma-separated: docs, blog (default both)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"),
                        help="where the report goes (default bench/results)")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if not sections or set(sections) - set(TITLES):
        parser.error(f"--sections takes docs and/or blog, not {args.sections!r}")
    missing = [name for name in sections if not (SHARED / SOURCES[name]).is_dir()]
    if missing:  # as the tests do outside CI: say so, and measure nothing
        print(f"docs_quality: skipped, {SHARED} lacks {', '.join(SOURCES[m] for m in missing)}",
              file=sys.stderr)
        return 0
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = Path(tempfile.mkdtemp(prefix="blogapp-docs-quality-"))
    try:
        parts = [section_report(TITLES[name], *run_section(name, workdir)) for name in sections]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    machine = machine_facts()
    report = "\n\n".join([
        f"# Search quality on real content {stamp}",
        f"`bench/docs_quality.py --sections {','.join(sections)}`. Pass: the first relevant "
        "slug in the top 3 and all in the top 10 (`-` rows: no results). success@10: a "
        "relevant slug in the top 10 (`-` rows: no results). MRR@10 and recall@10 over rows "
        "with relevant slugs. Baselines: Whoosh + jieba `ChineseAnalyzer` on title + Markdown "
        "body, `MultifieldParser(title, body)`, AND (default) and `OrGroup.factory(0.9)`.",
        *parts,
        "Machine: " + f"{machine['cpu']}, Python {machine['python']}; "
        + ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v),
    ]) + "\n"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"docs-quality-{stamp}.md"
    path.write_text(report, encoding="utf-8")
    print(report)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
