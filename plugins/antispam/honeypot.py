"""The honeypot: a text field people never see (hidden by a stylesheet, no JavaScript)
and bots fill in. The stylesheet is served from this plugin's own static folder."""

from flask import Blueprint, url_for
from blogapp.plugin_api import gettext, lazy_gettext
from markupsafe import Markup

FIELD_NAME = "website_confirm"
REASON = lazy_gettext("评论提交失败，请刷新页面后重试。")

bp = Blueprint("antispam", __name__, url_prefix="/antispam", static_folder="static")

_FIELD = Markup(
    '<div class="hp-field" aria-hidden="true">'
    f'<label for="{FIELD_NAME}">{{label}}</label>'
    f'<input type="text" id="{FIELD_NAME}" name="{FIELD_NAME}" value=""'
    ' tabindex="-1" autocomplete="off">'
    "</div>"
)


def field():
    return _FIELD.format(label=gettext("请勿填写此项"))


def stylesheet_link():
    href = url_for("antispam.static", filename="antispam.css")
    return Markup('<link rel="stylesheet" href="{}">').format(href)


def verdict(comments_api):
    return comments_api.verdict("reject", REASON, status=400)


def filled(form):
    return bool((form.get(FIELD_NAME) or "").strip())
