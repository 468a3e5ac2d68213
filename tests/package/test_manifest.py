"""CloudronManifest.json, checked by Cloudron's real validator (npm
cloudron-manifestformat, run by node) and against the rest of the package."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "CloudronManifest.json"
VALIDATOR = Path(__file__).with_name("validate_manifest.js")


def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def validate(path: Path, docker_image: str) -> tuple[int, dict]:
    done = subprocess.run(
        ["node", str(VALIDATOR), str(path), docker_image], capture_output=True, text=True, timeout=30, cwd=REPO
    )
    return done.returncode, json.loads(done.stdout)


def docker_image(m: dict) -> str:
    # What `cloudron build` writes at publish time: cloudron/<id>:<tag>.
    return f"cloudron/{m['id']}:{m['version']}"


def test_real_validator_accepts_manifest_and_appstore_requirements():
    code, result = validate(MANIFEST, docker_image(manifest()))
    assert result == {"parse": None, "appstore": None}
    assert code == 0


BROKEN = {
    "an unknown field": (lambda m: m.update(httpPorts_typo=1), "parse"),
    "no httpPort": (lambda m: m.pop("httpPort"), "parse"),
    "a version that is not semver": (lambda m: m.update(version="1.0"), "parse"),
    "an unknown addon": (lambda m: m["addons"].update(mailbox={}), "parse"),
    "a checklist on Cloudron 7": (lambda m: m.update(minBoxVersion="7.6.0"), "appstore"),
    "no mediaLinks": (lambda m: m.pop("mediaLinks"), "appstore"),
}


@pytest.mark.parametrize("what", BROKEN)
def test_real_validator_rejects_a_broken_copy(tmp_path, what):
    change, stage = BROKEN[what]
    broken = manifest()
    change(broken)
    path = tmp_path / "CloudronManifest.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    code, result = validate(path, docker_image(manifest()))
    assert code == 1
    assert result[stage]


def test_validator_rejects_an_image_name_outside_the_app_id():
    code, result = validate(MANIFEST, "cloudron/someone.else:1.0.0")
    assert code == 1 and "cloudron/appid" in result["appstore"]


def test_file_references_exist_and_say_something():
    m = manifest()
    for key in ("description", "changelog", "postInstallMessage", "icon"):
        assert m[key].startswith("file://"), key
        target = REPO / m[key].removeprefix("file://")
        assert target.stat().st_size > 100, key


def test_changelog_has_an_entry_for_this_version():
    m = manifest()
    assert f"[{m['version']}]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def test_postinstall_names_the_alias_locations_and_dns_records():
    text = (REPO / "POSTINSTALL.md").read_text(encoding="utf-8")
    for needed in (
        "autoconfig.<domain>",
        "autodiscover.<domain>",
        "_imaps._tcp",
        "_submission._tcp",
        "_autodiscover._tcp",
    ):
        assert needed in text
    # Required (the aliases) first, then recommended (the SRV records), as the dashboard ranks them.
    required, recommended = text.index("**Required**"), text.index("**Recommended**")
    assert required < text.index("Alias locations") < recommended < text.index("_imaps._tcp")


def test_manifest_promises_what_the_package_delivers(client):
    m = manifest()
    # Cloudron's health check and the port it sends traffic to.
    assert client.get(m["healthCheckPath"]).status_code == 200
    assert m["httpPort"] == 8000
    gunicorn_conf = (REPO / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert f'"0.0.0.0:{m["httpPort"]}"' in gunicorn_conf
    assert re.search(rf"^EXPOSE {m['httpPort']}$", (REPO / "Dockerfile").read_text(), re.M)
    # The login wall covers the admin page only, which is where "configure" leads.
    assert m["addons"]["proxyAuth"] == {"path": "/admin"}
    assert m["configurePath"] == "/admin"
    assert m["multiDomain"] is True
    assert {"email", "localstorage", "tls", "proxyAuth"} <= set(m["addons"])
