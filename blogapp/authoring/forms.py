"""The post editor form."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..content.slugs import make_slug


def split_tags(text):
    """``"HPA, 自动扩缩容，metrics-server"`` -> names, accepting ASCII and full-width commas."""
    seen, names = set(), []
    for raw in (text or "").replace("，", ",").split(","):
        name = " ".join(raw.split())
        if name and make_slug(name) not in seen:
            seen.add(make_slug(name))
            names.append(name)
    return names


class PostForm(FlaskForm):
    title = StringField("标题", validators=[DataRequired(message="请填写标题。"), Length(max=300)])
    slug = StringField("URL 别名", validators=[Optional(), Length(max=200)])
    body = TextAreaField("正文（Markdown）", validators=[Length(max=500_000)])
    category = StringField("分类", validators=[Optional(), Length(max=100)])
    tags = StringField("标签（逗号分隔）", validators=[Optional(), Length(max=1000)])
    published_at = DateTimeLocalField(
        "发布时间（留空为现在）", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    save = SubmitField("保存")  # keeps the current status; 发布 publishes
    preview = SubmitField("预览")
    publish = SubmitField("发布")

    def validate_slug(self, field):
        if field.data and not make_slug(field.data):
            raise ValidationError("URL 别名至少要有一个字母、数字或汉字。")

    def validate_category(self, field):
        if field.data and field.data.strip() and not make_slug(field.data):
            raise ValidationError("分类名至少要有一个字母、数字或汉字。")

    def validate_tags(self, field):
        if any(not make_slug(name) for name in split_tags(field.data)):
            raise ValidationError("标签名至少要有一个字母、数字或汉字。")
