"""``flask reindex``, ``flask search`` and ``flask search-eval``."""

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from .evaluation import JudgementFileError, evaluate, read_judgements
from .service import RebuildRunning, search_service
from .serialize import results_to_dict


@click.command("reindex")
@click.option("--if-needed", is_flag=True,
              help="Only rebuild when there is no index or it has an old schema version.")
@with_appcontext
def reindex_command(if_needed):
    """Rebuild the search index from the database (readers keep the old one meanwhile)."""
    service = search_service(current_app)
    if if_needed and not service.needs_rebuild():
        click.echo("Search index is up to date.")
        return
    total = db.session.scalar(db.select(db.func.count()).select_from(_posts_table()))
    try:
        with click.progressbar(length=total, label="Indexing", show_pos=True, file=sys.stderr) as bar:
            last = [0]

            def progress(count):
                bar.update(count - last[0])
                last[0] = count

            count, seconds = service.rebuild(db.session, progress)
    except RebuildRunning as exc:
        raise click.ClickException(f"{exc}; try again when it has finished.") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write the index: {exc.strerror or exc}") from None
    click.echo(f"Indexed {count} posts in {seconds:.2f} s.")


def _posts_table():
    from ..models import Post

    return Post.__table__


@click.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, 10_000), default=1, show_default=True)
@with_appcontext
def search_command(query, as_json, limit, page):
    """Search published posts like the site's search box does."""
    results = search_service(current_app).search(query, page=page, per_page=limit)
    if as_json:
        click.echo(json.dumps(results_to_dict(results), ensure_ascii=False, indent=2))
        return
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    click.echo(f"{results.total} results")
    for rank, hit in enumerate(results.hits, 1 + (page - 1) * limit):
        click.echo(f"{rank:3}. {hit['score']:8.3f}  {hit['slug']}  {hit['title']}")


@click.command("search-eval")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def search_eval_command(tsv, as_json):
    """Score judged queries in TSV (pass count, MRR@10, recall@10, failures)."""
    try:
        judgements = read_judgements(tsv)
    except (JudgementFileError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from None
    service = search_service(current_app)
    report = evaluate(judgements, lambda q: [h["slug"] for h in service.search(q, per_page=10).hits])
    data = report.as_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"passed {data['passed']}/{data['queries']}  MRR@10 {data['mrr_at_10']:.3f}  "
               f"recall@10 {data['recall_at_10']:.3f}")
    for failure in data["failures"]:
        click.echo(f"FAIL {failure['query']!r}: want {','.join(failure['relevant']) or '-'}; "
                   f"got {','.join(failure['returned'][:5]) or 'nothing'}")


COMMANDS = [reindex_command, search_command, search_eval_command]
