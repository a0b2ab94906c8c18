"""A Hugo ``content/`` folder as articles: which files are pages, their language, slug,
authors and translation key, and their Markdown with the shortcodes converted.

Layouts understood: ``content/<language>/…/page.md`` (language folders: ``en``, ``zh-cn``,
``zh``, …), ``page.<language>.md`` translations by file name, page bundles
(``…/slug/index.md``; ``_index.md`` is its section's page), and single-language sites.
Two pages are translations when they have the same path below their language folders (or
file names without the language), or the same ``translationKey``.
"""

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..content.languages import normalize
from ..content.slugs import make_slug
from . import front_matter
from .hugo_shortcodes import ShortcodeError, convert
from .markdown_files import (Article, ImportProblem, _as_str_list, categories_and_tags,
                             check_names, front_matter_language)

CONFIG_FILES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml",
                "config.yaml", "config.yml", "config.json")
# A folder named like a language tag ("fr", "pt-br", "zh-tw"): in a site with language
# folders, pages below one the blog has no language for are reported, not imported.
_LANGUAGE_TAG = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$", re.I)
_HEADING_ID = re.compile(r"^(#{1,6}\s.*?)[ \t]*\{#[^}\n]*\}[ \t]*$", re.M)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|，|、|;|；|\band\b|&|\n)\s*")
_AFFILIATION = re.compile(r"\s*[(（][^)）]*[)）]")


class PageProblem(ImportProblem):
    """A page that cannot be imported, at ``line`` of its file."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


class PageSkipped(Exception):
    """A file Hugo renders no page for; the message says why (not an error)."""


def _not_a_page(meta, body):
    """Why Hugo renders no page for this file, or None."""
    if meta.get("headless") is True:
        return "a headless bundle: Hugo renders no page for it"
    build = meta.get("build") or meta.get("_build")
    if isinstance(build, dict) and str(build.get("render", "")).lower() in ("never", "false"):
        return "build.render is 'never': Hugo renders no page for it"
    if not meta.get("title") and not body.strip():
        return "no title and no content (an empty section page)"
    return None


def _name_title(relative):
    parts = list(relative.with_suffix("").parts)
    if parts[-1] in ("index", "_index") and len(parts) > 1:
        parts.pop()
    return parts[-1].replace("-", " ").replace("_", " ").strip().capitalize() or "Untitled"


@dataclass
class Page:
    path: Path
    relative: PurePosixPath  # below the language folder, language suffix removed
    article: Article
    warnings: list  # (line, message)
    folder: str | None = None  # the language folder it is in ("zh-cn"), if any
    meta: dict = None  # its front matter (slug, url, aliases: its site URLs)


def is_hugo_content(directory):
    """A Hugo ``content/`` folder: the site's config next to it, or language folders in it."""
    directory = Path(directory)
    if any((directory.parent / name).is_file() for name in CONFIG_FILES):
        return True
    return any(child.is_dir() and normalize(child.name) for child in directory.iterdir())


def page_files(directory):
    """Every ``*.md`` file (not folders whose names end in ``.md``), sorted."""
    return sorted(path for path in Path(directory).rglob("*.md") if path.is_file())


def language_of(directory, path):
    """``(language, relative path, language folder)``: from the language folder, else the
    file name (``post.zh-cn.md``), else ``(None, path, None)``. Raises
    :class:`PageProblem` for a language folder of a language the blog does not have."""
    relative = PurePosixPath(path.relative_to(directory).as_posix())
    language = folder = None
    multilingual = any(child.is_dir() and normalize(child.name) for child in directory.iterdir())
    if multilingual and len(relative.parts) > 1:
        folder = relative.parts[0]
        language = normalize(folder)
        if language is None and _LANGUAGE_TAG.match(folder):
            raise PageProblem(f"unknown language folder '{folder}' (the blog has zh and en)", 1)
        if language:
            relative = PurePosixPath(*relative.parts[1:])
        else:
            folder = None
    stem, _, suffix = relative.stem.rpartition(".")
    if stem and normalize(suffix):  # page.en.md
        language = language or normalize(suffix)
        relative = relative.with_name(stem + ".md")
    return language, relative, folder


def split_authors(meta):
    """``author``/``authors`` (a string, a comma list or a list) as names; a long
    multi-author string ("A (Google), B and C") is split and affiliations dropped."""
    value = meta.get("authors", meta.get("author"))
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        for part in _AUTHOR_SPLIT.split(_AFFILIATION.sub("", str(name or ""))):
            part = " ".join(part.split()).strip(" .")
            if part and part not in names:
                names.append(part)
    return names


def _slug_base(meta, relative):
    if meta.get("slug"):
        return make_slug(str(meta["slug"]), max_length=200)
    parts = list(relative.with_suffix("").parts)
    if parts[-1] in ("index", "_index") and len(parts) > 1:
        parts.pop()  # a page bundle or a section: the folder's name
    return make_slug(parts[-1], max_length=200)


def parse_page(directory, path, default_tz, default_author, find_file):
    """The :class:`Page` of one file; raises :class:`PageProblem`."""
    language, relative, folder = language_of(directory, path)
    try:
        text = front_matter.normalize_text(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise PageProblem("not UTF-8 text", line) from None
    try:
        meta, body, _, body_line = front_matter.split(text)
    except front_matter.FrontMatterError as exc:
        raise PageProblem(str(exc), exc.line) from None
    skipped = _not_a_page(meta, body)
    if skipped:
        raise PageSkipped(skipped)
    # Hugo titles an untitled section or page after its folder or file name.
    title = " ".join(str(meta.get("title") or meta.get("linkTitle") or "").split()) \
        or _name_title(relative)
    try:
        language = front_matter_language(meta) or language
        published = meta.get("date") or meta.get("publishDate")
        published = front_matter.as_datetime(published, default_tz) if published else None
        authors = split_authors(meta) or [default_author]
        category, tags = categories_and_tags(meta)
        check_names(title, authors[0], category, tags, authors[1:])
    except (ValueError, ImportProblem) as exc:
        raise PageProblem(str(exc), 1) from None
    try:
        converted = convert(body, body_line, language or "en", lambda src: find_file(path, src))
    except ShortcodeError as exc:
        raise PageProblem(str(exc), exc.line) from None
    markdown = _HEADING_ID.sub(r"\1", converted.markdown)
    description = " ".join(str(meta.get("description") or meta.get("summary") or "").split())
    if description and "<!--more-->" not in markdown:
        markdown = f"{description}\n\n<!--more-->\n\n{markdown}"
    slug = _slug_base(meta, relative)
    if not slug:
        raise PageProblem("no usable slug (set 'slug' in the front matter)", 1)
    key = meta.get("translationKey")
    article = Article(
        title=title, slug=slug, author=authors[0], coauthors=authors[1:],
        published_at=published, body=markdown, category=category, tags=tags,
        status="draft" if meta.get("draft") in (True, "true") else "published",
        language=language, translation_key=f"key:{key}" if key else f"path:{relative}")
    return Page(path, relative, article, converted.warnings, folder, meta)


def make_file_finder(directory):
    """``find(page_path, src)``: a referenced file's text (code samples) or ``""`` (an
    image that exists), or None; looked for beside the page, then in the site's
    ``static/``, ``assets/`` and (Kubernetes' layout) ``content/<lang>/examples``."""
    directory = Path(directory).resolve()
    roots = [directory.parent / "static", directory.parent / "assets"]

    def find(page_path, src):
        src = src.split("?")[0].split("#")[0]
        if not src or "://" in src:
            return None
        candidates = [page_path.parent / src.lstrip("/"), directory / src.lstrip("/"),
                      *(root / src.lstrip("/") for root in roots)]
        language_folder = page_path.resolve().relative_to(directory).parts[0]
        candidates += [directory / language_folder / "examples" / src,
                       directory / language_folder / src.lstrip("/")]
        for candidate in candidates:
            try:
                resolved = candidate.resolve()
                if resolved.is_file() and directory.parent in resolved.parents:
                    if resolved.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"):
                        return ""
                    return resolved.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                continue
        return None

    return find


def assign_slugs(pages, default_language):
    """Make the slugs of one import unique, the same way every run: pages of one name
    take their section path (``concepts-overview``); a translation keeps its partner's
    slug with its language appended (``pod-lifecycle-en``), the site's default language
    keeping the plain one."""
    def path_slug(page):
        parts = list(page.relative.with_suffix("").parts)
        if parts[-1] in ("index", "_index") and len(parts) > 1:
            parts.pop()
        return make_slug("-".join(parts), max_length=200)

    by_slug = {}
    for page in pages:
        by_slug.setdefault((page.article.slug, page.article.language), []).append(page)
    for group in by_slug.values():
        if len(group) > 1:
            for page in group:
                page.article.slug = path_slug(page) or page.article.slug
    by_slug = {}
    for page in pages:
        by_slug.setdefault(page.article.slug, []).append(page)
    for slug, group in by_slug.items():
        if len(group) > 1:
            for page in group:
                if page.article.language and page.article.language != default_language:
                    page.article.slug = f"{slug}-{page.article.language}"[:200]
