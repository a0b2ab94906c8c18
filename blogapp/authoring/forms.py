"""The post editor form."""

from flask_babel import lazy_gettext as _
from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import Form

from ..content.slugs import make_slug
from ..models import Tag

TAG_NAME_LENGTH = Tag.name.type.length


def split_tags(text):
    """``"HPA, 自动扩缩容，metrics-server"`` -> names, accepting ASCII and full-width commas."""
    seen, names = set(), []
    for raw in (text or "").replace("，", ",").split(","):
        name = " ".join(raw.split())
        if name and make_slug(name) not in seen:
            seen.add(make_slug(name))
            names.append(name)
    return names


class PostForm(Form):
    title = StringField(_("标题"), validators=[DataRequired(message=_("请填写标题。")), Length(max=300)])
    slug = StringField(_("URL 别名"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_("正文（Markdown）"), validators=[Length(max=500_000)])
    category = StringField(_("分类"), validators=[Optional(), Length(max=100)])
    tags = StringField(_("标签（逗号分隔）"), validators=[Optional(), Length(max=1000)])
    # "" = detect from the text; a translation is named by its URL slug (#16).
    language = SelectField(_("文章语言"), default="", choices=[
        SelectChoice("", _("自动识别")), SelectChoice("zh", "中文", render_kw={"lang": "zh-CN"}),
        SelectChoice("en", "English", render_kw={"lang": "en"})])
    translation_of = StringField(_("另一种语言的版本（其 URL 别名，留空为无）"),
                                 validators=[Optional(), Length(max=200)])
    published_at = DateTimeLocalField(
        _("发布时间（留空为现在）"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    save = SubmitField(_("保存"))  # keeps the current status; 发布 publishes
    preview = SubmitField(_("预览"))
    publish = SubmitField(_("发布"))

    def validate_slug(self, field):
        if field.data and not make_slug(field.data):
            raise ValidationError(_("URL 别名至少要有一个字母、数字或汉字。"))

    def validate_category(self, field):
        if field.data and field.data.strip() and not make_slug(field.data):
            raise ValidationError(_("分类名至少要有一个字母、数字或汉字。"))

    def validate_tags(self, field):
        names = split_tags(field.data)
        if any(not make_slug(name) for name in names):
            raise ValidationError(_("标签名至少要有一个字母、数字或汉字。"))
        # The column's size: PostgreSQL refuses longer names (SQLite would keep them).
        if any(len(name) > TAG_NAME_LENGTH for name in names):
            raise ValidationError(_("每个标签最长 %(max)d 字。", max=TAG_NAME_LENGTH))
