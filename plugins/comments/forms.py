"""The comment form (also used, prefilled, for editing within the edit window)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from .models import parse_id
from .sanitize import MAX_BODY_CHARS, clean_name, safe_url


class CommentForm(FlaskForm):
    body = TextAreaField("评论（支持 Markdown）", validators=[
        DataRequired(message="请写点内容。"),
        Length(max=MAX_BODY_CHARS, message=f"评论最长 {MAX_BODY_CHARS} 字。"),
    ])
    author_name = StringField("昵称", filters=[clean_name], validators=[
        DataRequired(message="请填写昵称。"), Length(max=100, message="昵称最长 100 字。")])
    author_email = EmailField("邮箱（不公开）", validators=[
        DataRequired(message="请填写邮箱。"),
        Email(message="邮箱格式不正确。", check_deliverability=False),
        Length(max=254)])
    author_url = StringField("网站", validators=[Optional(), Length(max=500)])
    parent_id = HiddenField()
    notify_replies = BooleanField("有人回复时邮件通知我")

    def validate_author_url(self, field):
        if field.data and not safe_url(field.data):
            raise ValidationError("网址必须以 http:// 或 https:// 开头。")

    def validate_parent_id(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError("回复的评论不存在。")


class CommentEditForm(FlaskForm):
    body = CommentForm.body
