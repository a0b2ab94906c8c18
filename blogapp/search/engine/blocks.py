"""Decoding Whoosh's W3 posting blocks straight from their bytes, positions only on demand.

A term's postings are blocks of up to 128 postings: ``int32 length`` (negative for the
last block), a pickled info tuple ``(count, max_id, max_weight, compression, min_length,
max_length)``, then the zlib-compressed pickle (protocol 2) of ``(id deltas, weights,
values)``. Ranking needs ids and weights; the values are each document's encoded
positions and are most of the block. Whoosh's matcher decompresses and unpickles all of
it, one file read per pickle opcode of the header, and under protocol 2 every value is
unpickled through a ``_codecs.encode`` call: at 100k posts that was ~60% of query time.

Here a term's postings are read with one file read, and for each block only the start of
the pickle is inflated, up to the first value: the values tuple starts with the global
``_codecs.encode`` (bytes under protocol 2), a byte string that cannot occur inside the
ids (every few bytes there is a ``K``/``M``/``J`` opcode) or the weights (``G`` every
nine bytes). Cutting there and closing the tuple gives ``(ids, weights)`` to
``pickle.loads``. Anything unexpected (another protocol, a count that does not match)
falls back to decoding the whole block, which is always correct.

This depends on Whoosh-Reloaded's private codec layout (the version is pinned);
:func:`term_blocks` returns None for anything it does not recognise and the caller then
uses Whoosh's public matcher API.
"""

import pickle
import struct
import zlib
from bisect import bisect_right
from io import BytesIO
from itertools import accumulate, repeat

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher

_VALUES_START = b"c_codecs\nencode\n"  # protocol 2's GLOBAL opcode for bytes values
_TUPLE2_STOP = b"\x86."
_MARK = 0x28  # "(": a tuple of more than three items starts with MARK
_int_at = struct.Struct("!i").unpack_from
_loads, _load = pickle.loads, pickle.load


def _extent(matcher):
    """``(file, start, length)`` of a W3 matcher's postings, or None."""
    if type(matcher) is not W3LeafMatcher:
        return None
    try:
        # Document postings of a positions format (not term vectors, not fixed-size values).
        if matcher._byteids or matcher._fixedsize is not None:
            return None
        length = matcher._length
        # Whoosh-Reloaded keeps the length of an extent as a 1-tuple.
        if isinstance(length, tuple):
            length = length[0]
        return matcher._postfile, matcher._startoffset, int(length)
    except (AttributeError, IndexError, TypeError):
        return None


def _weights(raw, count):
    if raw is None:
        return repeat(1.0, count)
    if isinstance(raw, float):
        return repeat(raw, count)
    return raw


def _scoring_part(data, count, compressed):
    """``(id deltas, weights)`` of one block, inflating and unpickling as little as possible."""
    if not compressed:
        return _loads(data)[:2]
    inflater = zlib.decompressobj()
    # ids take 2-5 bytes each, weights 9: this is nearly always enough at once.
    raw = inflater.decompress(data, count * 14 + 64)
    cut = raw.find(_VALUES_START)
    while cut < 0 and inflater.unconsumed_tail:
        raw += inflater.decompress(inflater.unconsumed_tail, 4096)
        cut = raw.find(_VALUES_START)
    if cut > 0:
        if count > 3 and raw[cut - 1] == _MARK:
            cut -= 1
        try:
            deltas, weights = _loads(raw[:cut] + _TUPLE2_STOP)
        except Exception:  # noqa: BLE001 - an unexpected layout: decode the whole block
            pass
        else:
            if len(deltas) == count and (not isinstance(weights, tuple) or len(weights) == count):
                return deltas, weights
    return _loads(zlib.decompress(data))[:2]


class LazyValues:
    """The values (encoded positions) of one term's postings, a block decoded when first asked.

    A phrase needs positions only in documents that hold every word of it, and often only
    in those that could reach the first result page (see ``scoring.py``).
    """

    def __init__(self, buf, spans, starts):
        self._buf = buf
        self._spans = spans    # per block: (data start, data end, compressed)
        self._starts = starts  # per block: index of its first posting in the term's lists
        self._decoded = {}

    def at(self, index):
        """The value of the term's ``index``-th posting."""
        block = bisect_right(self._starts, index) - 1
        values = self._decoded.get(block)
        if values is None:
            begin, end, compressed = self._spans[block]
            data = self._buf[begin:end]
            values = self._decoded[block] = _loads(zlib.decompress(data) if compressed else data)[2]
        return values[index - self._starts[block]]


def term_postings(matcher, values=False):
    """``(ids, weights, values)`` of one term in one segment, or None (use the public API).

    ``ids`` and ``weights`` are lists (segment-local document numbers, term frequencies);
    ``values`` is a :class:`LazyValues` when asked for, else None. None for anything but a
    W3 matcher of positions postings (inlined postings, another codec or format).
    """
    extent = _extent(matcher)
    if extent is None:
        return None
    postfile, start, length = extent
    buf = postfile.get(start, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    stream = BytesIO(buf)
    ids, weights, spans, starts = [], [], [], []
    pos, end = 4, len(buf)
    while pos < end:
        size = _int_at(buf, pos)[0]
        last = size < 0
        block_end = pos + 4 + abs(size)
        stream.seek(pos + 4)
        info = _load(stream)
        count, compressed, data_start = info[0], info[3], stream.tell()
        deltas, block_weights = _scoring_part(buf[data_start:block_end], count, compressed)
        if values:
            starts.append(len(ids))
            spans.append((data_start, block_end, compressed))
        ids += accumulate(deltas)  # ids are delta-coded from 0 in every block
        weights += _weights(block_weights, count)
        pos = block_end
        if last:
            break
    return ids, weights, LazyValues(buf, spans, starts) if values else None
