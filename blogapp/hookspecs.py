"""The core's plugin hooks, one documented function each (the Datasette way).

A plugin implements any of these with ``@hookimpl`` (import it from
``blogapp.plugin_api``). The core calls them through its plugin manager, passing ``blog``
(the :class:`blogapp.plugin_api.Blog` of the app) to every hook but
``plugin_config_defaults``; an implementation takes only the arguments it needs.
Hooks that belong to one plugin's domain are declared by that plugin
(``plugin_hookspecs``), e.g. the comment hooks in ``plugins/comments/hookspecs.py``.
``docs/plugins.md`` documents each hook; a test fails when one is missing there.
"""

import pluggy

hookspec = pluggy.HookspecMarker("blogapp")
hookimpl = pluggy.HookimplMarker("blogapp")

# Template slots the core layout and pages render (see render_slot); plugins may render
# slots of their own in their templates (the comments plugin's ``comment_form_fields``).
SLOTS = ("head", "sidebar", "post_footer", "entry_meta", "site_nav")


@hookspec
def plugin_config_defaults():
    """Return a dict of default settings for this plugin; site configuration overrides them."""


@hookspec
def plugin_hookspecs(blog):
    """Return a module or class of the ``@hookspec`` functions this plugin calls, or None."""


@hookspec
def init_app(app, blog):
    """Set the plugin up on ``app`` (runs once per app, after configuration is loaded)."""


@hookspec
def register_blueprints(app, blog):
    """Return a Flask blueprint, or a list of them, to register on ``app``."""


@hookspec
def register_commands(blog):
    """Return a click command, or a list of them, to add to the ``flask`` command line."""


@hookspec
def render_slot(name, context, blog):
    """Return HTML (str or Markup) for template slot ``name`` (SLOTS or a plugin's), or None."""


@hookspec(firstresult=True)
def login_destination(user, blog):
    """Return where ``user`` goes after logging in from no particular page (a path), or None."""


@hookspec
def search_synonyms(blog):
    """Return a list of synonym groups (lists of equivalent terms) for the search glossary."""


@hookspec
def post_after_publish(post, blog):
    """Called after a commit that made ``post`` visible to readers (or updated it while visible)."""


@hookspec
def post_after_delete(post, blog):
    """Called after a commit that deleted ``post`` (its id, slug and title are still readable)."""


@hookspec
def import_comments(post, comments, blog):
    """Store comments that came with an imported post; return how many were created."""
