"""Run wrk (the Debian package) against one URL and return its figures as a dict.

wrk's own text summary rounds and changes units; instead a small Lua ``done()`` hook
prints the exact figures as one JSON line (duration, requests, bytes, errors by kind,
latency percentiles in microseconds). Non-2xx/3xx answers count as ``errors.status``:
the caller treats any error as a failed measurement, because a fast 404 or 500 page
would otherwise pass for throughput.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULTS = {"threads": 2, "connections": 16, "seconds": 10}

_DONE_LUA = r"""
done = function(summary, latency, requests)
  local p = {}
  for _, q in ipairs({50, 90, 99}) do p[tostring(q)] = latency:percentile(q) end
  io.write(string.format(
    'WRKJSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d}}\n',
    summary.duration, summary.requests, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency.mean, latency.max, p["50"], p["90"], p["99"]))
end
"""


class WrkError(RuntimeError):
    """wrk is missing, failed, or the run had errors."""


def wrk_path():
    path = shutil.which("wrk")
    if not path:
        raise WrkError("wrk not found: install the Debian package 'wrk' (apt-get install wrk)")
    return path


def version():
    done = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).splitlines()[0]
    return first.split(" Copyright")[0].strip()  # "wrk debian/4.1.0-3+b2 [epoll]"


def run(url, threads=DEFAULTS["threads"], connections=DEFAULTS["connections"],
        seconds=DEFAULTS["seconds"], headers=(), allow_errors=False, timeout=30):
    """``wrk -t THREADS -c CONNECTIONS -d SECONDS --timeout T URL``: requests/s, latency.

    wrk's own 2 s timeout would drop the slowest answers of a slow page from its figures;
    the default here is gunicorn's worker timeout (30 s), and answers that take longer
    still are counted in ``errors.timeout`` but do not fail the run: they are the figure.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_DONE_LUA)
        script = fh.name
    cmd = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
           "--timeout", f"{timeout}s", "-s", script]
    for header in headers:
        cmd += ["-H", header]
    cmd.append(url)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 60)
    finally:
        Path(script).unlink(missing_ok=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise WrkError(f"wrk failed on {url} (exit {done.returncode}): "
                       f"{(done.stderr or done.stdout).strip()[-500:]}")
    data = json.loads(line[len("WRKJSON "):])
    data["seconds"] = data["duration_us"] / 1e6
    data["requests_per_s"] = data["requests"] / data["seconds"] if data["seconds"] else 0.0
    data["bytes_per_request"] = data["bytes"] / data["requests"] if data["requests"] else 0
    data["params"] = {"threads": threads, "connections": connections, "seconds": seconds,
                      "timeout": timeout}
    errors = {k: v for k, v in data["errors"].items() if v and k != "timeout"}
    if errors and not allow_errors:
        raise WrkError(f"wrk on {url}: {data['requests']} requests with errors {errors} "
                       "(status = non-2xx/3xx answers)")
    if not data["requests"]:
        raise WrkError(f"wrk on {url}: no request was answered in {seconds} s")
    return data
