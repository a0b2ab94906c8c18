"""The comment form (also used, prefilled, for editing within the edit window)."""

from blogapp.plugin_api import Form
from blogapp.plugin_api import lazy_gettext as _
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from .models import parse_id
from .sanitize import MAX_BODY_CHARS, clean_name, safe_url


class CommentForm(Form):
    body = TextAreaField(_("评论（支持 Markdown）"), validators=[
        DataRequired(message=_("请写点内容。")),
        Length(max=MAX_BODY_CHARS, message=_("评论最长 %(max)d 字。")),
    ])
    author_name = StringField(_("昵称"), filters=[clean_name], validators=[
        DataRequired(message=_("请填写昵称。")), Length(max=100, message=_("昵称最长 %(max)d 字。"))])
    author_email = EmailField(_("邮箱（不公开）"), validators=[
        DataRequired(message=_("请填写邮箱。")),
        Email(message=_("邮箱格式不正确。"), check_deliverability=False),
        Length(max=254)])
    author_url = StringField(_("网站"), validators=[Optional(), Length(max=500)])
    parent_id = HiddenField()
    notify_replies = BooleanField(_("有人回复时邮件通知我"))

    def validate_author_url(self, field):
        if field.data and not safe_url(field.data):
            raise ValidationError(_("网址必须以 http:// 或 https:// 开头。"))

    def validate_parent_id(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(_("回复的评论不存在。"))


class CommentEditForm(Form):
    body = CommentForm.body
