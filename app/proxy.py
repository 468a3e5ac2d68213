"""Who is in front of the app: X-Forwarded-* are believed from the proxy only.

On Cloudron every request from outside comes through Cloudron's nginx, whose
address the platform gives as CLOUDRON_PROXY_IP; anything else that reaches
port 8000 (another container, the health check) talks to the app directly
and its X-Forwarded-* headers are anyone's to write. Without that variable
(the demo, a laptop), a proxy on this machine is the one believed.

The TCP peer is kept in the environ before ProxyFix rewrites REMOTE_ADDR,
so the admin guard can ask who really connected.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import IO, Any

from werkzeug.exceptions import RequestTimeout
from werkzeug.middleware.proxy_fix import ProxyFix

from .settings import Settings

PEER = "autoconfig.peer"
# A real client sends its few hundred bytes of body at once; one that has
# not sent them by now is holding a thread, not slow (gunicorn reached
# directly has no deadline of its own, and threads are few).
BODY_SECONDS = 5.0


def is_proxy(settings: Settings, address: str) -> bool:
    """Whether `address` (a TCP peer) is the proxy in front of the app."""
    if settings.proxy_ip:
        return address == settings.proxy_ip
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def peer(environ: dict[str, Any]) -> str:
    """The address that opened the connection, whatever the headers say."""
    return str(environ.get(PEER, environ.get("REMOTE_ADDR", "")))


def trust_proxy(wsgi_app: Any, settings: Settings) -> Any:
    """Honour one hop of X-Forwarded-* from the proxy; drop them from anyone else."""
    forwarded = ProxyFix(wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environ[PEER] = environ.get("REMOTE_ADDR", "")
        socket = environ.get("gunicorn.socket")
        if socket is not None:
            environ["wsgi.input"] = DeadlineInput(environ["wsgi.input"], socket, time.monotonic() + BODY_SECONDS)
        if is_proxy(settings, environ[PEER]):
            return forwarded(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return wsgi_app(environ, start_response)

    return app


class DeadlineInput:
    """The request body, read with a deadline: past it, or when the socket
    stays silent until then, reading raises 408 instead of waiting on."""

    def __init__(self, stream: IO[bytes], socket: Any, deadline: float) -> None:
        self._stream, self._socket, self._deadline = stream, socket, deadline

    def read(self, size: int | None = -1) -> bytes:
        # In small pieces, so the deadline is checked often against a trickle.
        want = size if size is not None and size >= 0 else None
        chunks = []
        while want is None or want > 0:
            chunk = self._before_deadline(self._stream.read, 4096 if want is None else min(want, 4096))
            if not chunk:
                break
            chunks.append(chunk)
            if want is not None:
                want -= len(chunk)
        return b"".join(chunks)

    def readline(self, size: int = -1) -> bytes:
        # Werkzeug's form parser reads lines.
        return self._before_deadline(self._stream.readline, size)

    def _before_deadline(self, read: Callable[[int], bytes], size: int) -> bytes:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise RequestTimeout()
        self._socket.settimeout(left)
        try:
            return read(size)
        except OSError:  # the socket timed out, or the client left mid-body
            raise RequestTimeout() from None
        finally:
            # The answer is written without this deadline.
            self._socket.settimeout(None)
