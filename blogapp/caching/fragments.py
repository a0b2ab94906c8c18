"""Per-process memo of values every page shows but few changes touch (the sidebar's
category counts, an article's neighbours, a comment thread as every visitor sees it), so
an uncached page does not recount or re-render them on each request.

A value is kept with the page-cache generation it was computed under (``invalidation``
replaces the generation after any committed change that pages show) and is recomputed
when the generation changed or a scheduled post became due, exactly when a stored page
would be. The generation is read before computing: a change committed meanwhile
replaces it, so the next request recomputes rather than keeping a stale value.
"""

import threading
import time

from flask import current_app

from .pages import current_generation, next_publication

# Values also expire after this many seconds, whatever happens (a safety net for
# changes made outside the app, e.g. SQL typed into the database by hand).
MAX_AGE = 300
# Per-post entries (neighbours, comment threads) would otherwise grow with the site: the
# least recently used go first beyond this many (a few KiB each at most).
MAX_ENTRIES = 4096
_lock = threading.Lock()


def memoized(name, compute):
    """``compute()``, or the value it gave for ``name`` under the current generation."""
    app = current_app._get_current_object()
    memo = app.extensions["page_cache"].fragments
    try:
        generation = current_generation(app)
    except Exception:  # noqa: BLE001 - the shared store is down: compute every time
        app.logger.exception("fragment memo: cannot read the generation")
        return compute()
    now = time.time()
    with _lock:  # gthread workers: reordering and trimming must not interleave
        kept = memo.get(name)
        if kept is not None and kept[0] == generation and kept[1] > now:
            memo.move_to_end(name)
            return kept[2]
    value = compute()  # outside the lock: two threads may compute one value, both right
    entry = (generation, min(now + MAX_AGE, next_publication(now)), value)
    with _lock:
        memo[name] = entry
        memo.move_to_end(name)
        while len(memo) > MAX_ENTRIES:
            memo.popitem(last=False)
    return value
