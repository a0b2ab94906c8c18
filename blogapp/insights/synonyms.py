"""Synonym groups editors keep in the database, and how they reach search on every node.

:func:`refresh` runs before each search. At most once a second per process it reads a
fingerprint of the table (row count and newest change, one small query on a connection of
its own) and, when that moved, reads the groups again and hands them to the search
service (``SearchService.set_runtime_synonyms``: query expansion at once, no index
rebuild, ~10 ms). So every worker of every node follows within a second, whatever its
page cache (a per-node file cache would not carry a generation change to other nodes);
the process that made the change follows at once.
"""

import logging
import time

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import SynonymGroup
from ..models.search_insights import TERM_SEPARATOR
from ..search import search_service
from ..search.glossary import compact

MAX_TERM = 100
MAX_TERMS = 20
CHECK_SECONDS = 1.0

log = logging.getLogger(__name__)


class SynonymProblem(ValueError):
    """A group that cannot be saved; the message says why (shown to the editor)."""


def groups():
    return db.session.scalars(db.select(SynonymGroup).order_by(SynonymGroup.id)).all()


def _state(app):
    return app.extensions.setdefault("db_synonyms", {"checked": -CHECK_SECONDS, "seen": None,
                                                     "warned": False})


def refresh(force=False):
    """Bring the search service's database synonyms up to date (cheap when unchanged)."""
    app = current_app._get_current_object()
    state = _state(app)
    now = time.monotonic()
    if not force and now - state["checked"] < CHECK_SECONDS:
        return
    state["checked"] = now
    try:
        with db.engine.connect() as connection:  # never the session's transaction
            seen = tuple(connection.execute(db.select(
                db.func.count(SynonymGroup.id), db.func.max(SynonymGroup.updated_at))).one())
            if seen == state["seen"]:
                return
            rows = connection.execute(
                db.select(SynonymGroup.terms_text).order_by(SynonymGroup.id)).scalars().all()
    except Exception as error:  # noqa: BLE001 - no table yet (not migrated): no synonyms
        if not state["warned"]:
            log.warning("search synonyms: cannot read synonym_groups: %r", error)
            state["warned"] = True
        return
    loaded = [[t for t in text.split(TERM_SEPARATOR) if t] for text in rows]
    search_service(app).set_runtime_synonyms(loaded)
    state["seen"] = seen


def _changed():
    """This process sees its own change at once (other processes within a second)."""
    db.session.commit()
    refresh(force=True)


def clean_terms(raw_terms):
    """Trimmed, de-duplicated terms; :class:`SynonymProblem` for an unusable list."""
    terms, seen = [], set()
    for raw in raw_terms:
        term = " ".join(str(raw).split())
        if not term:
            continue
        if TERM_SEPARATOR in term or len(term) > MAX_TERM or not compact(term):
            raise SynonymProblem(_("“%(term)s”：词语须为 1-%(max)d 个字符，含字母、数字或汉字，且不含“|”。",
                                   term=term[:30], max=MAX_TERM))
        if compact(term) not in seen:
            seen.add(compact(term))
            terms.append(term)
    if len(terms) < 2:
        raise SynonymProblem(_("同义词组至少需要两个不同的词语。"))
    if len(terms) > MAX_TERMS:
        raise SynonymProblem(_("同义词组最多 %(max)d 个词语。", max=MAX_TERMS))
    return terms


def _owner(term, exclude_id=None):
    key = compact(term)
    for group in groups():
        if group.id != exclude_id and key in {compact(t) for t in group.terms}:
            return group
    return None


def add(raw_terms, join_existing=False):
    """Save a new group, or (``join_existing``) add the new terms to the one group that
    already holds any of them. Returns ``(group, note)``; a term in two groups is refused."""
    terms = clean_terms(raw_terms)
    owners = {group.id: group for group in filter(None, map(_owner, terms))}
    if len(owners) > 1:
        raise SynonymProblem(_("这些词语已分属不同的同义词组：%(groups)s",
                               groups="；".join(" | ".join(g.terms) for g in owners.values())))
    if owners and not join_existing:
        (group,) = owners.values()
        raise SynonymProblem(_("有词语已在同义词组“%(group)s”中；请把其余词语加入那个组。",
                               group=" | ".join(group.terms)))
    if owners:
        (group,) = owners.values()
        known = {compact(t) for t in group.terms}
        group.terms = [*group.terms, *(t for t in terms if compact(t) not in known)]
        note = _("已加入现有的同义词组")
    else:
        group = SynonymGroup(terms=terms)
        db.session.add(group)
        note = _("已新建同义词组")
    _changed()
    return group, note


def edit(group_id, raw_terms):
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise SynonymProblem(_("没有编号为 %(id)s 的同义词组。", id=group_id))
    terms = clean_terms(raw_terms)
    for term in terms:
        other = _owner(term, exclude_id=group.id)
        if other is not None:
            raise SynonymProblem(_("“%(term)s”已在同义词组“%(group)s”中。",
                                   term=term, group=" | ".join(other.terms)))
    group.terms = terms
    _changed()
    return group


def remove(group_id):
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise SynonymProblem(_("没有编号为 %(id)s 的同义词组。", id=group_id))
    terms = group.terms
    db.session.delete(group)
    _changed()
    return terms
