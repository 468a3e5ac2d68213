"""config.example.toml, which start.sh copies to /app/data/config.toml on first
start: it documents every key app/config_file.py accepts and changes nothing."""

import dataclasses
import re
from pathlib import Path

from app.config_file import CONFIG_SCHEMA, DAV_SCHEMA, SERVICE_SCHEMA, read_config
from app.settings import SERVICE_NAMES

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
# A commented-out setting or table starts with "#" and no space; prose has "# ".
SETTING_LINE = re.compile(r"^#(?=[\[a-z\"])", re.M)


def every_key() -> set[str]:
    keys = {k for k in CONFIG_SCHEMA if k != "services"}
    keys |= {f"dav.{key}" for key in DAV_SCHEMA} | {f"dav.domains.{key}" for key in DAV_SCHEMA}
    return keys | {f"services.{name}.{key}" for name in SERVICE_NAMES for key in SERVICE_SCHEMA}


def keys_of(config: dict) -> set[str]:
    keys = {k for k in config if k != "services"}
    dav = config.get("dav", {})
    keys |= {f"dav.{key}" for key in dav if key != "domains"}
    keys |= {f"dav.domains.{key}" for table in dav.get("domains", {}).values() for key in table}
    return keys | {f"services.{name}.{key}" for name, table in config.get("services", {}).items() for key in table}


def test_as_shipped_the_example_changes_nothing(make_settings):
    assert read_config(str(EXAMPLE)) == {}
    shipped, absent = make_settings(str(EXAMPLE)), make_settings()
    assert dataclasses.replace(shipped, config_file=absent.config_file) == absent


def uncomment(folder: Path) -> str:
    path = folder / "config.toml"
    path.write_text(SETTING_LINE.sub("", EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    return str(path)


def test_uncommented_example_is_accepted_and_shows_every_key(tmp_path):
    config = read_config(uncomment(tmp_path))
    assert keys_of(config) == every_key()


def test_uncommented_example_turns_on_what_it_says(tmp_path, make_settings):
    settings = make_settings(uncomment(tmp_path))
    assert settings.config_error is None
    assert [s.name for s in settings.incoming] == ["imap", "pop3"]
    assert [s.port for s in settings.outgoing] == [465, 587]
    assert settings.webmail_url == "https://webmail.example.com"
    assert settings.domain("example.com").dav.caldav.url == "https://cloud.example.com/remote.php/dav/"
    assert settings.domain("example.org").dav.login == "address"
