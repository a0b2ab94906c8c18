"""``flask import-posts`` and ``flask load-demo``."""

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from ..database import refresh_statistics
from ..demo import ARTICLES_DIR
from ..extensions import db
from ..importer.markdown_files import ImportProblem, import_file
from ..models import Post


def import_directory(directory):
    """Import every ``*.md`` file below ``directory``; report progress and return the counts."""
    files = sorted(Path(directory).rglob("*.md"))
    counts = {"created": 0, "updated": 0, "failed": 0}
    if not files:
        return counts
    default_tz = ZoneInfo(current_app.config["TIMEZONE"])
    failures, seen = [], {}
    search = current_app.extensions["search"]
    progress = click.progressbar(files, label="Importing", show_pos=True, file=sys.stderr)
    # One index update for the whole import instead of one per file.
    with search.deferred(db.session), progress as bar:
        for path in bar:
            try:
                article, outcome = import_file(path, default_tz, skip_slugs=seen)
            except ImportProblem as exc:
                counts["failed"] += 1
                failures.append(f"{path.name}: {exc}")
            else:
                seen[article.slug] = path.name
                counts[outcome] += 1
    for line in failures:
        click.echo(f"error: {line}", err=True)
    refresh_statistics()  # many new rows: the planner's old picture would mislead it
    return counts


def _summary(counts):
    return ", ".join(f"{value} {key}" for key, value in counts.items())


@click.command("import-posts")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_posts_command(directory):
    """Import Markdown files with YAML front matter from DIRECTORY (re-import updates by slug)."""
    counts = import_directory(directory)
    if not any(counts.values()):
        raise click.ClickException(f"no .md files found in {directory}")
    click.echo(f"Imported {sum(counts.values())} files: {_summary(counts)}.")
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
