"""The admin dashboard passes an axe audit (WCAG 2.1 A and AA) at desktop width."""

from .axe import violations
from .browser import DESKTOP
from .test_admin import server  # noqa: F401 (the dashboard's real server, as a fixture)


def test_admin_dashboard_passes_axe(server, chromium):  # noqa: F811
    address, _, _ = server
    page = chromium.page(viewport=DESKTOP, ignore_https_errors=True)
    assert page.goto(f"https://{address}/admin").status == 200
    assert violations(page) == []
    page.context.close()
