"""gunicorn settings for ``make serve`` (``gunicorn -c gunicorn.conf.py wsgi:app``).

Every value can be overridden with the usual GUNICORN_CMD_ARGS or the environment
variables read below.
"""

import multiprocessing
import os

bind = os.environ.get("BLOGAPP_BIND", "127.0.0.1:8000")
# Threads let a worker overlap database and index I/O; processes use the cores.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("BLOGAPP_THREADS", 4))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("BLOGAPP_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Workers share one listening socket, and a gthread worker keeps the keep-alive connections
# it accepted: a burst of new connections can all land on one worker, which then serves
# them on one core while the others idle (measured: half the throughput in about one run
# in three of the page benchmark). BLOGAPP_REUSE_PORT=1 gives each worker its own
# SO_REUSEPORT socket and the kernel spreads connections evenly; the catch is that a
# worker that exits (max_requests recycling, reloads) drops the connections still waiting
# in its own accept queue unless the host sets net.ipv4.tcp_migrate_req=1 (Linux 5.14+).
reuse_port = os.environ.get("BLOGAPP_REUSE_PORT", "").lower() in ("1", "true", "yes")
