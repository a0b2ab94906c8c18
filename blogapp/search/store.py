"""Where the index lives on disk, and the locks around it.

``<root>/current`` is a symlink to the live generation ``gen-<n>``. A rebuild writes a
``build-*`` directory and swaps the link atomically, so readers never see a half-built
index and a killed rebuild leaves the old one serving. Every lock here is an ``flock``:
the kernel drops it when its process dies, so there are no stale locks to clean up.

``pending`` lists post ids whose index update still has to be applied: ones that
failed (disk full, read-only directory, lock timeout) and ones committed while a
rebuild was running.

``OUTBOX_POSITION`` (JSON, inside a generation) says how far that generation has applied
the shared outbox of index changes (see ``replica.py``); it travels with the generation,
so a swapped-in rebuild brings its own position.
"""

import contextlib
import fcntl
import json
import os
import shutil
import time
from pathlib import Path

VERSION_FILE = "SCHEMA_VERSION"
POSITION_FILE = "OUTBOX_POSITION"


class RebuildRunning(Exception):
    """Another process is rebuilding the index."""


class IndexStore:
    def __init__(self, root):
        self.root = Path(root)

    # -- generations ------------------------------------------------------------------
    @property
    def current_link(self):
        return self.root / "current"

    def current_path(self):
        """The live generation directory, or None when there is no index yet."""
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        path = self.root / target
        return path if path.is_dir() else None

    @staticmethod
    def version(path):
        """The version label written when the generation was built (None if unreadable)."""
        try:
            return (Path(path) / VERSION_FILE).read_text(encoding="ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def new_build_dir(self):
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"build-{time.time_ns()}-{os.getpid()}"
        path.mkdir()
        return path

    def publish(self, build_dir, version):
        """Make ``build_dir`` the live generation (atomic), then drop older generations."""
        (build_dir / VERSION_FILE).write_text(f"{version}\n")
        previous = self.current_path()
        number = 1 + max((self._gen_number(p) for p in self.root.glob("gen-*")), default=0)
        generation = self.root / f"gen-{number:06d}"
        os.rename(build_dir, generation)
        temp_link = self.root / f".current-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            temp_link.unlink()
        os.symlink(generation.name, temp_link)
        os.replace(temp_link, self.current_link)
        # Keep the generation just replaced: other processes may still be reading it.
        for old in self.root.glob("gen-*"):
            if old not in (generation, previous):
                shutil.rmtree(old, ignore_errors=True)
        return generation

    @staticmethod
    def _gen_number(path):
        try:
            return int(path.name.split("-", 1)[1])
        except (IndexError, ValueError):
            return 0

    def remove_stale_builds(self):
        """Delete build directories left by killed rebuilds (call with the rebuild lock)."""
        for build in self.root.glob("build-*"):
            shutil.rmtree(build, ignore_errors=True)

    # -- locks ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _flock(self, name, mode):
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / name, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, mode)
            yield fd
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def rebuild_lock(self):
        """Held for a whole rebuild; a second rebuild gets :class:`RebuildRunning`."""
        try:
            with self._flock("rebuild.lock", fcntl.LOCK_EX | fcntl.LOCK_NB) as fd:
                yield fd
        except BlockingIOError:
            raise RebuildRunning("another reindex is already running") from None

    def rebuild_running(self):
        try:
            with self._flock("rebuild.lock", fcntl.LOCK_SH | fcntl.LOCK_NB):
                return False
        except BlockingIOError:
            return True

    @contextlib.contextmanager
    def sync_lock(self, blocking=True):
        """Serialises outbox appliers of this node (workers share the folder); yields
        False instead of waiting when ``blocking`` is off and another holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / "sync.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def creation_lock(self):
        """Serialises creating the very first index between processes."""
        return self._flock("create.lock", fcntl.LOCK_EX)

    # -- pending updates --------------------------------------------------------------
    def add_pending(self, ids):
        ids = sorted({int(i) for i in ids})
        if not ids:
            return
        with self._flock("pending.lock", fcntl.LOCK_EX):
            with open(self.root / "pending", "a", encoding="ascii") as fh:
                fh.write("".join(f"{i}\n" for i in ids))

    def take_pending(self):
        """Return and clear the pending ids."""
        path = self.root / "pending"
        if not path.exists():
            return set()
        with self._flock("pending.lock", fcntl.LOCK_EX):
            try:
                lines = path.read_text(encoding="ascii").split()
            except FileNotFoundError:
                return set()
            path.unlink()
        return {int(line) for line in lines if line.isdigit()}

    def has_pending(self):
        return (self.root / "pending").exists()

    # -- outbox position (per generation) ---------------------------------------------
    @staticmethod
    def read_position(path):
        """The position saved in generation ``path``, or None (built before the outbox)."""
        try:
            data = json.loads((Path(path) / POSITION_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def write_position(path, data):
        """Replace the position atomically: a crash leaves the old one, never half a file."""
        temp = Path(path) / f".{POSITION_FILE}-{os.getpid()}-{time.time_ns()}"
        temp.write_text(json.dumps(data, sort_keys=True), encoding="ascii")
        os.replace(temp, Path(path) / POSITION_FILE)
