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
