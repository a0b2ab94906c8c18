"""Chinese/English interface with Flask-Babel.

Simplified Chinese is both the default locale and the source language: every msgid is the
Chinese text, so Chinese readers need no catalogue and English comes from
``blogapp/translations/en/LC_MESSAGES/messages.po`` (compiled to ``messages.mo``; after
editing the ``.po`` run ``pybabel compile -d blogapp/translations``, the tests check that
the ``.mo`` is current). Extract new strings with
``pybabel extract -F babel.cfg -k lazy_gettext -o messages.pot .`` and merge them into the
``.po`` with ``pybabel update -i messages.pot -d blogapp/translations``.

Locale choice per request: ``?lang=zh|en`` (remembered in a ``lang`` cookie), else that
cookie, else the best ``Accept-Language`` match, else ``BABEL_DEFAULT_LOCALE``.
"""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from flask import current_app, has_request_context, request
from flask_babel import Babel, force_locale, get_locale

LANGUAGES = ("zh", "en")
COOKIE_NAME = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# The value of <html lang> for each interface language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}

babel = Babel()


def select_locale():
    if not has_request_context():
        return None  # commands and mails: the site default
    return locale_for(request)


def locale_for(req):
    """The language ``req`` (any werkzeug request) asks for, or None for the default.
    The page cache calls it too, before Flask handles the request."""
    wanted = req.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    remembered = req.cookies.get(COOKIE_NAME)
    if remembered in LANGUAGES:
        return remembered
    return req.accept_languages.best_match(LANGUAGES)


def current_language():
    """``"zh"`` or ``"en"``: the interface language of this request (or the default)."""
    locale = get_locale()
    language = locale.language if locale is not None else None
    if language not in LANGUAGES:
        language = current_app.config["BABEL_DEFAULT_LOCALE"].split("_")[0]
    return language


def html_lang():
    return HTML_LANG.get(current_language(), current_language())


def default_locale():
    """The site's own language, for mail that goes to people other than the requester."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def lang_url(language):
    """The current page in ``language`` (other query arguments kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", language))
    return request.script_root + request.path + "?" + urlencode(args)


def _babel_locale():
    return get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]


def _local(value):
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def local_date(value, format="medium"):
    """An aware datetime as a date for the reader: zh ``2024年7月30日``, en ``Jul 30, 2024``."""
    if value is None:
        return ""
    return babel_format_date(_local(value).date(), format=format, locale=_babel_locale())


def month_name(year, month):
    """zh ``2024年7月``, en ``July 2024``."""
    from datetime import date

    return format_skeleton("yMMMM", date(year, month, 1), locale=_babel_locale())


def _remember_language(response):
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and request.cookies.get(COOKIE_NAME) != wanted:
        response.set_cookie(
            COOKIE_NAME, wanted, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    if response.mimetype in ("text/html", "application/json"):
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("TIMEZONE", "UTC"))
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_language)
    app.add_template_filter(local_date)
    app.jinja_env.globals.update(html_lang=html_lang, lang_url=lang_url,
                                 current_language=current_language)
