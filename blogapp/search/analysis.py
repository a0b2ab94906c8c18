"""Text analysis shared by indexing and querying.

Tokens are lowercased and NFKC-folded (full-width -> half-width). English identifiers
are indexed whole and in parts (``kube-proxy`` -> ``kube-proxy``, ``kube``, ``proxy``,
``kubeproxy``; ``HorizontalPodAutoscaler`` -> its words too), with no stemming beyond
adding a singular next to a plural. Chinese is folded to Simplified (``chinese_script``:
``滾動更新`` and ``滚动更新`` are the same words) and segmented by rjieba with a Kubernetes
user dictionary; in index mode the dictionary sub-words of long words are added at the
same position so that shorter queries and phrases still match.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .chinese_script import to_simplified

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = r"0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
# A CJK run, or a word possibly joined by connectors into a compound (kube-proxy,
# autoscaling/v2, k8s.io, ETCDCTL_API).
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[{_WORD}]+(?:[-_./:+#][{_WORD}]+)*)")
_CONNECTORS = re.compile(r"[-_./:+#]")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
# Whole and joined forms of very long compounds (URLs, paths) are noise in the index.
_MAX_COMPOUND_PARTS = 5
# Distinct Chinese runs / words whose analysis each analyzer remembers (indexing).
_RUN_CACHE_SIZE = 16384

CJK_CHAR = re.compile(f"[{_CJK}]")


@dataclass(frozen=True)
class Token:
    text: str
    pos: int
    # For a compound in query mode: its parts (``kube-proxy`` -> ("kube", "proxy")).
    parts: tuple = ()
    # The one word read at this position (not a whole/joined form, plural or sub-word).
    main: bool = True


def join_key(words):
    """The single token standing for a run of words: singulars, concatenated."""
    return "".join(singular(word) or word for word in words)


def normalize(text):
    """NFKC (full-width -> half-width and similar) without changing case."""
    return unicodedata.normalize("NFKC", text)


def fold(text):
    """The form every token is compared in: NFKC and lowercase."""
    return normalize(text).lower()


def singular(word):
    """A conservative singular for an English plural, or None.

    Only ever *added* next to the original token, so identifiers such as ``ipvs`` or
    ``coredns`` are still found as written.
    """
    if len(word) < 4 or not word.isascii() or not word.isalpha() or word[-1] != "s":
        return None
    if word.endswith(("ss", "us", "is")):
        return None
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def _camel_parts(part):
    """``HorizontalPodAutoscaler`` -> [Horizontal, Pod, Autoscaler]; others unchanged."""
    if not part.isalpha() or part.islower() or part.isupper():
        return [part]
    pieces = _CAMEL.findall(part)
    return pieces if "".join(pieces) == part else [part]


class Segmenter:
    """rjieba with the Kubernetes user dictionary, loaded on first use.

    rjieba builds its default dictionary when imported (about 30 MB), so it is imported
    only when the first Chinese text is analysed (``flask --help`` stays fast), and that
    one process-wide dictionary is shared by every app: user words only ever add to it.
    """

    _added = set()
    _lock = threading.Lock()

    def __init__(self, user_words=()):
        self._user_words = tuple(user_words)
        self._jieba = None

    def _load(self):
        import rjieba

        with self._lock:
            for word in self._user_words:
                if word not in self._added:
                    rjieba.add_word(word, 2000, None)
                    self._added.add(word)
        self._jieba = rjieba
        return rjieba

    def segment(self, run, with_subwords):
        """Yield ``(word, position_offset)``; sub-words share their word's position."""
        jieba = self._jieba or self._load()
        words = jieba.tokenize(run, "default", True)
        if not with_subwords:
            for offset, (word, _, _) in enumerate(words):
                yield word, offset
            return
        for offset, (word, start, end) in enumerate(words):
            yield word, offset
            if end - start > 2:
                for sub, sub_start, sub_end in jieba.tokenize(word, "search", True):
                    if sub_end - sub_start < end - start:
                        yield sub, offset


class Analyzer:
    """Turns text into positioned tokens, for the index or for a query.

    ``multiwords`` are word sequences (glossary terms such as ``horizontal pod
    autoscaler``) that the index also stores as one joined token where they occur, so a
    query finds them with a term lookup instead of a slow phrase match.
    """

    def __init__(self, user_words=(), multiwords=()):
        self.segmenter = Segmenter(user_words)
        self.multiwords = {tuple(singular(w) or w for w in words) for words in multiwords}
        self._longest = max((len(words) for words in self.multiwords), default=0)
        # Multiword terms by their first word, shortest first (the order tokens() finds them).
        self._by_first = {}
        for words in sorted(self.multiwords, key=len):
            self._by_first.setdefault(words[0], []).append(words)
        # Text repeats (identifiers, set phrases): each distinct run is analysed once.
        self._cjk_pieces = lru_cache(maxsize=_RUN_CACHE_SIZE)(self._cjk_pieces)
        self._word_pieces = lru_cache(maxsize=_RUN_CACHE_SIZE)(self._word_pieces)

    def joined_multiword(self, words):
        """The joined token for ``words`` if the index stores one, else None."""
        key = tuple(singular(w) or w for w in words)
        return "".join(key) if key in self.multiwords else None

    def tokens(self, text, mode="index"):
        """Yield :class:`Token` objects. ``mode`` is ``"index"`` or ``"query"``.

        In query mode compounds give only their whole form and Chinese words no sub-words:
        the index holds all forms, so the query needs just the one the reader typed.
        """
        if mode != "index" or not self._longest:
            yield from self._tokens(text, mode)
            return
        mains = {}
        for token in self._tokens(text, mode):
            if token.main:
                mains.setdefault(token.pos, singular(token.text) or token.text)
            yield token
        for start in mains:
            for length in range(2, self._longest + 1):
                words = tuple(mains.get(start + i) for i in range(length))
                if None in words:
                    break
                if words in self.multiwords:
                    yield Token("".join(words), start, main=False)

    def _tokens(self, text, mode):
        index_mode = mode == "index"
        pos = 0
        for match in _RUN.finditer(normalize(text)):
            if match.lastgroup == "cjk":
                last, run = -1, to_simplified(match.group())
                for word, offset in self.segmenter.segment(run, index_mode):
                    yield Token(word, pos + offset, main=offset != last)
                    last = offset
                pos += last + 1
            else:
                pos = yield from self._word_tokens(match.group(), pos, index_mode)

    def _word_tokens(self, raw, pos, index_mode):
        parts = [p for chunk in _CONNECTORS.split(raw) for p in _camel_parts(chunk)]
        parts = [p.lower() for p in parts if p]
        whole = raw.lower()
        if len(parts) == 1:
            yield from self._with_plural(parts[0], pos, index_mode)
            return pos + 1
        if not index_mode:
            # The query layer decides how to look a compound up (whole, joined, parts).
            yield Token(whole, pos, tuple(parts))
            return pos + 1
        if len(parts) <= _MAX_COMPOUND_PARTS:
            yield Token(whole, pos, main=False)
            joined = join_key(parts)
            if joined != whole:
                yield Token(joined, pos, main=False)
        for offset, part in enumerate(parts):
            yield from self._with_plural(part, pos + offset, index_mode)
        return pos + len(parts)

    @staticmethod
    def _with_plural(word, pos, index_mode):
        yield Token(word, pos)
        if index_mode:
            single = singular(word)
            if single:
                yield Token(single, pos, main=False)

    def index_tokens(self, text):
        """``[(token, position)]`` for the index: ``tokens(text, "index")``, faster.

        Indexing runs this over every article on a rebuild, so it works on plain tuples,
        looks multiword terms up by their first word and remembers the analysis of each
        distinct Chinese run and word (see ``_cjk_pieces`` and ``_word_pieces``).
        """
        found, mains, pos = [], {}, 0
        for match in _RUN.finditer(normalize(text)):
            if match.lastgroup == "cjk":
                pieces, width = self._cjk_pieces(match.group())
            else:
                pieces, width = self._word_pieces(match.group())
            for word, offset, key in pieces:
                found.append((word, pos + offset))
                if key is not None and pos + offset not in mains:
                    mains[pos + offset] = key
            pos += width
        by_first = self._by_first
        if by_first:
            for start, first in mains.items():
                for words in by_first.get(first, ()):
                    if all(mains.get(start + i) == word for i, word in enumerate(words[1:], 1)):
                        found.append(("".join(words), start))
        return found

    def _cjk_pieces(self, run):
        """``((word, offset, main_key), ...), width`` of a Chinese run in index mode."""
        pieces, last = [], -1
        for word, offset in self.segmenter.segment(to_simplified(run), True):
            pieces.append((word, offset, (singular(word) or word) if offset != last else None))
            last = offset
        return tuple(pieces), last + 1

    def _word_pieces(self, raw):
        """The same for a word or compound (``kube-proxy``)."""
        pieces, width = [], 0
        for token in self._tokens(raw, "index"):
            pieces.append((token.text, token.pos, (singular(token.text) or token.text) if token.main else None))
            width = max(width, token.pos + 1)
        return tuple(pieces), width

    def words(self, text, mode="query"):
        """Just the token texts (handy for queries and tests)."""
        return [token.text for token in self.tokens(text, mode)]


def has_cjk(text):
    return bool(CJK_CHAR.search(text))
