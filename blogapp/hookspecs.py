"""Every plugin hook, one documented function each (the Datasette way).

A plugin implements any of these with ``@hookimpl`` from this module. The core calls
them through ``app.extensions["plugins"].hook``; plugins call the comment hooks from
their own code, so other plugins can react without importing each other.
``docs/plugins.md`` documents each hook; a test fails when one is missing there.
"""

import pluggy

hookspec = pluggy.HookspecMarker("blogapp")
hookimpl = pluggy.HookimplMarker("blogapp")

# Template slots the core layout and pages render (see render_slot).
SLOTS = ("head", "sidebar", "post_footer", "entry_meta", "comment_form_fields")


@hookspec
def plugin_config_defaults():
    """Return a dict of default settings for this plugin; site configuration overrides them."""


@hookspec
def init_app(app):
    """Set the plugin up on ``app`` (runs once per app, after configuration is loaded)."""


@hookspec
def register_blueprints(app):
    """Return a Flask blueprint, or a list of them, to register on ``app``."""


@hookspec
def register_commands():
    """Return a click command, or a list of them, to add to the ``flask`` command line."""


@hookspec
def render_slot(name, context):
    """Return HTML (str or Markup) for template slot ``name`` (one of SLOTS), or None."""


@hookspec
def search_synonyms():
    """Return a list of synonym groups (lists of equivalent terms) for the search glossary."""


@hookspec
def post_after_publish(post):
    """Called after a commit that made ``post`` visible to readers (or updated it while visible)."""


@hookspec
def post_after_delete(post):
    """Called after a commit that deleted ``post`` (its id, slug and title are still readable)."""


@hookspec
def comment_before_save(comment, request_info):
    """Return a Verdict to reject, hold or mark ``comment`` as spam before it is saved, or None."""


@hookspec
def comment_after_save(comment):
    """Called after a new ``comment`` has been committed (with its final status)."""


@hookspec
def comment_status_changed(comment, old_status, new_status):
    """Called after a moderator or command changed ``comment``'s status and committed."""


@hookspec
def import_comments(post, comments):
    """Store comments that came with an imported post; return how many were created."""
