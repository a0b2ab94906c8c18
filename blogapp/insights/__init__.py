"""Search insights: searches recorded off the request path, the editors' page of queries
that find nothing or little, and the synonym groups they add from it (which join the
search glossary on every node at once, with no rebuild)."""

from flask import has_app_context, has_request_context

from . import synonyms
from .cli import COMMANDS
from .recorder import SearchRecorder


def init_app(app):
    from ..search import search_service

    recorder = app.extensions["search_log"] = SearchRecorder(app)
    service = search_service(app)

    def after_search(text, total, page):
        # Only what a reader asked for, once per query (not each page of its results).
        if page == 1 and has_request_context():
            recorder.record(text, total)

    def before_search():
        if has_app_context():  # requests and commands (search-eval) search alike
            synonyms.refresh()

    service.after_search = after_search
    service.before_search = before_search
    from .empty_page import no_results_help
    from .views import bp

    app.jinja_env.globals["no_results_help"] = no_results_help

    app.register_blueprint(bp)
    for command in COMMANDS:
        app.cli.add_command(command)
