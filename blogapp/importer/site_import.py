"""Importing a Hugo ``content/`` folder: parse every page, give them unique slugs, save
each in its own transaction, then link the translations.

A page that cannot be imported is reported with its path and line and leaves everything
else as it was (posts imported before included); re-importing updates the posts in
place (by slug) and links nothing twice. ``dry_run`` writes nothing and says per file
what would happen.
"""

from dataclasses import dataclass, field

from ..content.translations import TranslationConflict, link
from ..extensions import db
from ..models import Post
from .hugo_links import rewrite_links
from .hugo_site import (PageProblem, PageSkipped, assign_slugs, make_file_finder, page_files,
                        parse_page)
from .markdown_files import save_article


@dataclass
class Report:
    counts: dict = field(default_factory=lambda: {"created": 0, "updated": 0, "failed": 0,
                                                  "skipped": 0})
    lines: list = field(default_factory=list)  # ("error"|"warning"|"info", text)
    pairs: int = 0
    files: int = 0

    def say(self, kind, path, line, message):
        where = f"{path}:{line}" if line else str(path)
        self.lines.append((kind, f"{where}: {message}"))


def import_site(directory, default_tz, default_author="admin", default_language="zh",
                dry_run=False):
    """Import the Hugo content folder ``directory``; return a :class:`Report`."""
    report = Report()
    find_file = make_file_finder(directory)
    pages = []
    for path in page_files(directory):
        report.files += 1
        shown = path.relative_to(directory.parent) if directory.parent != path else path
        try:
            page = parse_page(directory, path, default_tz, default_author, find_file)
        except PageProblem as exc:
            report.counts["failed"] += 1
            report.say("error", shown, exc.line, str(exc))
            continue
        except PageSkipped as exc:
            report.counts["skipped"] += 1
            report.say("skipped", shown, None, str(exc))
            continue
        page.shown = shown
        pages.append(page)
    assign_slugs(pages, default_language)
    rewrite_links(pages, directory)
    for page in pages:
        for line, message in page.warnings:
            report.say("warning", page.shown, line, message)
    saved = []
    for page in pages:
        article = page.article
        if dry_run:
            exists = db.session.scalar(db.select(Post.id).filter_by(slug=article.slug))
            outcome = "updated" if exists else "created"
            report.say("info", page.shown, None, f"would be {outcome} as /posts/{article.slug}"
                       f" ({article.language or 'language detected'}, {article.status})")
        else:
            try:
                outcome = save_article(article)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - one page's failure must not stop the rest
                db.session.rollback()
                report.counts["failed"] += 1
                report.say("error", page.shown, None, f"not saved: {type(exc).__name__}: "
                           f"{str(exc).splitlines()[0][:200]}")
                continue
            saved.append(page)
        report.counts[outcome] += 1
    if dry_run:
        report.pairs = _count_pairs(pages)
    else:
        link_translations(saved, report)
    return report


def _groups(pages):
    groups = {}
    for page in pages:
        groups.setdefault(page.article.translation_key, []).append(page)
    return [group for group in groups.values() if len(group) > 1]


def _count_pairs(pages):
    return sum(len({page.article.language for page in group}) > 1 for group in _groups(pages))


def link_translations(pages, report):
    """Link the saved pages sharing a translation key (one transaction per group)."""
    for group in _groups(pages):
        posts = [db.session.scalar(db.select(Post).filter_by(slug=page.article.slug))
                 for page in group]
        by_language = {}
        for page, post in zip(group, posts):
            if post.language in by_language:
                other = by_language[post.language][0].shown
                report.say("warning", page.shown, None,
                           f"not linked: {other} is also its {post.language!r} translation")
                continue
            by_language[post.language] = (page, post)
        if len(by_language) < 2:
            continue
        (first_page, first), *others = by_language.values()
        try:
            for page, post in others:
                if post.translation_group != first.translation_group or not first.translation_group:
                    link(post, first)
            db.session.commit()
            report.pairs += 1
        except TranslationConflict as exc:
            db.session.rollback()
            report.say("warning", first_page.shown, None, f"not linked: {exc}")
