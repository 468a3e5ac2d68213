"""The admin dashboard, /admin, and the same report as JSON for scripts.

Who may see it: on Cloudron (CLOUDRON=1) the manifest's proxyAuth puts the
Cloudron login in front of /admin. Anywhere else it is closed unless
AUTOCONFIG_ADMIN_OPEN=1 says another guard stands in front, or it is the
demo environment asked straight from this machine (make run, a browser on
loopback, no proxy in between).
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Response, render_template, request

from ..proxy import is_proxy, peer
from ..runtime import runtime
from ..settings_loader import ADMIN_OPEN_VARIABLE
from ..views import plain
from . import dashboard, report
from .levels import MEANING, Level

CLOSED = (
    f"403 The admin page is closed here: it opens on Cloudron (behind its login), with "
    f"{ADMIN_OPEN_VARIABLE}=1, or in the demo environment from this machine. See docs/admin-dashboard.md."
)

bp = Blueprint("admin", __name__, template_folder="templates")


def open_because() -> str | None:
    settings = runtime().settings
    if settings.admin_behind_proxy and not is_proxy(settings, peer(request.environ)):
        # Cloudron's login is in its proxy: whoever reaches port 8000 another
        # way (another container on the network) has passed no login.
        return None
    reason = settings.admin_open_because
    if reason is None and settings.demo and _from_this_machine():
        reason = "demo environment, asked from this machine"
    return reason


def _from_this_machine() -> bool:
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(peer(request.environ)).is_loopback
    except ValueError:
        return False


@bp.before_request
def guard() -> Response | None:
    if open_because() is None:
        return plain(403, CLOSED)
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    # Live data behind a login: never kept by a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _report() -> report.Report:
    return report.build(
        runtime().settings, runtime().signer, dashboard().resolver, dashboard().recent, dashboard().pacc_digests
    )


@bp.get("/admin")
def page() -> str:
    return render_template(
        "admin.html",
        report=_report(),
        open_because=open_because(),
        dns_server=dashboard().resolver.server,
        levels=Level,
        meaning=MEANING,
    )


@bp.get("/admin/report.json")
def report_json() -> Response:
    return Response(report.to_json(_report()), content_type="application/json; charset=utf-8")
