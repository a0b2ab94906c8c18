"""The index schema: its fields, and the tokenizer that feeds pre-analysed text to Whoosh.

Documents arrive already analysed (lists of ``(token, position)``), so the schema holds
no custom analyzer object beyond :class:`PreTokenized`, and the index can be read by any
process.
"""

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 8  # 7: lang, translation group (#16); 8: facet fields, year (#18)
TEXT_FIELDS = {"title": 4.0, "tags": 2.5, "body": 1.0}
FILTER_FIELDS = {"author": "author", "tag": "tag_keys", "category": "category_keys",
                 "lang": "lang", "year": "year"}
# Facets (``facets.py``): the field holding one canonical value per document (tag and
# category slugs, the author's user name, the year, the language), and the filter that
# selects that value.
FACET_FIELDS = {"category": "facet_category", "tag": "facet_tag", "author": "facet_author",
                "year": "year", "language": "lang"}
FACET_FILTERS = {"category": "category", "tag": "tag", "author": "author", "year": "year",
                 "language": "lang"}
BM25 = BM25F(B=0.75, K1=1.2)  # Whoosh's defaults; ranking.py computes the same formula


class Analysed(str):
    """Field text carrying its tokens (Whoosh takes a list as words, so a str it is)."""

    tokens: list


def analysed(text, tokens):
    value = Analysed(text)
    value.tokens = tokens
    return value


class ToAnalyse(str):
    """Field text that the indexing process analyses itself (a parallel rebuild).

    ``key`` names an analysis function registered by :meth:`WhooshIndex.bulk_writer`
    before Whoosh forks its writer processes, which therefore inherit it.
    """

    key: str


# Analysis functions of running parallel builds, by key (inherited by forked writers).
_DEFERRED_ANALYSIS = {}


class PreTokenized(Tokenizer):
    """Feeds the tokens of an :class:`Analysed` value to Whoosh (stateless, picklable)."""

    # Pickled by this name into every index's TOC: indexes written before the engine
    # module became a package (and older code reading newer indexes) keep finding it.
    __module__ = "blogapp.search.engine"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        tokens = getattr(value, "tokens", None)
        if tokens is None and isinstance(value, ToAnalyse):
            tokens = _DEFERRED_ANALYSIS[value.key](str(value))
        # Plain strings only arrive from Whoosh's own query helpers: one token each.
        for text, pos in tokens or [(value, 0)]:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            yield token


def make_schema():
    fields = {
        name: TEXT(analyzer=PreTokenized(), phrase=True, field_boost=boost, stored=True)
        for name, boost in TEXT_FIELDS.items()
    }
    return Schema(
        id=ID(stored=True, unique=True),
        slug=STORED(),
        author=KEYWORD(lowercase=True, commas=True, stored=True),
        author_name=STORED(),
        tag_keys=KEYWORD(lowercase=True, commas=True),
        category_keys=KEYWORD(lowercase=True, commas=True),
        published=DATETIME(stored=True, sortable=True),
        # "1" for posts indexed before their publication time: the few documents a query
        # must check against the clock (cheaper than a date range over every document).
        scheduled=KEYWORD(),
        # The post's language ("zh"/"en": a filter, and the hit's lang) and its translation
        # group (a column: which matching documents are versions of one article).
        lang=ID(stored=True, sortable=True),
        group=ID(sortable=True),
        translated=KEYWORD(),  # "1" for posts in a group: the few a search must collapse
        # Facet values as written (the filter fields above hold every spelling, folded).
        facet_tag=KEYWORD(commas=True),
        facet_category=ID(),
        facet_author=ID(),
        year=ID(),  # of publication, UTC
        **fields,
    )
