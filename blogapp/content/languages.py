"""Article languages: the two a post may have (``zh``, ``en``), how other spellings map to
them (Hugo folders ``zh-cn``, ``en-us``, front matter ``lang: zh-Hans``), the ``hreflang``
each is announced with, and detection from the text for posts that do not say.
"""

from .reader import text_language

LANGUAGES = ("zh", "en")
# hreflang / lang attribute values: Simplified Chinese for China, and plain English.
HREFLANG = {"zh": "zh-CN", "en": "en"}
# Spellings seen in Hugo sites and front matter; compared lowercased with "_" as "-".
_ALIASES = {
    "zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-hans-cn": "zh", "zh-sg": "zh", "cn": "zh",
    "chinese": "zh", "中文": "zh", "简体中文": "zh",
    "en": "en", "en-us": "en", "en-gb": "en", "en-au": "en", "en-ca": "en", "english": "en",
}


def normalize(value):
    """``"zh-CN"`` -> ``"zh"``, ``"en_US"`` -> ``"en"``; None for anything else (``"fr"``,
    ``"zh-tw"``: Traditional Chinese is not one of the site's languages)."""
    if not isinstance(value, str):
        return None
    return _ALIASES.get(value.strip().lower().replace("_", "-"))


def detect_language(html_text):
    """``zh`` when the text is mostly Chinese, else ``en`` (``reader.text_language``)."""
    return "zh" if text_language(html_text) == "zh-CN" else "en"


def hreflang(language):
    return HREFLANG.get(language, language)


def other_language(language):
    return "en" if language == "zh" else "zh"
