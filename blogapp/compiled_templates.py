"""Compiled templates, shared by every app of one process (a Jinja bytecode cache in memory).

Flask gives each app a Jinja environment of its own, and each environment compiles a
template again the first time it renders it: a page's worth of templates costs about
0.1 s of CPU. A server process holds one app, so it compiles once anyway; but the test
suite builds an app per test, and a second app in a process now reuses the first one's
compiled code instead.

Jinja checks each template's source checksum, so an edited template is compiled again.
Compiled code does not depend on the app (it looks up the environment's globals and
filters when it runs), only on the environment's syntax settings and extensions, which
are part of the key: differently configured environments never share code.
"""

import hashlib

from jinja2.bccache import Bucket, BytecodeCache

# Environment settings that change what a template compiles to.
_COMPILE_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string",
                     "variable_end_string", "comment_start_string", "comment_end_string",
                     "line_statement_prefix", "line_comment_prefix", "trim_blocks",
                     "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
                     "is_async", "newstyle_gettext")


def _settings_key(environment):
    settings = [repr(getattr(environment, name, None)) for name in _COMPILE_SETTINGS]
    settings += sorted(environment.extensions)
    settings.append(repr(environment.finalize is not None))
    return hashlib.sha1("\0".join(settings).encode()).hexdigest()


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates by template, source checksum and environment settings."""

    def __init__(self):
        self._compiled = {}  # a dict's get and set are atomic: threads may share it

    def get_bucket(self, environment, name, filename, source):
        key = f"{self.get_cache_key(name, filename)}-{_settings_key(environment)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket):
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)  # ignored if the checksum differs

    def dump_bytecode(self, bucket):
        self._compiled[bucket.key] = bucket.bytecode_to_string()


CACHE = ProcessBytecodeCache()


def init_app(app):
    app.jinja_env.bytecode_cache = CACHE
