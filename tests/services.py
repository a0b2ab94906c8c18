"""Throwaway PostgreSQL and Redis servers for tests: real servers from Debian's packages,
each on a temporary data directory and a free loopback port, stopped when the session ends.

PostgreSQL refuses to run as root, so under root (CI containers) the cluster is created and
started as the ``postgres`` system user that Debian's package creates.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


class ServiceUnavailable(RuntimeError):
    """The server's binaries are not installed on this machine."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return os.path.dirname(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return os.path.dirname(pg_ctl)
    raise ServiceUnavailable("PostgreSQL server binaries (Debian package 'postgresql') not found")


def _as_server_user(argv, owner):
    """Run ``argv`` as ``owner`` when we are root, else as ourselves."""
    if os.geteuid() == 0:
        return ["runuser", "-u", owner, "--", *argv]
    return argv


class PostgresServer:
    """``initdb`` + ``pg_ctl start`` on a temp dir; ``url`` points at database ``blogapp``."""

    user = "blogapp"

    def __init__(self):
        bindir = _postgres_bindir()
        self.root = tempfile.mkdtemp(prefix="blogapp-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        owner = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            shutil.chown(self.root, user=owner)
        self._owner = owner
        self._pg_ctl = os.path.join(bindir, "pg_ctl")
        run = lambda argv: subprocess.run(  # noqa: E731
            _as_server_user(argv, owner), check=True, capture_output=True, text=True)
        run([os.path.join(bindir, "initdb"), "-D", self.data, "-U", self.user, "-A", "trust",
             "-E", "UTF8", "--locale=C.UTF-8"])
        # Durability is not under test; these settings make schema churn several times faster.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        run([self._pg_ctl, "-D", self.data, "-o", options, "-l",
             os.path.join(self.root, "server.log"), "-w", "-t", "60", "start"])
        run([os.path.join(bindir, "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", self.user, "blogapp"])
        self.url = f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/blogapp"

    def stop(self):
        subprocess.run(_as_server_user([self._pg_ctl, "-D", self.data, "-m", "immediate",
                                        "stop"], self._owner), capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """``redis-server`` without persistence on a loopback port; ``url`` is ``redis://...``."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if not binary:
            raise ServiceUnavailable("redis-server (Debian package 'redis-server') not found")
        self.root = tempfile.mkdtemp(prefix="blogapp-redis-")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.root],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)
