"""The recent-requests ring: bounded, newest first, shared across forked
workers, and never holding an address or a User-Agent."""

import os

import pytest

from app.admin.recent import REGION_HEAD, REGIONS, RecentRequests, client_family

AUTOCONFIG = "discovery.autoconfig_xml"


def test_ring_keeps_the_newest_and_forgets_the_oldest():
    recent = RecentRequests(capacity=3)
    for n in range(5):
        recent.record(AUTOCONFIG, f"d{n}.example", "Thunderbird/128", 200)
    assert [e.domain for e in recent.entries()] == ["d4.example", "d3.example", "d2.example"]


def test_health_checks_and_other_endpoints_are_not_recorded():
    recent = RecentRequests()
    recent.record("discovery.health", None, "", 200)
    recent.record(None, None, "", 404)
    assert recent.entries() == []


def test_what_is_stored_is_endpoint_domain_family_status_only():
    recent = RecentRequests()
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0"
    recent.record("discovery.autodiscover_xml", "example.com", agent, 200)
    (entry,) = recent.entries()
    assert (entry.endpoint, entry.domain, entry.family, entry.status) == (
        "Autodiscover XML",
        "example.com",
        "Thunderbird",
        200,
    )
    assert b"128.3.0" not in recent._memory[:]


def test_requests_recorded_in_a_forked_worker_are_seen_by_the_others():
    recent = RecentRequests()
    recent.record(AUTOCONFIG, "parent.example", "", 200)
    child = os.fork()
    if child == 0:
        recent.record("discovery.autodiscover_json", "child.example", "Microsoft Office/16.0", 404)
        os._exit(0)
    os.waitpid(child, 0)
    assert [(e.domain, e.family, e.status) for e in recent.entries()] == [
        ("child.example", "Outlook", 404),
        ("parent.example", "other", 200),
    ]


@pytest.mark.parametrize(
    "agent, family",
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.0", "Thunderbird"),
        ("K-9 Mail/6.800", "Thunderbird for Android / K-9"),
        ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)", "Outlook"),
        ("Evolution/3.52.0", "Evolution"),
        ("curl/8.5.0", "script"),
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0", "web browser"),
        ("", "other"),
    ],
)
def test_client_family_from_user_agent(agent, family):
    assert client_family(agent) == family


def test_workers_writing_at_once_lose_no_request():
    recent = RecentRequests(capacity=5)
    start, go = os.pipe()
    children = []
    for _ in range(3):
        child = os.fork()
        if child == 0:
            os.close(go)
            os.read(start, 1)  # all three start together
            for _ in range(20_000):
                recent.record(AUTOCONFIG, "example.com", "", 200)
            os._exit(0)
        children.append(child)
    os.close(start)
    os.close(go)
    # A worker killed from outside (not by the ring) would lose its requests.
    assert [os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) for child in children] == [0, 0, 0]
    # Each worker writes its own region: no request is lost, and the
    # newest `capacity` of all of them are whole entries.
    assert recent.recorded() == 60_000, [
        REGION_HEAD.unpack_from(recent._memory, base)
        for base in range(0, len(recent._memory), len(recent._memory) // REGIONS)
    ]
    assert [(e.domain, e.status) for e in recent.entries()] == [("example.com", 200)] * 5


def test_threads_of_one_worker_lose_no_request():
    import threading

    recent = RecentRequests(capacity=5)
    threads = [
        threading.Thread(target=lambda: [recent.record(AUTOCONFIG, "example.com", "", 200) for _ in range(5_000)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recent.recorded() == 20_000


def in_child(recent, domain):
    child = os.fork()
    if child == 0:
        recent.record(AUTOCONFIG, domain, "", 200)
        os._exit(0)
    os.waitpid(child, 0)


def test_a_replaced_worker_takes_over_a_dead_ones_region_and_keeps_its_entries():
    recent = RecentRequests(regions=2)
    recent.record(AUTOCONFIG, "master.example", "", 200)
    in_child(recent, "first.example")
    in_child(recent, "second.example")  # only two regions: reuses the dead child's
    assert recent.recorded() == 3
    assert {e.domain for e in recent.entries()} == {"master.example", "first.example", "second.example"}
