"""The admin dashboard: /admin and /admin/report.json.

Everything the dashboard needs lives in this package: the DNS records a
mail domain should have, the live DNS checks, the HTTPS self-test, the
recent-requests ring and the report built from them. The discovery core
never imports it; the factory calls init_app, and the app serves every
discovery endpoint the same without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

from ..runtime import runtime
from . import pacc
from .dns_check import Resolver
from .recent import RecentRequests

EXTENSION = "admin"


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's long-lived parts, made before gunicorn forks."""

    resolver: Resolver
    recent: RecentRequests
    pacc_digests: dict[str, pacc.Digests]  # by domain; only domains PACC is on for


def init_app(app: Flask) -> None:
    """Install the dashboard: its parts, its blueprint, and the hook that
    records every discovery request (the domain only, never the address)."""
    from .views import bp

    settings = runtime(app).settings
    resolver = app.config.get("DNS_RESOLVER") or Resolver(settings.dns_server)
    app.extensions[EXTENSION] = Dashboard(resolver, RecentRequests(), pacc.remember(settings))
    app.register_blueprint(bp)
    app.after_request(_record)


def dashboard() -> Dashboard:
    found: Dashboard = current_app.extensions[EXTENSION]
    return found


def _record(response: Response) -> Response:
    if request.blueprint == "discovery":
        dashboard().recent.record(
            request.endpoint, g.get("mail_domain"), request.headers.get("User-Agent", ""), response.status_code
        )
    return response
