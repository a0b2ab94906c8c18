"""The in-memory rate limiter under gunicorn's threads: every hit counted, none raising."""

import sys
import threading
import time

import pytest
from limits import parse

from blogapp.ratelimit import moving_window_limiter

pytestmark = pytest.mark.db_agnostic
HITS = 40


def test_memory_limiter_counts_every_hit_from_many_threads():
    # limits' MemoryStorage starts its expiry timer without a lock; unserialized, threads
    # hitting it together raised "threads can only be started once" in the load test.
    limiter = moving_window_limiter("memory://")
    limit = parse("100000/minute")
    errors, barrier = [], threading.Barrier(16)

    def hammer(n):
        for _ in range(HITS):
            barrier.wait()  # all together, just as the last expiry timer has finished
            try:
                assert limiter.hit(limit, "test", f"ip{n % 4}")
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(exc))
            time.sleep(0.012)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a busy server does
    try:
        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
    for ip in range(4):
        remaining = limiter.get_window_stats(limit, "test", f"ip{ip}").remaining
        assert remaining == 100000 - 4 * HITS
