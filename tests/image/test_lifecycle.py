"""The life of an installed app, on the image the Dockerfile builds: install,
restart, update, backup and restore, certificate renewal, a changed
environment, memory under load. Each test is one moment a Cloudron admin
lives through; its name and messages say which one broke.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from support.inputs import RUNTIME_ENV
from support.processes import REPO, pss_kib
from support.sandbox import CLOUDRON_UID, ImageRoot, Sandbox, ids_of
from tests import pki

from .answers import APP_HOST, DOMAINS, READ_AS_THE_PROXY, TROUBLE, discovery, every_answer, get, log_of
from .conftest import Start, build_context, built

MANIFEST = json.loads((REPO / "CloudronManifest.json").read_text())
POP3_ON = b"\n[services.pop3]\nenabled = true\n"


def pop3_offered(sandbox: Sandbox) -> bool:
    return b"<port>995</port>" in discovery(sandbox, "example.com")["autoconfig (Thunderbird)"].content


def test_install_first_start_creates_the_config_serves_every_format_as_the_cloudron_user(
    start: Start, data_dir: Path, image: ImageRoot
) -> None:
    with start() as sandbox:
        health = get(sandbox, MANIFEST["healthCheckPath"])
        assert health.status_code == 200, "Cloudron's health check fails: the app would be marked down"
        for domain in DOMAINS:
            for name, response in discovery(sandbox, domain).items():
                assert response.status_code == 200, f"install: {name} for {domain} answers {response.status_code}"
                # JSON only points Outlook to the XML; the others name the mail server.
                expected = f"autodiscover.{domain}" if "JSON" in name else "my.example.com"
                assert expected.encode() in response.content, (
                    f"install: {name} for {domain} does not name {expected} from the environment"
                )
        french = get(sandbox, "/", "autoconfig.example.com", params={"lang": "fr"}).text
        assert "Configurer votre messagerie" in french, "install: the setup page is not translated (.mo not built?)"
        pids = sandbox.gunicorn_pids()
        assert len(pids) >= 2, "install: no gunicorn workers"
        for pid in pids:
            assert ids_of(pid) == ([CLOUDRON_UID] * 4, [CLOUDRON_UID] * 4), (
                f"install: gunicorn process {pid} runs as {ids_of(pid)}, not the cloudron user (uid 1000)"
            )
    log = log_of(sandbox)
    assert not TROUBLE.search(log), f"install: trouble in the start log:\n{log}"
    config = data_dir / "config.toml"
    assert config.read_bytes() == (image.root / "app/code/config.example.toml").read_bytes(), (
        "install: the first start does not put the example config.toml in /app/data"
    )
    assert (config.stat().st_uid, config.stat().st_gid) == (CLOUDRON_UID, CLOUDRON_UID), (
        "install: /app/data/config.toml is not owned by the cloudron user"
    )


def test_restart_keeps_the_admins_config_edits_and_applies_them(start: Start, data_dir: Path) -> None:
    with start() as sandbox:
        assert not pop3_offered(sandbox), "POP3 is on before the admin turned it on"
    config = data_dir / "config.toml"
    edited = config.read_bytes() + POP3_ON
    config.write_bytes(edited)
    with start() as sandbox:
        assert pop3_offered(sandbox), "restart: the admin's edit to config.toml (POP3 on) does not take effect"
    assert config.read_bytes() == edited, "restart: the admin's config.toml was overwritten"
    assert not TROUBLE.search(log_of(sandbox)), log_of(sandbox)


def test_update_to_a_new_image_keeps_the_admins_config_and_serves(start: Start, data_dir: Path, tmp_path: Path) -> None:
    # Version 1.0.1 of the package: a new manifest version and a changed example config.
    context = build_context(tmp_path / "context")
    manifest = json.loads((context / "CloudronManifest.json").read_text())
    (context / "CloudronManifest.json").write_text(json.dumps({**manifest, "version": "1.0.1"}))
    with (context / "config.example.toml").open("a") as example:
        example.write("\n# New in 1.0.1: nothing yet.\n")
    with start() as sandbox:
        pass
    config = data_dir / "config.toml"
    edited = config.read_bytes() + POP3_ON
    config.write_bytes(edited)
    with built(context, f"localhost/mail-autoconfig:update-{tmp_path.name}") as update:
        assert (update.root / "app/code/config.example.toml").read_bytes().endswith(b"nothing yet.\n")
        with start(image=update) as sandbox:
            assert get(sandbox, "/healthz").status_code == 200, "update: the new version is not healthy"
            assert pop3_offered(sandbox), "update: the admin's config.toml no longer takes effect"
    assert config.read_bytes() == edited, "update: the new version replaced the admin's config.toml"
    assert not TROUBLE.search(log_of(sandbox)), log_of(sandbox)


def test_backup_and_restore_give_the_same_answers_byte_for_byte(start: Start, data_dir: Path, tmp_path: Path) -> None:
    config = data_dir / "config.toml"
    with start():
        pass
    config.write_bytes(config.read_bytes() + POP3_ON + b'\n[display_names]\n"example.com" = "Example Mail"\n')
    with start() as sandbox:
        before = every_answer(sandbox)
    # Cloudron's tgz backup: a tarball of /app/data, unpacked by root at restore.
    backup, restored = tmp_path / "backup.tar.gz", tmp_path / "restored"
    subprocess.run(["tar", "-C", str(data_dir), "-czf", str(backup), "."], check=True)
    restored.mkdir()
    subprocess.run(["tar", "-C", str(restored), "-xzf", str(backup)], check=True)
    with start(data=restored) as sandbox:
        after = every_answer(sandbox)
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, f"restore: these answers differ from before the backup: {changed}"
    assert b"Example Mail" in before["autoconfig (Thunderbird) for example.com"]


def tls_addon(folder: Path, leaf: pki.Leaf) -> Path:
    """/etc/certs as the tls addon mounts it: the key readable by root only."""
    folder.mkdir(mode=0o700, exist_ok=True)
    (folder / "tls_cert.pem").write_bytes(leaf.cert.read_bytes())
    (folder / "tls_key.pem").write_bytes(leaf.key.read_bytes())
    (folder / "tls_key.pem").chmod(0o600)
    return folder


def signed_profile(sandbox: Sandbox, ca: pki.TestCA, folder: Path) -> bytes:
    profile = discovery(sandbox, "example.com")["mobileconfig (Apple)"]
    verified = pki.cms_verify(profile.content, ca.root, folder)
    assert verified.returncode == 0, f"the Apple profile is not signed by a trusted chain: {verified.stderr}"
    return profile.content


def test_certificate_renewal_signs_profiles_with_the_new_certificate(
    start: Start, test_ca: pki.TestCA, tmp_path: Path, data_dir: Path
) -> None:
    # The app signs only what a device would verify: the test's devices trust
    # the test root, handed over where the app (as cloudron) can read it.
    (data_dir / "test-root.pem").write_bytes(test_ca.root.read_bytes())
    trusting = {**RUNTIME_ENV, "SSL_CERT_FILE": "/app/data/test-root.pem"}
    certs = tmp_path / "certs"
    old = test_ca.issue([APP_HOST], stem="old")
    with start(env=trusting, certs_dir=tls_addon(certs, old)) as sandbox:
        signed_profile(sandbox, test_ca, tmp_path)
    # Renewed, and now a wildcard certificate, so that the log can tell them apart.
    new = test_ca.issue(["*.example.com", APP_HOST], stem="new")
    with start(env=trusting, certs_dir=tls_addon(certs, new)) as sandbox:
        profile = signed_profile(sandbox, test_ca, tmp_path)
    der = [
        subprocess.run(
            ["openssl", "x509", "-in", str(leaf.leaf_only), "-outform", "DER"], check=True, capture_output=True
        ).stdout
        for leaf in (old, new)
    ]
    assert der[1] in profile and der[0] not in profile, "renewal: profiles are not signed with the renewed certificate"
    assert "Apple profiles are signed as *.example.com" in log_of(sandbox), (
        f"renewal: the start log does not name the new certificate:\n{log_of(sandbox)}"
    )


def test_environment_change_alias_and_mail_domains_followed_after_restart(start: Start) -> None:
    with start() as sandbox:
        assert (
            b'<emailProvider id="example.org">' in discovery(sandbox, "example.org")["autoconfig (Thunderbird)"].content
        )
    # The admin added example.net as a mail domain and its alias locations,
    # and removed example.org from the mail server.
    env = {
        **RUNTIME_ENV,
        **READ_AS_THE_PROXY,
        "CLOUDRON_EMAIL_DOMAINS": "example.com,bücher.example,example.net",
        "CLOUDRON_ALIAS_DOMAINS": RUNTIME_ENV["CLOUDRON_ALIAS_DOMAINS"]
        + ",autoconfig.example.net,autodiscover.example.net",
    }
    with start(env=env) as sandbox:
        added = discovery(sandbox, "example.net")
        removed = discovery(sandbox, "example.org")
        report = json.loads(get(sandbox, "/admin/report.json").content)
    assert b'<emailProvider id="example.net">' in added["autoconfig (Thunderbird)"].content, (
        "environment change: the added mail domain is not served after a restart"
    )
    assert b"example.org" not in removed["autoconfig (Thunderbird)"].content, (
        "environment change: the removed mail domain is still served after a restart"
    )
    locations = {loc["host"]: loc["present"] for d in report["domains"] for loc in d["locations"]}
    assert locations.get("autoconfig.example.net"), f"the added alias location is not seen: {locations}"


def test_memory_of_the_process_tree_under_200_connections_stays_well_below_the_limit(
    start: Start, record_property: Callable[[str, object], None]
) -> None:
    with start() as sandbox:
        peak_kib = 0

        def sample() -> None:
            nonlocal peak_kib
            while load.poll() is None:
                peak_kib = max(peak_kib, sum(pss_kib(pid) for pid in sandbox.gunicorn_pids()))
                time.sleep(0.05)  # leave the two cores to the server and wrk

        url = sandbox.base_url + "/mail/config-v1.1.xml?emailaddress=jane@example.com"
        load = subprocess.Popen(
            ["wrk", "-t2", "-c200", "-d5s", "-H", "Host: autoconfig.example.com", url],
            stdout=subprocess.PIPE,
            text=True,
        )
        sampler = threading.Thread(target=sample)
        sampler.start()
        output, _ = load.communicate(timeout=60)
        sampler.join()
        assert get(sandbox, "/healthz").status_code == 200, "the app is not healthy after the load"
    limit_kib = MANIFEST["memoryLimit"] // 1024
    # Shown in the run's summary (conftest.py) and kept in --junitxml reports.
    record_property("peak PSS under 200 connections", f"{peak_kib} KiB of the manifest's {limit_kib} KiB")
    assert "Socket errors" not in output, f"connections failed under load:\n{output}"
    # Half the limit at most: room for page cache, a busier day and growth.
    assert 0 < peak_kib * 2 <= limit_kib, f"memory: peak PSS {peak_kib} KiB, limit {limit_kib} KiB"
