"""Notify: email moderators about held comments and commenters about approved replies.

Mail goes out with :mod:`smtplib` after the comment was committed; a mail server that is
down or slow (10 s timeout) is logged, never raised. Moderators get signed one-click
links (valid 7 days) to a confirmation page that approves or deletes the comment.
It answers the comments plugin's hooks and moderates through its ``comments_api``; with
comments blocked nobody calls it, and its links answer 404.
Settings: ``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS``, ``MAIL_USERNAME``,
``MAIL_PASSWORD``, ``MAIL_FROM``, ``MAIL_ENABLED``, ``SITE_URL``.
"""

from blogapp.plugin_api import hookimpl

from . import notifications

__version__ = "1.0.0"


@hookimpl
def plugin_config_defaults():
    return {
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,  # STARTTLS after connecting
        "MAIL_USERNAME": None,  # log in when set
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "blog@localhost",
        "MAIL_ENABLED": True,
        "SITE_URL": "http://127.0.0.1:5000",  # base of the links in mails
    }


@hookimpl
def register_blueprints(app, blog):
    from .views import bp, unsubscribe

    blog.csrf_exempt(unsubscribe)  # RFC 8058: mail programs POST without a form token
    return bp


@hookimpl
def comment_after_save(comment, blog):
    if comment.status == "pending":
        notifications.tell_moderators(comment, blog)
    elif comment.status == "approved":
        notifications.tell_parent_author(comment, blog)


@hookimpl
def comment_status_changed(comment, new_status, blog):
    if new_status == "approved":
        notifications.tell_parent_author(comment, blog)
