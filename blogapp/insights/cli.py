"""``flask search-insights`` and ``flask synonyms list|add|remove``."""

import json

import click
from flask.cli import with_appcontext

from . import report, synonyms


@click.command("search-insights")
@click.option("--days", type=click.Choice([str(d) for d in report.PERIODS]), default="30",
              show_default=True, help="How far back to look.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def search_insights_command(days, as_json):
    """Queries readers searched for that found nothing, or little."""
    data = report.insights(int(days))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key, title in (("no_results", "No results"), ("few_results", "Few results")):
        click.echo(f"{title} (last {days} days):")
        for row in data[key] or [{"query": "-", "searches": "", "results": ""}]:
            click.echo(f"  {row['searches']:>5}  {row['results']:>3}  {row['query']}")


@click.group("synonyms")
def synonyms_group():
    """Synonym groups kept in the database (they join the glossary at once)."""


@synonyms_group.command("list")
@with_appcontext
def list_command():
    for group in synonyms.groups():
        click.echo(f"{group.id}\t{' | '.join(group.terms)}")


@synonyms_group.command("add")
@click.argument("terms", nargs=-1, required=True)
@click.option("--join", is_flag=True, help="Add to the group that already holds one of the terms.")
@with_appcontext
def add_command(terms, join):
    """Make TERMS equivalent for search (at least two)."""
    try:
        group, note = synonyms.add(terms, join_existing=join)
    except synonyms.SynonymProblem as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{group.id}\t{' | '.join(group.terms)}\t({note})")


@synonyms_group.command("remove")
@click.argument("group_id", type=int)
@with_appcontext
def remove_command(group_id):
    try:
        terms = synonyms.remove(group_id)
    except synonyms.SynonymProblem as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"removed {group_id}\t{' | '.join(terms)}")


COMMANDS = [search_insights_command, synonyms_group]
