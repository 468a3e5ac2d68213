"""Gunicorn settings, one reason per value. Used by start.sh and `make run`."""
import os

# Cloudron sends traffic to the manifest's httpPort on every interface.
bind = os.environ.get("BIND", "0.0.0.0:8000")

# Build the settings model and every document once, in the master, before
# forking: workers share those pages and start instantly.
preload_app = True

# Two processes use both cores of a small box; requests are CPU-only and
# sub-millisecond, so sync workers need no threads.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"

# Discovery answers in microseconds; a request that takes longer than this
# is stuck, not slow.
timeout = 30
graceful_timeout = 10
keepalive = 5

# Refuse oversized request lines and headers before Flask sees them.
limit_request_line = 4096
limit_request_fields = 50
limit_request_field_size = 8190

# Cloudron's proxy is the only hop in front of us, and its address is not
# fixed: trust its X-Forwarded-* headers (ProxyFix in the app trusts one hop).
forwarded_allow_ips = "*"

# Logs go to stdout/stderr: Cloudron collects them, there are no log files.
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") == "1" else None
errorlog = "-"

# gunicorn's control socket (for `gunicornc`) would go in $HOME, which is
# read-only on Cloudron; nothing here uses it.
control_socket_disable = True
