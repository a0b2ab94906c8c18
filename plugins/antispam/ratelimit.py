"""Per-IP comment rate limit with the ``limits`` library (moving window).

Each app builds its own storage in ``init_app`` and keeps it in
``app.extensions["antispam"]``: two apps in one process never share counters, and a
``redis://`` storage URI (or ``REDIS_URL``, when the setting is left at memory://) shares
them across processes and nodes.
"""

import math
import time

import limits

from blogapp.plugin_api import gettext

NAMESPACE = "comment"


def init_app(app, blog):
    limits.parse_many(app.config["COMMENT_RATE_LIMIT"])  # a bad setting fails at startup
    app.extensions["antispam"] = {"limiter": blog.rate_limiter("COMMENT_RATELIMIT_STORAGE_URI")}


def check(app, ip, comments_api):
    """Count one comment from ``ip``; a reject Verdict (429) when over the limit."""
    limiter = app.extensions["antispam"]["limiter"]
    items = limits.parse_many(app.config["COMMENT_RATE_LIMIT"])  # e.g. "3/minute;20/day"
    try:
        for item in items:
            if not limiter.hit(item, NAMESPACE, ip):
                reset_time = limiter.get_window_stats(item, NAMESPACE, ip).reset_time
                break
        else:
            return None
    except Exception:  # a storage outage (e.g. Redis down) must not stop comments
        app.logger.exception("antispam: rate limit storage failed; comment allowed")
        return None
    retry_after = max(1, math.ceil(reset_time - time.time()))
    return comments_api.verdict("reject", gettext("评论太频繁，请 %(seconds)s 秒后再试。",
                                                  seconds=retry_after),
                                status=429, retry_after=retry_after)
