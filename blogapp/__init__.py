"""blogapp: a Flask blog for Chinese and English Kubernetes writing.

``create_app`` is the only entry point; every subsystem is bound to the app through its
own ``init_app`` so that several apps (tests, workers) can live in one process.
"""

import os
from pathlib import Path

from flask import Flask

from . import config as default_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


def create_app(test_config=None, instance_path=None):
    """Build and configure an application.

    Configuration layers, later ones win: ``blogapp/config.py`` defaults, the instance's
    ``config.py``, ``BLOGAPP_*`` environment variables, then ``test_config``.
    """
    instance_path = Path(
        instance_path or os.environ.get("BLOGAPP_INSTANCE_PATH") or DEFAULT_INSTANCE_PATH
    ).resolve()
    instance_path.mkdir(parents=True, exist_ok=True)

    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BLOGAPP")
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = default_config.load_or_create_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(instance_path / "blog.sqlite")

    if app.config.get("PROXY_FIX"):
        # Behind a reverse proxy: trust its X-Forwarded-* headers (one hop by default).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config.get("PROXY_FIX_HOPS", 1))
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    register_extensions(app)
    register_blueprints(app)
    register_plugins(app)
    register_cli(app)
    return app


def register_extensions(app):
    from . import caching, compiled_templates, database, extensions, i18n, insights, search
    from . import security
    from .auth import login, throttle

    compiled_templates.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    throttle.init_app(app)
    database.init_app(app)
    extensions.csrf.init_app(app)
    login.init_app(app)
    search.init_app(app)
    caching.init_app(app)
    insights.init_app(app)


def register_blueprints(app):
    from . import errors, health
    from .authoring.preview import bp as preview_bp
    from .authoring.revisions import bp as revisions_bp
    from .authoring.trash import bp as trash_bp
    from .authoring.views import bp as authoring_bp
    from .auth.views import bp as auth_bp
    from .blog.feeds import bp as feeds_bp
    from .blog.legacy import bp as legacy_bp
    from .blog.search_views import bp as search_bp
    from .blog.suggest_views import bp as suggest_bp
    from .blog.views import bp as blog_bp
    from .media.views import bp as media_bp
    from .templating import init_app as init_templating

    app.register_blueprint(blog_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(suggest_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(trash_bp)
    app.register_blueprint(revisions_bp)
    app.register_blueprint(preview_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(legacy_bp)
    errors.init_app(app)
    init_templating(app)
    from .blog.translation_links import init_app as init_translation_links

    init_translation_links(app)


def register_plugins(app):
    """Load plugins last: they may extend everything registered before them."""
    from . import plugins, post_events

    plugins.init_app(app)
    post_events.init_app(app)


def register_cli(app):
    from .cli import init_app as init_cli

    init_cli(app)
