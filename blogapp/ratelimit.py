"""Moving-window rate limiters (the ``limits`` library) for the login throttle and plugins.

``limits``' in-memory storage is not safe under threads: it schedules its expiry timer
without a lock, so two gthread threads hitting it at once can start the same
``threading.Timer`` twice (``RuntimeError: threads can only be started once``, seen in the
load test). Calls to a ``memory://`` limiter are therefore serialized per process; shared
storages (``redis://``) need no lock and get none.
"""

import threading

from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


class _Serialized:
    """The same interface as the limiter it wraps, one call at a time."""

    def __init__(self, limiter):
        self._limiter = limiter
        self._lock = threading.Lock()

    def hit(self, *args, **kwargs):
        with self._lock:
            return self._limiter.hit(*args, **kwargs)

    def test(self, *args, **kwargs):
        with self._lock:
            return self._limiter.test(*args, **kwargs)

    def get_window_stats(self, *args, **kwargs):
        with self._lock:
            return self._limiter.get_window_stats(*args, **kwargs)


def moving_window_limiter(uri):
    """A moving-window limiter on the storage named by ``uri``."""
    storage = storage_from_string(uri)
    limiter = MovingWindowRateLimiter(storage)
    return _Serialized(limiter) if isinstance(storage, MemoryStorage) else limiter
