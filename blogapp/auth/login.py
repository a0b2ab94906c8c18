"""Flask-Login wiring: how a session maps to a user."""

from flask_babel import gettext

from ..extensions import db, login_manager


def N_(text):
    """Marks a string for extraction; Flask-Login translates it through ``localize_callback``."""
    return text


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("请先登录。")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id):
    from ..models import User

    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
