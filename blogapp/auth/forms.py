"""Login form."""

from flask_babel import lazy_gettext as _
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class LoginForm(Form):
    username = StringField(_("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_("密码"), validators=[DataRequired(), Length(max=512)])
    remember = BooleanField(_("记住我"))
    next = HiddenField()
