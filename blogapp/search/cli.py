"""``flask reindex``, ``flask search``, ``flask search-eval`` and ``flask search-sync``."""

import json
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from . import outbox, replica
from .evaluation import JudgementFileError, evaluate, read_judgements
from .service import IndexBusy, RebuildRunning, search_service
from .serialize import results_to_dict


@click.command("reindex")
@click.option("--if-needed", is_flag=True,
              help="Only rebuild when there is no index or it has an old schema version; "
                   "otherwise apply the outbox changes it lacks (as search-sync does).")
@with_appcontext
def reindex_command(if_needed):
    """Rebuild the search index from the database (readers keep the old one meanwhile)."""
    service = search_service(current_app)
    if if_needed and not service.needs_rebuild():
        # What start-up scripts run before the workers: an index that lags the outbox
        # (changes made by other nodes or commands, the last minutes of a bulk import)
        # is brought current here, not by a web worker's background thread.
        count = _sync_once(service, float(current_app.config.get("SEARCH_SYNC_GRACE", 120.0)))
        click.echo(f"Search index is up to date (applied {count} outbox changes)."
                   if count else "Search index is up to date.")
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


# ``search-sync`` rather than ``search sync``: ``flask search QUERY`` already exists and
# would read "sync" as a query.
@click.command("search-sync")
@click.option("--prune", is_flag=True,
              help="Also delete outbox rows older than SEARCH_OUTBOX_RETENTION_DAYS.")
@click.option("--follow", is_flag=True, help="Keep applying new changes until interrupted.")
@with_appcontext
def search_sync_command(prune, follow):
    """Apply index changes from the shared outbox that this node has not applied yet."""
    service = search_service(current_app)
    config = current_app.config
    grace = float(config.get("SEARCH_SYNC_GRACE", 120.0))
    interval = float(config.get("SEARCH_SYNC_INTERVAL", 1.0))
    if prune:
        days = float(config.get("SEARCH_OUTBOX_RETENTION_DAYS", 7))
        click.echo(f"Pruned {outbox.prune(db.session, days)} outbox rows older than {days:g} days.")
    try:
        while True:
            count = _sync_once(service, grace)
            if count or not follow:
                mark = service.store.read_position(service.store.current_path()) or {}
                click.echo(f"Applied {count} outbox changes (position {mark.get('last_id', 0)})."
                           if count else "Search index is up to date with the outbox.")
            if not follow:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return  # --follow ends with Ctrl-C


def _sync_once(service, grace, rebuilt=False):
    try:
        try:
            return replica.apply_outbox(service, db.engine, grace)
        except replica.RebuildNeeded as exc:
            if rebuilt:
                raise click.ClickException(f"{exc} even after a rebuild") from None
            click.echo(f"{exc}: rebuilding the search index.", err=True)
            count, seconds = service.rebuild(db.session)
            click.echo(f"Indexed {count} posts in {seconds:.2f} s.")
        return _sync_once(service, grace, rebuilt=True)
    except RebuildRunning as exc:
        raise click.ClickException(f"{exc}; try again when it has finished.") from None
    except IndexBusy as exc:
        raise click.ClickException(f"{exc}; try again.") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write the index: {exc.strerror or exc}") from None


COMMANDS = [reindex_command, search_command, search_eval_command, search_sync_command]
