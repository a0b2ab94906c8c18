"""Signed, short-lived tokens that let a commenter edit or delete their own comment.

No account is needed: the token is set as a cookie when the comment is posted and is
valid for ``COMMENT_EDIT_WINDOW`` seconds (15 minutes by default).
"""

from flask import current_app
from blogapp.plugin_api import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "comment-edit"


def cookie_name(comment_id):
    return f"comment_{int(comment_id)}"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(comment):
    return _serializer().dumps({"id": comment.id, "email": comment.author_email})


def window_text():
    """The edit window for people: ``15 分钟``, or seconds when it is not whole minutes."""
    seconds = int(current_app.config["COMMENT_EDIT_WINDOW"])
    if seconds % 60 == 0:
        return ngettext("%(num)d 分钟", "%(num)d 分钟", seconds // 60)
    return ngettext("%(num)d 秒", "%(num)d 秒", seconds)


def token_allows(token, comment):
    """Whether ``token`` was issued for ``comment`` and is still inside the edit window."""
    if not token:
        return False
    try:
        data = _serializer().loads(token, max_age=current_app.config["COMMENT_EDIT_WINDOW"])
    except (BadSignature, SignatureExpired):
        return False
    return data.get("id") == comment.id and data.get("email") == comment.author_email
