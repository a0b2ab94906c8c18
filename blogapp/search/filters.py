"""The filters a query holds (``tag:k8s``, ``year:2024`` ...), and the query with one
added or removed: what facet links and removable chips put in the search box.

Edits are textual, so the rest of what the reader typed stays exactly as typed.
"""

import re
from dataclasses import dataclass

from .analysis import fold
from .query import _SYNTAX, clean, filter_name

# A value needs quotes in the query when it holds a space (``tag:"service mesh"``).
_NEEDS_QUOTES = re.compile(r"\s")


@dataclass(frozen=True)
class Filter:
    name: str   # author, tag, category or year
    value: str  # as typed
    start: int
    end: int

    @property
    def key(self):
        """The value as the index compares it."""
        return fold(self.value).strip()


def active_filters(text):
    """The filters in ``text`` (after :func:`~blogapp.search.query.clean`), in order."""
    text = clean(text)
    found = []
    for m in _SYNTAX.finditer(text):
        name = filter_name(m)
        if not name:
            continue
        value = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        if value.strip():
            found.append(Filter(name, value, m.start(), m.end()))
    return found


def has_filter(text, name, value):
    key = fold(value).strip()
    return any(f.name == name and f.key == key for f in active_filters(text))


def filter_token(name, value):
    """``name:value`` as a reader would type it (quoted if it holds a space), or None if
    it cannot be typed: the syntax has no way to write a double quote inside a value."""
    value = value.strip()
    if not value or '"' in value:
        return None
    return f'{name}:"{value}"' if _NEEDS_QUOTES.search(value) else f"{name}:{value}"


def add_filter(text, name, value):
    """``text`` with the filter added (unchanged if it is there or cannot be typed)."""
    text = clean(text)
    token = filter_token(name, value)
    if token is None or has_filter(text, name, value):
        return text
    return f"{text} {token}".strip()


def remove_filter(text, name, value):
    """``text`` without any ``name:`` filter of that value (in whichever spelling)."""
    text = clean(text)
    key = fold(value).strip()
    spans = [(f.start, f.end) for f in active_filters(text) if f.name == name and f.key == key]
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return " ".join(text.split())
