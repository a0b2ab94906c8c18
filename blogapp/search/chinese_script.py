"""Traditional -> Simplified Chinese folding for search, with OpenCC's data.

Readers in Taiwan and Hong Kong type ``水平擴縮容`` or ``叢集``; posts are mostly written
in Simplified Chinese, a few in Traditional. Both the index and the query fold Chinese
runs to Simplified with OpenCC's ``tw2sp`` conversion (opencc-python-reimplemented:
characters, Taiwan variants and Taiwan phrases, so ``叢集`` -> ``集群``,
``記憶體`` -> ``内存``), so either script finds the other.

Only runs holding at least one Traditional character (a key of OpenCC's
``TSCharacters`` that changes) are converted, found by a set lookup at C speed;
Simplified text, the common case, is returned as it is, and the analyzer caches each
distinct run's analysis, so a rebuild pays the (pure-Python) conversion once per
distinct Traditional run. (``TWVariantsRev``'s keys are not looked for: they are
Simplified characters too, such as 群 and 么, which the conversion only takes on a
round trip.) Snippets look for each character in either script (:func:`spellings`), so
the text is never converted for them.
"""

import os
import threading

_lock = threading.Lock()
_converter = None  # OpenCC tw2sp, built on first use
_table = None  # ord(Traditional character) -> its Simplified character
_chars = frozenset()  # the same Traditional characters, for isdisjoint() at C speed


def _dictionary(name):
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", name)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            source, _, targets = line.rstrip("\n").partition("\t")
            yield source, targets.split(" ")


def _character_table():
    """OpenCC's one-character Traditional -> Simplified mappings (loaded once)."""
    global _table, _chars
    if _table is None:
        with _lock:
            if _table is None:
                table = {ord(src): targets[0] for src, targets in _dictionary("TSCharacters.txt")
                         if len(src) == 1 and len(targets[0]) == 1 and targets[0] != src}
                _chars = frozenset(map(chr, table))
                _table = table
    return _table


def traditional_chars():
    """Characters that only Traditional Chinese writes (they have a Simplified form)."""
    _character_table()
    return _chars


def _tw2sp():
    global _converter
    if _converter is None:
        import opencc

        with _lock:
            if _converter is None:
                _converter = opencc.OpenCC("tw2sp")
    return _converter


def is_traditional(text):
    """Whether ``text`` holds a character that has another Simplified form."""
    return not traditional_chars().isdisjoint(text)


def to_simplified(text):
    """``text`` in Simplified Chinese (Taiwan words too); unchanged when it has no
    Traditional character. May change the length (``記憶體`` -> ``内存``)."""
    if not is_traditional(text):
        return text
    return _tw2sp().convert(text)


_spellings = None  # Simplified character -> itself and its Traditional forms


def spellings(char):
    """``char`` and every Traditional character written for it (``动`` -> ``动動``):
    for finding Simplified words in text as written, whichever script it uses."""
    global _spellings
    if _spellings is None:
        found = {}
        for code, simplified in _character_table().items():
            found.setdefault(simplified, simplified)
            found[simplified] += chr(code)
        _spellings = found
    return _spellings.get(char, char)
