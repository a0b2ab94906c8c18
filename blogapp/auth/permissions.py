"""Role checks for views: anonymous users go to the login page, wrong roles get 403."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _
from flask_login import current_user, login_required


def role_required(predicate, message=_("你没有权限执行此操作。")):
    """Decorate a view so it runs only for logged-in users for whom ``predicate(user)`` holds."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403, description=message)
            return view(*args, **kwargs)

        return wrapped

    return decorator


writer_required = role_required(lambda user: user.can_write, _("只有作者、编辑和管理员可以写文章。"))
