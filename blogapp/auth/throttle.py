"""Throttling failed logins per client address and user name (the ``limits`` library).

Counters live in ``RATELIMIT_STORAGE_URI`` (memory by default, per process; a Redis URL,
or ``REDIS_URL`` when the former is left at memory://, shares them between workers and
nodes).
"""

import logging
import time

from limits import parse

from ..config import storage_uri
from ..ratelimit import moving_window_limiter

log = logging.getLogger(__name__)


class LoginThrottle:
    def __init__(self, limit, storage_uri):
        self.limit = parse(limit)
        self.limiter = moving_window_limiter(storage_uri)

    @staticmethod
    def _key(ip, username):
        return ("login", ip or "-", (username or "").lower())

    def blocked_for(self, ip, username):
        """Seconds to wait when this client has used up its failures, else 0."""
        key = self._key(ip, username)
        try:
            if self.limiter.test(self.limit, *key):
                return 0
            reset, _ = self.limiter.get_window_stats(self.limit, *key)
        except Exception:  # noqa: BLE001 - storage down (Redis): logins still work
            log.exception("login throttle: rate limit storage failed; login allowed")
            return 0
        return max(1, int(reset - time.time()))

    def failed(self, ip, username):
        try:
            self.limiter.hit(self.limit, *self._key(ip, username))
        except Exception:  # noqa: BLE001
            log.exception("login throttle: rate limit storage failed; failure not counted")


def init_app(app):
    app.extensions["login_throttle"] = LoginThrottle(
        app.config["LOGIN_FAILURE_LIMIT"], storage_uri(app.config, "RATELIMIT_STORAGE_URI")
    )
