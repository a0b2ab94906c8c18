"""The base of every form on the site (core and plugins): Flask-WTF's ``FlaskForm`` with
WTForms' own messages ("Field must be between...") translated from a per-process cache.

Flask-WTF loads WTForms' catalogue from disk again on every request that builds a form
(``flask_wtf.i18n``: one ``open`` and a ``.mo`` parse, ~0.6 ms), and every article page
builds the comment form. The catalogue never changes while the process runs, so it is
loaded once per locale here.
"""

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@lru_cache(maxsize=16)
def wtforms_translations(locale):
    """WTForms' catalogue for ``locale`` (``"zh"``, ``"en"``), loaded once per process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            locale = get_locale()
            return wtforms_translations(str(locale)) if locale is not None else None
