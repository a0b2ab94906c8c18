"""Who gets which mail: moderators for held comments, parent authors for replies."""

from functools import wraps

from flask import current_app

from blogapp.plugin_api import current_blog, gettext
from blogapp.plugin_api import gettext as _

from . import mailer
from .tokens import make_token, make_unsubscribe_token


def _never_raises(function):
    """Notifications run inside requests and commands that already succeeded."""

    @wraps(function)
    def wrapped(comment, blog=None):
        if not current_app.config["MAIL_ENABLED"]:
            return
        try:
            function(comment, blog or current_blog())
        except Exception:
            current_app.logger.exception("notify: %s failed for comment %s", function.__name__,
                                         getattr(comment, "id", None))

    return wrapped


@_never_raises
def tell_moderators(comment, blog):
    """Mail each moderator about a held comment, with their own approve/delete links."""
    with blog.mail_locale():  # mail is in the site's language, not the commenter's
        _tell_moderators(comment, blog)


def _tell_moderators(comment, blog):
    site, post = gettext(current_app.config["SITE_NAME"]), comment.post
    subject = _("[%(site)s] 新评论待审核：《%(title)s》", site=site, title=post.title)
    messages = []
    external_url = blog.external_url
    for user in blog.moderators():
        links = {
            action: external_url("notify.moderate", token=make_token(comment.id, action, user.id))
            for action in ("approve", "delete")
        }
        body = "\n".join([
            _("%(name)s，你好：", name=user.name),
            "",
            _("%(author)s <%(email)s> 在《%(title)s》发表了评论，正在等待审核。",
              author=comment.author_name, email=comment.author_email, title=post.title),
            _("原因：%(reason)s", reason=blog.service("comments").reason_text(comment) or _("待审核")),
            "",
            comment.body_raw,
            "",
            "----",
            _("网址：%(url)s", url=comment.author_url or _("（无）")),
            _("IP：%(ip)s", ip=comment.ip or _("（未知）")),
            _("文章：%(url)s", url=external_url("blog.post", slug=post.slug)),
            "",
            _("批准：%(url)s", url=links["approve"]),
            _("删除：%(url)s", url=links["delete"]),
            "",
            _("链接 7 天内有效，打开后还需在页面上点按钮确认。"),
        ])
        messages.append(mailer.compose(user.name, user.email, subject, body))
    mailer.send(messages)


@_never_raises
def tell_parent_author(reply, blog):
    """Mail the author of the comment ``reply`` answers, if they asked for it."""
    parent = reply.parent
    if parent is None or not parent.notify_replies or parent.status != "approved":
        return
    to = (parent.author_email or "").strip()
    if not to or to.lower() == (reply.author_email or "").strip().lower():
        return
    with blog.mail_locale():
        _tell_parent_author(reply, parent, to, blog)


def _tell_parent_author(reply, parent, to, blog):
    site, post = gettext(current_app.config["SITE_NAME"]), reply.post
    unsubscribe = blog.external_url("notify.unsubscribe", token=make_unsubscribe_token(parent.id))
    subject = _("[%(site)s] %(name)s 回复了你在《%(title)s》的评论",
                site=site, name=reply.author_name, title=post.title)
    body = "\n".join([
        _("%(name)s，你好：", name=parent.author_name),
        "",
        _("%(name)s 回复了你在《%(title)s》的评论：", name=reply.author_name, title=post.title),
        "",
        reply.body_raw,
        "",
        _("查看回复：%(url)s",
          url=blog.external_url("blog.post", anchor=f"comment-{reply.id}", slug=post.slug)),
        "",
        "----",
        _("你的评论："),
        parent.body_raw if len(parent.body_raw) <= 300 else parent.body_raw[:300] + "…",
        "",
        _("你发表评论时选择了“有人回复时邮件通知我”，所以收到这封邮件。"),
        _("不想再收到这条评论的回复通知：%(url)s", url=unsubscribe),
    ])
    # RFC 8058: mail programs show their own "unsubscribe" button and POST to the URL.
    headers = {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mailer.send([mailer.compose(parent.author_name, to, subject, body, headers=headers)])
