"""The self-test's judgement of an answer, from canned answers: what the
dashboard says about each endpoint it fetched."""

import json

from app.admin import self_test


def probes(settings, app):
    return {p.path.split("?")[0]: p for p in self_test.probes(settings, settings.domain("example.com"))}


def served(client, probe):
    response = client.open(probe.path, method=probe.method, data=probe.body, headers={"Host": probe.host})
    return response.status_code, response.headers["Content-Type"], response.data


def test_the_apps_own_answers_are_what_clients_need(settings, app):
    client = app.test_client()
    for probe in self_test.probes(settings, settings.domain("example.com")):
        result = self_test.judge(probe, "192.0.2.10", *served(client, probe), milliseconds=3)
        assert (result.ok, result.parses, result.right_server, result.detail) == (
            True,
            True,
            True,
            "as clients need it",
        ), probe.url


def test_a_document_naming_another_server_is_caught(settings, app):
    probe = probes(settings, app)["/mail/config-v1.1.xml"]
    status, content_type, body = served(app.test_client(), probe)
    result = self_test.judge(probe, "192.0.2.10", status, content_type, body.replace(b"my.example.com", b"x.test"), 3)
    assert not result.ok and result.parses and result.right_server is False
    assert "names x.test:587, x.test:993, expected my.example.com:587, my.example.com:993" in result.detail


def test_an_error_page_a_wrong_type_and_junk_are_each_said(settings, app):
    probe = probes(settings, app)["/autodiscover/autodiscover.xml"]
    result = self_test.judge(probe, "192.0.2.10", 502, "text/html", b"<html>Bad gateway</html>", 3)
    assert not result.ok and result.detail == "HTTP 502; content type text/html, expected text/xml"
    assert result.parses is None
    junk = self_test.judge(probe, "192.0.2.10", 200, "text/xml", b"<not xml", 3)
    assert not junk.ok and junk.detail == "the document does not parse"


def test_a_server_answering_with_a_bad_encoding_or_odd_digits_is_said_not_raised(settings, app):
    # What another server on the name may answer: an encoding the parser
    # cannot use, or a port in digits int() refuses. Both used to raise.
    for path, body in [
        ("/autodiscover/autodiscover.xml", b'<?xml version="1.0" encoding="rot13"?><Autodiscover/>'),
        ("/autodiscover/autodiscover.xml", b'<?xml version="1.0" encoding="x-nope"?><Autodiscover/>'),
        ("/mail/config-v1.1.xml", b'<?xml version="1.0" encoding="base64"?><clientConfig/>'),
    ]:
        result = self_test.judge(probes(settings, app)[path], "192.0.2.10", 200, "text/xml", body, 3)
        assert not result.ok and result.detail == "the document does not parse"
    probe = probes(settings, app)["/mail/config-v1.1.xml"]
    status, content_type, body = served(app.test_client(), probe)
    odd = self_test.judge(probe, "192.0.2.10", status, content_type, body.replace(b">993<", "²".join("><").encode()), 3)
    assert not odd.ok and "my.example.com:0" in odd.detail


def test_the_json_probe_expects_the_autodiscover_alias_url(settings, app):
    probe = probes(settings, app)["/autodiscover/autodiscover.json/v1.0/self-test@example.com"]
    body = json.dumps({"Protocol": "AutodiscoverV1", "Url": "https://elsewhere.test/x"}).encode()
    result = self_test.judge(probe, "192.0.2.10", 200, "application/json", body, 3)
    assert "expected https://autodiscover.example.com/autodiscover/autodiscover.xml" in result.detail


def test_a_host_that_does_not_resolve_is_not_fetched(settings):
    probe = self_test.probes(settings, settings.domain("example.com"))[0]
    result = self_test.fetch(probe, (), self_test.tls_context())
    assert not result.ok and result.detail == "autoconfig.example.com does not resolve (see DNS)"
