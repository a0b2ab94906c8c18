"""Flask extension objects, created unbound here and bound in ``create_app``."""

from flask_caching import Cache
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by core and plugin models."""


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
# Schema migrations (Flask-Migrate, Alembic) are bound on first use: database.migrations.
# Anonymous page cache; bound in caching.init_app.
cache = Cache()
