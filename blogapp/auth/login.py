"""Flask-Login wiring: how a session maps to a user."""

from ..extensions import db, login_manager


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id):
    from ..models import User

    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
