"""The public plugin API: the one module of ``blogapp`` that plugins import.

Like Datasette's ``datasette`` object, a :class:`Blog` is handed to the hooks (their
``blog`` argument) and reachable from a plugin's own views and commands through
:func:`current_blog`. Everything a plugin needs from the core is here: the database
session and model base, the current user and role checks, ``role_required``, rate
limiters, the Markdown/sanitizing policy, URL helpers, mail language, translation, hook
markers and calls, and services that plugins offer each other (``blog.service("comments")``).

Stability: the names in ``__all__`` and the public methods of :class:`Blog` are kept
compatible within a major version; anything else under ``blogapp`` may change in any
release, and a plugin that imports it may break. ``make test`` enforces this for the
bundled plugins (import-linter, see ``setup.cfg``).
"""

from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user as _current_user

from .auth.permissions import role_required
from .extensions import db
from .forms import Form
from .hookspecs import SLOTS, hookimpl, hookspec
from .models.types import UTCDateTime, utcnow

__all__ = [
    "Blog", "current_blog", "render_markdown", "sanitize_policy", "hookimpl", "hookspec",
    "SLOTS", "db", "UTCDateTime", "utcnow", "role_required", "gettext", "lazy_gettext",
    "ngettext", "N_", "Form",
]

_EXTENSION = "blog_api"


class Blog:
    """What a plugin may use of one application (one per app, built with its plugins)."""

    def __init__(self, app, plugin_manager):
        self.app = app
        self._pm = plugin_manager
        self._services = {}

    # -- plugins talking to each other ---------------------------------------------------
    @property
    def hook(self):
        """Call a hook: ``blog.hook.comment_before_save(...)`` (results of every plugin)."""
        return self._pm.hook

    def notify(self, hook_name, **kwargs):
        """Call an "after" hook (the change is committed); a failing plugin is only logged.
        A hook nobody declared (its plugin is blocked) is silently skipped."""
        if self.has_hook(hook_name):
            self._pm.notify(hook_name, blog=self, **kwargs)

    def has_hook(self, hook_name):
        """Whether a loaded plugin declared ``hook_name`` (plugin-owned hookspecs)."""
        caller = getattr(self._pm.hook, hook_name, None)
        return caller is not None and caller.spec is not None

    def provide(self, name, service):
        """Offer ``service`` to other plugins under ``name`` (from ``init_app``)."""
        self._services[name] = service

    def service(self, name):
        """The service another plugin offers under ``name``, or None (plugin blocked)."""
        return self._services.get(name)

    # -- database and content ------------------------------------------------------------
    @property
    def db(self):
        """Flask-SQLAlchemy: ``blog.db.session``, ``blog.db.select``, ``blog.db.paginate``."""
        return db

    def post(self, post_id):
        """The post with ``post_id``, or None."""
        from .models import Post

        return db.session.get(Post, post_id)

    def post_by_slug(self, slug, visible_only=False):
        """The post with ``slug`` (readers' view: only published ones when
        ``visible_only``), or None."""
        from .models import Post

        post = db.session.scalar(db.select(Post).filter_by(slug=slug))
        if post is None or (visible_only and not post.is_visible):
            return None
        return post

    @staticmethod
    def render_markdown(text, policy="article"):
        """Markdown to safe HTML under the ``article`` or ``comment`` sanitizing policy."""
        return render_markdown(text, policy)

    def wpautop(self, text):
        """WordPress' paragraphs for imported HTML/text (blank lines become ``<p>``)."""
        from .importer.wp_content import wpautop

        return wpautop(text)

    # -- users and roles -----------------------------------------------------------------
    def current_user(self):
        """The logged-in user, or None."""
        return _current_user if _current_user and _current_user.is_authenticated else None

    @staticmethod
    def can_moderate(user):
        """Whether ``user`` (or None) may moderate: roles moderator, editor, admin."""
        return bool(user is not None and getattr(user, "can_moderate", False))

    def user(self, user_id):
        """The user with ``user_id``, or None."""
        from .models import User

        return db.session.get(User, user_id)

    def moderators(self):
        """Users with a moderating role and an e-mail address, by id."""
        from .models import User
        from .models.user import MODERATOR_ROLES

        return db.session.scalars(
            db.select(User).where(User.role.in_(MODERATOR_ROLES), User.email.is_not(None),
                                  User.email != "").order_by(User.id)
        ).all()

    # -- rate limits, mail, URLs ---------------------------------------------------------
    def rate_limiter(self, setting):
        """A moving-window limiter on the storage named by config ``setting``
        (``memory://`` gives way to ``REDIS_URL``, shared across workers and nodes)."""
        from .config import storage_uri
        from .ratelimit import moving_window_limiter

        return moving_window_limiter(storage_uri(self.app.config, setting))

    def mail_locale(self):
        """A context manager: mail is written in the site's language, not the requester's."""
        from .i18n import default_locale

        return default_locale()

    @staticmethod
    def csrf_exempt(view):
        """Let ``view`` take POSTs without a CSRF token: only for URLs whose own signed
        token is the proof (e.g. RFC 8058 one-click unsubscribe, posted by mail programs)."""
        from .extensions import csrf

        return csrf.exempt(view)

    def memoized(self, name, compute):
        """``compute()`` once per change of the site and interface language: a value kept
        per process until any change pages show is committed (a fragment many requests
        render alike, e.g. a comment thread). ``name`` is the plugin's own key."""
        from .caching.fragments import memoized
        from .i18n import current_language

        return memoized(f"plugin:{name}:{current_language()}:{request.script_root}", compute)

    def external_url(self, endpoint, anchor=None, **values):
        """An absolute URL under ``SITE_URL`` (in requests and commands alike)."""
        site = urlsplit(self.app.config.get("SITE_URL") or "http://127.0.0.1:5000")
        adapter = self.app.url_map.bind(site.netloc, script_name=site.path or "/",
                                        url_scheme=site.scheme or "http")
        url = adapter.build(endpoint, values, force_external=True)
        return f"{url}#{anchor}" if anchor else url


def N_(message):
    """Mark ``message`` for the catalogue without translating it: a message id to store
    and translate when shown (e.g. a comment verdict's reason)."""
    return message


def render_markdown(text, policy="article"):
    """Markdown to safe HTML under the ``article`` or ``comment`` sanitizing policy
    (no app needed)."""
    from .content import sanitize

    return sanitize.render_markdown(text, policy)


def sanitize_policy(name):
    """The allowlists (``tags``, ``attributes``, ``protocols``, ``link_rel``) of policy
    ``article`` or ``comment``."""
    from .content import sanitize

    return sanitize.POLICIES[name]


def current_blog():
    """The :class:`Blog` of the current app (in views, commands and hooks)."""
    return current_app.extensions[_EXTENSION]


def install(app, plugin_manager):
    """Build ``app``'s Blog (called by the plugin manager before any hook runs)."""
    blog = app.extensions[_EXTENSION] = Blog(app, plugin_manager)
    return blog
