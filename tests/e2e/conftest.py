import pytest

from .browser import Chromium


@pytest.fixture(scope="session")
def chromium():
    browser = Chromium()
    yield browser
    browser.close()
