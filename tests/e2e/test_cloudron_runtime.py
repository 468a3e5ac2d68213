"""start.sh in a Cloudron-like runtime: real bubblewrap, real gosu, real
gunicorn with the production config (see support/sandbox.py for what the sandbox is).
"""

import json
import re

import pytest
import requests

from support.inputs import RUNTIME_ENV
from support.processes import REPO, pss_kib
from support.sandbox import CLOUDRON_UID, cloudron_runtime, ids_of
from tests.pki import cms_verify

MANIFEST = json.loads((REPO / "CloudronManifest.json").read_text())
EXAMPLE = (REPO / "config.example.toml").read_bytes()
# What a write outside the writable paths, or a crash, would leave in the log.
TROUBLE = re.compile(r"Read-only file system|Permission denied|Traceback|config file ignored|\[ERROR\]")


def autoconfig(sandbox, domain):
    return requests.get(
        sandbox.base_url + "/mail/config-v1.1.xml",
        headers={"Host": f"autoconfig.{domain}"},
        allow_redirects=False,
        timeout=5,
    )


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def test_first_start_serves_as_cloudron_user_from_a_read_only_root(data_dir, tmp_path):
    with cloudron_runtime(data_dir, tmp_path) as sandbox:
        # Cloudron's health check: the primary domain as Host, no redirects followed.
        health = requests.get(
            sandbox.base_url + MANIFEST["healthCheckPath"],
            allow_redirects=False,
            headers={"Host": "mailconfig.example.com"},
            timeout=5,
        )
        assert health.status_code == 200
        for domain in ("example.com", "example.org", "xn--bcher-kva.example"):
            response = autoconfig(sandbox, domain)
            assert response.status_code == 200
            assert f'<emailProvider id="{domain}">' in response.text
        pids = sandbox.gunicorn_pids()
        assert len(pids) >= 2
        # Master and workers: real, effective, saved and filesystem ids all `cloudron`.
        assert all(ids_of(pid) == ([CLOUDRON_UID] * 4, [CLOUDRON_UID] * 4) for pid in pids)
    log = sandbox.log_path.read_text()
    assert log.splitlines()[0].startswith("autoconfig: serving 3 mail domain(s) from the Cloudron environment")
    assert not TROUBLE.search(log), log
    # /app/data holds the example config and nothing else, owned by cloudron.
    assert [p.name for p in data_dir.iterdir()] == ["config.toml"]
    config = data_dir / "config.toml"
    assert config.read_bytes() == EXAMPLE
    assert (config.stat().st_uid, data_dir.stat().st_uid) == (CLOUDRON_UID, CLOUDRON_UID)


def test_second_start_keeps_the_admins_edited_config(data_dir, tmp_path):
    with cloudron_runtime(data_dir, tmp_path) as sandbox:
        assert b"<port>995</port>" not in autoconfig(sandbox, "example.com").content
    config = data_dir / "config.toml"
    edited = config.read_bytes() + b"\n[services.pop3]\nenabled = true\n"
    config.write_bytes(edited)
    with cloudron_runtime(data_dir, tmp_path) as sandbox:
        assert b"<port>995</port>" in autoconfig(sandbox, "example.com").content
    assert config.read_bytes() == edited
    assert not TROUBLE.search(sandbox.log_path.read_text())


def test_gunicorn_tree_fits_the_manifest_memory_limit_with_headroom(data_dir, tmp_path):
    with cloudron_runtime(data_dir, tmp_path) as sandbox:
        for domain in ("example.com", "example.org", "xn--bcher-kva.example"):
            assert autoconfig(sandbox, domain).status_code == 200
        total_kib = sum(pss_kib(pid) for pid in sandbox.gunicorn_pids())
    # Half the limit at most: room for more workers, page cache and growth.
    assert total_kib * 1024 * 2 <= MANIFEST["memoryLimit"], f"PSS {total_kib} KiB"


def test_tls_addon_key_readable_only_by_root_still_signs_profiles(data_dir, tmp_path, test_ca):
    # Cloudron mounts the certificate at /etc/certs; the key may be root's alone,
    # while the server runs as cloudron: start.sh must hand it over.
    leaf = test_ca.issue(["mailconfig.example.com"], stem="tls")
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "tls_cert.pem").write_bytes(leaf.cert.read_bytes())
    (certs / "tls_key.pem").write_bytes(leaf.key.read_bytes())
    (certs / "tls_key.pem").chmod(0o600)
    # The roots the test's devices trust, where the sandbox can read them.
    (certs / "test-root.pem").write_bytes(test_ca.root.read_bytes())
    env = {**RUNTIME_ENV, "SSL_CERT_FILE": "/etc/certs/test-root.pem"}
    with cloudron_runtime(data_dir, tmp_path, env=env, certs_dir=certs) as sandbox:
        response = requests.get(
            sandbox.base_url + "/mobileconfig",
            params={"emailaddress": "jane@example.com"},
            headers={"Host": "autoconfig.example.com"},
            timeout=5,
        )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-apple-aspen-config"
    verified = cms_verify(response.content, test_ca.root, tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert b"com.apple.mail.managed" in (tmp_path / "content").read_bytes()
    assert not TROUBLE.search(sandbox.log_path.read_text())
