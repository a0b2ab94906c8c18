"""Search facets as readers and programs see them: each value's label (from the
database: tag and category names, authors' display names), whether the query has chosen
it, and the search that chooses or drops it; plus the removable chips of the filters in
force.

The counts come from the index (``blogapp/search/engine/facets.py``); filters live in the
query text (``tag:k8s year:2024``, ``blogapp/search/filters.py``) except the language,
which is the ``language`` parameter (#16).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext

from ..extensions import db
from ..models import Category, Tag, User
from ..search.analysis import fold
from ..search.filters import active_filters, add_filter, remove_filter

FACETS = ("category", "tag", "author", "year", "language")
SHOWN = 10  # values per facet
# Values counted per facet: enough that a chosen value outside the top ten still shows
# its real count (a blog has hundreds of tags, not thousands).
COUNTED = 1000
HEADINGS = {"category": lazy_gettext("分类"), "tag": lazy_gettext("标签"),
            "author": lazy_gettext("作者"), "year": lazy_gettext("年份"),
            "language": lazy_gettext("语言")}
LANGUAGE_LABELS = {"zh": "中文", "en": "English"}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    # (q, language) of the search with this value chosen, or without it if chosen
    toggled: tuple

    def as_json(self):
        return {"value": self.value, "label": self.label, "count": self.count,
                "selected": self.selected}


@dataclass
class Chip:
    facet: str
    label: str
    removed: tuple  # (q, language) of the search without this filter

    @property
    def heading(self):
        return HEADINGS[self.facet]


def _labels(facet, values):
    """``{value: label}`` for the values of one facet (a value unknown to the database,
    typed by hand, is its own label)."""
    values = list(values)
    if not values:
        return {}
    if facet == "language":
        return {v: LANGUAGE_LABELS.get(v, v) for v in values}
    if facet == "year":
        return {v: v for v in values}
    model, key, label = {"tag": (Tag, Tag.slug, Tag.name),
                         "category": (Category, Category.slug, Category.name),
                         "author": (User, User.username, User.display_name)}[facet]
    found = dict(db.session.execute(db.select(key, label).where(key.in_(values))).all())
    return {v: found.get(v) or v for v in values}


def _matches(facet, value, label, typed, language):
    """Whether the value is chosen: typed as its value or its label, in any case."""
    if facet == "language":
        return value == language
    return fold(value) in typed or fold(label) in typed


def build(results, q, language):
    """``({facet: [FacetValue]}, [Chip])`` for a search's results."""
    filters = active_filters(q)
    typed = {facet: {f.key for f in filters if f.name == facet} for facet in FACETS}
    facets = {}
    for facet in FACETS:
        counts = dict(results.facets.get(facet, ()))
        labels = _labels(facet, counts)
        shown = list(counts)[:SHOWN]  # the engine sorts them, most frequent first
        chosen = [v for v in counts if _matches(facet, v, labels[v], typed[facet], language)]
        facets[facet] = [
            FacetValue(v, labels[v], counts[v], v in chosen,
                       _toggle(facet, v, labels[v], v in chosen, q, language))
            for v in shown + [v for v in chosen if v not in shown]
        ]
    return facets, _chips(filters, facets, q, language)


def _toggle(facet, value, label, selected, q, language):
    if facet == "language":
        return q, None if selected else value
    if selected:
        return _without(facet, value, label, q), language
    return add_filter(q, facet, value), language


def _without(facet, value, label, q):
    """``q`` without the filters of ``facet`` that choose ``value`` (by value or label)."""
    for spelling in {value, label}:
        q = remove_filter(q, facet, spelling)
    return q


def _chips(filters, facets, q, language):
    """One chip per filter in force, labelled as its facet value is."""
    chips = []
    for f in filters:
        label = next((v.label for v in facets.get(f.name, ()) if v.selected
                      and f.key in (fold(v.value), fold(v.label))), f.value)
        chips.append(Chip(f.name, label, (remove_filter(q, f.name, f.value), language)))
    if language:
        chips.append(Chip("language", LANGUAGE_LABELS.get(language, language), (q, None)))
    return chips


def facets_json(facets):
    return {facet: [value.as_json() for value in values] for facet, values in facets.items()}
