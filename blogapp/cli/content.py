"""``flask import-posts`` and ``flask load-demo``."""

import sys
from types import SimpleNamespace
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from ..database import refresh_statistics
from ..demo import ARTICLES_DIR
from ..extensions import db
from ..importer.hugo_site import is_hugo_content
from ..importer.markdown_files import ImportProblem, import_file, parse_article
from ..importer.site_import import Report, import_site, link_translations
from ..models import Post


def import_directory(directory, default_author=None, dry_run=False):
    """Import every ``*.md`` file below ``directory``; report progress and return the counts."""
    files = sorted(path for path in Path(directory).rglob("*.md") if path.is_file())
    counts = {"created": 0, "updated": 0, "failed": 0}
    if not files:
        return counts
    default_tz = ZoneInfo(current_app.config["TIMEZONE"])
    if dry_run:
        return _dry_run(files, default_tz, default_author, counts)
    failures, seen, keyed = [], {}, []
    search = current_app.extensions["search"]
    progress = click.progressbar(files, label="Importing", show_pos=True, file=sys.stderr)
    # One index update for the whole import instead of one per file.
    with search.deferred(db.session), progress as bar:
        for path in bar:
            try:
                article, outcome = import_file(path, default_tz, skip_slugs=seen,
                                               default_author=default_author)
            except ImportProblem as exc:
                counts["failed"] += 1
                failures.append(f"{path.name}: {exc}")
            else:
                seen[article.slug] = path.name
                counts[outcome] += 1
                if article.translation_key:
                    keyed.append(SimpleNamespace(article=article, shown=path.name))
    report = Report()
    link_translations(keyed, report)
    for line in failures:
        click.echo(f"error: {line}", err=True)
    for _, line in report.lines:
        click.echo(f"warning: {line}", err=True)
    refresh_statistics()  # many new rows: the planner's old picture would mislead it
    return counts


def _dry_run(files, default_tz, default_author, counts):
    for path in files:
        try:
            article = parse_article(path, default_tz, default_author=default_author)
        except ImportProblem as exc:
            counts["failed"] += 1
            click.echo(f"error: {path.name}: {exc}", err=True)
            continue
        outcome = "updated" if db.session.scalar(
            db.select(Post.id).filter_by(slug=article.slug)) else "created"
        counts[outcome] += 1
        click.echo(f"{path.name}: would be {outcome} as /posts/{article.slug}")
    return counts


def _import_hugo(directory, author, dry_run):
    """``import-posts`` on a Hugo content folder (``importer.site_import``)."""
    search = current_app.extensions["search"]
    with search.deferred(db.session):
        report = import_site(directory, ZoneInfo(current_app.config["TIMEZONE"]),
                             default_author=author or "admin", dry_run=dry_run,
                             default_language=current_app.config["BABEL_DEFAULT_LOCALE"])
    for kind, line in report.lines:
        click.echo(line if kind == "info" else f"{kind}: {line}", err=kind != "info")
    if not dry_run:
        refresh_statistics()
    return report


def _summary(counts):
    return ", ".join(f"{value} {key}" for key, value in counts.items())


@click.command("import-posts")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what each file would become; write nothing.")
@click.option("--author", help="Author of pages whose front matter names none "
              "(Hugo folders: default admin).")
@with_appcontext
def import_posts_command(directory, dry_run, author):
    """Import Markdown files with front matter from DIRECTORY, or a Hugo content folder
    (content/<language>/...; translations linked). Re-import updates by slug."""
    pairs = None
    if (directory / "content").is_dir() and is_hugo_content(directory / "content"):
        directory = directory / "content"  # the site's folder was given: its content/
    if is_hugo_content(directory):
        report = _import_hugo(directory, author, dry_run)
        counts, pairs = report.counts, report.pairs
    else:
        counts = import_directory(directory, default_author=author, dry_run=dry_run)
    if not any(counts.values()):
        raise click.ClickException(f"no .md files found in {directory}")
    verb = "Would import" if dry_run else "Imported"
    linked = "" if pairs is None else f"; {pairs} translation pairs linked"
    click.echo(f"{verb} {sum(counts.values())} files: {_summary(counts)}{linked}.")
    if counts["failed"]:
        raise SystemExit(1)


@click.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Only load when the blog has no posts yet.")
@with_appcontext
def load_demo_command(if_empty):
    """Load the bundled demo articles (by admin)."""
    if if_empty and db.session.scalar(db.select(db.func.count(Post.id))):
        click.echo("The blog already has posts; demo not loaded.")
        return
    counts = import_directory(ARTICLES_DIR)
    click.echo(f"Demo articles: {_summary(counts)}.")
    if counts["failed"]:
        raise SystemExit(1)


COMMANDS = [import_posts_command, load_demo_command]
