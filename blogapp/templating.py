"""Jinja filters and globals shared by all templates."""

from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext

from .caching.fragments import memoized
from .extensions import db


def local_time(value, fmt="%Y-%m-%d"):
    """Format an aware datetime in the site's timezone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def sidebar_statement():
    """Categories with their number of visible posts, most used first."""
    from .models import Category, Post

    count = db.func.count(Post.id)
    return (
        db.select(Category, count)
        .join(Post, Post.category_id == Category.id)
        .where(Post.visible())
        .group_by(Category.id)
        .order_by(count.desc(), Category.name)
    )


class SidebarCategory(NamedTuple):
    name: str
    slug: str


def _count_categories():
    return [(SidebarCategory(category.name, category.slug), count)
            for category, count in db.session.execute(sidebar_statement())]


def _sidebar_categories():
    """``[(category, count)]`` for the sidebar: counting every visible post per category
    grows with the site, so the result is kept until the next change (``fragments``)."""
    return memoized("sidebar_categories", _count_categories)


def init_app(app):
    app.add_template_filter(local_time)
    app.jinja_env.globals["sidebar_categories"] = _sidebar_categories

    @app.context_processor
    def site():
        # The default name and description are in the catalogue; a site's own pass unchanged.
        return {"site_name": gettext(app.config["SITE_NAME"]),
                "site_description": gettext(app.config["SITE_DESCRIPTION"])}
