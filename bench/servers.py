"""gunicorn servers for the page benchmark: start on a free loopback port, wait, measure, stop.

Every server runs ``gunicorn -c gunicorn.conf.py`` (the production settings of
``make serve``) with three overrides, the same for every app in a run: ``--workers``
(2), ``--bind`` (a free port on 127.0.0.1) and ``--max-requests 0`` (a worker that is
recycled mid-run would skew both the throughput and the RSS we read from it).

Servers run in their own session, so a Ctrl-C in the terminal reaches the benchmark
only, which then stops them in order; :func:`stop_all` is also registered with
``atexit``, and after :func:`stop_on_exit` SIGTERM ends the script through ``SystemExit``.
"""

import atexit
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
WORKERS = 2
_running = []


class ServerError(RuntimeError):
    """A server did not start or answer; the message carries the end of its log."""


def gunicorn_settings(workers=WORKERS):
    """The settings gunicorn.conf.py gives (with our worker count), for the report."""
    saved = os.environ.get("WEB_CONCURRENCY")
    os.environ["WEB_CONCURRENCY"] = str(workers)
    try:
        conf = runpy.run_path(str(GUNICORN_CONF))
    finally:
        if saved is None:
            os.environ.pop("WEB_CONCURRENCY", None)
        else:
            os.environ["WEB_CONCURRENCY"] = saved
    keys = ("worker_class", "workers", "threads", "keepalive", "timeout", "accesslog")
    return {**{k: conf.get(k) for k in keys}, "max_requests": 0,
            "max_requests_note": "gunicorn.conf.py recycles workers; off for the benchmark"}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid):
    """Process ids whose parent is ``pid`` (gunicorn's workers)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return sorted(kids)


def _status_kib(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise ServerError(f"no {field} in /proc/{pid}/status")


class Server:
    """One gunicorn master and its workers serving ``app_spec`` (``module:variable``)."""

    def __init__(self, name, app_spec, env=None, log_dir=None, workers=WORKERS):
        self.name, self.app_spec, self.workers = name, app_spec, workers
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.log_path = Path(log_dir or "/tmp") / f"gunicorn-{name}.log"
        self.proc = None
        self.port = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path="/healthz", timeout=180.0):
        for attempt in range(3):  # another process may take the free port before we bind it
            self.port = free_port()
            cmd = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF),
                   "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
                   "--max-requests", "0", self.app_spec]
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            log.close()
            _running.append(self)
            try:
                self._wait_ready(ready_path, timeout)
                return self
            except ServerError:
                if attempt < 2 and "Address already in use" in self.log_tail():
                    self.stop()
                    continue
                self.stop()
                raise
        raise AssertionError("unreachable")

    def _wait_ready(self, path, timeout):
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"{self.name}: gunicorn exited with {self.proc.returncode}; "
                                  f"log {self.log_path}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=5) as resp:
                    if resp.status == 200 and len(_children(self.proc.pid)) >= self.workers:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read(300).decode('utf-8', 'replace')}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last = str(exc)
            time.sleep(0.2)
        raise ServerError(f"{self.name}: {path} not ready after {timeout:.0f} s ({last}); "
                          f"log {self.log_path}:\n{self.log_tail()}")

    def log_tail(self, lines=15):
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def worker_pids(self):
        return _children(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def worker_rss_mib(self):
        """``{pid: {"rss": VmRSS, "hwm": VmHWM}}`` of every worker, in MiB."""
        return {pid: {"rss": _status_kib(pid, "VmRSS") / 1024,
                      "hwm": _status_kib(pid, "VmHWM") / 1024}
                for pid in self.worker_pids()}

    def cpu_seconds(self):
        """User + system CPU time used so far by the master and its workers."""
        return sum(self.cpu_by_process().values())

    def cpu_by_process(self):
        """``{pid: CPU seconds}`` of the master and each worker."""
        found = {}
        for pid in [self.proc.pid, *self.worker_pids()]:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return found

    def get_json(self, path):
        with urllib.request.urlopen(self.base_url + path, timeout=30) as resp:
            return json.loads(resp.read())

    def stop(self, timeout=30.0):
        """SIGTERM the master (graceful), then SIGKILL the whole session if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self in _running:
            _running.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def stop_all():
    for server in list(_running):
        server.stop()


def _terminate(signum, frame):
    print(f"terminated by signal {signum}; stopping the servers", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)


def stop_on_exit():
    """For a script: SIGTERM unwinds like Ctrl-C does (``finally`` blocks stop servers)."""
    signal.signal(signal.SIGTERM, _terminate)


atexit.register(stop_all)
