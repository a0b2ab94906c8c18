"""Import Markdown files with YAML front matter (title, slug, author, date, tags, category).

Importing is idempotent by slug: a second run updates the posts the first one created.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

from ..content.languages import normalize as normalize_language
from ..content.slugs import make_slug
from ..extensions import db
from ..models import Category, Post, Tag, User
from ..models.types import utcnow


# Jekyll names posts YYYY-MM-DD-slug.md.
JEKYLL_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)$")


class ImportProblem(Exception):
    """A file that cannot be imported; the message says why."""


@dataclass
class Article:
    """The parsed content of one file."""

    title: str
    slug: str
    author: str
    published_at: dt.datetime | None  # None: keep the post's date, or now for a new one
    body: str
    category: str | None = None
    tags: list = field(default_factory=list)
    status: str = "published"
    language: str | None = None  # None: detected from the text when first saved
    translation_key: str | None = None  # articles sharing one are translations of each other
    coauthors: list = field(default_factory=list)  # made users too, for attribution


def _as_datetime(value, default_tz):
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            result = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ImportProblem(f"date {value!r} is not an ISO 8601 date") from None
    else:
        raise ImportProblem("missing or invalid 'date'")
    return result if result.tzinfo else result.replace(tzinfo=default_tz)


def _as_str_list(value, key):
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    if not isinstance(value, list):
        raise ImportProblem(f"'{key}' must be a list")
    names = [" ".join(str(item).split()) for item in value]
    return [name for name in names if name]


def check_names(title, author, category, tags, coauthors=()):
    """Raise :class:`ImportProblem` for names the database would refuse or mangle."""
    # Checked here so that a bad name is reported as this file's problem, not a crash.
    for kind, name in [("category", category), *(("tag", tag) for tag in tags)]:
        if name and not make_slug(name):
            raise ImportProblem(f"{kind} {name!r} has no letter, digit or Chinese character")
    # Column sizes: PostgreSQL refuses longer values where SQLite would keep them.
    for kind, value, column in [("title", title, Post.title), ("author", author, User.username),
                                *(("author", name, User.username) for name in coauthors),
                                ("category", category, Category.name),
                                *(("tag", tag, Tag.name) for tag in tags)]:
        if value and len(value) > column.type.length:
            raise ImportProblem(f"{kind} {value[:30]!r}... is longer than "
                                f"{column.type.length} characters")


def categories_and_tags(meta):
    """``category`` (one name), or Hexo/Jekyll/Hugo ``categories`` (a list, or a Jekyll
    space-separated string): the first is the post's category, the others become tags."""
    category = meta.get("category")
    extra = []
    if category is None and meta.get("categories") is not None:
        names = meta["categories"]
        if isinstance(names, str):
            names = names.replace("，", ",")
            names = names.split(",") if "," in names else names.split()
        names = _as_str_list(names, "categories")
        category, extra = (names[0], names[1:]) if names else (None, [])
    if category is not None and not isinstance(category, (str, int, float)):
        raise ImportProblem("'category' must be a single name")
    category = " ".join(str(category).split()) if category else None
    tags = _as_str_list(meta.get("tags"), "tags")
    return category, list(dict.fromkeys(tags + [name for name in extra if name not in tags]))


def front_matter_language(meta):
    """``lang`` / ``language`` of the front matter as ``zh``/``en``; None when absent."""
    value = meta.get("lang", meta.get("language"))
    if value is None or value == "":
        return None
    language = normalize_language(str(value))
    if language is None:
        raise ImportProblem(f"language {value!r} is not one of zh, en")
    return language


def parse_article(path, default_tz=dt.timezone.utc, default_author=None):
    """Read ``path`` into an :class:`Article`, raising :class:`ImportProblem` when it is unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ImportProblem("not UTF-8 text") from None
    except OSError as exc:
        raise ImportProblem(exc.strerror or str(exc)) from None
    if not text.lstrip("\ufeff").startswith("---"):
        raise ImportProblem("no YAML front matter (the file must start with a '---' line)")
    try:
        meta, body = frontmatter.parse(text)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportProblem(f"front matter is not valid YAML: {reason}") from None
    except ValueError as exc:
        # PyYAML builds dates while parsing, so "date: 2024-13-45" fails here.
        raise ImportProblem(f"front matter has an impossible date: {exc}") from None
    if not meta:
        raise ImportProblem("empty or unterminated front matter")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise ImportProblem("missing 'title'")
    author = str(meta.get("author") or default_author or "").strip()
    if not author:
        raise ImportProblem("missing 'author'")
    jekyll = JEKYLL_NAME.match(path.stem)
    permalink = str(meta.get("permalink") or "").strip("/").rsplit("/", 1)[-1]
    slug = make_slug(str(meta.get("slug") or permalink or (jekyll and jekyll["slug"])
                         or path.stem), max_length=200)
    if meta.get("date") is None and jekyll:  # Jekyll's _posts/2024-05-01-title.md
        meta["date"] = jekyll["date"]
    if not slug:
        raise ImportProblem("no usable 'slug'")
    draft = meta.get("draft") is True or str(meta.get("status", "")).lower() == "draft"
    category, tags = categories_and_tags(meta)
    check_names(title, author, category, tags)
    return Article(
        title=title,
        slug=slug,
        author=author,
        published_at=_as_datetime(meta.get("date"), default_tz),
        body=body.strip() + "\n",
        category=category,
        tags=tags,
        status="draft" if draft else "published",
        language=front_matter_language(meta),
        translation_key=str(meta["translationKey"]) if meta.get("translationKey") else None,
    )


def _author(name):
    # A name as written ("Jane Doe") is shown; the login has no spaces ("Jane-Doe").
    username = "-".join(name.split())[:User.username.type.length]
    user = User.by_username(username)
    if user is None:
        # Imported authors exist for attribution only; they log in once given a password.
        user = User(username=username, display_name=name[:User.display_name.type.length],
                    role="author")
        db.session.add(user)
    return user


def save_article(article):
    """Create or update the post for ``article``; return ``"created"`` or ``"updated"``."""
    # Look up (or create) everything the post points to before touching the post, so
    # autoflush never meets a half-built post.
    author = _author(article.author)
    for name in article.coauthors:
        _author(name)
    category = Category.get_or_create(article.category) if article.category else None
    tags = list({tag.slug: tag for tag in map(Tag.get_or_create, article.tags)}.values())
    post = db.session.scalar(db.select(Post).filter_by(slug=article.slug))
    outcome = "updated" if post is not None else "created"
    if post is None:
        post = Post(slug=article.slug)
    post.title = article.title
    if post.body != article.body:  # assigning re-renders the HTML: only when it changed
        post.body = article.body
    post.published_at = article.published_at or post.published_at or utcnow()
    if article.language:
        post.language = article.language
    if article.status == "draft":
        post.status = "draft"
    else:
        post.status = "scheduled" if post.published_at > utcnow() else "published"
    post.author = author
    post.category = category
    post.tags = tags
    db.session.add(post)
    return outcome


def import_file(path, default_tz=dt.timezone.utc, skip_slugs=None, default_author=None):
    """Parse and save one file in its own transaction; raises :class:`ImportProblem`.

    ``skip_slugs`` maps slugs already imported in this run to their file names, so two
    files with one slug are reported instead of the second silently replacing the first.
    """
    article = parse_article(path, default_tz, default_author=default_author)
    if skip_slugs and article.slug in skip_slugs:
        raise ImportProblem(f"slug {article.slug!r} is also used by {skip_slugs[article.slug]}")
    try:
        outcome = save_article(article)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return article, outcome
