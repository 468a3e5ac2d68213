"""The dashboard's judgement of a DAV app's answers, from canned answers."""

import pytest

from app.admin import dav_check
from app.settings import Dav, DavUrl


def probe(well_known):
    return dav_check.DavProbe("x", "dav.example.com", 443, "/.well-known/caldav" if well_known else "/dav/", well_known)


@pytest.mark.parametrize(
    "well_known, status, location, ok, detail",
    [
        (True, 301, "/remote.php/dav/", True, "redirects to /remote.php/dav/"),
        (True, 207, None, True, "is a DAV endpoint itself"),
        (True, 404, None, False, "HTTP 404, not a redirect to the DAV endpoint"),
        (True, 302, None, False, "HTTP 302"),
        (False, 401, None, True, "a DAV endpoint (asks for a login)"),
        (False, 207, None, True, "a DAV endpoint"),
        (False, 404, None, False, "HTTP 404 to PROPFIND: not a DAV endpoint"),
        (False, 301, "/elsewhere/", False, "redirects to /elsewhere/: publish that URL instead"),
    ],
)
def test_judgement(well_known, status, location, ok, detail):
    result = dav_check.judge(probe(well_known), "192.0.2.1", status, location)
    assert result.ok is ok
    assert result.detail.startswith(detail)


def test_one_host_for_both_is_asked_once_per_url():
    same = DavUrl("https://cloud.example.com/remote.php/dav/")
    found = dav_check.probes(Dav(same, same, "localpart"))
    assert [(p.what, p.url) for p in found] == [
        ("CalDAV URL and CardDAV URL", "https://cloud.example.com/remote.php/dav/"),
        ("/.well-known/caldav", "https://cloud.example.com/.well-known/caldav"),
        ("/.well-known/carddav", "https://cloud.example.com/.well-known/carddav"),
    ]
    other = dav_check.probes(Dav(same, DavUrl("https://card.example.com:8443/"), "none"))
    assert [p.url for p in other][2:] == [
        "https://card.example.com:8443/",
        "https://card.example.com:8443/.well-known/carddav",
    ]


def test_a_host_that_does_not_resolve_is_not_asked():
    [result] = dav_check.run([(probe(False), ())])
    assert (result.ok, result.detail) == (
        False,
        "does not answer over HTTPS: dav.example.com does not resolve (see DNS)",
    )
