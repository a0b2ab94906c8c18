"""Antispam: a honeypot field, a per-IP rate limit, link/word rules and duplicate refusal.

It only answers the comments plugin's ``comment_before_save`` hook with a verdict
(reject, spam or hold) made by ``comments_api``, which the comments plugin applies; with
comments blocked nobody calls it and it does nothing. Settings (overridable like any other): ``COMMENT_RATE_LIMIT``, ``COMMENT_MAX_LINKS``,
``COMMENT_DISALLOWED_WORDS``, ``COMMENT_MODERATION_WORDS``,
``COMMENT_RATELIMIT_STORAGE_URI``.
"""

from flask import current_app

from blogapp.plugin_api import hookimpl

from . import checks, honeypot, ratelimit

__version__ = "1.0.0"


@hookimpl
def plugin_config_defaults():
    return {
        "COMMENT_RATE_LIMIT": "3/minute",  # per client IP, `limits` notation
        "COMMENT_MAX_LINKS": 2,  # more links than this: held for moderation
        "COMMENT_DISALLOWED_WORDS": [],  # any of these (case-insensitive): spam
        "COMMENT_MODERATION_WORDS": [],  # any of these: held for moderation
        "COMMENT_RATELIMIT_STORAGE_URI": "memory://",  # e.g. redis://host:6379 across nodes
    }


@hookimpl
def init_app(app, blog):
    ratelimit.init_app(app, blog)


@hookimpl
def register_blueprints(app):
    return honeypot.bp


@hookimpl
def render_slot(name, context):
    if name == "head":
        return honeypot.stylesheet_link()
    if name == "comment_form_fields":
        return honeypot.field()
    return None


@hookimpl
def comment_before_save(comment, request_info, comments_api, blog):
    if honeypot.filled(request_info.get("form") or {}):
        return honeypot.verdict(comments_api)  # bots are not worth a rate-limit slot
    trusted = blog.can_moderate(request_info.get("user"))
    if not trusted:
        verdict = ratelimit.check(current_app, request_info.get("ip") or "", comments_api)
        if verdict is not None:
            return verdict
    config = current_app.config
    verdicts = [
        checks.duplicate(comment, comments_api),
        checks.disallowed_words(comment, config["COMMENT_DISALLOWED_WORDS"], comments_api),
    ]
    if not trusted:
        verdicts += [
            checks.too_many_links(comment, config["COMMENT_MAX_LINKS"], comments_api),
            checks.moderation_words(comment, config["COMMENT_MODERATION_WORDS"], comments_api),
        ]
    return comments_api.strongest(verdicts)
