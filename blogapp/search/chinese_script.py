"""Traditional -> Simplified Chinese folding for search, with OpenCC's data.

Readers in Taiwan and Hong Kong type ``水平擴縮容`` or ``叢集``; posts are mostly written
in Simplified Chinese, a few in Traditional. Both the index and the query fold Chinese
runs to Simplified with OpenCC's ``tw2sp`` conversion (opencc-python-reimplemented:
characters, Taiwan variants and Taiwan phrases, so ``叢集`` -> ``集群``,
``記憶體`` -> ``内存``), so either script finds the other.

Only runs holding at least one Traditional character are converted (a set lookup at C
speed); Simplified text, the common case, is returned as it is, and the analyzer caches
each distinct run's analysis, so a rebuild pays the (pure-Python) conversion once per
distinct Traditional run.
"""

import os
import threading

_lock = threading.Lock()
_converters = {}
_traditional = None


def _dictionary(name):
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", name)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            source, _, targets = line.rstrip("\n").partition("\t")
            yield source, targets.split(" ")


def traditional_chars():
    """Characters OpenCC would change on the way to Simplified (loaded once)."""
    global _traditional
    if _traditional is None:
        with _lock:
            if _traditional is None:
                chars = set()
                for name in ("TSCharacters.txt", "TWVariantsRev.txt"):
                    chars.update(src for src, targets in _dictionary(name)
                                 if len(src) == 1 and targets[0] != src)
                _traditional = frozenset(chars)
    return _traditional


def _converter(conversion):
    converter = _converters.get(conversion)
    if converter is None:
        import opencc

        with _lock:
            converter = _converters.get(conversion)
            if converter is None:
                converter = _converters[conversion] = opencc.OpenCC(conversion)
    return converter


def is_traditional(text):
    """Whether ``text`` holds a character that has another Simplified form."""
    return not traditional_chars().isdisjoint(text)


def to_simplified(text):
    """``text`` in Simplified Chinese (Taiwan words too); unchanged when it has no
    Traditional character. May change the length (``記憶體`` -> ``内存``)."""
    if not is_traditional(text):
        return text
    return _converter("tw2sp").convert(text)


def to_simplified_chars(text):
    """Like :func:`to_simplified`, but always of the same length, character for
    character (for highlighting the text as written): whole-word replacements that
    change the length are left out."""
    if not is_traditional(text):
        return text
    converted = _converter("tw2sp").convert(text)
    if len(converted) == len(text):
        return converted
    return _converter("t2s").convert(text)  # OpenCC's t2s phrases keep their length
