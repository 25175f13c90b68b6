"""gunicorn settings for the web process: ``gunicorn -c deploy/gunicorn.conf.py``.

Environment: ``HOST`` (default 127.0.0.1; 0.0.0.0 in a container), ``PORT`` (8000),
``WEB_CONCURRENCY`` worker processes (2), ``WEB_THREADS`` threads each (4).
"""

import os

wsgi_app = "fortify_github.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Load the application once in the master: a configuration error (system checks) stops the
# start with its message instead of a loop of worker boots.
preload_app = True
# GitHub waits 10 s for a webhook answer; nothing here should take longer than this.
timeout = 30
graceful_timeout = 30
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A web worker that exits stops counting in Prometheus multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
