"""Signed links: one-click moderation (``{comment id, action, moderator id}``, 7 days)
and reply-mail unsubscription (``{comment id}``, no expiry: RFC 8058 links must keep
working as long as mails that carry them may be read)."""

from flask import current_app
from blogapp.plugin_api import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "notify-moderate"
UNSUBSCRIBE_SALT = "notify-unsubscribe"
MAX_AGE = 7 * 24 * 3600
ACTIONS = ("approve", "delete")


class InvalidLink(Exception):
    """The link was tampered with, is malformed or has expired (``str()`` says which)."""


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(comment_id, action, moderator_id):
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return _serializer().dumps({"c": comment_id, "a": action, "u": moderator_id})


def read_token(token):
    """``(comment id, action, moderator id)``, or :class:`InvalidLink`."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise InvalidLink(_("这个审核链接已过期（有效期 7 天），请到审核页面处理。")) from None
    except BadSignature:
        raise InvalidLink(_("这个审核链接无效，请检查是否复制完整。")) from None
    if not (isinstance(data, dict) and data.get("a") in ACTIONS
            and isinstance(data.get("c"), int) and isinstance(data.get("u"), int)):
        raise InvalidLink(_("这个审核链接无效，请检查是否复制完整。"))
    return data["c"], data["a"], data["u"]


def make_unsubscribe_token(comment_id):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(
        {"c": comment_id})


def read_unsubscribe_token(token):
    """The comment id an unsubscribe link stands for, or :class:`InvalidLink`."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        data = serializer.loads(token)
    except BadSignature:
        raise InvalidLink(_("这个退订链接无效，请检查是否复制完整。")) from None
    if not (isinstance(data, dict) and isinstance(data.get("c"), int)):
        raise InvalidLink(_("这个退订链接无效，请检查是否复制完整。"))
    return data["c"]
