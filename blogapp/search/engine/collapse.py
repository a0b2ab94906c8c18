"""One result per translated article (#16): when versions of one article in several
languages match a search, the one in the reader's language stays and the others are
hidden from the ranking (so totals and pages count the article once); the hit that
stays names them, so the results page can link them.

Only documents of translated posts (``translated`` = "1") are looked at, their group
and language read from columns: a search over untranslated posts costs one term lookup.
"""

from whoosh import query as wq

from .scoring import clause_docs


def other_versions(searcher, reads, clauses, allowed, hidden, prefer):
    """``{docnum kept: [docnum hidden, ...]}`` for the matching documents of translated
    posts whose group also matches in the ``prefer`` language."""
    translated = set(searcher.docs_for_query(wq.Term("translated", "1"))) - hidden
    if allowed is not None:
        translated &= allowed
    if not translated:
        return {}
    if clauses:
        matched = set()
        for clause in clauses:
            matched |= clause_docs(reads, clause) & translated
        translated = matched
    reader = searcher.reader()
    groups_column = reader.column_reader("group")
    langs_column = reader.column_reader("lang")
    groups = {}
    for doc in translated:
        groups.setdefault(groups_column[doc], []).append((langs_column[doc], doc))
    collapsed = {}
    for versions in groups.values():
        kept = [doc for lang, doc in versions if lang == prefer]
        if len(versions) < 2 or not kept:
            continue
        collapsed[kept[0]] = sorted(doc for _, doc in versions if doc != kept[0])
    return collapsed
