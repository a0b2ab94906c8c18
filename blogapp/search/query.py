"""From what a reader typed to an engine-neutral query plan.

Syntax (anything else is plain text, never an error): ``"a phrase"``, ``-word`` or
``-"a phrase"`` to exclude, and filters ``author:NAME``, ``tag:NAME``, ``category:NAME``,
``year:YYYY`` (also ``作者:``, ``标签:``, ``分类:``, ``年份:``; ``filters.py`` adds and
removes them). Free text becomes OR-ed clauses; glossary terms are expanded to all
their zh/en equivalents. Each of the reader's words is a coordination *unit*
(:func:`assign_units`): the engine ranks posts that match more of them higher. A
glossary term made of several words (``etcd 备份``) keeps those words as weak clauses
of its own, and as a full-weight ``fallback`` for when no post holds the term itself.
"""

import re
from dataclasses import dataclass, field

from .analysis import fold, has_cjk, join_key, singular
from .chinese_script import to_simplified
from .glossary import Match

MAX_QUERY_CHARS = 1000  # longer input is cut here: no one types more, anyone may paste more
MAX_CLAUSES = 24
SYNONYM_WEIGHT = 0.8
INNER_WEIGHT = 0.4
FILTER_NAMES = {"author": "author", "作者": "author", "tag": "tag", "标签": "tag",
                "category": "category", "分类": "category", "year": "year", "年份": "year"}

STOPWORDS = frozenset(
    """a an the of to in on for and or not is are was be been how what why when where which
    who do does did i you my your we with by from as at it its this that these those can
    could should would will about into vs versus
    的 了 是 在 和 与 及 或 吗 呢 吧 啊 呀 把 被 让 给 对 从 到 也 都 就 还 又 而 但 并 之
    如何 怎么 怎样 怎么样 什么 为什么 为何 哪些 哪个 哪里 是否 有没有 一个 一些 这个 那个 这些 那些
    我 你 他 它 我们 你们 他们 要 会 能 可以 应该 请问 一下 时候 的话 怎么办 咋办 咋""".split()
)

_SYNTAX = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[a-z]+|作者|标签|分类|年份)[:：](?=\S))?'
    r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))',
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Alternative:
    """One way to find a clause: one token (a term) or several (a phrase)."""

    tokens: tuple
    weight: float = 1.0
    # The words as they appear in text, when ``tokens`` is a joined form (for snippets).
    surface: tuple = ()

    @property
    def shown(self):
        return self.surface or self.tokens


@dataclass
class Clause:
    """Something the reader asked for, and the equivalent ways to find it."""

    label: str
    alternatives: list
    weight: float = 1.0
    # Only ASCII words are worth spelling correction (and may be unknown to the index).
    correctable: bool = False
    # A weak clause for one word of a multi-word glossary term: the term's clause.
    part_of: "Clause | None" = None
    # For a multi-word term: its words as full-weight clauses, used instead of the term
    # when the index has never seen it (so "etcd 备份" still finds etcd and 备份).
    fallback: list = field(default_factory=list)
    # Coordination units (the reader's words) this clause stands for; see assign_units.
    units: tuple = ()

    # Identity, not field equality: two clauses for the same word are still two clauses.
    __eq__ = object.__eq__
    __hash__ = object.__hash__


@dataclass
class QueryPlan:
    text: str
    clauses: list = field(default_factory=list)   # scored, at least one must match
    required: list = field(default_factory=list)  # quoted phrases: must match
    excluded: list = field(default_factory=list)  # must not match
    filters: dict = field(default_factory=dict)   # author/tag/category -> [keys]
    corrections: dict = field(default_factory=dict)  # typed word -> corrected word
    unmatchable: bool = False  # every word asked for is unknown to the index

    @property
    def is_empty(self):
        return not (self.clauses or self.required or self.filters)


def clean(text):
    """Control characters become spaces; overlong input is cut."""
    return _CONTROL.sub(" ", text or "")[:MAX_QUERY_CHARS].strip()


class QueryPlanner:
    def __init__(self, analyzer, glossary):
        self.analyzer = analyzer
        self.glossary = glossary

    # -- alternatives for one token or term --------------------------------------------
    def token_alternatives(self, token, weight=1.0):
        """The fewest index terms that find every spelling of ``token``.

        The index adds a singular next to each plural and a joined form next to each
        compound, so a plural is looked up as its singular and ``kube-proxy`` as
        ``kubeproxy`` plus the phrase ``kube proxy`` (which also finds "kube proxy").
        """
        if token.parts:
            joined = Alternative((join_key(token.parts),), weight, surface=tuple(token.parts))
            if self.analyzer.joined_multiword(token.parts):
                return [joined]  # "kube proxy" written apart is indexed joined too
            return [joined, Alternative(tuple(token.parts), weight)]
        return [Alternative((singular(token.text) or token.text,), weight)]

    def term_alternatives(self, term, weight):
        tokens = list(self.analyzer.tokens(term, "query"))
        if not tokens:
            return []
        if len(tokens) == 1:
            return self.token_alternatives(tokens[0], weight)
        words = tuple(t.text for t in tokens)
        joined = self.analyzer.joined_multiword(words)
        if joined:
            return [Alternative((joined,), weight, surface=words)]
        return [Alternative(words, weight)]

    def concept_clause(self, match):
        alts = {}
        for term in match.concept.terms:
            weight = 1.0 if fold(term).replace(" ", "") == match.typed.replace(" ", "") else SYNONYM_WEIGHT
            for alt in self.term_alternatives(term, weight):
                if alts.get(alt.tokens, Alternative((), 0)).weight < alt.weight:
                    alts[alt.tokens] = alt
        return Clause(match.typed, list(alts.values()))

    def word_clauses(self, text, weight=1.0):
        """Clauses for text outside glossary terms: one per meaningful token."""
        clauses = []
        for token in self.analyzer.tokens(text, "query"):
            if token.text in STOPWORDS:
                continue
            clauses.append(
                Clause(token.text, self.token_alternatives(token), weight,
                       correctable=token.text.isascii() and token.text.isalpha())
            )
        return clauses

    def fallback_clauses(self, match):
        """The words of a multi-word term as clauses of full weight (glossary terms
        expanded): what the reader asked for when no post holds the whole term."""
        tokens = [t for t in self.analyzer.tokens(match.typed, "query") if t.text not in STOPWORDS]
        if len(tokens) <= 1:  # one Chinese run (集群升级): the glossary terms inside it
            return [self.concept_clause(part) for part in self.glossary.find_inner(match)]
        clauses = []
        for token in tokens:
            concept = self.glossary.lookup(token.text)
            if concept is not None and concept is not match.concept:
                clauses.append(self.concept_clause(Match(concept, 0, 0, fold(token.text))))
            else:
                clauses += self.word_clauses(token.text)
        return clauses

    # -- whole queries ----------------------------------------------------------------
    def free_text_clauses(self, text):
        # Traditional Chinese is looked up as Simplified, as the index holds it.
        text = to_simplified(text)
        clauses, cursor = [], 0
        folded = fold(text)
        for match in self.glossary.find(text):
            clauses += self.word_clauses(folded[cursor:match.start])
            term = self.concept_clause(match)
            clauses.append(term)
            if len(match.typed.split()) > 1 or has_cjk(match.typed) and len(match.typed) > 2:
                # The parts of a multi-word term also count, more weakly ("etcd 备份"
                # finds an article about etcd backups that never writes "etcd backup").
                for part in self.glossary.find_inner(match):
                    inner = self.concept_clause(part)
                    inner.weight, inner.part_of = INNER_WEIGHT, term
                    clauses.append(inner)
                term.fallback = self.fallback_clauses(match)
            cursor = match.end
        clauses += self.word_clauses(folded[cursor:])
        return clauses

    def phrase_clause(self, text, expand=True):
        text = to_simplified(text)
        concept = self.glossary.lookup(text) if expand else None
        tokens = tuple(t.text for t in self.analyzer.tokens(text, "query"))
        if not tokens:
            return None
        alternatives = [Alternative(tokens)]
        if concept is not None:
            for term in concept.terms:
                alternatives += self.term_alternatives(term, SYNONYM_WEIGHT)
        return Clause(text, alternatives)

    def plan(self, raw):
        text = clean(raw)
        plan = QueryPlan(text=text)
        free = []
        for m in _SYNTAX.finditer(text):
            value = m.group("phrase") if m.group("phrase") is not None else m.group("word")
            name = filter_name(m)
            if m.group("field") and not FILTER_NAMES.get(m.group("field").lower()):
                value = f"{m.group('field')}:{value}"  # "clusterIP:None" is just text
            if name:
                plan.filters.setdefault(name, []).append(fold(value).strip())
            elif m.group("neg") and value.strip('"'):
                # Excluding is literal: "-autoscaling" must not also exclude 自动扩缩容.
                clause = self.phrase_clause(value, expand=False)
                if clause:
                    plan.excluded.append(clause)
            elif m.group("phrase") is not None:
                clause = self.phrase_clause(value)
                if clause:
                    plan.required.append(clause)
            else:
                free.append(value.replace('"', " "))
        plan.clauses = self.free_text_clauses(" ".join(free))[:MAX_CLAUSES]
        plan.clauses += plan.required
        plan.filters = {name: [v for v in values if v] for name, values in plan.filters.items()}
        plan.filters = {name: values for name, values in plan.filters.items() if values}
        assign_units(plan.clauses, plan.required)
        return plan


def filter_name(m):
    """The filter (author, tag, category, year) a match of ``_SYNTAX`` sets, or None: a
    known field, not negated (``-tag:x`` is plain text to exclude)."""
    if m.group("neg"):
        return None
    return FILTER_NAMES.get((m.group("field") or "").lower())


def assign_units(clauses, required=()):
    """Number the reader's words among ``clauses`` for coordination (``Clause.units``).

    Each free-text clause is one unit, except that a multi-word term kept with its weak
    word clauses stands for all of their units: a post holding ``etcd备份`` matches both
    words of ``etcd 备份``. Required phrases get none: every result matches them anyway.
    """
    parts = {}
    for clause in clauses:
        if clause.part_of is not None:
            clause.units = ()  # unless its term is among ``clauses``
            parts.setdefault(id(clause.part_of), []).append(clause)
    unit = 0
    for clause in clauses:
        if clause.part_of is not None:
            continue  # numbered with its term
        if clause in required:
            clause.units = ()
            continue
        mine = parts.get(id(clause), [])
        for part in mine:
            part.units = (unit,)
            unit += 1
        if not mine:
            clause.units = (unit,)
            unit += 1
        else:
            clause.units = tuple(u for part in mine for u in part.units)
    return unit
