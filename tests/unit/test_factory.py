"""The application factory: the discovery core stands on its own."""

import pytest

from app import create_app
from support.inputs import pox_request

REQUESTS = [
    ("GET", "/mail/config-v1.1.xml?emailaddress=jane%40example.org", None),
    ("GET", "/.well-known/autoconfig/mail/config-v1.1.xml", None),
    ("GET", "/mail/config-v1.1.xml?emailaddress=jane%40example.net", None),
    ("POST", "/autodiscover/autodiscover.xml", pox_request("jane@example.com")),
    ("POST", "/autodiscover/autodiscover.xml", pox_request("jane@example.net")),
    ("GET", "/autodiscover/autodiscover.json/v1.0/jane@example.com?Protocol=AutodiscoverV1", None),
    ("GET", "/mobileconfig?emailaddress=jane%40example.com", None),
    ("GET", "/?emailaddress=jane%40example.com", None),
    ("GET", "/healthz", None),
]


def answer(app, method, path, body):
    response = app.test_client().open(path, method=method, data=body, headers={"Host": "autoconfig.example.org"})
    # Autodiscover errors carry their own time and id.
    return response.status_code, response.content_type, response.data.split(b"<Error ")[0]


@pytest.mark.parametrize("method, path, body", REQUESTS)
def test_without_the_dashboard_every_discovery_answer_is_the_same(settings, method, path, body):
    with_dashboard = create_app({"SETTINGS": settings})
    without = create_app({"SETTINGS": settings, "ADMIN": False})
    assert answer(without, method, path, body) == answer(with_dashboard, method, path, body)


def test_without_the_dashboard_there_is_no_admin_page(settings):
    client = create_app({"SETTINGS": settings, "ADMIN": False}).test_client()
    assert client.get("/admin").status_code == 404


def test_an_unexpected_error_is_a_plain_500_and_one_log_line_without_traceback(settings, caplog):
    app = create_app({"SETTINGS": settings})

    @app.get("/boom")
    def boom():
        raise KeyError("a bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.data == b"500 Internal Server Error\n"
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.exc_info is None
    assert "KeyError" in record.getMessage() and "\n" not in record.getMessage()
