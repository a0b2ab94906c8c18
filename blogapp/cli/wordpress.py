"""``flask import-wxr``: bring a WordPress export (WXR file) across."""

import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from ..database import refresh_statistics
from ..extensions import db
from ..importer.wordpress import WordPressImporter
from ..importer.wxr_parse import WxrError, read_wxr
from ..plugins import plugin_manager


def _outcomes(counter, *names):
    return ", ".join(f"{counter[name]} {name}" for name in names)


def report_lines(report):
    """The final report: one line per kind of content."""
    kind = lambda name: report.counts.get(name, Counter())  # noqa: E731
    posts, comments, skipped = kind("posts"), kind("comments"), kind("skipped")
    protected = posts["password-protected"]
    lines = [
        f"authors: {_outcomes(kind('authors'), 'created', 'existing')}",
        f"categories: {_outcomes(kind('categories'), 'created', 'existing')}",
        f"tags: {_outcomes(kind('tags'), 'created', 'existing')}",
        f"posts: {_outcomes(posts, 'created', 'updated', 'unchanged')}"
        f" ({_outcomes(posts, 'published', 'draft', 'scheduled')})",
    ]
    if protected:
        lines.append(f"  password-protected posts imported as drafts: {protected}")
    if posts["with several categories"]:
        lines.append(f"  posts with several categories: {posts['with several categories']}"
                     " (the most specific is the category, the others became tags)")
    lines += [f"{name} skipped: {skipped[name]}" for name in ("pages", "attachments", "menu items")]
    others = ", ".join(f"{name} {n}" for name, n in sorted(report.other_types.items()))
    lines.append(f"other items skipped: {skipped['other items']}"
                 + (f" ({others})" if others else ""))
    for name in sorted(skipped):
        if name.endswith(" posts"):
            lines.append(f"{name} skipped: {skipped[name]}")
    lines.append(f"comments: {_outcomes(comments, 'created', 'unchanged')}"
                 f" ({_outcomes(comments, 'approved', 'pending', 'spam')})")
    if comments["not stored (no plugin)"]:
        lines.append("  comments not stored, no plugin takes them: "
                     f"{comments['not stored (no plugin)']}")
    lines.append(f"trashed comments skipped: {comments['trashed skipped']}")
    lines.append(f"comments on skipped items: {comments['on skipped items']}")
    return lines


@click.command("import-wxr")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and count everything, write nothing.")
@with_appcontext
def import_wxr_command(file, dry_run):
    """Import a WordPress export FILE (WXR): authors, categories, tags, posts, comments."""
    try:
        export = read_wxr(file)
    except WxrError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    pm = plugin_manager(current_app)
    importer = WordPressImporter(export, tz, pm.hook, pm.blog)
    try:
        with click.progressbar(length=len(export.items), label="Importing", show_pos=True,
                               file=sys.stderr) as bar:
            report = importer.run(step=lambda: bar.update(1))
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()  # the search index follows the commit (session events)
            refresh_statistics()
    except Exception:
        db.session.rollback()
        raise
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    heading = "Dry run, nothing written" if dry_run else "Imported"
    click.echo(f"{heading}: {export.title or file.name} (WXR {export.version}, {export.base_url})")
    for line in report_lines(report):
        click.echo(f"  {line}")


COMMANDS = [import_wxr_command]
