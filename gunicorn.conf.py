"""Gunicorn settings, one reason per value. Used by start.sh and `make run`."""

import os

# Cloudron sends traffic to the manifest's httpPort on every interface.
bind = os.environ.get("BIND", "0.0.0.0:8000")

# Build the settings model and every document once, in the master, before
# forking: workers share those pages and start instantly.
preload_app = True

# Two processes use both cores of a small box; more would only add memory.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, not more processes: requests are CPU-only and sub-millisecond, so
# threads add no throughput, but they keep connections alive and park idle
# ones on a poller, where a sync worker is blocked by each connection it
# holds. Four per worker measured fastest (2 and 8 were slower), at no
# memory cost (threads share the worker's pages).
worker_class = "gthread"
threads = 4

# Discovery answers in microseconds; a request that takes longer than this
# is stuck, not slow.
timeout = 30
graceful_timeout = 10
keepalive = 5

# Refuse oversized request lines and headers before Flask sees them.
limit_request_line = 4096
limit_request_fields = 50
limit_request_field_size = 8190

# gunicorn trusts no peer's forwarding headers: its forwarder headers
# (SCRIPT_NAME, PATH_INFO) would let anyone move a request under /admin past
# a proxy's path guard, and X-Forwarded-Proto would set the scheme. The app
# itself trusts X-Forwarded-* from Cloudron's proxy alone (app/proxy.py).
forwarded_allow_ips = ""
forwarder_headers = ""
secure_scheme_headers: dict[str, str] = {}

# Logs go to stdout/stderr: Cloudron collects them, there are no log files.
# No access log unless ACCESS_LOG=1: one line per request is a fifth of the
# CPU a request costs, and Outlook's retries would bury the app's own lines.
accesslog = "-" if os.environ.get("ACCESS_LOG", "0") == "1" else None
errorlog = "-"

# gunicorn's control socket (for `gunicornc`) would go in $HOME, which is
# read-only on Cloudron; nothing here uses it.
control_socket_disable = True
