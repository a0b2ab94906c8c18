"""Import a WordPress export (WXR): authors, categories, tags, posts and their comments.

Idempotent: posts are found again by their WordPress id (:class:`LegacyPostId`), authors
by login (or e-mail), terms by slug, so importing a file twice creates nothing the second
time. Comments go to plugins through the ``import_comments`` hook: the core knows nothing
of comments. Nothing is committed here; the caller commits, or rolls back for a dry run.

Choices (see README): nested categories become one flat category per path
(``Parent / Child``); a post keeps its most specific category and its other categories
become tags; pages, attachments, menu items and other types are counted and skipped;
password-protected posts are imported as drafts so their text never goes public.
"""

from collections import Counter
from urllib.parse import unquote

from ..content.slugs import make_slug
from ..extensions import db
from ..models import Category, LegacyPostId, Post, Tag, User
from .wp_content import plain_title, post_body
from .wxr_parse import WxrTerm, wp_datetime

POST_STATUSES = {"publish": "published", "future": "scheduled", "draft": "draft",
                 "pending": "draft", "private": "draft"}
COMMENT_STATUSES = {"1": "approved", "0": "pending", "spam": "spam"}
TRASHED_COMMENTS = frozenset({"trash", "post-trashed"})
SKIPPED_TYPES = {"page": "pages", "attachment": "attachments", "nav_menu_item": "menu items"}
UNCATEGORIZED = "uncategorized"  # WordPress' default category, dropped when a post has others
PATH_SEPARATOR = " / "
UNTITLED = "(无标题)"
NAME_LENGTH = 100  # Category.name / Tag.name


class Report:
    """What an import did: ``counts[kind][outcome]`` plus warnings worth reading."""

    def __init__(self):
        self.counts = {}
        self.other_types = Counter()
        self.warnings = []

    def add(self, kind, outcome, number=1):
        self.counts.setdefault(kind, Counter())[outcome] += number


def _username(login):
    """A login usable by ``flask create-user`` (no spaces or '/', at most 64 characters)."""
    return "-".join(login.replace("/", " ").split())[:64] or "wordpress"


def _term_name(name):
    name = plain_title(name)
    return name if len(name) <= NAME_LENGTH else "…" + name[-(NAME_LENGTH - 1):]


class WordPressImporter:
    def __init__(self, export, tz, hook=None, blog=None):
        self.export, self.tz, self.hook, self.blog = export, tz, hook, blog
        self.source = export.base_url or export.title or "wordpress"
        self.report = Report()
        self._users = {}  # lower-cased WordPress login -> User
        self._categories = {}  # WordPress category slug -> (Category, depth, leaf name)
        self._terms = {}  # (model, our slug) -> row
        self._slugs_taken = set()
        self._usage = Counter(t.slug for item in export.items if item.post_type == "post"
                              for t in item.categories)

    # -- authors --------------------------------------------------------------------
    def _author(self, login, info=None):
        key = login.lower()
        if key in self._users:
            return self._users[key]
        username = _username(login)
        email = (info.email if info else "").strip()[:254] or None
        user = User.by_username(username)
        if user is None and email:
            user = db.session.scalar(
                db.select(User).where(db.func.lower(User.email) == email.lower()))
        if user is None:
            # No password: the account cannot log in until `flask create-user` sets one.
            shown = plain_title(info.display_name if info else "")[:128]
            user = User(username=username, role="author", email=email,
                        display_name=shown or username)
            db.session.add(user)
            self.report.add("authors", "created")
        else:
            self.report.add("authors", "existing")
        self._users[key] = user
        return user

    def _creator(self, creator):
        for candidate in (creator, creator.strip(" <>\"'")):
            if candidate.lower() in self._users:
                return self._users[candidate.lower()]
        login = creator.strip(" <>\"'")
        if not login and self._users:
            return next(iter(self._users.values()))
        self.report.warnings.append(f"post author {creator!r} is not among the export's authors")
        return self._author(login or "wordpress")

    # -- categories and tags ----------------------------------------------------------
    def _term(self, model, name, kind):
        slug = make_slug(name)
        if not slug:
            return None
        row = self._terms.get((model, slug))
        if row is None:
            row = db.session.scalar(db.select(model).filter_by(slug=slug))
            if row is None:
                row = model(name=name, slug=slug)
                db.session.add(row)
            self._terms[(model, slug)] = row
            self.report.add(kind, "existing" if row.id else "created")
        return row

    def _import_categories(self):
        declared = {c.slug: c for c in self.export.categories if c.slug}
        for item in self.export.items:
            for term in item.categories:
                declared.setdefault(term.slug, WxrTerm(slug=term.slug, name=term.name))
        for slug in declared:
            names, seen, current = [], set(), slug
            while current in declared and current not in seen:  # guards against loops
                seen.add(current)
                names.append(plain_title(declared[current].name) or current)
                current = declared[current].parent
            names.reverse()
            category = (self._term(Category, _term_name(PATH_SEPARATOR.join(names)), "categories")
                        or self._term(Category, _term_name(slug), "categories"))
            if category is None:
                self.report.warnings.append(f"category {slug!r} has no usable name; left out")
                continue
            self._categories[slug] = (category, len(names), names[-1])

    def _import_tags(self):
        for term in self.export.tags:
            self._tag(term)

    def _tag(self, term):
        tag = self._term(Tag, _term_name(term.name or term.slug), "tags")
        return tag or self._term(Tag, _term_name(term.slug), "tags")

    def _taxonomy(self, item):
        """The post's category (its most specific one) and tags (incl. its other categories)."""
        known = list(dict.fromkeys(t.slug for t in item.categories if t.slug in self._categories))
        if len(known) > 1:
            known = [slug for slug in known if slug != UNCATEGORIZED] or known
        # Deepest first, then the one fewest posts use, then the file's order.
        primary = min(known, default=None, key=lambda s: (
            -self._categories[s][1], self._usage[s], known.index(s)))
        extra = [WxrTerm(slug=s, name=self._categories[s][2]) for s in known if s != primary]
        if extra:
            self.report.add("posts", "with several categories")
        tags = [self._tag(term) for term in [*item.tags, *extra]]
        unique = {tag.slug: tag for tag in tags if tag is not None}
        return (self._categories[primary][0] if primary else None), list(unique.values())

    # -- posts ------------------------------------------------------------------------
    def _unique_slug(self, item):
        base = (make_slug(unquote(item.slug), max_length=200)
                or make_slug(plain_title(item.title), max_length=200) or f"post-{item.wp_id}")
        slug, number = base, 2
        taken = lambda s: db.session.scalar(db.select(Post.id).filter_by(slug=s))  # noqa: E731
        while slug in self._slugs_taken or taken(slug):
            slug, number = f"{base[:190]}-{number}", number + 1
        self._slugs_taken.add(slug)
        return slug

    def _import_post(self, item):
        status = POST_STATUSES.get(item.status)
        if status is None or not item.wp_id:
            # trash, auto-draft, inherit: nothing anybody meant to keep; and without an id
            # a post could not be found again (nor told apart from others) on re-import.
            kind = f"{item.status or 'unknown'} posts" if item.wp_id else "id-less posts"
            self.report.add("skipped", kind)
            self.report.add("comments", "on skipped items", len(item.comments))
            return
        if item.password and status != "draft":
            status = "draft"
            self.report.add("posts", "password-protected")
        published_at = wp_datetime(item.date_gmt, item.date_local, self.tz)
        if published_at is None and status != "draft":
            self.report.warnings.append(f"post {item.wp_id} has no date; imported as a draft")
            status = "draft"
        category, tags = self._taxonomy(item)
        wanted = {"title": plain_title(item.title)[:300] or UNTITLED,
                  "body": post_body(item.content), "status": status, "published_at": published_at,
                  "author": self._creator(item.creator), "category": category}
        legacy = db.session.scalar(
            db.select(LegacyPostId).filter_by(source=self.source, legacy_id=item.wp_id))
        post = legacy.post if legacy else None
        outcome = "unchanged"
        if post is None:
            post, outcome = Post(slug=self._unique_slug(item)), "created"
        for name, value in wanted.items():
            if getattr(post, name) != value:
                setattr(post, name, value)
                outcome = "updated" if outcome == "unchanged" else outcome
        if {t.slug for t in post.tags} != {t.slug for t in tags}:
            post.tags = tags
            outcome = "updated" if outcome == "unchanged" else outcome
        db.session.add(post)
        if legacy is None:
            db.session.add(LegacyPostId(source=self.source, legacy_id=item.wp_id, post=post,
                                        legacy_slug=unquote(item.slug).lower()[:200]))
        db.session.flush()
        self.report.add("posts", outcome)
        self.report.add("posts", status)
        self._import_comments(post, item)

    # -- comments ---------------------------------------------------------------------
    def _import_comments(self, post, item):
        comments = []
        for comment in item.comments:
            if comment.approved in TRASHED_COMMENTS:
                self.report.add("comments", "trashed skipped")
                continue
            if not comment.wp_id:
                self.report.warnings.append(f"a comment on post {item.wp_id} has no id; skipped")
                continue
            status = COMMENT_STATUSES.get(comment.approved, "pending")
            self.report.add("comments", status)
            comments.append({
                "wp_id": comment.wp_id, "parent_wp_id": comment.parent_wp_id,
                "author_name": comment.author_name, "author_email": comment.author_email,
                "author_url": comment.author_url, "author_ip": comment.author_ip,
                "date": (wp_datetime(comment.date_gmt, comment.date_local, self.tz)
                         or post.published_at or post.created_at),
                "content": comment.content, "status": status,
            })
        if not comments:
            return
        if self.hook is None or not self.hook.import_comments.get_hookimpls():
            self.report.add("comments", "not stored (no plugin)", len(comments))
            return
        created = sum(int(n or 0) for n in self.hook.import_comments(
            post=post, comments=comments, blog=self.blog))
        self.report.add("comments", "created", created)
        self.report.add("comments", "unchanged", max(len(comments) - created, 0))

    def run(self, step=None):
        """Import everything; ``step()`` is called after each item (progress)."""
        for author in self.export.authors:
            if author.login:
                self._author(author.login, author)
        self._import_categories()
        self._import_tags()
        for item in self.export.items:
            if item.post_type == "post":
                self._import_post(item)
            else:
                kind = SKIPPED_TYPES.get(item.post_type, "other items")
                self.report.add("skipped", kind)
                if kind == "other items":
                    self.report.other_types[item.post_type] += 1
                self.report.add("comments", "on skipped items", len(item.comments))
            if step:
                step()
        db.session.flush()
        return self.report
