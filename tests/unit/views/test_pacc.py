"""GET /.well-known/user-agent-configuration.json, as a PACC client asks it."""

import json

import pytest

from app import create_app

PATH = "/.well-known/user-agent-configuration.json"


@pytest.fixture
def pacc_client(make_settings, config_file):
    settings = make_settings(config_file("[services.submissions]\nenabled = true\n"))
    return create_app({"SETTINGS": settings, "TESTING": True, "ADMIN": False}).test_client()


@pytest.mark.parametrize("domain", ["example.com", "example.org", "xn--bcher-kva.example"])
def test_each_served_domain_has_its_document_on_its_own_host(pacc_client, domain):
    response = pacc_client.get(PATH, headers={"Host": f"ua-auto-config.{domain}"})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    document = json.loads(response.data)
    assert document["info"]["help"]["documentation"] == f"https://ua-auto-config.{domain}/"


def test_the_forwarded_host_and_an_upper_case_host_name_the_same_document(pacc_client):
    plain = pacc_client.get(PATH, headers={"Host": "ua-auto-config.example.com"}).data
    shouted = pacc_client.get(PATH, headers={"Host": "UA-Auto-Config.Example.COM:443"}).data
    assert plain == shouted


@pytest.mark.parametrize(
    "host",
    [
        "ua-auto-config.example.net",  # not a served domain
        "example.com",  # no ua-auto-config. prefix
        "autoconfig.example.com",
        "mailconfig.example.com",
        "ua-auto-config.",
        "[::1]:443",
        "ua-auto-config.ua-auto-config.example.com",
    ],
)
def test_other_hosts_get_404_with_a_reason(pacc_client, host):
    response = pacc_client.get(PATH, headers={"Host": host})
    assert response.status_code == 404
    assert response.content_type == "text/plain; charset=utf-8"
    assert b"ua-auto-config.<your mail domain>" in response.data


@pytest.mark.parametrize("path", [PATH + "/x", PATH + ".bak", "/.well-known/user-agent-configuration", PATH.upper()])
def test_junk_paths_get_404(pacc_client, path):
    assert pacc_client.get(path, headers={"Host": "ua-auto-config.example.com"}).status_code == 404


def test_other_methods_are_refused(pacc_client):
    assert pacc_client.post(PATH, headers={"Host": "ua-auto-config.example.com"}).status_code == 405


def test_default_settings_answer_404_and_say_465_is_needed(client):
    response = client.get(PATH, headers={"Host": "ua-auto-config.example.com"})
    assert response.status_code == 404
    assert response.data.startswith(b"PACC is off here: ")
    assert b"port 465" in response.data
