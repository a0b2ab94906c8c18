"""Throttling failed logins per client address and user name (the ``limits`` library).

Counters live in ``RATELIMIT_STORAGE_URI`` (memory by default, per process; a Redis URL,
or ``REDIS_URL`` when the former is left at memory://, shares them between workers and
nodes). When that storage is down, logins are allowed (and failures go uncounted) unless
``LOGIN_THROTTLE_FAIL_CLOSED`` is set: then nobody can log in until it is back, which a
site that fears password guessing more than an outage may prefer.
"""

import logging
import time

from limits import parse

from ..config import storage_uri
from ..ratelimit import moving_window_limiter

log = logging.getLogger(__name__)


class ThrottleUnavailable(Exception):
    """The counters cannot be read and the site fails closed: no login for now."""


class LoginThrottle:
    def __init__(self, limit, storage_uri, fail_closed=False):
        self.limit = parse(limit)
        self.limiter = moving_window_limiter(storage_uri)
        self.fail_closed = fail_closed

    @staticmethod
    def _key(ip, username):
        return ("login", ip or "-", (username or "").lower())

    def blocked_for(self, ip, username):
        """Seconds to wait when this client has used up its failures, else 0; raises
        :class:`ThrottleUnavailable` when the storage is down and the site fails closed."""
        key = self._key(ip, username)
        try:
            if self.limiter.test(self.limit, *key):
                return 0
            reset, _ = self.limiter.get_window_stats(self.limit, *key)
        except Exception as error:  # noqa: BLE001 - storage down (Redis)
            if self.fail_closed:
                log.error("login throttle: rate limit storage failed; login refused: %r", error)
                raise ThrottleUnavailable from None
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
        app.config["LOGIN_FAILURE_LIMIT"], storage_uri(app.config, "RATELIMIT_STORAGE_URI"),
        fail_closed=bool(app.config.get("LOGIN_THROTTLE_FAIL_CLOSED")),
    )
