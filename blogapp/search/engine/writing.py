"""Documents as Whoosh fields, and the bulk writer of a full build.

A document is the dict that ``blogapp/search/documents.py`` builds; with its ``tokens``
missing (a parallel rebuild) Whoosh's writer processes analyse the text themselves.
"""

import multiprocessing
import os
from datetime import timezone

from .schema import _DEFERRED_ANALYSIS, TEXT_FIELDS, ToAnalyse, analysed


def _naive_utc(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _fields(doc):
    # A document may come without facets (the engine's own tests build bare ones): it is
    # then found by text and filters alike, and counted under no facet value.
    facets = doc.get("facets") or {}
    fields = {
        "id": str(doc["id"]),
        "slug": doc["slug"],
        "author": ",".join(doc["author_keys"]),
        "author_name": doc["author_name"],
        "tag_keys": ",".join(doc["tag_keys"]),
        "category_keys": ",".join(doc["category_keys"]),
        "published": _naive_utc(doc["published_at"]),
        "scheduled": "1" if doc["scheduled"] else "",
        "lang": doc.get("lang") or "",
        "group": doc.get("group") or "",
        "translated": "1" if doc.get("group") else "",
        "facet_tag": ",".join(facets.get("tag", ())),
        "facet_category": facets.get("category") or "",
        "facet_author": facets.get("author") or "",
        "year": facets.get("year") or "",
    }
    for name in TEXT_FIELDS:
        fields[name] = analysed(doc["text"][name], doc["tokens"][name])
        fields[f"_stored_{name}"] = doc["text"][name]
    return fields


def _deferred_fields(doc, key):
    """Like :func:`_fields`, for a document the writer process will analyse."""
    fields = _fields({**doc, "tokens": dict.fromkeys(TEXT_FIELDS, None)})
    for name in TEXT_FIELDS:
        fields[name] = ToAnalyse(doc["text"][name])
        fields[name].key = key
    return fields


class _BulkWriter:
    def __init__(self, ix, procs=1, analyse=None):
        self._ix = ix
        # procs > 1: Whoosh's multiprocessing writer indexes in forked sub-processes,
        # one segment each. Handing them the analysis as well spreads all the work over
        # the processes; they can only inherit the analysis function by fork.
        self.analyses = bool(analyse and procs > 1
                             and multiprocessing.get_start_method() == "fork")
        self._key = None
        if self.analyses:
            analyse("warm up 预热")  # lazily loaded dictionaries: load once, before the fork
            self._key = f"{os.getpid()}-{id(self)}"
            _DEFERRED_ANALYSIS[self._key] = analyse
        # A large memory budget: fewer temporary runs to merge at commit.
        self._writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)

    def add(self, doc):
        if doc.get("tokens") is None:
            self._writer.add_document(**_deferred_fields(doc, self._key))
        else:
            self._writer.add_document(**_fields(doc))

    def commit(self):
        try:
            self._writer.commit()
        finally:
            self._done()

    def cancel(self):
        try:
            self._writer.cancel()
        finally:
            self._done()

    def _done(self):
        _DEFERRED_ANALYSIS.pop(self._key, None)
        self._ix.close()
