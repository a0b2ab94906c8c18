"""An example third-party blogapp plugin: a sidebar block and a post hook.

It imports from blogapp only ``blogapp.plugin_api`` (the stable plugin API) and is found
through the ``blogapp.plugins`` entry point its ``pyproject.toml`` declares. What it
remembers is per process (each gunicorn worker has its own): a real plugin would store
it in a table of its own.
"""

from flask import url_for
from markupsafe import Markup

from blogapp.plugin_api import hookimpl

__version__ = "0.1.0"

_STATE = "hello_sidebar"


@hookimpl
def plugin_config_defaults():
    return {"HELLO_SIDEBAR_GREETING": "Hello from a plugin"}


@hookimpl
def init_app(app):
    app.extensions[_STATE] = {"last_published": None}


@hookimpl
def post_after_publish(post, blog):
    # ``post`` is a snapshot (id, slug, title, author_id, status): the commit is done.
    blog.app.extensions[_STATE]["last_published"] = (post.slug, post.title)


@hookimpl
def render_slot(name, context, blog):
    if name != "sidebar":
        return None
    greeting = blog.app.config["HELLO_SIDEBAR_GREETING"]
    last = blog.app.extensions[_STATE]["last_published"]
    latest = Markup("")
    if last is not None:
        slug, title = last
        latest = Markup('<p>Just published: <a href="{}">{}</a></p>').format(
            url_for("blog.post", slug=slug), title)
    # Markup.format escapes the greeting and the title: a plain string would be escaped too.
    return Markup('<section class="hello-sidebar"><h2>{}</h2>{}</section>').format(
        greeting, latest)
