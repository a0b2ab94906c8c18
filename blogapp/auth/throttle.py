"""Throttling failed logins per client address and user name (the ``limits`` library).

Counters live in ``RATELIMIT_STORAGE_URI`` (memory by default, per process; a Redis URL
shares them between workers and nodes).
"""

import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, limit, storage_uri):
        self.limit = parse(limit)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    @staticmethod
    def _key(ip, username):
        return ("login", ip or "-", (username or "").lower())

    def blocked_for(self, ip, username):
        """Seconds to wait when this client has used up its failures, else 0."""
        key = self._key(ip, username)
        if self.limiter.test(self.limit, *key):
            return 0
        reset, _ = self.limiter.get_window_stats(self.limit, *key)
        return max(1, int(reset - time.time()))

    def failed(self, ip, username):
        self.limiter.hit(self.limit, *self._key(ip, username))


def init_app(app):
    app.extensions["login_throttle"] = LoginThrottle(
        app.config["LOGIN_FAILURE_LIMIT"], app.config["RATELIMIT_STORAGE_URI"]
    )
