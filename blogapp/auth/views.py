"""Login and logout pages."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..models import User
from ..plugins import plugin_manager
from .forms import LoginForm
from .throttle import ThrottleUnavailable

bp = Blueprint("auth", __name__)


def safe_next_url(target):
    """Only same-site paths are followed after login (no open redirect via ``next=``)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _destination(user):
    """Where a login from no particular page leads: where a plugin says (the comments
    plugin: the moderation queue when comments wait), else the front page."""
    plugins = plugin_manager(current_app)
    return plugins.hook.login_destination(user=user, blog=plugins.blog) or url_for("blog.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        # Moderators cannot write: sending them to the post list would only show a 403.
        target = "authoring.post_list" if current_user.can_write else "blog.index"
        return redirect(url_for(target))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        throttle = current_app.extensions["login_throttle"]
        username = form.username.data.strip()
        try:
            wait = throttle.blocked_for(request.remote_addr, username)
        except ThrottleUnavailable:
            flash(_("登录暂时不可用，请稍后再试。"), "error")
            response = current_app.make_response((render_template("auth/login.html", form=form), 503))
            response.headers["Retry-After"] = "60"
            return response
        if wait:
            flash(_("登录失败次数过多，请 %(wait)s 秒后再试。", wait=wait), "error")
            response = current_app.make_response((render_template("auth/login.html", form=form), 429))
            response.headers["Retry-After"] = str(wait)
            return response
        user = User.by_username(username)
        if user is not None and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            flash(_("欢迎回来，%(name)s。", name=user.name), "success")
            return redirect(safe_next_url(form.next.data) or _destination(user))
        throttle.failed(request.remote_addr, username)
        flash(_("用户名或密码不正确。"), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("blog.index"))
