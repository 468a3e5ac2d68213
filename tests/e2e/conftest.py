"""Tests here start real processes (gunicorn, nginx, dnsmasq, bubblewrap,
Chromium): each is marked `processes`, so `pytest -m "not processes"` is the
quick loop."""

from pathlib import Path

import pytest

from .browser import Chromium

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.processes)


@pytest.fixture(scope="session")
def chromium():
    browser = Chromium()
    yield browser
    browser.close()
